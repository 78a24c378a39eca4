// The hub's own secrets, made at first start and kept in its database (table hub_secrets,
// migration 0006), so every hub process on one PostgreSQL shares them and a restart keeps
// them: the Ed25519 key that signs export checkpoints (checkpoint.ts; its private half never
// leaves the database: no route, export or log shows it) and the key of the staff pseudonyms
// that public routes show instead of login names.
import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto"
import type { HubDb } from "./db/index"
import { reviewerKeyId } from "./library/signing"

const SIGNING_KEY = "checkpoint_signing_key"
const PSEUDONYM_KEY = "staff_pseudonym_key"

export interface HubSigningKey {
    privateKey: KeyObject
    /** SPKI PEM: what GET /api/hub-key and the transparency page publish */
    publicKeyPem: string
    /** SHA-256 (hex) of the raw 32-byte public key */
    keyId: string
}

export interface HubKeys {
    signing: HubSigningKey
    /** a staff login name -> its public pseudonym ("staff-" and 16 hex digits): stable, not reversible without the hub's key */
    pseudonym(name: string): string
    /** a device id -> the pseudonym the transparency page shows it under ("dev-" and 16 hex digits) */
    devicePublicId(deviceId: string): string
}

const loaded = new WeakMap<HubDb, Promise<HubKeys>>()

/** The first writer's value wins (several processes may start at once); every process reads it back. */
async function secret(hub: HubDb, name: string, make: () => string): Promise<string> {
    const db = hub.db
    await db.insertInto("hub_secrets").values({ name, value: make(), created_at_ms: Date.now() })
        .onConflict(oc => oc.column("name").doNothing()).execute()
    return (await db.selectFrom("hub_secrets").select("value").where("name", "=", name).executeTakeFirstOrThrow()).value
}

async function load(hub: HubDb): Promise<HubKeys> {
    const pem = await secret(hub, SIGNING_KEY, () => generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString())
    const privateKey = createPrivateKey(pem)
    const publicKey = createPublicKey(privateKey)
    const pseudonymKey = Buffer.from(await secret(hub, PSEUDONYM_KEY, () => randomBytes(32).toString("hex")), "hex")
    const names = new Map<string, string>()
    const of = (prefix: string, space: string, name: string) => {
        let p = names.get(space + name)
        if (p === undefined) {
            p = prefix + createHmac("sha256", pseudonymKey).update(space + "\n" + name).digest("hex").slice(0, 16)
            names.set(space + name, p)
        }
        return p
    }
    return {
        signing: { privateKey, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(), keyId: reviewerKeyId(publicKey) },
        pseudonym: name => of("staff-", "staff", name),
        devicePublicId: deviceId => of("dev-", "device", deviceId),
    }
}

/** The hub's keys, made on first use and cached per database handle. */
export function hubKeys(hub: HubDb): Promise<HubKeys> {
    let k = loaded.get(hub)
    if (!k) {
        k = load(hub)
        k.catch(() => loaded.delete(hub))
        loaded.set(hub, k)
    }
    return k
}

// Shared set-up for the library tests: a hub on a fresh SQLite file with a hand-set clock,
// one logged-in user per role, reviewer key pairs, and the docs' golden design
// (docs/records.md §4: "Demo arch" by open-smile, reviewed under DRC-2025 v3).
import { generateKeyPairSync } from "node:crypto"
import type { FastifyInstance } from "fastify"
import { buildHub } from "../../hub/src/app"
import type { HubContext } from "../../hub/src/context"
import type { HubDb } from "../../hub/src/db/index"
import { createUser } from "../../hub/src/users"
import { hubKeys } from "../../hub/src/hub-keys"
import type { Role } from "../../hub/src/auth/staff"
import { templateId } from "../../src/core/template/codec"
import { nodeCrypto } from "../../src/node/crypto-node"
import { goldenTemplate } from "../vectors/golden"
import { sqliteBackend, TestClock, ctxOf, type Backend } from "./support"

export interface LibraryStore {
    ctx: HubContext
    db: HubDb
    clock: TestClock
    /** a second handle on the same database, as a second hub process would have */
    openSecond(): Promise<HubDb>
    close(): Promise<void>
}

export interface LibraryHub extends LibraryStore {
    app: FastifyInstance
    /** bearer token per user name */
    tokens: Record<string, string>
}

/** every library user's password (it must pass hub/src/auth/password-policy.ts) */
export const LIBRARY_PASSWORD = "library-fixture-pw"

/** users: name -> role; the golden approval names reviewer rev-017 */
export const USERS: [string, Role][] = [
    ["op-1", "operator"], ["tech-1", "technician"], ["rev-017", "reviewer"], ["rev-2", "reviewer"],
    ["aud-1", "auditor"], ["des-1", "designer"], ["des-2", "designer"],
]

/** A fresh database and context, no app (the library's functions called directly). */
export async function libraryStore(backend: Backend = sqliteBackend): Promise<LibraryStore> {
    const store = await backend.create()
    const db = await store.open()
    const clock = new TestClock()
    return {
        ctx: ctxOf(db, clock), db, clock, openSecond: () => store.open(),
        close: async () => {
            await db.close()
            await store.drop()
        },
    }
}

/** The whole hub app on a fresh database, with every user of USERS logged in. */
export async function libraryHub(backend: Backend = sqliteBackend): Promise<LibraryHub> {
    const s = await libraryStore(backend)
    const app = await buildHub(s.ctx)
    const tokens: Record<string, string> = {}
    for (const [name, role] of USERS) {
        await createUser(s.ctx, { name, password: LIBRARY_PASSWORD, role })
        const r = await app.inject({ method: "POST", url: "/api/auth/login", payload: { name, password: LIBRARY_PASSWORD, bearer: true } })
        tokens[name] = r.json().token
    }
    return {
        ...s, app, tokens,
        close: async () => {
            await app.close()
            await s.close()
        },
    }
}

/** the pseudonym the library's answers show for a staff login name (hub-keys.ts) */
export async function staffId(h: LibraryStore, name: string): Promise<string> {
    return (await hubKeys(h.db)).pseudonym(name)
}

export function auth(h: LibraryHub, user: string) {
    return { authorization: "Bearer " + h.tokens[user] }
}

export function reviewerKeys() {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519")
    return {
        publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
        privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    }
}

/** The golden design (no approval), edited, with its id recomputed unless keepId. */
export function design(edit: (t: any) => void = () => {}, keepId = false): any {
    const t: any = goldenTemplate()
    delete t.approval
    edit(t)
    if (!keepId) {
        try {
            t.id = templateId(t, nodeCrypto)
        } catch {
            // a shape the encoder refuses: the hub's validation must report it
        }
    }
    return t
}

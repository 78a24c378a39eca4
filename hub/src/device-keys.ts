// Which device key sealed a record, once a device's key has been rotated (lifecycle.ts).
// Rule (hub/README.md "Key rotation"): a device's records carry non-decreasing key generations
// along its chain. A record verifies under the current device key, or under a retired one whose
// `last_seq` is open (null) or at least the record's seq; `last_seq` closes at the seq before the
// first record stored under a newer key. So records the device sealed before it got its new key
// (still queued on it at the rotation) are stored and stay verifiable, and once the device has
// stored a record under the new key, the retired key can seal nothing more.
import type { Kysely } from "kysely"
import type { HubSchema } from "./db/schema"
import { openSealed, SealedOpener } from "./record-open"

export interface RetiredKey {
    generation: number
    keyHex: string
    lastSeq: number | null
}

/** A device's retired device keys, newest first. */
export async function retiredKeys(db: Kysely<HubSchema>, deviceId: string): Promise<RetiredKey[]> {
    const rows = await db.selectFrom("device_retired_keys").select(["generation", "key_hex", "last_seq"])
        .where("device_id", "=", deviceId).orderBy("generation", "desc").execute()
    return rows.map(r => ({ generation: Number(r.generation), keyHex: r.key_hex, lastSeq: r.last_seq === null ? null : Number(r.last_seq) }))
}

/** The retired key this record's MAC verifies under and that may seal its seq, or null. */
export function retiredKeyFor(sealed: Buffer, seq: number, retired: RetiredKey[]): RetiredKey | null {
    for (const k of retired) {
        if (k.lastSeq !== null && seq > k.lastSeq) continue
        if (openSealed(sealed, Buffer.from(k.keyHex, "hex"))?.macOk) return k
    }
    return null
}

/**
 * After records were stored: each generation's first stored seq closes the open retired keys
 * older than it (ascending, so an older key closes before the one after it).
 */
export async function closeRetiredKeys(db: Kysely<HubSchema>, deviceId: string, firstSeqByGeneration: Map<number, number>): Promise<void> {
    for (const [gen, seq] of [...firstSeqByGeneration].sort((a, b) => a[0] - b[0])) {
        await db.updateTable("device_retired_keys").set({ last_seq: seq - 1 })
            .where("device_id", "=", deviceId).where("generation", "<", gen).where("last_seq", "is", null).execute()
    }
}

/**
 * Splits records (in seq order) into runs sealed under one key each, for src/core's
 * ChainVerifier (one key per verifier): a record that does not verify under the current key goes
 * with the retired key that verifies it and may seal its seq, else with the current key (whose
 * verifier then reports bad_mac).
 */
export function runsByKey<T>(items: T[], sealedOf: (t: T) => Buffer, currentKeyHex: string, retired: RetiredKey[]): { keyHex: string; items: T[] }[] {
    if (retired.length === 0) return [{ keyHex: currentKeyHex, items }]
    const current = new SealedOpener(Buffer.from(currentKeyHex, "hex"))
    const runs: { keyHex: string; items: T[] }[] = []
    for (const t of items) {
        const b = sealedOf(t)
        const o = current.openBytes(b)
        const keyHex = o && !o.macOk ? retiredKeyFor(b, o.head.seq, retired)?.keyHex ?? currentKeyHex : currentKeyHex
        const last = runs[runs.length - 1]
        if (last && last.keyHex === keyHex) last.items.push(t)
        else runs.push({ keyHex, items: [t] })
    }
    return runs
}

// The replay ledger: a device request's nonce is claimed once, durably, together with the
// device's last contact, before the request is served. Claims are group-committed: on SQLite
// in the shared transaction of db/group-commit.ts, on PostgreSQL as one statement per batch
// (every claim that arrived while the previous batch was in flight), so a reconnect storm costs
// a few commits instead of one fsync per request. Both databases refuse a second claim of the
// same (device, nonce) by its primary key, across hub processes too.
import type Database from "better-sqlite3"
import type pg from "pg"
import type { HubDb } from "../db/index"
import { isRetryable } from "../db/index"
import { Batcher, sqliteGroup } from "../db/group-commit"
import { RETRY_ATTEMPTS, retryPause } from "../db/record-tx"

export interface Claim {
    deviceId: string
    nonce: string
    nowMs: number
}

const sqliteStatements = new WeakMap<Database.Database, (c: Claim) => boolean>()

function sqliteClaimer(db: Database.Database): (c: Claim) => boolean {
    let claim = sqliteStatements.get(db)
    if (claim) return claim
    const insert = db.prepare("INSERT INTO device_nonces (device_id, nonce, seen_at_ms) VALUES (?, ?, ?) ON CONFLICT (device_id, nonce) DO NOTHING")
    const seen = db.prepare("INSERT INTO device_status (device_id, last_seen_ms) VALUES (?, ?) " +
        "ON CONFLICT (device_id) DO UPDATE SET last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)")
    claim = c => {
        if (insert.run(c.deviceId, c.nonce, c.nowMs).changes !== 1) return false
        seen.run(c.deviceId, c.nowMs)
        return true
    }
    sqliteStatements.set(db, claim)
    return claim
}

// one statement: the nonces that were new, and the last contact of their devices (rows locked
// in device order, so two hubs' batches cannot deadlock on device_status)
const PG_CLAIM =
    "WITH fresh AS (INSERT INTO device_nonces (device_id, nonce, seen_at_ms) " +
    "SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT (device_id, nonce) DO NOTHING RETURNING device_id, nonce, seen_at_ms), " +
    "seen AS (INSERT INTO device_status (device_id, last_seen_ms) SELECT device_id, max(seen_at_ms) FROM fresh GROUP BY device_id ORDER BY device_id " +
    "ON CONFLICT (device_id) DO UPDATE SET last_seen_ms = GREATEST(device_status.last_seen_ms, excluded.last_seen_ms)) " +
    "SELECT device_id, nonce FROM fresh"

async function pgClaimBatch(pool: pg.Pool, claims: Claim[]): Promise<PromiseSettledResult<boolean>[]> {
    // the same nonce twice in one batch: only the first may be fresh
    const key = (c: Claim) => c.deviceId + "\n" + c.nonce
    const first = new Map<string, number>()
    claims.forEach((c, i) => { if (!first.has(key(c))) first.set(key(c), i) })
    const unique = [...first.values()].map(i => claims[i])
    for (let attempt = 1; ; attempt++) {
        try {
            const r = await pool.query({
                name: "claim_nonces", text: PG_CLAIM,
                values: [unique.map(c => c.deviceId), unique.map(c => c.nonce), unique.map(c => c.nowMs)],
            })
            const fresh = new Set(r.rows.map((x: { device_id: string; nonce: string }) => x.device_id + "\n" + x.nonce))
            return claims.map((c, i) => ({ status: "fulfilled", value: first.get(key(c)) === i && fresh.has(key(c)) }))
        } catch (e) {
            if (attempt >= RETRY_ATTEMPTS || !isRetryable(e)) throw e
            await retryPause(attempt)
        }
    }
}

const pgBatchers = new WeakMap<HubDb, Batcher<Claim, boolean>>()

/** True when the nonce was new (it is now stored, durably, with the device's last contact); false: seen before. */
export function claimNonce(hub: HubDb, c: Claim): Promise<boolean> {
    if (hub.sqlite) {
        const claim = sqliteClaimer(hub.sqlite)
        return sqliteGroup(hub, () => claim(c))
    }
    const pool = hub.pgPool
    if (!pool) throw new Error("claimNonce: the database handle has no driver")
    let b = pgBatchers.get(hub)
    if (!b) {
        b = new Batcher(claims => pgClaimBatch(pool, claims))
        pgBatchers.set(hub, b)
    }
    return b.add(c)
}

// The ingest transaction on PostgreSQL: one pooled connection, named (server-side prepared)
// statements, and the batch's rows inserted by one INSERT ... SELECT FROM unnest(arrays): one
// statement text for every batch size, 11 parameters instead of 11 per row, so the server
// parses and plans it once per connection. Two hubs racing on a device: the (device_id, seq)
// key lets one insert land, the other's transaction fails and runs again, seeing duplicates.
// The usual upload (the next records, chained onto the stored head) is first tried as one
// statement that checks the head itself: one round trip and its own commit instead of four
// (BEGIN, head, insert, COMMIT), which at small batches cost more than the fsync.
import type pg from "pg"
import { isRetryable, isUniqueViolation } from "./index"
import type { RecordsTable } from "./migrations/0001_core"
import { type Decide, type Head, type RecordWrites, RETRY_ATTEMPTS, retryPause } from "./record-tx"
import { ZERO_HASH } from "../../../src/core/codec/ints"

const HEAD = "SELECT seq, hash FROM records WHERE device_id = $1 ORDER BY seq DESC LIMIT 1"
const HELD = "SELECT seq, hash FROM records WHERE device_id = $1 AND seq >= $2 AND seq <= $3"
const INSERT_RECORDS =
    "INSERT INTO records (device_id, seq, hash, prev_hash, kind, wall_unix_s, outcome, template_hash, operator_id, sealed_hex, received_at_ms) " +
    "SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::integer[], $6::bigint[], $7::integer[], $8::text[], $9::text[], $10::text[], $11::bigint[])"
// the same insert, made only if the device's head is still $12 (seq, 0 for none) and $13 (hash)
const APPEND_RECORDS =
    "WITH head AS (SELECT seq, hash FROM records WHERE device_id = $14 ORDER BY seq DESC LIMIT 1) " +
    INSERT_RECORDS.replace("SELECT *", "SELECT r.*") + " AS r " +
    "WHERE COALESCE((SELECT seq FROM head), 0) = $12::bigint AND COALESCE((SELECT hash FROM head), $15::text) = $13::text"
const INSERT_ALERT =
    "INSERT INTO alerts (id, device_id, kind, seq, detail, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING"

/** rows in column order, one array per column (unnest's parameters) */
function columns(rows: RecordsTable[]): unknown[][] {
    const cols: unknown[][] = [[], [], [], [], [], [], [], [], [], [], []]
    for (const r of rows) {
        const v = [r.device_id, r.seq, r.hash, r.prev_hash, r.kind, r.wall_unix_s, r.outcome, r.template_hash, r.operator_id, r.sealed_hex, r.received_at_ms]
        for (let j = 0; j < v.length; j++) cols[j].push(v[j])
    }
    return cols
}

/**
 * decide() against the head the batch presumes: when that answer stores every record and raises
 * nothing, it is the answer for as long as the head is still that one, which the statement
 * checks as it inserts. null: the head has moved on (or another hub got there first): the full
 * transaction decides.
 */
async function tryAppend<T extends RecordWrites>(c: pg.PoolClient, deviceId: string, first: number, last: number, presumed: Head, decide: Decide<T>): Promise<T | null> {
    const out = decide(presumed, new Map())
    if (out.alerts.length > 0 || out.rows.length !== last - first + 1) return null
    try {
        const r = await c.query({ name: "ingest_append", text: APPEND_RECORDS, values: [...columns(out.rows), presumed.seq, presumed.hash, deviceId, ZERO_HASH] })
        return r.rowCount === out.rows.length ? out : null
    } catch (e) {
        if (isUniqueViolation(e)) return null
        throw e
    }
}

/** BEGIN .. COMMIT; on an error the caller rolls back */
async function runOnce<T extends RecordWrites>(c: pg.PoolClient, deviceId: string, first: number, last: number, decide: Decide<T>): Promise<T> {
    await c.query("BEGIN")
    const h = (await c.query({ name: "ingest_head", text: HEAD, values: [deviceId] })).rows[0]
    const head: Head = h ? { seq: Number(h.seq), hash: h.hash } : { seq: 0, hash: ZERO_HASH }
    const stored = new Map<number, string>()
    if (first <= head.seq) {
        const held = await c.query({ name: "ingest_held", text: HELD, values: [deviceId, first, Math.min(last, head.seq)] })
        for (const r of held.rows) stored.set(Number(r.seq), r.hash)
    }
    const out = decide(head, stored)
    if (out.rows.length > 0) await c.query({ name: "ingest_records", text: INSERT_RECORDS, values: columns(out.rows) })
    for (const a of out.alerts)
        await c.query({ name: "ingest_alert", text: INSERT_ALERT, values: [a.id, a.device_id, a.kind, a.seq, a.detail, a.created_at_ms] })
    await c.query("COMMIT")
    return out
}

export async function recordTxPg<T extends RecordWrites>(pool: pg.Pool, deviceId: string, first: number, last: number, presumed: Head, decide: Decide<T>): Promise<T> {
    for (let i = 1; ; i++) {
        const c = await pool.connect()
        // a connection that cannot even roll back is dropped, not handed to the next caller
        let reusable = true
        try {
            return (i === 1 ? await tryAppend(c, deviceId, first, last, presumed, decide) : null) ?? await runOnce(c, deviceId, first, last, decide)
        } catch (e) {
            reusable = await c.query("ROLLBACK").then(() => true, () => false)
            if (i >= RETRY_ATTEMPTS || !isRetryable(e)) throw e
        } finally {
            c.release(!reusable)
        }
        await retryPause(i)
    }
}

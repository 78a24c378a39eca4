// The ingest transaction on PostgreSQL: one pooled connection, named (server-side prepared)
// statements, and the batch's rows inserted by one multi-row INSERT with one parameter per
// value (the statement text for n rows is made once and prepared once per connection and
// size: a device sends at most 32). Arrays of text (unnest) were tried before: pg escapes and
// quotes every element of a text array and the server parses the array literal back, which
// cost a hundred-record batch about a third more than plain parameters (bench/ingest.ts).
// Two hubs racing on a device: the (device_id, seq) key lets one insert land, the other's
// transaction fails and runs again, seeing duplicates.
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
const COLUMNS = "device_id, seq, hash, prev_hash, kind, wall_unix_s, outcome, template_hash, operator_id, sealed_hex, received_at_ms"
const TYPES = ["text", "bigint", "text", "text", "integer", "bigint", "integer", "text", "text", "text", "bigint"]
const INSERT_ALERT =
    "INSERT INTO alerts (id, device_id, kind, seq, detail, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING"

/** PostgreSQL takes at most 65,535 parameters a statement */
const ROWS_MAX = 5000

/** VALUES of n rows, typed, their parameters numbered from first */
function valuesOf(n: number, first: number): string {
    if (n > ROWS_MAX) throw new Error("ingest on PostgreSQL: at most " + ROWS_MAX + " records a batch, not " + n)
    const rows: string[] = []
    for (let i = 0; i < n; i++) rows.push("(" + TYPES.map((t, j) => "$" + (first + i * TYPES.length + j) + "::" + t).join(", ") + ")")
    return "VALUES " + rows.join(", ")
}

const texts = new Map<string, string>()
function cached(key: string, make: () => string): string {
    let t = texts.get(key)
    if (t === undefined) {
        t = make()
        texts.set(key, t)
    }
    return t
}

const insertText = (n: number) => cached("i" + n, () => "INSERT INTO records (" + COLUMNS + ") " + valuesOf(n, 1))
// the same insert, made only if the device's ($1) head is still $2 (seq, 0 for none) and $3 (hash; $4 is the hash of none)
const appendText = (n: number) => cached("a" + n, () =>
    "WITH head AS (SELECT seq, hash FROM records WHERE device_id = $1 ORDER BY seq DESC LIMIT 1) " +
    "INSERT INTO records (" + COLUMNS + ") SELECT * FROM (" + valuesOf(n, 5) + ") AS r (" + COLUMNS + ") " +
    "WHERE COALESCE((SELECT seq FROM head), 0) = $2::bigint AND COALESCE((SELECT hash FROM head), $4::text) = $3::text")

/** the rows' values in column order, flat (the VALUES' parameters) */
function flat(rows: RecordsTable[]): unknown[] {
    const v: unknown[] = []
    for (const r of rows)
        v.push(r.device_id, r.seq, r.hash, r.prev_hash, r.kind, r.wall_unix_s, r.outcome, r.template_hash, r.operator_id, r.sealed_hex, r.received_at_ms)
    return v
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
        const n = out.rows.length
        const r = await c.query({ name: "ingest_append_" + n, text: appendText(n), values: [deviceId, presumed.seq, presumed.hash, ZERO_HASH, ...flat(out.rows)] })
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
    const n = out.rows.length
    if (n > 0) await c.query({ name: "ingest_records_" + n, text: insertText(n), values: flat(out.rows) })
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

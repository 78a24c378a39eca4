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
// (BEGIN, head, insert, COMMIT), which at small batches cost more than the fsync. Uploads of
// many devices that arrive together (a reconnect storm) share that statement: one round trip
// for all of them (appendGroup below).
import type pg from "pg"
import { isRetryable } from "./index"
import { Batcher } from "./group-commit"
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

/** batches of at most this many records go through the shared statement (a device sends at most 32) */
const GROUP_ROWS_MAX = 32
/** devices a shared statement takes at most (each with at most GROUP_ROWS_MAX records) */
const GROUP_DEVICES_MAX = 256

/**
 * Each device's rows, inserted only if that device's head is still the one its upload presumes
 * (head_seq, 0 for none, and head_hash; $2 is the hash of none): a device's rows all land or none
 * do. The rows come as one JSON array: one statement text for any mix of devices and sizes,
 * prepared once.
 */
const GROUP_APPEND =
    "WITH r AS (SELECT * FROM json_to_recordset($1::json) AS r (device_id text, seq bigint, hash text, prev_hash text, kind integer, " +
    "wall_unix_s bigint, outcome integer, template_hash text, operator_id text, sealed_hex text, received_at_ms bigint, head_seq bigint, head_hash text)), " +
    "ok AS (SELECT d.device_id FROM (SELECT DISTINCT device_id, head_seq, head_hash FROM r) d " +
    "LEFT JOIN LATERAL (SELECT seq, hash FROM records WHERE device_id = d.device_id ORDER BY seq DESC LIMIT 1) h ON true " +
    "WHERE COALESCE(h.seq, 0) = d.head_seq AND COALESCE(h.hash, $2::text) = d.head_hash) " +
    "INSERT INTO records (" + COLUMNS + ") SELECT " + COLUMNS + " FROM r WHERE device_id IN (SELECT device_id FROM ok) RETURNING device_id"

interface GroupItem {
    deviceId: string
    presumed: Head
    rows: RecordsTable[]
}

const groups = new WeakMap<pg.Pool, Batcher<GroupItem, boolean>>()

/**
 * The appends read in the same turn of the event loop (and those that come while one is in
 * flight), in one statement and one commit. true: the item's rows are stored; false: not
 * (the head moved on, the device has another upload in the same statement, or the statement
 * failed, e.g. another hub stored one of the records first): the caller's full transaction
 * decides, as for an append of its own that did not land.
 */
function appendGroup(pool: pg.Pool): Batcher<GroupItem, boolean> {
    let g = groups.get(pool)
    if (g) return g
    g = new Batcher<GroupItem, boolean>(async items => {
        // one upload alone: its own statement (rows as parameters, prepared per size) is cheaper
        // for the server than the shared one's JSON
        if (items.length === 1) return [{ status: "fulfilled", value: await appendOne(pool, items[0]) }]
        const seen = new Set<string>()
        const rows: unknown[] = []
        const taken: boolean[] = items.map(it => {
            if (seen.has(it.deviceId)) return false
            seen.add(it.deviceId)
            for (const r of it.rows) rows.push({ ...r, head_seq: it.presumed.seq, head_hash: it.presumed.hash })
            return true
        })
        const stored = new Map<string, number>()
        try {
            const res = await pool.query({ name: "ingest_append_group", text: GROUP_APPEND, values: [JSON.stringify(rows), ZERO_HASH] })
            for (const row of res.rows as { device_id: string }[]) stored.set(row.device_id, (stored.get(row.device_id) ?? 0) + 1)
        } catch {
            // whatever failed, each upload's own transaction runs next and meets it there
        }
        return items.map((it, i) => ({ status: "fulfilled", value: taken[i] && stored.get(it.deviceId) === it.rows.length }))
    }, GROUP_DEVICES_MAX)
    groups.set(pool, g)
    return g
}

/** one device's rows in one statement that checks the head itself; false: not stored */
async function appendOne(pool: pg.Pool, it: GroupItem): Promise<boolean> {
    const n = it.rows.length
    try {
        const r = await pool.query({ name: "ingest_append_" + n, text: appendText(n), values: [it.deviceId, it.presumed.seq, it.presumed.hash, ZERO_HASH, ...flat(it.rows)] })
        return r.rowCount === n
    } catch (e) {
        // another hub stored one first, or a retryable failure: the full transaction decides
        if (isRetryable(e)) return false
        throw e
    }
}

/**
 * decide() against the head the batch presumes: when that answer stores every record and raises
 * nothing, it is the answer for as long as the head is still that one, which the statement
 * checks as it inserts. null: the head has moved on (or another hub got there first): the full
 * transaction decides.
 */
async function tryAppend<T extends RecordWrites>(pool: pg.Pool, deviceId: string, first: number, last: number, presumed: Head, decide: Decide<T>): Promise<T | null> {
    const out = decide(presumed, new Map())
    if (out.alerts.length > 0 || out.rows.length !== last - first + 1) return null
    const item = { deviceId, presumed, rows: out.rows }
    return (out.rows.length <= GROUP_ROWS_MAX ? await appendGroup(pool).add(item) : await appendOne(pool, item)) ? out : null
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
    const appended = await tryAppend(pool, deviceId, first, last, presumed, decide)
    if (appended) return appended
    for (let i = 1; ; i++) {
        const c = await pool.connect()
        // a connection that cannot even roll back is dropped, not handed to the next caller
        let reusable = true
        try {
            return await runOnce(c, deviceId, first, last, decide)
        } catch (e) {
            reusable = await c.query("ROLLBACK").then(() => true, () => false)
            if (i >= RETRY_ATTEMPTS || !isRetryable(e)) throw e
        } finally {
            c.release(!reusable)
        }
        await retryPause(i)
    }
}

// The ingest transaction on SQLite: better-sqlite3 prepared statements (prepared once per
// database handle), run synchronously as one work of the next group commit
// (group-commit.ts): uploads of many devices that arrive together share one BEGIN IMMEDIATE ...
// COMMIT, and so one fsync (WAL, synchronous=FULL, set by openDb). IMMEDIATE takes the write
// lock before the head is read, so another process cannot write between the read and the
// insert; the group answers nobody before its COMMIT.
import type Database from "better-sqlite3"
import type { HubDb } from "./index"
import { type Decide, type Head, type RecordWrites } from "./record-tx"
import { sqliteGroup } from "./group-commit"
import { ZERO_HASH } from "../../../src/core/codec/ints"

type RunTx = (deviceId: string, first: number, last: number, decide: Decide<RecordWrites>) => RecordWrites

/** rows per INSERT statement (11 parameters a row; SQLite allows 32,766): a larger batch takes several */
const ROWS_PER_INSERT = 100

/** the transaction's body, with its statements, prepared once per database handle */
const prepared = new WeakMap<Database.Database, RunTx>()

function transactionOf(db: Database.Database): RunTx {
    let run = prepared.get(db)
    if (run) return run
    const headOf = db.prepare<[string], { seq: number; hash: string }>("SELECT seq, hash FROM records WHERE device_id = ? ORDER BY seq DESC LIMIT 1")
    const held = db.prepare<[string, number, number], { seq: number; hash: string }>("SELECT seq, hash FROM records WHERE device_id = ? AND seq >= ? AND seq <= ?")
    // a batch's rows as one multi-row INSERT (one statement text per row count, prepared once):
    // one bind and one step for the batch instead of one per row
    const inserts = new Map<number, Database.Statement>()
    const insertRows = (n: number) => {
        let st = inserts.get(n)
        if (!st) {
            st = db.prepare("INSERT INTO records (device_id, seq, hash, prev_hash, kind, wall_unix_s, outcome, template_hash, operator_id, sealed_hex, received_at_ms) VALUES " +
                new Array<string>(n).fill("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", "))
            inserts.set(n, st)
        }
        return st
    }
    const insertAlert = db.prepare("INSERT INTO alerts (id, device_id, kind, seq, detail, created_at_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")
    run = (deviceId: string, first: number, last: number, decide: Decide<RecordWrites>) => {
        const h = headOf.get(deviceId)
        const head: Head = h ? { seq: Number(h.seq), hash: h.hash } : { seq: 0, hash: ZERO_HASH }
        const stored = new Map<number, string>()
        if (first <= head.seq) for (const r of held.all(deviceId, first, Math.min(last, head.seq))) stored.set(Number(r.seq), r.hash)
        const out = decide(head, stored)
        for (let i = 0; i < out.rows.length; i += ROWS_PER_INSERT) {
            const n = Math.min(ROWS_PER_INSERT, out.rows.length - i)
            const args: unknown[] = new Array(n * 11)
            let k = 0
            for (let j = i; j < i + n; j++) {
                const r = out.rows[j]
                args[k++] = r.device_id; args[k++] = r.seq; args[k++] = r.hash; args[k++] = r.prev_hash; args[k++] = r.kind; args[k++] = r.wall_unix_s
                args[k++] = r.outcome; args[k++] = r.template_hash; args[k++] = r.operator_id; args[k++] = r.sealed_hex; args[k++] = r.received_at_ms
            }
            insertRows(n).run(args)
        }
        for (const a of out.alerts) insertAlert.run(a.id, a.device_id, a.kind, a.seq, a.detail, a.created_at_ms)
        return out
    }
    prepared.set(db, run)
    return run
}

export function recordTxSqlite<T extends RecordWrites>(hub: HubDb, db: Database.Database, deviceId: string, first: number, last: number, decide: Decide<T>): Promise<T> {
    const run = transactionOf(db)
    return sqliteGroup(hub, () => run(deviceId, first, last, decide) as T)
}

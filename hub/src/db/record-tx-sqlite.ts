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

/** the transaction's body, with its statements, prepared once per database handle */
const prepared = new WeakMap<Database.Database, RunTx>()

function transactionOf(db: Database.Database): RunTx {
    let run = prepared.get(db)
    if (run) return run
    const headOf = db.prepare<[string], { seq: number; hash: string }>("SELECT seq, hash FROM records WHERE device_id = ? ORDER BY seq DESC LIMIT 1")
    const held = db.prepare<[string, number, number], { seq: number; hash: string }>("SELECT seq, hash FROM records WHERE device_id = ? AND seq >= ? AND seq <= ?")
    const insertRecord = db.prepare("INSERT INTO records (device_id, seq, hash, prev_hash, kind, wall_unix_s, outcome, template_hash, operator_id, sealed_hex, received_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
    const insertAlert = db.prepare("INSERT INTO alerts (id, device_id, kind, seq, detail, created_at_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")
    run = (deviceId: string, first: number, last: number, decide: Decide<RecordWrites>) => {
        const h = headOf.get(deviceId)
        const head: Head = h ? { seq: Number(h.seq), hash: h.hash } : { seq: 0, hash: ZERO_HASH }
        const stored = new Map<number, string>()
        if (first <= head.seq) for (const r of held.all(deviceId, first, Math.min(last, head.seq))) stored.set(Number(r.seq), r.hash)
        const out = decide(head, stored)
        for (const r of out.rows)
            insertRecord.run(r.device_id, r.seq, r.hash, r.prev_hash, r.kind, r.wall_unix_s, r.outcome, r.template_hash, r.operator_id, r.sealed_hex, r.received_at_ms)
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

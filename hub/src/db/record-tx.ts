// The ingest transaction, written against each driver with cached prepared statements rather
// than through Kysely: building and preparing a 100-row INSERT per batch, and Kysely's
// per-query promise hops, cost more than the checks and the insert themselves (bench/profile.ts).
// What it does is the same on both databases: read the device's head and the hashes held for
// the batch's sequence numbers, let decide() choose the answers, write its rows and alerts,
// commit; a retryable error (a concurrent writer, a busy lock) runs it all again.
import type { HubDb } from "./index"
import type { AlertsTable, RecordsTable } from "./migrations/0001_core"
import { recordTxSqlite } from "./record-tx-sqlite"
import { recordTxPg } from "./record-tx-pg"

export interface Head {
    seq: number
    hash: string
}

export interface RecordWrites {
    rows: RecordsTable[]
    alerts: AlertsTable[]
}

/** chooses what to write from the stored head and the hashes held for seqs first..last (at most head.seq) */
export type Decide<T extends RecordWrites> = (head: Head, stored: Map<number, string>) => T

export const RETRY_ATTEMPTS = 8

/**
 * presumed: the head the batch expects (its first record's seq - 1 and prevHash); PostgreSQL
 * tries that case in one statement first (record-tx-pg.ts), SQLite, in process, needs no such
 * shortcut.
 */
export function recordTransaction<T extends RecordWrites>(hub: HubDb, deviceId: string, first: number, last: number, presumed: Head, decide: Decide<T>): Promise<T> {
    if (hub.sqlite) return recordTxSqlite(hub, hub.sqlite, deviceId, first, last, decide)
    if (hub.pgPool) return recordTxPg(hub.pgPool, deviceId, first, last, presumed, decide)
    throw new Error("recordTransaction: the database handle has no driver")
}

/** a short random pause before a retry, so two writers part */
export function retryPause(attempt: number): Promise<void> {
    return new Promise(r => setTimeout(r, Math.random() * 5 * attempt))
}

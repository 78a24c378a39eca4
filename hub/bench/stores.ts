// Fresh databases for the benchmarks: a temp SQLite file (the hub's own openDb: WAL,
// synchronous=FULL) or a new database on a throwaway PostgreSQL server with fsync on. Each
// comes with a "raw" handle on the same schema for the ceiling: better-sqlite3 with the same
// pragmas, or one pg connection.
import Database from "better-sqlite3"
import pg from "pg"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { openDb, type HubDb } from "../src/db/index"
import { createDatabase } from "../../tools/pg-server"

export type Backend = "sqlite" | "postgres"

export interface BenchStore {
    backend: Backend
    /** the SQLite file or PostgreSQL URL */
    location: string
    /** the hub's own handle (migrations run) */
    openHub(): Promise<HubDb>
    drop(): Promise<void>
}

export const RECORD_COLUMNS = [
    "device_id", "seq", "hash", "prev_hash", "kind", "wall_unix_s", "outcome", "template_hash", "operator_id", "sealed_hex", "received_at_ms",
] as const

let counter = 0

export async function sqliteStore(): Promise<BenchStore> {
    // under the OS temp dir, which is the same ext4 disk here (not tmpfs): fsync is real
    const dir = mkdtempSync(join(tmpdir(), "hub-bench-"))
    const file = join(dir, "hub.db")
    return { backend: "sqlite", location: file, openHub: () => openDb({ sqliteFile: file }), drop: async () => rmSync(dir, { recursive: true, force: true }) }
}

export async function pgStore(serverUrl: string): Promise<BenchStore> {
    const name = "hub_bench_" + process.pid + "_" + ++counter
    const url = await createDatabase(serverUrl, name)
    return {
        backend: "postgres", location: url, openHub: () => openDb({ pgUrl: url }),
        drop: async () => {
            const c = new pg.Client({ connectionString: serverUrl })
            await c.connect()
            try {
                await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
            } finally {
                await c.end()
            }
        },
    }
}

/** Inserts one batch of record rows (column order RECORD_COLUMNS) in one transaction. */
export interface RawInserter {
    insertBatch(rows: unknown[][]): Promise<void>
    count(): Promise<number>
    close(): Promise<void>
}

/** better-sqlite3 on the same file shape with the hub's pragmas; a prepared statement per row. */
export function rawSqlite(file: string): RawInserter {
    const db = new Database(file)
    db.pragma("journal_mode = WAL")
    db.pragma("synchronous = FULL")
    db.pragma("busy_timeout = 5000")
    db.pragma("foreign_keys = ON")
    const stmt = db.prepare("INSERT INTO records (" + RECORD_COLUMNS.join(", ") + ") VALUES (" + RECORD_COLUMNS.map(() => "?").join(", ") + ")")
    const tx = db.transaction((rows: unknown[][]) => {
        for (const r of rows) stmt.run(r)
    })
    return {
        insertBatch: async rows => tx(rows),
        count: async () => Number((db.prepare("SELECT count(*) AS n FROM records").get() as { n: number }).n),
        close: async () => {
            db.close()
        },
    }
}

/** one pg connection: BEGIN, one multi-row INSERT of the batch (a named, prepared statement), COMMIT */
export async function rawPg(url: string): Promise<RawInserter> {
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    const texts = new Map<number, string>()
    const textFor = (n: number) => {
        let t = texts.get(n)
        if (!t) {
            const k = RECORD_COLUMNS.length
            const values: string[] = []
            for (let i = 0; i < n; i++) values.push("(" + RECORD_COLUMNS.map((_, j) => "$" + (i * k + j + 1)).join(", ") + ")")
            t = "INSERT INTO records (" + RECORD_COLUMNS.join(", ") + ") VALUES " + values.join(", ")
            texts.set(n, t)
        }
        return t
    }
    return {
        insertBatch: async rows => {
            await c.query("BEGIN")
            try {
                await c.query({ name: "bench_insert_" + rows.length, text: textFor(rows.length), values: rows.flat() })
                await c.query("COMMIT")
            } catch (e) {
                await c.query("ROLLBACK")
                throw e
            }
        },
        count: async () => Number((await c.query("SELECT count(*) AS n FROM records")).rows[0].n),
        close: () => c.end(),
    }
}

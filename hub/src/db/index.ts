// Opens the hub database: SQLite (better-sqlite3, one file) by default, PostgreSQL (pg) when
// a URL is given. Migrations run on every open; Kysely's Migrator records what ran and, on
// PostgreSQL, holds an advisory lock, so several hub processes may start at once.
import Database from "better-sqlite3"
import pg from "pg"
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type SqliteDatabase } from "kysely"
import type { HubSchema } from "./schema"
import { MIGRATIONS } from "./migrations/index"

export interface HubDb {
    db: Kysely<HubSchema>
    dialect: "sqlite" | "postgres"
    /** the driver under Kysely, for the ingest transaction's prepared statements (record-tx*.ts) */
    sqlite?: Database.Database
    pgPool?: pg.Pool
    close(): Promise<void>
}

export interface OpenDbOptions {
    sqliteFile?: string
    pgUrl?: string
}

const PG_INT8_OID = 20

export async function openDb(opts: OpenDbOptions): Promise<HubDb> {
    if (opts.pgUrl && opts.sqliteFile) throw new Error("openDb: give either sqliteFile or pgUrl, not both")
    let hub: HubDb
    if (opts.pgUrl) {
        const pool = new pg.Pool({
            connectionString: opts.pgUrl,
            // bigint columns hold unix ms and sequence numbers, all below 2^53: plain numbers
            types: {
                getTypeParser: ((oid: number, format?: any) =>
                    oid === PG_INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as any,
            },
        })
        // an idle pooled connection the server ends (a restart, a failover, an administrator) is
        // reported here; unhandled, it would crash the hub. The pool drops it and connects anew.
        pool.on("error", e => console.warn("hub db: an idle PostgreSQL connection ended (" + e.message + "); the pool replaces it"))
        hub = { db: new Kysely<HubSchema>({ dialect: new PostgresDialect({ pool }) }), dialect: "postgres", pgPool: pool, close: async () => {} }
    } else if (opts.sqliteFile) {
        const sqlite = new Database(opts.sqliteFile)
        // an ack must mean durable: WAL with a full fsync at every commit
        sqlite.pragma("journal_mode = WAL")
        sqlite.pragma("synchronous = FULL")
        // another process (a CLI export) may hold the write lock for a moment
        sqlite.pragma("busy_timeout = 5000")
        sqlite.pragma("foreign_keys = ON")
        hub = { db: new Kysely<HubSchema>({ dialect: new SqliteDialect({ database: preparedOnce(sqlite) }) }), dialect: "sqlite", sqlite, close: async () => {} }
    } else {
        throw new Error("openDb: give sqliteFile or pgUrl")
    }
    const db = hub.db
    hub.close = () => db.destroy()
    try {
        await migrate(db)
    } catch (e) {
        await db.destroy()
        throw e
    }
    return hub
}

const STATEMENTS_KEPT = 512

/**
 * The SQLite handle as Kysely sees it, with each statement prepared once per SQL text: Kysely's
 * driver prepares every query it runs, which cost a device request more CPU than the query
 * itself (a reconnect storm's profile). A statement still being iterated is not reused.
 */
function preparedOnce(sqlite: Database.Database): SqliteDatabase {
    const kept = new Map<string, Database.Statement>()
    return {
        close: () => sqlite.close(),
        prepare(sql: string) {
            let s = kept.get(sql)
            if (s && !s.busy) return s
            s = sqlite.prepare(sql)
            if (kept.size >= STATEMENTS_KEPT) kept.clear()
            kept.set(sql, s)
            return s
        },
    }
}

async function migrate(db: Kysely<HubSchema>) {
    const all: Record<string, Migration> = {}
    for (const m of MIGRATIONS) all[m.name] = { up: m.up }
    const migrator = new Migrator({ db, provider: { getMigrations: async () => all } })
    const { error, results } = await migrator.migrateToLatest()
    if (error) {
        const failed = results?.find(r => r.status === "Error")
        throw new Error("database migration " + (failed ? failed.migrationName : "") + " failed: " + String((error as any)?.message ?? error))
    }
}

/** True for a duplicate key, on either database. */
export function isUniqueViolation(e: unknown): boolean {
    const code = (e as any)?.code
    return code === "23505" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE"
}

/** True for errors after which the whole transaction may simply be run again. */
export function isRetryable(e: unknown): boolean {
    const code = (e as any)?.code
    // PostgreSQL: unique_violation (a concurrent writer got there first), serialization_failure,
    // deadlock_detected; SQLite: another process holds the lock past busy_timeout
    return isUniqueViolation(e) || code === "40001" || code === "40P01" || code === "SQLITE_BUSY"
}

/** Runs fn in a transaction, again on a retryable error (with jitter so two writers part). */
export async function withRetry<T>(hub: HubDb, fn: (trx: Kysely<HubSchema>) => Promise<T>, attempts = 8): Promise<T> {
    for (let i = 1; ; i++) {
        try {
            return await hub.db.transaction().execute(trx => fn(trx))
        } catch (e) {
            if (i >= attempts || !isRetryable(e)) throw e
            await new Promise(r => setTimeout(r, Math.random() * 5 * i))
        }
    }
}

// The device requests' reads and writes, written against each driver instead of through Kysely.
// A reconnect storm (every device syncing at once) is bound by the hub's CPU per request, and
// building, compiling and running a Kysely query (with its connection mutex and promise hops)
// cost a device request more than the query itself (bench:hub's burst profile, issue 16).
//   SQLite: prepared statements run synchronously on the hub's one connection, but only while
//   no Kysely transaction is open on it (such a transaction spans awaits, and a read in
//   between would see its uncommitted writes); otherwise the read goes through Kysely, which
//   waits for that transaction like every other query.
//   PostgreSQL: lookups by key that arrive together are one statement (`= ANY($1)`), started
//   after every one of them arrived (group-commit.ts's Batcher), so each still reads what was
//   committed before it was asked.
// Writes go into the group commit (group-commit.ts) with their SQL text fixed per dialect.
import type Database from "better-sqlite3"
import type pg from "pg"
import { CompiledQuery } from "kysely"
import type { HubDb } from "./index"
import { Batcher, groupWrite } from "./group-commit"

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>()

/** the hub's SQLite connection when a synchronous read there sees exactly what is committed */
export function sqliteNow(hub: HubDb): Database.Database | null {
    const db = hub.sqlite
    return db && !db.inTransaction ? db : null
}

/** what make() gives, once per owner (a connection, a database handle) and name */
function cached<K extends object, V>(all: WeakMap<K, Map<string, V>>, owner: K, name: string, make: () => V): V {
    let m = all.get(owner)
    if (!m) {
        m = new Map()
        all.set(owner, m)
    }
    let v = m.get(name)
    if (v === undefined) {
        v = make()
        m.set(name, v)
    }
    return v
}

/** a statement prepared once per SQL text and connection */
export function sqliteStatement(db: Database.Database, sql: string): Database.Statement {
    return cached(statements, db, sql, () => db.prepare(sql))
}

/** `?` placeholders as PostgreSQL's `$1, $2, …` (the texts here hold no other `?`) */
export function pgText(sql: string): string {
    let n = 0
    return sql.replace(/\?/g, () => "$" + ++n)
}

type Row = Record<string, unknown>

const lookups = new WeakMap<HubDb, Map<string, Batcher<string, Row | undefined>>>()

/**
 * One row by key. sql reads rows WHERE key = ? (SQLite, one key) and pgBatchSql rows WHERE
 * key = ANY($1::text[]) (PostgreSQL, the keys asked together), each row naming its key in
 * column keyColumn.
 */
export function lookupRow<T extends Row>(hub: HubDb, name: string, sql: string, pgBatchSql: string, keyColumn: string, key: string): Promise<T | undefined> {
    if (hub.sqlite) {
        const db = sqliteNow(hub)
        if (db) return Promise.resolve(sqliteStatement(db, sql).get(key) as T | undefined)
        return hub.db.executeQuery(CompiledQuery.raw(sql, [key])).then(r => r.rows[0] as T | undefined)
    }
    const pool = hub.pgPool as pg.Pool
    return cached(lookups, hub, name, () => new Batcher<string, Row | undefined>(async keys => {
        const r = await pool.query({ name: "hot_" + name, text: pgBatchSql, values: [[...new Set(keys)]] })
        const byKey = new Map<string, Row>()
        for (const row of r.rows as Row[]) byKey.set(row[keyColumn] as string, row)
        return keys.map(k => ({ status: "fulfilled", value: byKey.get(k) }))
    }, 1000)).add(key) as Promise<T | undefined>
}

/**
 * A write with fixed SQL, durable when it resolves: on SQLite in the next group commit
 * (groupWrite), on PostgreSQL on its own as a named (prepared) statement.
 */
export async function fixedWrite(hub: HubDb, name: string, sql: string, pgSql: string, parameters: unknown[]): Promise<void> {
    if (hub.sqlite) return groupWrite(hub, CompiledQuery.raw(sql, parameters))
    await (hub.pgPool as pg.Pool).query({ name: "hot_" + name, text: pgSql, values: parameters })
}

/** thrown for a row another writer inserted first (isUniqueViolation knows the code) */
class AlreadyThere extends Error {
    readonly code = "23505"
}

const inserts = new WeakMap<HubDb, Map<string, Batcher<unknown[], void>>>()

/**
 * An insert that must not overwrite, durable when it resolves: on SQLite in the next group
 * commit; on PostgreSQL the rows that arrive together as one statement (one commit). A row whose
 * key (the first keyColumns values) is already held, or was already asked in the batch, fails
 * alone with a unique violation (code 23505), as its own INSERT would have.
 */
export function insertOnce(hub: HubDb, name: string, table: string, columns: string[], pgTypes: string[], keyColumns: number, row: unknown[]): Promise<void> {
    const sql = "INSERT INTO " + table + " (" + columns.join(", ") + ") VALUES (" + columns.map(() => "?").join(", ") + ")"
    if (hub.sqlite) return groupWrite(hub, CompiledQuery.raw(sql, row))
    const pool = hub.pgPool as pg.Pool
    const keyOf = (r: unknown[]) => JSON.stringify(r.slice(0, keyColumns))
    const text = "INSERT INTO " + table + " (" + columns.join(", ") + ") SELECT * FROM unnest(" +
        pgTypes.map((t, i) => "$" + (i + 1) + "::" + t + "[]").join(", ") + ") ON CONFLICT DO NOTHING RETURNING " + columns.slice(0, keyColumns).join(", ")
    const b = cached(inserts, hub, name, () => new Batcher<unknown[], void>(async rows => {
        const first = new Map<string, number>()
        rows.forEach((r, i) => { if (!first.has(keyOf(r))) first.set(keyOf(r), i) })
        const unique = [...first.values()].map(i => rows[i])
        const r = await pool.query({ name: "hot_insert_" + name, text, values: pgTypes.map((_, c) => unique.map(u => u[c])) })
        const landed = new Set((r.rows as Row[]).map(x => keyOf(columns.slice(0, keyColumns).map(c => x[c]))))
        return rows.map((row, i): PromiseSettledResult<void> => first.get(keyOf(row)) === i && landed.has(keyOf(row))
            ? { status: "fulfilled", value: undefined }
            : { status: "rejected", reason: new AlreadyThere("duplicate key in " + table) })
    }, 1000))
    return b.add(row)
}

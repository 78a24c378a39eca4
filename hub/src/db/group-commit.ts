// Group commit: many small writes, one durable commit. Every write a device request makes (its
// nonce, its last contact, its status, a bundle it is issued, its records) must be durable
// before the answer, and on SQLite each commit is an fsync: a thousand devices reconnecting at
// once would queue a thousand fsyncs behind one writer. Instead, the writes of every request
// that reached the database in the same turn of the event loop run in one transaction, each in
// its own savepoint (one that throws is rolled back alone and rejects alone), and all of them
// are resolved after the one COMMIT. Nobody is answered before that commit, so an answer still
// means durable.
// Batcher is the queue itself (also used by auth/nonces.ts on PostgreSQL); sqliteGroup runs
// synchronous better-sqlite3 work in such shared transactions.
import type Database from "better-sqlite3"
import type { CompiledQuery } from "kysely"
import type { HubDb } from "./index"
import { isRetryable } from "./index"
import { RETRY_ATTEMPTS, retryPause } from "./record-tx"

/**
 * Collects items while a flush is running and hands them all to the next one: one flush in
 * flight at a time, the next one starts as soon as it ends (or, when idle, after the current
 * turn of the event loop, so that requests read in the same turn share it).
 * flush answers one settled result per item, in order; a thrown flush rejects its whole batch.
 */
export class Batcher<I, O> {
    private pending: { item: I; resolve(o: O): void; reject(e: unknown): void }[] = []
    private busy = false

    constructor(private readonly flush: (items: I[]) => Promise<PromiseSettledResult<O>[]>, private readonly maxItems = 2000) {}

    add(item: I): Promise<O> {
        return new Promise<O>((resolve, reject) => {
            this.pending.push({ item, resolve, reject })
            if (!this.busy) {
                this.busy = true
                setImmediate(() => void this.run())
            }
        })
    }

    private async run(): Promise<void> {
        while (this.pending.length > 0) {
            const batch = this.pending.splice(0, this.maxItems)
            try {
                const out = await this.flush(batch.map(b => b.item))
                for (let i = 0; i < batch.length; i++) {
                    const r = out[i]
                    if (r.status === "fulfilled") batch[i].resolve(r.value)
                    else batch[i].reject(r.reason)
                }
            } catch (e) {
                for (const b of batch) b.reject(e)
            }
        }
        this.busy = false
    }
}

type SqliteWork = (db: Database.Database) => unknown

interface SqliteGroup {
    batcher: Batcher<SqliteWork, unknown>
    statements: Map<string, Database.Statement>
}

const groups = new WeakMap<HubDb, SqliteGroup>()

function groupOf(hub: HubDb, db: Database.Database): SqliteGroup {
    let g = groups.get(hub)
    if (g) return g
    // nested better-sqlite3 transaction functions are savepoints inside the outer one
    const savepoint = db.transaction((w: SqliteWork) => w(db))
    const all = db.transaction((works: SqliteWork[]) => works.map((w): PromiseSettledResult<unknown> => {
        try {
            return { status: "fulfilled", value: savepoint(w) }
        } catch (e) {
            return { status: "rejected", reason: e }
        }
    }))
    const flush = (works: SqliteWork[]) =>
        // Kysely holds this one connection, behind a mutex, for the whole of each of its own
        // transactions (across awaits): going through it waits for them, instead of nesting
        // this batch inside one as a savepoint that would be acknowledged before it is durable
        hub.db.connection().execute(async () => {
            for (let i = 1; ; i++) {
                try {
                    // IMMEDIATE: the write lock before anything is read (another process, a CLI
                    // export, may hold it for a moment: busy_timeout, then a retry)
                    return all.immediate(works)
                } catch (e) {
                    if (i >= RETRY_ATTEMPTS || !isRetryable(e)) throw e
                    await retryPause(i)
                }
            }
        })
    g = { batcher: new Batcher(flush), statements: new Map() }
    groups.set(hub, g)
    return g
}

/**
 * Runs work synchronously inside the next group transaction on the hub's SQLite database,
 * in its own savepoint; resolves with its value after the group's COMMIT. Work may run more
 * than once (the group is retried when another process holds the lock): it must only read and
 * write the database.
 */
export function sqliteGroup<T>(hub: HubDb, work: (db: Database.Database) => T): Promise<T> {
    if (!hub.sqlite) throw new Error("sqliteGroup: not a SQLite database")
    return groupOf(hub, hub.sqlite).batcher.add(work) as Promise<T>
}

/**
 * One write, durable when it resolves: on SQLite in the next group commit (its statement
 * prepared once per text), on PostgreSQL on its own (the server already groups the WAL flushes
 * of concurrent commits).
 */
export async function groupWrite(hub: HubDb, q: CompiledQuery): Promise<void> {
    if (!hub.sqlite) {
        await hub.db.executeQuery(q)
        return
    }
    const g = groupOf(hub, hub.sqlite)
    await sqliteGroup(hub, db => {
        let s = g.statements.get(q.sql)
        if (!s) {
            s = db.prepare(q.sql)
            g.statements.set(q.sql, s)
        }
        s.run(q.parameters as unknown[])
    })
}

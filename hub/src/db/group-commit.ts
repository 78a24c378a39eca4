// Group commit: many small writes, one durable commit. Every write a device request makes (its
// nonce, its last contact, its status, a bundle it is issued, its records) must be durable
// before the answer, and on SQLite each commit is an fsync: a thousand devices reconnecting at
// once would queue a thousand fsyncs behind one writer. Instead, the writes of every request
// that reached the database in the same turn of the event loop run in one transaction (one
// that throws rejects alone: the rest run again without it), and all of them are resolved
// after the one COMMIT. Nobody is answered before that commit, so an answer still
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

/** thrown out of a group transaction: the work at index failed (the transaction is rolled back) */
class WorkFailed {
    constructor(readonly index: number, readonly error: unknown) {}
}

function groupOf(hub: HubDb, db: Database.Database): SqliteGroup {
    let g = groups.get(hub)
    if (g) return g
    const all = db.transaction((works: SqliteWork[]) => works.map((w, i) => {
        try {
            return w(db)
        } catch (e) {
            throw new WorkFailed(i, e)
        }
    }))
    // Works run one after the other with no savepoint between them: a savepoint makes SQLite
    // copy every page a statement first touches into a statement journal (a temp file past
    // 64 KiB), which cost a 100-record upload more than its inserts. When one work throws, the
    // whole transaction is rolled back and run again without it (works only touch the
    // database, so a rerun in the same order reaches the same state).
    const runAll = (works: SqliteWork[]): PromiseSettledResult<unknown>[] => {
        const out: PromiseSettledResult<unknown>[] = new Array(works.length)
        let live = works.map((_, i) => i)
        while (live.length > 0) {
            try {
                // IMMEDIATE: the write lock before anything is read
                const values = all.immediate(live.map(i => works[i]))
                values.forEach((value, k) => { out[live[k]] = { status: "fulfilled", value } })
                break
            } catch (e) {
                if (!(e instanceof WorkFailed)) throw e
                out[live[e.index]] = { status: "rejected", reason: e.error }
                live = live.filter((_, k) => k !== e.index)
            }
        }
        return out
    }
    const withRetries = async (works: SqliteWork[]): Promise<PromiseSettledResult<unknown>[]> => {
        for (let i = 1; ; i++) {
            try {
                return runAll(works)
            } catch (e) {
                // another process (a CLI export) held the lock past busy_timeout: run it all again
                if (i >= RETRY_ATTEMPTS || !isRetryable(e)) throw e
                await retryPause(i)
            }
        }
    }
    const flush = (works: SqliteWork[]): Promise<PromiseSettledResult<unknown>[]> => {
        // no transaction open on the connection: the batch runs at once, synchronously (nothing
        // can begin one in between), without the hop through Kysely's connection mutex
        if (!db.inTransaction) {
            try {
                return Promise.resolve(runAll(works))
            } catch (e) {
                // busy: the retries below wait, so they hold the connection's mutex meanwhile
                if (!isRetryable(e)) return Promise.reject(e)
            }
        }
        // Kysely holds this one connection, behind a mutex, for the whole of each of its own
        // transactions (across awaits): going through it waits for them, instead of nesting
        // this batch inside one as a savepoint that would be acknowledged before it is durable
        return hub.db.connection().execute(() => withRetries(works))
    }
    g = { batcher: new Batcher(flush), statements: new Map() }
    groups.set(hub, g)
    return g
}

/**
 * Runs work synchronously inside the next group transaction on the hub's SQLite database;
 * resolves with its value after the group's COMMIT, rejects with what it threw (its writes
 * undone). Work may run more than once (when another work of its group throws, or another
 * process holds the lock): it must only read and write the database.
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

// Uploads of many devices arriving together share one transaction (SQLite's group commit) or one
// statement (PostgreSQL's grouped append, db/record-tx-pg.ts). Sharing must not change any
// device's answer: each device's records land or not by its own head, a device with two uploads
// in the same turn gets both answered in order, and an upload that presumes a head the hub no
// longer has is decided by the full transaction (duplicates, a gap) while the others are stored.
import { describe, it, expect, beforeEach, afterEach } from "vitest"
import type pg from "pg"
import type { HubDb } from "../../hub/src/db/index"
import type { HubContext } from "../../hub/src/context"
import { provisionDevice } from "../../hub/src/devices"
import { ingestRecords } from "../../hub/src/ingest"
import { sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, TestClock, ctxOf, chain, type Backend } from "./support"

const DEVICES = 40

function keyOf(i: number): string {
    return (i + 1).toString(16).padStart(2, "0").repeat(32)
}

function suite(backend: Backend) {
    let made: Awaited<ReturnType<Backend["create"]>>
    let db: HubDb
    let ctx: HubContext
    const devices: { deviceId: string; keyHex: string }[] = []
    /** statements named ingest_append_group sent to PostgreSQL (the pool's own query, counted on its way) */
    let groupStatements = 0

    beforeEach(async () => {
        made = await backend.create()
        db = await made.open()
        ctx = ctxOf(db, new TestClock())
        devices.length = 0
        for (let i = 0; i < DEVICES; i++) {
            const deviceId = "SFA1-G" + String(i).padStart(5, "0")
            await provisionDevice(ctx, { deviceId, createdBy: "tech", hubUrl: "http://hub.test" })
            await db.db.updateTable("devices").set({ key_hex: keyOf(i) }).where("id", "=", deviceId).execute()
            devices.push({ deviceId, keyHex: keyOf(i) })
        }
        groupStatements = 0
        const pool = db.pgPool as pg.Pool | undefined
        if (pool) {
            const query = pool.query.bind(pool) as (...a: unknown[]) => unknown
            ;(pool as unknown as { query: (...a: unknown[]) => unknown }).query = (...a: unknown[]) => {
                if ((a[0] as { name?: string })?.name === "ingest_append_group") groupStatements++
                return query(...a)
            }
        }
    })
    afterEach(async () => {
        await db.close()
        await made.drop()
    })

    const seqsOf = async (deviceId: string) =>
        (await db.db.selectFrom("records").select("seq").where("device_id", "=", deviceId).orderBy("seq").execute()).map(r => Number(r.seq))

    it("40 devices uploading in the same turn: every record stored once, each answer its own", async () => {
        const chains = devices.map(d => chain(d.deviceId, d.keyHex, 1, 3))
        const answers = await Promise.all(devices.map((d, i) => ingestRecords(ctx, d, chains[i].map(r => r.hex))))
        answers.forEach((a, i) => {
            expect(a.results.map(r => r.status)).toEqual(["stored", "stored", "stored"])
            expect(a.expectedSeq).toBe(4)
            expect(a.head.hash).toBe(chains[i][2].hash)
        })
        for (const d of devices) expect(await seqsOf(d.deviceId)).toEqual([1, 2, 3])
        // PostgreSQL: one shared statement took them all (a device sends at most 32 records, 40
        // devices are under the statement's 256)
        if (backend.name === "postgres") expect(groupStatements).toBe(1)
    })

    it("in one turn: a device's two uploads in order, a retried upload, a stale head and a gap beside appends that land", async () => {
        const [a, b, c, e, f] = devices
        const ca = chain(a.deviceId, a.keyHex, 1, 4)
        const cb = chain(b.deviceId, b.keyHex, 1, 2)
        const cc = chain(c.deviceId, c.keyHex, 1, 6)
        const ce = chain(e.deviceId, e.keyHex, 1, 1)
        const cf = chain(f.deviceId, f.keyHex, 1, 5)
        // the hub already holds c's 1..3 and f's 1..2
        await ingestRecords(ctx, c, cc.slice(0, 3).map(r => r.hex))
        await ingestRecords(ctx, f, cf.slice(0, 2).map(r => r.hex))
        groupStatements = 0
        const [a1, a2, b1, b2, c1, c2, e1, f1] = await Promise.all([
            ingestRecords(ctx, a, ca.slice(0, 2).map(r => r.hex)), // a: 1..2, then 3..4 (presumes 2)
            ingestRecords(ctx, a, ca.slice(2, 4).map(r => r.hex)),
            ingestRecords(ctx, b, cb.map(r => r.hex)), // b: the same upload twice (a retry)
            ingestRecords(ctx, b, cb.map(r => r.hex)),
            ingestRecords(ctx, c, cc.slice(1, 4).map(r => r.hex)), // c: 2..4 presumes head 1, the hub has 3
            ingestRecords(ctx, c, cc.slice(5, 6).map(r => r.hex)), // c: 6 presumes 5: a gap
            ingestRecords(ctx, e, ce.map(r => r.hex)),
            ingestRecords(ctx, f, cf.slice(3, 5).map(r => r.hex)), // f: 4..5 presumes 3, the hub has 2: alone in the statement
        ])
        // the order the uploads were made in, device by device
        expect(a1.results.map(r => r.status)).toEqual(["stored", "stored"])
        expect(a2.results.map(r => r.status)).toEqual(["stored", "stored"])
        expect(a2.expectedSeq).toBe(5)
        expect([b1, b2].map(x => x.results.map(r => r.status))).toEqual([["stored", "stored"], ["duplicate", "duplicate"]])
        expect(c1.results.map(r => r.status)).toEqual(["duplicate", "duplicate", "stored"])
        // (its expectedSeq is 4 or 5: on PostgreSQL c's two full transactions run on two
        // connections at once, in either order)
        expect(c2.results).toEqual([{ seq: 6, status: "rejected", reason: "gap" }])
        expect(e1.results.map(r => r.status)).toEqual(["stored"])
        expect(f1.results).toEqual([{ seq: 4, status: "rejected", reason: "gap" }, { seq: 5, status: "rejected", reason: "gap" }])
        expect(f1.expectedSeq).toBe(3)
        expect(await seqsOf(a.deviceId)).toEqual([1, 2, 3, 4])
        expect(await seqsOf(b.deviceId)).toEqual([1, 2])
        expect(await seqsOf(c.deviceId)).toEqual([1, 2, 3, 4])
        expect(await seqsOf(e.deviceId)).toEqual([1])
        expect(await seqsOf(f.deviceId)).toEqual([1, 2])
        // a gap is not a refusal anyone must look at: no alert
        expect(await db.db.selectFrom("alerts").selectAll().execute()).toEqual([])
        if (backend.name === "postgres") expect(groupStatements).toBe(1)
    })
}

describe("ingest of many devices at once on SQLite", () => suite(sqliteBackend))
describe.skipIf(!PG_URL)("ingest of many devices at once on PostgreSQL" + (PG_URL ? "" : " — " + PG_SKIP_REASON), () => suite(pgBackend))

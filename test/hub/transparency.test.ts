// The public transparency figures (issue 13 item 8): kept by the database as records arrive,
// not recomputed over every record on each call; right after each ingest, in another hub
// process on the same database too; and each device's head signed under its public id.
// Expected counts by hand from the outcomes ingested below.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import type { FastifyInstance } from "fastify"
import { buildHub } from "../../hub/src/app"
import type { HubDb } from "../../hub/src/db/index"
import { provisionDevice } from "../../hub/src/devices"
import { ingestRecords } from "../../hub/src/ingest"
import { exportDevice } from "../../hub/src/export"
import { verifyCheckpoint } from "../../hub/src/checkpoint"
import { RecordKind } from "../../src/core/records/types"
import { ZERO_HASH } from "../../src/core/codec/ints"
import { sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, TestClock, ctxOf, seal, cycleRecord, type Backend, type SealedHex } from "./support"

const T = "78c4cce60eece1c0e9c7135ecfc6c240623ffdf5f1d664f6c8f42510bb99dc93" // cycleRecord's template hash

/** records 1..n chained, record i with outcome outcomes[i-1]; kind 0 in the list: a template install record (kind 3) */
function records(deviceId: string, keyHex: string, outcomes: number[]): SealedHex[] {
    let prev = ZERO_HASH
    return outcomes.map((o, i) => {
        const r = cycleRecord(deviceId, i + 1, prev)
        if (o === 0) {
            r.kind = RecordKind.TemplateInstall
            r.outcome = 0
        } else r.outcome = o
        const s = seal(r, keyHex)
        prev = s.hash
        return s
    })
}

function suite(backend: Backend) {
    let a: HubDb
    let b: HubDb
    let appB: FastifyInstance
    let drop: () => Promise<void>
    const clock = new TestClock()
    const devs: { deviceId: string; keyHex: string }[] = []
    const recs: SealedHex[][] = []

    beforeAll(async () => {
        const store = await backend.create()
        drop = store.drop
        a = await store.open() // the hub process the devices upload to
        b = await store.open() // another hub process on the same database, serving the public page
        appB = await buildHub(ctxOf(b, clock))
        for (const id of ["SFA1-00TR01", "SFA1-00TR02"]) devs.push(await provisionDevice(ctxOf(a, clock), { deviceId: id, createdBy: "t", hubUrl: "x" }))
        // device 1: install, complete, complete, aborted, faulted, complete; device 2: complete, faulted, faulted
        recs.push(records(devs[0].deviceId, devs[0].keyHex, [0, 1, 1, 2, 3, 1]))
        recs.push(records(devs[1].deviceId, devs[1].keyHex, [1, 3, 3]))
    })
    afterAll(async () => {
        await appB?.close()
        await a?.close()
        await b?.close()
        await drop?.()
    })

    async function page() {
        const r = await appB.inject({ method: "GET", url: "/api/transparency" })
        expect(r.statusCode).toBe(200)
        return r.json()
    }
    async function ingest(d: number, from: number, to: number) {
        const r = await ingestRecords(ctxOf(a, clock), devs[d], recs[d].slice(from - 1, to).map(x => x.hex))
        expect(r.results.map(x => x.status)).toEqual(Array(to - from + 1).fill("stored"))
    }

    it("counts cycles by outcome right after each ingest, as another process sees them", async () => {
        expect((await page()).totals).toEqual({ devices: 2, applications: 0, complete: 0, aborted: 0, faulted: 0 })
        await ingest(0, 1, 3) // install (not an application), complete, complete
        expect((await page()).totals).toEqual({ devices: 2, applications: 2, complete: 2, aborted: 0, faulted: 0 })
        await ingest(1, 1, 3) // complete, faulted, faulted
        expect((await page()).totals).toEqual({ devices: 2, applications: 5, complete: 3, aborted: 0, faulted: 2 })
        await ingest(0, 4, 6) // aborted, faulted, complete
        const t = await page()
        expect(t.totals).toEqual({ devices: 2, applications: 8, complete: 4, aborted: 1, faulted: 3 })
        expect(t.applicationsPerTemplate).toEqual([expect.objectContaining({ templateHash: T, applications: 8, complete: 4, aborted: 1, faulted: 3 })])
    })

    it("a retried upload (duplicates) counts nothing twice", async () => {
        const r = await ingestRecords(ctxOf(a, clock), devs[1], recs[1].map(x => x.hex))
        expect(r.results.map(x => x.status)).toEqual(["duplicate", "duplicate", "duplicate"])
        expect((await page()).totals.applications).toBe(8)
    })

    it("publishes each device's head, signed under its public id, with the key; the export names the same public id", async () => {
        const t = await page()
        expect(t.hubKey).toMatchObject({ algorithm: "Ed25519", publicKeyPem: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----/) })
        expect(t.checkpoints).toHaveLength(2)
        for (const [i, d] of devs.entries()) {
            const e = await exportDevice(ctxOf(b, clock), d.deviceId)
            const c = t.checkpoints.find((x: any) => x.publicId === e.checkpoint.publicId)
            expect(c).toMatchObject({ seq: recs[i].length, hash: recs[i][recs[i].length - 1].hash })
            expect(verifyCheckpoint(t.hubKey.publicKeyPem, c)).toBe(true)
            expect(verifyCheckpoint(t.hubKey.publicKeyPem, { ...c, seq: c.seq - 1 })).toBe(false)
        }
        const text = JSON.stringify(t)
        for (const d of devs) expect(text).not.toContain(d.deviceId)
    })

    it("reads the kept counts, not the records (rows removed behind the hub's back leave the figures as they were)", async () => {
        // never done by the hub (records are never deleted): here it only shows where the figures come from
        await b.db.deleteFrom("records").where("device_id", "=", devs[0].deviceId).execute()
        expect((await page()).totals).toEqual({ devices: 2, applications: 8, complete: 4, aborted: 1, faulted: 3 })
    })
}

describe("transparency (sqlite)", () => suite(sqliteBackend))
describe.skipIf(!PG_URL)("transparency (postgres) " + (PG_URL ? "" : PG_SKIP_REASON), () => suite(pgBackend))

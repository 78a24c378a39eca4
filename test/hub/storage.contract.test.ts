// One contract suite for the storage layer, run against SQLite always and against a real
// PostgreSQL when HUB_TEST_PG_URL is set; each run gets a fresh database.
import { describe, it, expect, beforeEach, afterEach } from "vitest"
import { ZERO_HASH } from "../../src/core/codec/ints"
import { verifyRecords } from "../../src/core/records/verify"
import { fromHex } from "../../src/core/crypto"
import { nodeCrypto } from "../../src/node/crypto-node"
import type { HubDb } from "../../hub/src/db/index"
import type { HubContext } from "../../hub/src/context"
import { createUser } from "../../hub/src/users"
import { login, staffForToken, SESSION_TTL_MS } from "../../hub/src/auth/staff"
import { provisionDevice } from "../../hub/src/devices"
import { ingestRecords, type IngestResult } from "../../hub/src/ingest"
import { exportDevice } from "../../hub/src/export"
import { HubError } from "../../hub/src/errors"
import { authenticateDevice, pruneNonces } from "../../hub/src/auth/device-hmac"
import { sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, TestClock, ctxOf, chain, seal, cycleRecord, signed, type Backend } from "./support"

const KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
const OTHER_KEY = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100"

async function httpError(p: Promise<unknown>): Promise<HubError> {
    try {
        await p
    } catch (e) {
        if (e instanceof HubError) return e
        throw e
    }
    throw new Error("expected a HubError")
}

async function storedSeqs(db: HubDb, deviceId: string): Promise<number[]> {
    const rows = await db.db.selectFrom("records").select("seq").where("device_id", "=", deviceId).orderBy("seq").execute()
    return rows.map(r => Number(r.seq))
}

function contract(backend: Backend) {
    let made: Awaited<ReturnType<Backend["create"]>>
    let db: HubDb
    let clock: TestClock
    let ctx: HubContext
    let device: { deviceId: string; keyHex: string }

    beforeEach(async () => {
        made = await backend.create()
        db = await made.open()
        clock = new TestClock()
        ctx = ctxOf(db, clock)
        // a device with a known key, so the records below can be sealed before it exists
        await provisionDevice(ctx, { deviceId: "SFA1-000042", createdBy: "tech", hubUrl: "http://hub.test" })
        await db.db.updateTable("devices").set({ key_hex: KEY }).where("id", "=", "SFA1-000042").execute()
        device = { deviceId: "SFA1-000042", keyHex: KEY }
    })
    afterEach(async () => {
        await db.close()
        await made.drop()
    })

    it("migrations are idempotent: reopening runs nothing twice and keeps the data", async () => {
        await ingestRecords(ctx, device, chain(device.deviceId, KEY, 1, 2).map(r => r.hex))
        await db.close()
        db = await made.open()
        ctx = ctxOf(db, clock)
        expect(await storedSeqs(db, device.deviceId)).toEqual([1, 2])
        const ran = await db.db.selectFrom("kysely_migration" as any).select("name" as any).execute()
        expect(ran.map((r: any) => r.name).sort()).toEqual(["0001_core", "0002_library", "0003_device_sessions", "0006_data_audit", "0007_lifecycle", "0008_cycle_telemetry"])
    })

    it("users: login with the right password only; sessions expire after the TTL; names are unique", async () => {
        const u = await createUser(ctx, { name: "ana", password: "correct horse", role: "auditor" })
        expect(await login(ctx, "ana", "wrong horse")).toBeNull()
        expect(await login(ctx, "nobody", "correct horse")).toBeNull()
        const s = await login(ctx, "ana", "correct horse")
        expect(s?.staff).toEqual({ userId: u.userId, name: "ana", role: "auditor" })
        expect(await staffForToken(ctx, s!.token)).toEqual({ userId: u.userId, name: "ana", role: "auditor" })
        const row = await db.db.selectFrom("sessions").selectAll().executeTakeFirstOrThrow()
        expect(row.token_hash).not.toContain(s!.token) // only its hash is stored
        clock.ms += SESSION_TTL_MS
        expect(await staffForToken(ctx, s!.token)).toBeNull()
        const e = await httpError(createUser(ctx, { name: "ana", password: "another passphrase", role: "operator" }))
        expect([e.statusCode, e.code]).toEqual([409, "name_taken"])
    })

    it("devices: a new key is 32 random bytes, shown in .env.local; an id is registered once", async () => {
        const d = await provisionDevice(ctx, { createdBy: "tech", hubUrl: "http://hub.test:8090" })
        expect(d.deviceId).toMatch(/^SFA1-[0-9A-F]{10}$/)
        expect(d.keyHex).toMatch(/^[0-9a-f]{64}$/)
        expect(d.envLocal).toContain("DEVICE_ID=" + d.deviceId + "\n")
        expect(d.envLocal).toContain("DEVICE_KEY=" + d.keyHex + "\n")
        expect(d.envLocal).toContain("HUB_URL=http://hub.test:8090\n")
        const e = await httpError(provisionDevice(ctx, { deviceId: d.deviceId, createdBy: "tech", hubUrl: "x" }))
        expect([e.statusCode, e.code]).toEqual([409, "device_exists"])
    })

    it("stores a chain once: stored, then duplicate on resend, and a batch overlapping the head", async () => {
        const recs = chain(device.deviceId, KEY, 1, 5)
        const a = await ingestRecords(ctx, device, recs.slice(0, 3).map(r => r.hex))
        expect(a).toEqual({
            results: [1, 2, 3].map(seq => ({ seq, status: "stored" })), expectedSeq: 4, head: { seq: 3, hash: recs[2].hash },
        })
        const b = await ingestRecords(ctx, device, recs.slice(0, 3).map(r => r.hex))
        expect(b.results.map(r => r.status)).toEqual(["duplicate", "duplicate", "duplicate"])
        const c = await ingestRecords(ctx, device, recs.slice(1, 5).map(r => r.hex))
        expect(c.results).toEqual([
            { seq: 2, status: "duplicate" }, { seq: 3, status: "duplicate" }, { seq: 4, status: "stored" }, { seq: 5, status: "stored" },
        ])
        expect(c.head).toEqual({ seq: 5, hash: recs[4].hash })
        expect(await storedSeqs(db, device.deviceId)).toEqual([1, 2, 3, 4, 5])
        const row = await db.db.selectFrom("records").selectAll().where("seq", "=", 2).executeTakeFirstOrThrow()
        expect(row).toMatchObject({ hash: recs[1].hash, prev_hash: recs[0].hash, sealed_hex: recs[1].hex, kind: 1, outcome: 1, operator_id: "op-7" })
        expect(Number(row.wall_unix_s)).toBe(1_750_000_120)
        expect(Number(row.received_at_ms)).toBe(clock.ms)
    })

    it("a fork (same seq, other hash) is refused and raises one alert, however often it is sent", async () => {
        const recs = chain(device.deviceId, KEY, 1, 3)
        await ingestRecords(ctx, device, recs.map(r => r.hex))
        const forked = seal(cycleRecord(device.deviceId, 2, recs[0].hash, "op-9"), KEY)
        for (let i = 0; i < 2; i++) {
            const r = await ingestRecords(ctx, device, [forked.hex])
            expect(r).toEqual({ results: [{ seq: 2, status: "rejected", reason: "fork" }], expectedSeq: 4, head: { seq: 3, hash: recs[2].hash } })
        }
        const alerts = await db.db.selectFrom("alerts").selectAll().execute()
        expect(alerts.map(a => [a.device_id, a.kind, Number(a.seq)])).toEqual([[device.deviceId, "fork", 2]])
        expect(alerts[0].detail).toContain(forked.hash)
        const kept = await db.db.selectFrom("records").select("hash").where("seq", "=", 2).executeTakeFirstOrThrow()
        expect(kept.hash).toBe(recs[1].hash)
    })

    it("a gap is refused with the expected seq; nothing after a refusal is stored", async () => {
        const recs = chain(device.deviceId, KEY, 1, 6)
        await ingestRecords(ctx, device, recs.slice(0, 3).map(r => r.hex))
        const r = await ingestRecords(ctx, device, recs.slice(4, 6).map(r => r.hex))
        expect(r).toEqual({
            results: [{ seq: 5, status: "rejected", reason: "gap" }, { seq: 6, status: "rejected", reason: "gap" }],
            expectedSeq: 4, head: { seq: 3, hash: recs[2].hash },
        })
        const first = await ingestRecords(ctx, device, chain(device.deviceId, KEY, 2, 3, "ab".repeat(32)).slice(1).map(r => r.hex))
        expect(first.results).toEqual([{ seq: 3, status: "rejected", reason: "fork" }])
        expect(await storedSeqs(db, device.deviceId)).toEqual([1, 2, 3])
    })

    it("refuses a bad MAC, a broken chain and another device's record, and raises each", async () => {
        const recs = chain(device.deviceId, KEY, 1, 2)
        await ingestRecords(ctx, device, [recs[0].hex])
        const badMac = seal(cycleRecord(device.deviceId, 2, recs[0].hash), OTHER_KEY)
        const after = seal(cycleRecord(device.deviceId, 3, badMac.hash), KEY)
        const r1 = await ingestRecords(ctx, device, [badMac.hex, after.hex])
        expect(r1.results).toEqual([{ seq: 2, status: "rejected", reason: "bad_mac" }, { seq: 3, status: "rejected", reason: "gap" }])
        const broken = seal(cycleRecord(device.deviceId, 2, "cd".repeat(32)), KEY)
        expect((await ingestRecords(ctx, device, [broken.hex])).results).toEqual([{ seq: 2, status: "rejected", reason: "broken_chain" }])
        const foreign = seal(cycleRecord("SFA1-000043", 2, recs[0].hash), KEY)
        expect((await ingestRecords(ctx, device, [foreign.hex])).results).toEqual([{ seq: 2, status: "rejected", reason: "wrong_device" }])
        const kinds = (await db.db.selectFrom("alerts").select("kind").execute()).map(a => a.kind).sort()
        expect(kinds).toEqual(["bad_mac", "broken_chain", "wrong_device"])
        expect(await storedSeqs(db, device.deviceId)).toEqual([1])
    })

    it("bad input stores nothing: a batch that is not contiguous, bytes that are not a record", async () => {
        const recs = chain(device.deviceId, KEY, 1, 4)
        const e1 = await httpError(ingestRecords(ctx, device, [recs[0].hex, recs[2].hex]))
        expect([e1.statusCode, e1.code]).toEqual([400, "not_contiguous"])
        expect(e1.message).toContain("records[1] has seq 3, expected 2")
        const truncated = recs[1].hex.slice(0, recs[1].hex.length - 80)
        const e2 = await httpError(ingestRecords(ctx, device, [recs[0].hex, truncated]))
        expect([e2.statusCode, e2.code]).toEqual([400, "bad_record"])
        expect(e2.message).toContain("records[1] is not a sealed record")
        expect(e2.message).toContain("[truncated]")
        const many = chain(device.deviceId, KEY, 1, 100).map(r => r.hex)
        const e3 = await httpError(ingestRecords(ctx, device, many.slice(0, 33)))
        expect([e3.statusCode, e3.code, e3.message]).toEqual([400, "bad_batch", "records must hold 1 to 32 sealed records"])
        expect(await storedSeqs(db, device.deviceId)).toEqual([])
        // bulk callers (the benchmark) may lift the device route's limit
        const bulk = await ingestRecords(ctx, device, many, { maxBatch: 100 })
        expect([bulk.results.length, bulk.expectedSeq]).toEqual([100, 101])
    })

    it("concurrent uploads of overlapping batches from two handles store every record exactly once", async () => {
        // two handles = two connection pools, as two hub processes would have (SQLite: one
        // handle serialises its transactions; a second process on one SQLite file is not a setup)
        const db2 = backend.name === "postgres" ? await made.open() : db
        const ctx2 = ctxOf(db2, clock)
        const recs = chain(device.deviceId, KEY, 1, 60)
        const uploader = async (c: HubContext, size: number) => {
            const out: IngestResult[] = []
            for (let i = 0; i < recs.length; i += size) out.push(await ingestRecords(c, device, recs.slice(i, i + size).map(r => r.hex)))
            return out
        }
        const runs = await Promise.all([uploader(ctx, 7), uploader(ctx2, 7), uploader(ctx, 13), uploader(ctx2, 32), uploader(ctx2, 1)])
        if (db2 !== db) await db2.close()
        const stored = runs.flat().flatMap(r => r.results).filter(r => r.status === "stored").map(r => r.seq).sort((a, b) => a - b)
        expect(stored).toEqual(recs.map(r => r.seq))
        expect(await storedSeqs(db, device.deviceId)).toEqual(recs.map(r => r.seq))
        const e = await exportDevice(ctx, device.deviceId)
        const report = verifyRecords(e.records.map(r => fromHex(r.sealedHex)), KEY, nodeCrypto, { deviceId: device.deviceId })
        expect(report.ok).toBe(true)
        expect(report.lastHash).toBe(recs[59].hash)
    })

    it("device nonces: a replay is refused; nonces older than the window are pruned", async () => {
        const path = "/api/device/v1/bundle"
        const h = signed(device, clock, "GET", path, "", { nonce: "00112233445566778899aabbccddeeff" })
        const req = { method: "GET", url: path, headers: h, body: new Uint8Array(0), clockless: false }
        expect(await authenticateDevice(ctx, req)).toEqual({ ...device, keyGeneration: 1 })
        const e = await httpError(authenticateDevice(ctx, req))
        expect([e.statusCode, e.code]).toEqual([401, "replayed_nonce"])
        const status = await db.db.selectFrom("device_status").select("last_seen_ms").executeTakeFirstOrThrow()
        expect(Number(status.last_seen_ms)).toBe(clock.ms)
        // hub/README.md: claimed nonces are kept 660 s (a request is fresh for at most 600 s of the
        // hub's clock, 300 s ahead and 300 s after, plus a minute for clock steps)
        const keptMs = 660_000
        expect(await pruneNonces(ctx, clock.ms + keptMs)).toBe(0)
        expect(await pruneNonces(ctx, clock.ms + keptMs + 1)).toBe(1)
    })

    it("an export holds every record with its chain and the decoded fields", async () => {
        const recs = chain(device.deviceId, KEY, 1, 3)
        await ingestRecords(ctx, device, recs.map(r => r.hex))
        const e = await exportDevice(ctx, device.deviceId)
        expect(e).toMatchObject({
            format: "smile-film-record-export", formatVersion: 2, deviceId: device.deviceId,
            exportedAtUnixS: 1_750_000_000, head: { seq: 3, hash: recs[2].hash },
        })
        expect(e.records.map(r => [r.seq, r.hash, r.prevHash, r.sealedHex])).toEqual(recs.map(r => [r.seq, r.hash, r.prevHash, r.hex]))
        expect(e.records[0].prevHash).toBe(ZERO_HASH)
        expect(e.records[2].record).toMatchObject({ seq: 3, deviceId: device.deviceId, operatorId: "op-7", wallUnixS: 1_750_000_180, outcome: 1 })
    })
}

describe("storage contract: SQLite", () => contract(sqliteBackend))
describe.skipIf(!PG_URL)("storage contract: PostgreSQL" + (PG_URL ? "" : " — " + PG_SKIP_REASON), () => contract(pgBackend))

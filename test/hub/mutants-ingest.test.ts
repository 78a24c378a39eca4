// Record ingest at its edges (hub/src/ingest.ts, issue 14's mutation testing), by the rules of
// hub/README.md "Device protocol" (record answers) and "Account and key lifecycle" (retired
// device keys): the batch's form (1..32 contiguous sealed records, else 400 storing nothing),
// each record's answer (stored, duplicate, fork, bad_mac, wrong_device, broken_chain, gap), the
// alerts (once per distinct record, none for a gap), the stored row, and records sealed under a
// retired key (generations never go down along the chain; a retired key closes at the seq
// before the first record stored under a newer one). Direct calls on a fresh SQLite file.
import { describe, it, expect, beforeEach, afterEach } from "vitest"
import { checkBatch, ingestRecords, currentHead, BATCH_MAX } from "../../hub/src/ingest"
import { HubError } from "../../hub/src/errors"
import type { HubContext } from "../../hub/src/context"
import type { HubDb } from "../../hub/src/db/index"
import { ZERO_HASH } from "../../src/core/codec/ints"
import { RecordKind } from "../../src/core/records/types"
import { openRecord } from "../../src/core/records/codec"
import { nodeCrypto } from "../../src/node/crypto-node"
import { sqliteBackend, TestClock, ctxOf, chain, seal, cycleRecord, type SealedHex } from "./support"

const DEVICE_ID = "SFA1-000042"
const KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
const OLD_KEY = "a0".repeat(32)
const OLDER_KEY = "b0".repeat(32)
const OTHER_KEY = "ff".repeat(32)
const device = { deviceId: DEVICE_ID, keyHex: KEY }

function refusal(f: () => unknown): [number, string, string] {
    try {
        f()
    } catch (e) {
        expect(e).toBeInstanceOf(HubError)
        const h = e as HubError
        return [h.statusCode, h.code, h.message]
    }
    throw new Error("not refused")
}

/** record `seq` of `deviceId` chained onto `prev`, sealed under `key` */
const one = (seq: number, prev: string, key = KEY, deviceId = DEVICE_ID): SealedHex => seal(cycleRecord(deviceId, seq, prev), key)

describe("checkBatch: the batch's form", () => {
    const recs = chain(DEVICE_ID, KEY, 1, 40)
    const hex = recs.map(r => r.hex)

    it("1 to 32 records (or the caller's bound); none, more, or not a list is 400 bad_batch", () => {
        expect(checkBatch(device, hex.slice(0, 1)).length).toBe(1)
        expect(checkBatch(device, hex.slice(0, BATCH_MAX)).length).toBe(32)
        for (const bad of [[], hex.slice(0, 33), "abcd" as any, undefined as any])
            expect(refusal(() => checkBatch(device, bad))).toEqual([400, "bad_batch", "records must hold 1 to 32 sealed records"])
        expect(checkBatch(device, hex.slice(0, 33), 40).length).toBe(33)
        expect(refusal(() => checkBatch(device, hex.slice(0, 33), 32))[1]).toBe("bad_batch")
        expect(refusal(() => checkBatch(device, hex.slice(0, 3), 2))).toEqual([400, "bad_batch", "records must hold 1 to 2 sealed records"])
    })

    it("a record that is not lowercase hex of even length is 400 bad_record naming its index", () => {
        for (const bad of [5 as any, hex[1].toUpperCase(), hex[1] + "0", hex[1].slice(0, 10) + "zz"])
            expect(refusal(() => checkBatch(device, [hex[0], bad]))).toEqual([400, "bad_record", expect.stringContaining("records[1] must be lowercase hex")])
    })

    it("bytes that are not a sealed record are 400 bad_record naming the index and src/core's reason", () => {
        for (const bad of ["52" + "00".repeat(40), "abcd", "00".repeat(34)]) {
            const [status, code, message] = refusal(() => checkBatch(device, [hex[0], bad]))
            // the reason is src/core's own, for exactly these bytes
            let why = ""
            try {
                openRecord(Array.from(Buffer.from(bad, "hex")), KEY, nodeCrypto)
            } catch (e) {
                why = (e as Error).message
            }
            expect(why).not.toBe("")
            expect([status, code, message]).toEqual([400, "bad_record", "records[1] is not a sealed record: " + why])
        }
    })

    it("records must be contiguous: the refusal names the first one out of place and the seq it should have", () => {
        expect(refusal(() => checkBatch(device, [hex[4], hex[5], hex[7]]))).toEqual([400, "not_contiguous", "records must be contiguous: records[2] has seq 8, expected 7"])
        expect(refusal(() => checkBatch(device, [hex[1], hex[0]]))).toEqual([400, "not_contiguous", "records must be contiguous: records[1] has seq 1, expected 3"])
        expect(refusal(() => checkBatch(device, [hex[1], hex[1]]))[1]).toBe("not_contiguous")
    })
})

describe("checkBatch: each record's finding", () => {
    it("a good chain: each record's head, body hash and hex, no problem", () => {
        const recs = chain(DEVICE_ID, KEY, 1, 3)
        const out = checkBatch(device, recs.map(r => r.hex))
        expect(out.map(c => [c.record.seq, c.record.deviceId, c.record.prevHash, c.hash, c.sealedHex, c.problem]))
            .toEqual(recs.map(r => [r.seq, DEVICE_ID, r.prevHash, r.hash, r.hex, null]))
    })

    it("bad_mac under another key, wrong_device for another device's record; a bad MAC is the first finding", () => {
        const a = one(1, ZERO_HASH, OTHER_KEY)
        const b = one(1, ZERO_HASH, KEY, "SFA1-000043")
        const c = one(1, ZERO_HASH, OTHER_KEY, "SFA1-000043")
        expect([a, b, c].map(r => checkBatch(device, [r.hex])[0].problem)).toEqual(["bad_mac", "wrong_device", "bad_mac"])
    })

    it("the chain inside the batch: seq 1 chains onto zeros, each later record onto the one before; a batch's first record is left to the stored head", () => {
        expect(checkBatch(device, [one(1, "11".repeat(32)).hex])[0].problem).toBe("broken_chain")
        expect(checkBatch(device, [one(5, "11".repeat(32)).hex])[0].problem).toBeNull()
        const r5 = one(5, "11".repeat(32))
        const bad6 = one(6, "22".repeat(32))
        const good7 = one(7, bad6.hash)
        expect(checkBatch(device, [r5.hex, bad6.hex, good7.hex]).map(c => c.problem)).toEqual([null, "broken_chain", null])
        // a record already found bad keeps that finding
        const forged6 = one(6, "22".repeat(32), OTHER_KEY)
        expect(checkBatch(device, [r5.hex, forged6.hex]).map(c => c.problem)).toEqual([null, "bad_mac"])
    })
})

describe("ingestRecords on SQLite", () => {
    let store: Awaited<ReturnType<typeof sqliteBackend.create>>
    let db: HubDb
    let clock: TestClock
    let ctx: HubContext
    beforeEach(async () => {
        store = await sqliteBackend.create()
        db = await store.open()
        clock = new TestClock()
        ctx = ctxOf(db, clock)
        await db.db.insertInto("devices").values({ id: DEVICE_ID, key_hex: KEY, transport_key_hex: null, label: "", created_at_ms: clock.ms, created_by: "t" } as any).execute()
    })
    afterEach(async () => {
        await db.close()
        await store.drop()
    })

    const ingest = (recs: SealedHex[], dev: { deviceId: string; keyHex: string; keyGeneration?: number } = device, opts = {}) =>
        ingestRecords(ctx, dev, recs.map(r => r.hex), opts)
    const alerts = () => db.db.selectFrom("alerts").select(["kind", "seq", "detail", "created_at_ms"]).orderBy("seq").orderBy("kind").execute()
    const storedSeqs = async () => (await db.db.selectFrom("records").select("seq").orderBy("seq").execute()).map(r => Number(r.seq))

    it("stores a chain, row by row as sealed, and answers the next seq and the head", async () => {
        const recs = chain(DEVICE_ID, KEY, 1, 2)
        clock.advanceS(7)
        expect(await ingest(recs)).toEqual({ results: [{ seq: 1, status: "stored" }, { seq: 2, status: "stored" }], expectedSeq: 3, head: { seq: 2, hash: recs[1].hash } })
        const rows = await db.db.selectFrom("records").selectAll().orderBy("seq").execute()
        // the fields support.ts's cycleRecord sets: seq s is sealed at 1_750_000_000 + 60 s
        expect(rows.map(r => ({ ...r, seq: Number(r.seq), wall_unix_s: Number(r.wall_unix_s), received_at_ms: Number(r.received_at_ms), kind: Number(r.kind), outcome: Number(r.outcome) }))).toEqual(recs.map(r => ({
            device_id: DEVICE_ID, seq: r.seq, hash: r.hash, prev_hash: r.prevHash, kind: RecordKind.Cycle,
            wall_unix_s: 1_750_000_000 + r.seq * 60, outcome: 1, template_hash: "78c4cce60eece1c0e9c7135ecfc6c240623ffdf5f1d664f6c8f42510bb99dc93",
            operator_id: "op-7", sealed_hex: r.hex, received_at_ms: clock.ms,
        })))
        expect(await currentHead(db.db, DEVICE_ID)).toEqual({ seq: 2, hash: recs[1].hash })
        expect(await currentHead(db.db, "SFA1-000043")).toEqual({ seq: 0, hash: ZERO_HASH })
        expect(await alerts()).toEqual([])
    })

    it("a bound passed by a bulk caller replaces the device route's 32", async () => {
        const recs = chain(DEVICE_ID, KEY, 1, 33)
        await expect(ingest(recs)).rejects.toMatchObject({ statusCode: 400, code: "bad_batch" })
        expect((await ingest(recs, device, { maxBatch: 33 })).expectedSeq).toBe(34)
    })

    it("a first upload that does not start at 1 is a gap (no alert), and nothing is stored", async () => {
        const recs = chain(DEVICE_ID, KEY, 1, 3)
        expect(await ingest(recs.slice(1))).toEqual({
            results: [{ seq: 2, status: "rejected", reason: "gap" }, { seq: 3, status: "rejected", reason: "gap" }], expectedSeq: 1, head: { seq: 0, hash: ZERO_HASH },
        })
        expect(await storedSeqs()).toEqual([])
        expect(await alerts()).toEqual([])
    })

    it("after a refused record the rest of the batch is a gap; the answer's head is the last stored", async () => {
        const r1 = one(1, ZERO_HASH)
        const r2 = one(2, r1.hash, OTHER_KEY)
        const r3 = one(3, r2.hash)
        expect(await ingest([r1, r2, r3])).toEqual({
            results: [{ seq: 1, status: "stored" }, { seq: 2, status: "rejected", reason: "bad_mac" }, { seq: 3, status: "rejected", reason: "gap" }],
            expectedSeq: 2, head: { seq: 1, hash: r1.hash },
        })
        expect(await alerts()).toEqual([{ kind: "bad_mac", seq: 2, detail: "seq 2 refused: bad_mac", created_at_ms: clock.ms }])
    })

    it("each refusal that raises an alert is also logged as a warning with the device and seq", async () => {
        const warned: [string, object | undefined][] = []
        ctx.log = { info() {}, error() {}, warn: (msg, data) => warned.push([msg, data]) }
        const r1 = one(1, ZERO_HASH, OTHER_KEY)
        await ingest([r1])
        await ingest([one(2, ZERO_HASH)]) // a gap: no alert, no warning
        expect(warned).toEqual([["record refused: bad_mac", { deviceId: DEVICE_ID, seq: 1, detail: "seq 1 refused: bad_mac" }]])
    })

    it("bad_mac, wrong_device and broken_chain each raise one alert per distinct record, again or not", async () => {
        const r1 = one(1, ZERO_HASH)
        await ingest([r1])
        const wrong = one(2, r1.hash, KEY, "SFA1-000043")
        const broken = one(2, "33".repeat(32)) // onto the stored head's seq, but not its hash
        const forged = one(2, r1.hash, OTHER_KEY)
        const forged2 = seal({ ...cycleRecord(DEVICE_ID, 2, r1.hash), operatorId: "op-8" }, OTHER_KEY)
        for (const r of [wrong, broken, forged, forged, forged2]) await ingest([r])
        expect((await alerts()).map(a => [a.kind, a.seq, a.detail])).toEqual([
            ["bad_mac", 2, "seq 2 refused: bad_mac"], ["bad_mac", 2, "seq 2 refused: bad_mac"],
            ["broken_chain", 2, "seq 2 refused: broken_chain"], ["wrong_device", 2, "seq 2 refused: wrong_device"],
        ])
        expect(await storedSeqs()).toEqual([1])
    })

    it("duplicates answer duplicate; a held seq with another hash is a fork naming both hashes, alerted once", async () => {
        const recs = chain(DEVICE_ID, KEY, 1, 3)
        await ingest(recs.slice(0, 2))
        clock.advanceS(3)
        expect((await ingest(recs)).results).toEqual([{ seq: 1, status: "duplicate" }, { seq: 2, status: "duplicate" }, { seq: 3, status: "stored" }])
        const fork = seal(cycleRecord(DEVICE_ID, 2, recs[0].hash, "op-99"), KEY)
        for (let i = 0; i < 2; i++)
            expect(await ingest([fork])).toEqual({ results: [{ seq: 2, status: "rejected", reason: "fork" }], expectedSeq: 4, head: { seq: 3, hash: recs[2].hash } })
        expect(await alerts()).toEqual([{ kind: "fork", seq: 2, detail: "seq 2 uploaded with hash " + fork.hash + " but the hub holds " + recs[1].hash, created_at_ms: clock.ms }])
        // a duplicate and then a fork in one batch: the fork and what follows are refused
        const fork3 = one(3, recs[1].hash, KEY, DEVICE_ID)
        const forked = seal(cycleRecord(DEVICE_ID, 3, recs[1].hash, "op-98"), KEY)
        expect(fork3.hash).toBe(recs[2].hash)
        expect((await ingest([recs[1], forked])).results).toEqual([{ seq: 2, status: "duplicate" }, { seq: 3, status: "rejected", reason: "fork" }])
    })

    describe("records under a retired device key", () => {
        /** the device at generation `gen`, its earlier keys retired (open: no last seq yet) */
        async function rotated(gen: number, retired: [number, string][]) {
            for (const [generation, keyHex] of retired)
                await db.db.insertInto("device_retired_keys").values({ device_id: DEVICE_ID, generation, key_hex: keyHex, retired_at_ms: clock.ms, last_seq: null } as any).execute()
            return { deviceId: DEVICE_ID, keyHex: KEY, keyGeneration: gen }
        }
        const lastSeqs = async () => (await db.db.selectFrom("device_retired_keys").select(["generation", "last_seq"]).orderBy("generation").execute())
            .map(r => [Number(r.generation), r.last_seq === null ? null : Number(r.last_seq)])

        it("records sealed before the rotation are stored; the first under the new key closes the old one at the seq before", async () => {
            const dev = await rotated(2, [[1, OLD_KEY]])
            const r1 = one(1, ZERO_HASH, OLD_KEY)
            const r2 = one(2, r1.hash, OLD_KEY)
            const r3 = one(3, r2.hash, KEY)
            expect((await ingest([r1, r2], dev)).results.map(r => r.status)).toEqual(["stored", "stored"])
            expect(await lastSeqs()).toEqual([[1, null]]) // nothing under the new key yet
            expect((await ingest([r1, r2, r3], dev)).results.map(r => r.status)).toEqual(["duplicate", "duplicate", "stored"])
            expect(await lastSeqs()).toEqual([[1, 2]])
            // the old key can seal nothing more
            const r4 = one(4, r3.hash, OLD_KEY)
            expect((await ingest([r4], dev)).results).toEqual([{ seq: 4, status: "rejected", reason: "bad_mac" }])
        })

        it("old and new key in one batch: stored, and the old key closes before the first new record", async () => {
            const dev = await rotated(2, [[1, OLD_KEY]])
            const r1 = one(1, ZERO_HASH, OLD_KEY)
            const r2 = one(2, r1.hash, KEY)
            const r3 = one(3, r2.hash, KEY)
            expect((await ingest([r1, r2, r3], dev)).results.map(r => r.status)).toEqual(["stored", "stored", "stored"])
            expect(await lastSeqs()).toEqual([[1, 1]])
        })

        it("generations never go down along a batch: an older key after a newer one is bad_mac", async () => {
            const dev = await rotated(3, [[1, OLDER_KEY], [2, OLD_KEY]])
            const r1 = one(1, ZERO_HASH, OLDER_KEY)
            const r2 = one(2, r1.hash, OLD_KEY)
            const r3 = one(3, r2.hash, OLDER_KEY)
            expect((await ingest([r1, r2, r3], dev)).results).toEqual([{ seq: 1, status: "stored" }, { seq: 2, status: "stored" }, { seq: 3, status: "rejected", reason: "bad_mac" }])
            expect(await lastSeqs()).toEqual([[1, 1], [2, null]])
            // the current key counts as newer than every retired one
            const s3 = one(3, r2.hash, KEY)
            const s4 = one(4, s3.hash, OLD_KEY)
            expect((await ingest([s3, s4], dev)).results).toEqual([{ seq: 3, status: "stored" }, { seq: 4, status: "rejected", reason: "bad_mac" }])
            expect(await lastSeqs()).toEqual([[1, 1], [2, 2]])
        })

        it("one generation's records in a row, under the same retired key, are all stored", async () => {
            const dev = await rotated(3, [[1, OLDER_KEY], [2, OLD_KEY]])
            const recs = chain(DEVICE_ID, OLD_KEY, 1, 3)
            expect((await ingest(recs, dev)).results.map(r => r.status)).toEqual(["stored", "stored", "stored"])
            expect(await lastSeqs()).toEqual([[1, 0], [2, null]])
        })

        it("a record under a retired key is still checked for its device", async () => {
            const dev = await rotated(2, [[1, OLD_KEY]])
            const r1 = one(1, ZERO_HASH, OLD_KEY, "SFA1-000043")
            expect((await ingest([r1], dev)).results).toEqual([{ seq: 1, status: "rejected", reason: "wrong_device" }])
            expect((await alerts()).map(a => a.kind)).toEqual(["wrong_device"])
        })

        it("only stored records close a key: a refused record under the new key leaves the old one open", async () => {
            const dev = await rotated(2, [[1, OLD_KEY]])
            const r1 = one(1, ZERO_HASH, OLD_KEY)
            await ingest([r1], dev)
            const badNew = one(2, "44".repeat(32), KEY)
            expect((await ingest([badNew], dev)).results).toEqual([{ seq: 2, status: "rejected", reason: "broken_chain" }])
            expect(await lastSeqs()).toEqual([[1, null]])
            expect((await ingest([one(2, r1.hash, OLD_KEY)], dev)).results).toEqual([{ seq: 2, status: "stored" }])
        })

        it("a device never rotated (generation 1 or none given) checks records under its key alone", async () => {
            const r1 = one(1, ZERO_HASH, OLD_KEY)
            await rotated(1, [[1, OLD_KEY]]) // a retired row that a generation-1 device cannot have
            expect((await ingest([r1], { ...device, keyGeneration: 1 })).results).toEqual([{ seq: 1, status: "rejected", reason: "bad_mac" }])
            expect((await ingest([r1], device)).results).toEqual([{ seq: 1, status: "rejected", reason: "bad_mac" }])
        })
    })
})

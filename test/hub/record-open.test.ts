// The hub's Node fast path for opening records (hub/src/record-open.ts) must reach src/core's
// verdicts exactly: the same records valid, with the same head fields, hash and MAC verdict,
// and every tampered byte string refused; and checkBatch built on it must answer each batch as
// the ChainVerifier-based check it replaced (kept below as the reference).
import { describe, it, expect } from "vitest"
import { openRecord } from "../../src/core/records/codec"
import { ChainVerifier } from "../../src/core/records/verify"
import { ValidationError } from "../../src/core/codec/errors"
import { INT_MAX_ABS, ZERO_HASH } from "../../src/core/codec/ints"
import { RecordKind, type ComplianceRecord } from "../../src/core/records/types"
import { draftRecord } from "../../src/core/records/builder"
import { nodeCrypto } from "../../src/node/crypto-node"
import { openerFor, openSealed, SealedOpener } from "../../hub/src/record-open"
import { checkBatch, BATCH_MAX } from "../../hub/src/ingest"
import { HubError, badRequest } from "../../hub/src/errors"
import type { DeviceIdentity } from "../../hub/src/auth/device-hmac"
import { chain, cycleRecord, seal } from "./support"

const KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
const OTHER_KEY = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100"
const DEVICE: DeviceIdentity = { deviceId: "SFA1-000042", keyHex: KEY }

/** a record using every part of the format: ids, a fit, 12 phases, 4 faults, extreme values */
function fullRecord(): ComplianceRecord {
    const r = draftRecord(RecordKind.Cycle, 1_099_511_627_775, INT_MAX_ABS, 1_750_000_000)
    r.deviceId = DEVICE.deviceId
    r.seq = 9_999_999_999
    r.prevHash = "ab".repeat(32)
    r.operatorId = " ~op \"quoted\" \\ {x},y".slice(0, 32)
    r.templateId = "cd".repeat(32)
    r.templateHash = "ef".repeat(32)
    r.bundleVersion = 12
    r.calibrationIds = ["cal-force-3", "c", "cal-temp-9999999", "x y"]
    r.fit = { rmsUm: 1_000_000, worstUm: 0, coveragePermille: 1000, scalePpm: 10_000_000, offsetXUm: -1_000_000, offsetYUm: 1_000_000, rotationMicroRad: -3_141_593, accepted: 1 }
    r.phases = []
    for (let i = 0; i < 12; i++)
        r.phases.push({
            phase: i * 21, durationMs: i * 1000 + 63, samples: 127 + i, filmMinDeciC: -INT_MAX_ABS + i, filmMaxDeciC: INT_MAX_ABS - i,
            filmMeanDeciC: -64, contactMaxDeciC: 64, forceMinMilliN: -8192, forceMaxMilliN: 8191, forceMeanMilliN: 0,
        })
    r.faults = [0, 1, 2, 3].map(i => ({ code: 255 - i, sensor: i, value: -1 - i * 1000, limit: 1 + i, atMs: i * 128 }))
    r.outcome = 3
    return r
}

function bases(): number[][] {
    const small = draftRecord(RecordKind.Calibration, 0, 0, 0)
    small.deviceId = "X"
    small.seq = 1
    return [
        [...Buffer.from(seal(cycleRecord(DEVICE.deviceId, 7, "12".repeat(32)), KEY).hex, "hex")],
        [...Buffer.from(seal(fullRecord(), KEY).hex, "hex")],
        [...Buffer.from(seal(small, KEY).hex, "hex")],
    ]
}

/** src/core's verdict and the fast path's, in one comparable shape */
function coreVerdict(bytes: number[]) {
    try {
        const o = openRecord(bytes, KEY, nodeCrypto)
        const r = o.record
        return { head: { kind: r.kind, deviceId: r.deviceId, seq: r.seq, prevHash: r.prevHash, wallUnixS: r.wallUnixS, operatorId: r.operatorId, templateHash: r.templateHash, outcome: r.outcome }, hash: o.hash, macOk: o.macOk }
    } catch (e) {
        if (e instanceof ValidationError) return null
        throw e
    }
}
function fastVerdict(bytes: number[]) {
    const o = openSealed(Buffer.from(bytes), Buffer.from(KEY, "hex"))
    if (!o) return null
    const h = o.head
    return { head: { kind: h.kind, deviceId: h.deviceId, seq: h.seq, prevHash: h.prevHash, wallUnixS: h.wallUnixS, operatorId: h.operatorId, templateHash: h.templateHash, outcome: h.outcome }, hash: o.hash, macOk: o.macOk }
}

/** xorshift32: the same tampered bytes on every run */
function rng(seed: number) {
    let s = seed >>> 0 || 1
    return (n: number) => {
        s ^= s << 13
        s >>>= 0
        s ^= s >>> 17
        s ^= s << 5
        s >>>= 0
        return s % n
    }
}

function* tampered(b: number[], seed: number): Generator<number[]> {
    const r = rng(seed)
    // every byte replaced by a few telling values: varint ends and continuations, printable
    // edges, a flipped low bit, a random byte
    for (let i = 0; i < b.length; i++)
        for (const v of [0x00, 0x01, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0x81, 0xff, b[i] ^ 1, r(256)]) {
            if (v === b[i]) continue
            const c = b.slice()
            c[i] = v
            yield c
        }
    // every truncation, and one or two bytes inserted, deleted or appended anywhere
    for (let n = 0; n < b.length; n++) yield b.slice(0, n)
    for (let i = 0; i <= b.length; i++) {
        yield [...b.slice(0, i), r(256), ...b.slice(i)]
        yield [...b.slice(0, i), 0x80, 0x00, ...b.slice(i)]
        if (i < b.length) yield [...b.slice(0, i), ...b.slice(i + 1)]
    }
    // several random bytes at once
    for (let k = 0; k < 300; k++) {
        const c = b.slice()
        for (let j = 1 + r(4); j > 0; j--) c[r(c.length)] = r(256)
        yield c
    }
}

describe("record-open: the hub's fast path against src/core", () => {
    it("agrees on genuine records of every shape", () => {
        for (const b of bases()) expect(fastVerdict(b)).toEqual(coreVerdict(b))
        expect(fastVerdict(bases()[1])?.head.seq).toBe(9_999_999_999)
    })

    it("openers of two keys used in turn share the scratch without mixing keys or records", () => {
        // one scratch serves every opener (record-open.ts): each open() writes its own key's pad
        // and record before reading; a record under each key, alternately, and one that grows it
        const mine = seal(cycleRecord(DEVICE.deviceId, 7, "12".repeat(32)), KEY).hex
        const theirs = seal(cycleRecord(DEVICE.deviceId, 7, "12".repeat(32)), OTHER_KEY).hex
        const a = new SealedOpener(Buffer.from(KEY, "hex"))
        const b = new SealedOpener(Buffer.from(OTHER_KEY, "hex"))
        const verdicts: (boolean | null)[] = []
        const mac = (o: ReturnType<SealedOpener["openHex"]>) => (o === null || o === "not_hex" ? null : o.macOk)
        for (let k = 0; k < 2; k++) {
            verdicts.push(mac(a.openHex(mine)), mac(b.openHex(mine)), mac(b.openHex(theirs)), mac(a.openHex(theirs)))
            // 3,000 bytes past the record: longer than the scratch was, and not a record
            expect(a.openHex(mine + "00".repeat(3000))).toBeNull()
        }
        expect(verdicts).toEqual([true, false, true, false, true, false, true, false])
    })

    it("keeps one opener per device key, each verifying under its own key only", () => {
        const mine = seal(cycleRecord(DEVICE.deviceId, 7, "12".repeat(32)), KEY).hex
        const theirs = seal(cycleRecord(DEVICE.deviceId, 7, "12".repeat(32)), OTHER_KEY).hex
        const mac = (o: ReturnType<SealedOpener["openHex"]>) => (o === null || o === "not_hex" ? null : o.macOk)
        expect(openerFor(KEY)).toBe(openerFor(KEY))
        expect(openerFor(OTHER_KEY)).not.toBe(openerFor(KEY))
        expect([mac(openerFor(KEY).openHex(mine)), mac(openerFor(OTHER_KEY).openHex(mine)), mac(openerFor(OTHER_KEY).openHex(theirs)), mac(openerFor(KEY).openHex(theirs))])
            .toEqual([true, false, true, false])
    })

    it("agrees on every value of every byte of a cycle record (each field's bounds, each rule)", () => {
        // the tampered set below tries a few telling values per byte; this tries all 256, so a
        // bound off by one anywhere (outcome 0..3 is one byte: 4 is 0x08) shows as a disagreement
        const b = bases()[0]
        let refused = 0
        for (let i = 0; i < b.length; i++)
            for (let v = 0; v < 256; v++) {
                if (v === b[i]) continue
                const t = b.slice()
                t[i] = v
                const core = coreVerdict(t)
                expect(fastVerdict(t), "byte " + i + " = " + v).toEqual(core)
                if (!core) refused++
            }
        expect(refused).toBeGreaterThan(1000)
    })

    it("agrees on every tampered byte string: refused by both, or the same record, hash and MAC verdict", () => {
        let cases = 0
        let valid = 0
        let badMac = 0
        bases().forEach((b, k) => {
            for (const t of tampered(b, 0x5eed + k)) {
                const core = coreVerdict(t)
                expect(fastVerdict(t), "bytes " + Buffer.from(t).toString("hex")).toEqual(core)
                cases++
                if (core) valid++
                if (core && !core.macOk) badMac++
            }
        })
        // the cases reach both verdicts, not only "refused"
        expect(cases).toBeGreaterThan(10_000)
        expect(valid).toBeGreaterThan(500)
        expect(badMac).toBeGreaterThan(500)
    })
})

/** checkBatch as it was before the fast path: src/core's ChainVerifier over number[] */
function referenceCheck(device: DeviceIdentity, sealedHex: string[], maxBatch = BATCH_MAX) {
    if (!Array.isArray(sealedHex) || sealedHex.length < 1 || sealedHex.length > maxBatch)
        throw badRequest("bad_batch", "records must hold 1 to " + maxBatch + " sealed records")
    const v = new ChainVerifier(device.keyHex, nodeCrypto, { deviceId: device.deviceId })
    const out: { record: ComplianceRecord; hash: string; sealedHex: string; problem: string | null }[] = []
    for (let i = 0; i < sealedHex.length; i++) {
        const hex = sealedHex[i]
        if (typeof hex !== "string" || hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex))
            throw badRequest("bad_record", "records[" + i + "] must be lowercase hex of even length")
        const record = v.add([...Buffer.from(hex, "hex")])
        if (!record) {
            const why = v.finish().findings.find(f => f.code === "malformed")
            throw badRequest("bad_record", "records[" + i + "] is not a sealed record: " + (why ? why.detail : "does not decode"))
        }
        out.push({ record, hash: v.lastHash, sealedHex: hex, problem: null })
    }
    for (let i = 1; i < out.length; i++) {
        const want = out[0].record.seq + i
        if (out[i].record.seq !== want)
            throw badRequest("not_contiguous", "records must be contiguous: records[" + i + "] has seq " + out[i].record.seq + ", expected " + want)
    }
    const report = v.finish()
    for (const f of report.findings) if (f.index >= 0 && out[f.index] && !out[f.index].problem) out[f.index].problem = f.code
    return out
}

function answerOf(check: () => { record: { seq: number; prevHash: string; deviceId: string; kind: number; wallUnixS: number; outcome: number; templateHash: string; operatorId: string }; hash: string; sealedHex: string; problem: string | null }[]) {
    try {
        return check().map(c => ({
            seq: c.record.seq, prevHash: c.record.prevHash, deviceId: c.record.deviceId, kind: c.record.kind, wallUnixS: c.record.wallUnixS,
            outcome: c.record.outcome, templateHash: c.record.templateHash, operatorId: c.record.operatorId, hash: c.hash, sealedHex: c.sealedHex, problem: c.problem,
        }))
    } catch (e) {
        if (e instanceof HubError) return { status: e.statusCode, code: e.code, message: e.message }
        throw e
    }
}

describe("checkBatch: the same answers as the ChainVerifier-based check", () => {
    const good = chain(DEVICE.deviceId, KEY, 1, 6)
    const hexes = good.map(r => r.hex)
    const edit = (hex: string, at: number, v: number) => {
        const b = Buffer.from(hex, "hex")
        b[at] = v
        return b.toString("hex")
    }
    const cases: [string, string[]][] = [
        ["a clean chain from seq 1", hexes],
        ["a clean batch further on", hexes.slice(2, 5)],
        ["one record", [hexes[3]]],
        ["a MAC flipped", [hexes[0], edit(hexes[1], Buffer.from(hexes[1], "hex").length - 1, 0), hexes[2]]],
        ["sealed under another key", [hexes[0], seal(cycleRecord(DEVICE.deviceId, 2, good[0].hash), OTHER_KEY).hex]],
        ["another device's record", [seal(cycleRecord("SFA1-000099", 1, ZERO_HASH), KEY).hex]],
        ["another device's, under another key", [hexes[0], seal(cycleRecord("SFA1-000099", 2, good[0].hash), OTHER_KEY).hex]],
        ["a broken link mid-batch", [hexes[0], seal(cycleRecord(DEVICE.deviceId, 2, "77".repeat(32)), KEY).hex, hexes[2]]],
        ["an edited, re-sealed record (the next link breaks)", [hexes[0], seal(cycleRecord(DEVICE.deviceId, 2, good[0].hash, "op-9"), KEY).hex, hexes[2]]],
        ["seq 1 not chained onto zero", [seal(cycleRecord(DEVICE.deviceId, 1, "01".repeat(32)), KEY).hex]],
        ["a bad MAC and a broken link on one record", [hexes[0], seal(cycleRecord(DEVICE.deviceId, 2, "77".repeat(32)), OTHER_KEY).hex]],
        ["reordered", [hexes[1], hexes[0]]],
        ["a duplicate", [hexes[0], hexes[0]]],
        ["a gap", [hexes[0], hexes[2]]],
        ["a deletion mid-batch", [hexes[0], hexes[1], hexes[3]]],
        ["an edited byte in the body", [hexes[0], edit(hexes[1], 40, 0x41)]],
        ["a truncated record", [hexes[0], hexes[1].slice(0, 100)]],
        ["trailing bytes", [hexes[0], hexes[1] + "00"]],
        ["upper-case hex", [hexes[0].toUpperCase()]],
        ["one upper-case digit", [hexes[0].replace(/[a-f]/, c => c.toUpperCase())]],
        ["longer than any record (past the opener's first scratch)", [hexes[0], hexes[1] + "00".repeat(3000)]],
        ["odd length", [hexes[0] + "0"]],
        ["not hex", [hexes[0].slice(0, 10) + "zz" + hexes[0].slice(12)]],
        ["empty string", [""]],
        ["no records", []],
        ["too many", new Array(BATCH_MAX + 1).fill(hexes[0])],
        ["malformed after a bad MAC", [edit(hexes[0], Buffer.from(hexes[0], "hex").length - 3, 1), "52"]],
    ]
    for (const [name, batch] of cases)
        it(name, () => {
            expect(answerOf(() => checkBatch(DEVICE, batch))).toEqual(answerOf(() => referenceCheck(DEVICE, batch)))
        })

    it("a non-string in the batch", () => {
        const batch = [hexes[0], 42 as unknown as string]
        expect(answerOf(() => checkBatch(DEVICE, batch))).toEqual(answerOf(() => referenceCheck(DEVICE, batch)))
    })

    it("random tampering of a batch's bytes", () => {
        const r = rng(0xba7c4)
        for (let k = 0; k < 400; k++) {
            const batch = hexes.slice(0, 1 + r(4))
            const i = r(batch.length)
            const b = Buffer.from(batch[i], "hex")
            for (let j = 1 + r(3); j > 0; j--) b[r(b.length)] = r(256)
            batch[i] = b.toString("hex")
            expect(answerOf(() => checkBatch(DEVICE, batch))).toEqual(answerOf(() => referenceCheck(DEVICE, batch)))
        }
    })
})

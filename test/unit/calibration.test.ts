// Sensor calibration in Node: the two-point math by hand, the canonical line behind the id,
// input validation, and the store (missing, expired, clock, corrupt, edited, old format,
// power cut). test/vm/calibration.vm.ts runs the same vectors and checks in the VM.
import { describe, it, expect } from "vitest"
import { createHash } from "node:crypto"
import { nodeCrypto } from "../../src/node/crypto-node"
import { makeCalibration, applyCalibration, calibrationBytes, roundDiv } from "../../src/core/calibration/calibration"
import { CalibrationStore, CalReason, saveCalibration } from "../../src/core/calibration/store"
import { MemoryKv } from "../../src/core/store/kv"
import { TWO_POINT_VECTORS, BAD_INPUTS, CAL_CHECKS, runTwoPointVector, runBadInput, T0_UNIX_S } from "../vectors/calibration"

describe("two-point calibration (hand-worked vectors)", () => {
    it.each(TWO_POINT_VECTORS.map(v => [v.input.channel, v] as const))("%s", (_n, v) => {
        expect(runTwoPointVector(v, nodeCrypto)).toBe("")
    })
    it("the id is the SHA-256 of the documented canonical line", () => {
        const cal = makeCalibration(TWO_POINT_VECTORS[0].input, nodeCrypto)
        const line = "SFA-CAL|1|force|0|120|49033|48120|-122582520|1021521|T-0042|Mettler M1 5kg #A17|1767225600|1798761600"
        expect(Buffer.from(calibrationBytes(cal)).toString("ascii")).toBe(line)
        expect(cal.id).toBe(createHash("sha256").update(line).digest("hex").slice(0, 16))
    })
    it("every calibrated value is within half a unit of the exact line (plus the gain's rounding)", () => {
        for (const v of TWO_POINT_VECTORS) {
            const cal = makeCalibration(v.input, nodeCrypto)
            const i = v.input
            for (let raw = -1000; raw <= 60000; raw += 37) {
                const exact = i.refLow + ((raw - i.readLow) * (i.refHigh - i.refLow)) / (i.readHigh - i.readLow)
                // the gain is rounded to 1 ppm: at most 0.5e-6 x |raw - readLow| more
                expect(Math.abs(applyCalibration(cal, raw) - exact)).toBeLessThanOrEqual(0.5 + 0.5e-6 * Math.abs(raw - i.readLow) + 1e-9)
            }
        }
    })
    it("roundDiv rounds half up on both sides of zero, exactly, also past 2^31", () => {
        expect([roundDiv(5, 2), roundDiv(-5, 2), roundDiv(-7, 2), roundDiv(7, 3), roundDiv(-122582520, 1000000)]).toEqual([3, -2, -3, 2, -123])
        expect(roundDiv(3107227739, 2)).toBe(1553613870) // 1553613869.5 -> up
        expect(roundDiv(49155590520 - 122582520, 1000000)).toBe(49033)
    })
})

describe("input validation", () => {
    it.each(BAD_INPUTS.map(b => [b.name, b] as const))("%s: refused, naming the field", (_n, b) => {
        expect(runBadInput(b, nodeCrypto)).toBe("")
    })
})

describe("calibration store (shared checks)", () => {
    it.each(CAL_CHECKS.map(v => [v.name, v] as const))("%s", async (_n, v) => {
        expect(await v.run(nodeCrypto, async () => {})).toBe("ok")
    })
    it("every settings entry it writes fits the device's limits", async () => {
        // MemoryKv throws on a key over 13 characters or an entry over 200 bytes
        const kv = new MemoryKv()
        const st = new CalibrationStore(kv, nodeCrypto)
        for (const v of TWO_POINT_VECTORS) await saveCalibration(st, makeCalibration(v.input, nodeCrypto))
        expect(kv.keys().every(k => k.length <= 13)).toBe(true)
        // three records of ~250 characters: 2 chunks + a header each (a recalibration adds the
        // other slot's 2 chunks: ~2.3 KB at most of the ~16 KB settings area)
        expect(kv.keys().length).toBe(9)
        expect(kv.bytes()).toBeLessThan(1400)
    })
    it("a fresh device (nothing stored) is blocked with a message a technician can act on", async () => {
        const st = new CalibrationStore(new MemoryKv(), nodeCrypto)
        await st.load()
        const s = st.calibrationStatus(T0_UNIX_S)
        expect(s).toMatchObject({ ok: false, channel: "filmTemp", reason: CalReason.Missing })
        expect(s.message).toBe("film temperature calibration missing: a technician must calibrate it before cycles can run")
    })
})

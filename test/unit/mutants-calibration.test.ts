// Calibration cases that issue 14's mutation run found untested (docs/mutation.md): the gain
// bounds 0.8 and 1.25 at their edges, the expiry of every channel (not only the first), and a
// record stored under another channel's key. Gains are hand calculations:
// gain = (refHigh - refLow) / (readHigh - readLow), in ppm, rounded half up.
import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { makeCalibration, type CalibrationInput } from "../../src/core/calibration/calibration"
import { CalibrationStore, CalReason, saveCalibration } from "../../src/core/calibration/store"
import { BlobStore } from "../../src/core/store/blob"
import { MemoryKv } from "../../src/core/store/kv"

const T0 = 1767225600 // 2026-01-01T00:00:00Z
const DAY = 86400

function input(over: Partial<CalibrationInput>): CalibrationInput {
    return {
        channel: "force", refLow: 0, readLow: 0, refHigh: 8000, readHigh: 8000,
        technician: "T-0042", reference: "Mettler M1 5kg #A17", atUnixS: T0, expiresUnixS: T0 + 365 * DAY, ...over,
    }
}

describe("the gain must be within 0.8 .. 1.25", () => {
    it.each([
        // 8,000 mN over 10,000 read: 0.8 exactly, allowed; over 10,001: 799,920 ppm, refused
        ["0.8 exactly", 10000, 800000],
        ["0.79992", 10001, -1],
        // over 6,400: 1.25 exactly, allowed; over 6,399: 1,250,195 ppm, refused
        ["1.25 exactly", 6400, 1250000],
        ["1.250195", 6399, -1],
    ] as const)("%s", (_n, readHigh, gainPpm) => {
        if (gainPpm > 0) expect(makeCalibration(input({ readHigh }), nodeCrypto).gainPpm).toBe(gainPpm)
        else expect(() => makeCalibration(input({ readHigh }), nodeCrypto)).toThrow(/^calibration readHigh: gives a gain of/)
    })

    it("the temperature channels have the same bounds: 20.0 °C over 25.0 °C read is 0.8", () => {
        expect(makeCalibration(input({ channel: "filmTemp", refLow: 250, readLow: 250, refHigh: 450, readHigh: 500 }), nodeCrypto).gainPpm).toBe(800000)
        expect(() => makeCalibration(input({ channel: "filmTemp", refLow: 250, readLow: 250, refHigh: 450, readHigh: 501 }), nodeCrypto)).toThrow(/gain/)
    })
})

describe("every channel's expiry blocks cycles", () => {
    async function store(expiresDays: { filmTemp: number; contactTemp: number; force: number }) {
        const st = new CalibrationStore(new MemoryKv(), nodeCrypto)
        await saveCalibration(st, makeCalibration(input({ channel: "filmTemp", refLow: 250, readLow: 250, refHigh: 700, readHigh: 700, expiresUnixS: T0 + expiresDays.filmTemp * DAY }), nodeCrypto))
        await saveCalibration(st, makeCalibration(input({ channel: "contactTemp", refLow: 250, readLow: 250, refHigh: 450, readHigh: 450, expiresUnixS: T0 + expiresDays.contactTemp * DAY }), nodeCrypto))
        await saveCalibration(st, makeCalibration(input({ expiresUnixS: T0 + expiresDays.force * DAY }), nodeCrypto))
        return st
    }

    it.each([
        ["filmTemp", { filmTemp: 100, contactTemp: 365, force: 365 }],
        ["contactTemp", { filmTemp: 365, contactTemp: 100, force: 365 }],
        ["force", { filmTemp: 365, contactTemp: 365, force: 100 }],
    ] as const)("%s expired alone: blocked naming it, from the second of its expiry", async (ch, days) => {
        const st = await store(days)
        expect(st.calibrationStatus(T0 + 100 * DAY - 1).ok).toBe(true)
        const s = st.calibrationStatus(T0 + 100 * DAY)
        expect([s.ok, s.channel, s.reason]).toEqual([false, ch, CalReason.Expired])
        expect(s.message).toMatch(/expired: a technician must recalibrate it$/)
    })
})

describe("a record stored under another channel's key", () => {
    it("is damaged for that channel and never applied to its readings", async () => {
        const kv = new MemoryKv()
        // a valid force record (gain 0.8: it would change every reading) written as the film's
        const force = makeCalibration(input({ readHigh: 10000 }), nodeCrypto)
        await new BlobStore(kv, nodeCrypto, "calfilm").save(JSON.stringify(force))
        const st = new CalibrationStore(kv, nodeCrypto)
        await st.load()
        expect(st.entries["filmTemp"].state).toBe(CalReason.Corrupt)
        expect(st.get("filmTemp")).toBeNull()
        expect(st.apply("filmTemp", 700)).toBe(700)
        const s = st.calibrationStatus(T0 + DAY)
        expect([s.ok, s.channel, s.reason]).toEqual([false, "filmTemp", CalReason.Corrupt])
    })

    it("the same record under its own key is applied: 700 raw -> 560 (0.8 x 700)", async () => {
        const kv = new MemoryKv()
        const force = makeCalibration(input({ readHigh: 10000 }), nodeCrypto)
        await new BlobStore(kv, nodeCrypto, "calforce").save(JSON.stringify(force))
        const st = new CalibrationStore(kv, nodeCrypto)
        await st.load()
        expect(st.entries["force"].state).toBe(CalReason.Ok)
        expect(st.apply("force", 700)).toBe(560)
    })
})

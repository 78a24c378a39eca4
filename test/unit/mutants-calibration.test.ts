// Calibration cases that issue 14's mutation run found untested (docs/mutation.md): the gain
// bounds 0.8 and 1.25 at their edges, the expiry of every channel (not only the first), and a
// record stored under another channel's key. Gains are hand calculations:
// gain = (refHigh - refLow) / (readHigh - readLow), in ppm, rounded half up.
import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { CAL_CHANNELS, CalibrationError, channelUnit, makeCalibration, verifyCalibration, type Calibration, type CalibrationInput } from "../../src/core/calibration/calibration"
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

// The input checks at their edges (docs/fitting.md "Sensor calibration": readings and
// references within ±1000 N / ±100000.0 °C, text 1-32 printable ASCII characters without
// | " \, the time from 2020-01-01 to 2100-01-01, an expiry after the time and at most a year
// and a day later). Each case changes one field of a valid force input (gain 1.0).
function refusal(over: Partial<CalibrationInput>): { field: string; message: string } | null {
    try {
        makeCalibration(input(over), nodeCrypto)
        return null
    } catch (e) {
        expect(e).toBeInstanceOf(CalibrationError)
        return { field: (e as CalibrationError).field, message: (e as CalibrationError).message }
    }
}

describe("readings and references: integers within ±1,000,000 (mN or 0.1 °C)", () => {
    it("both ends are allowed: -1000 N .. -992 N and 992 N .. 1000 N, gain 1.0", () => {
        const low = makeCalibration(input({ refLow: -1000000, readLow: -1000000, refHigh: -992000, readHigh: -992000 }), nodeCrypto)
        // offset = refLow x 1e6 - readLow x gain = -1e12 + 1e12 = 0
        expect([low.gainPpm, low.offsetMicro]).toEqual([1000000, 0])
        const high = makeCalibration(input({ refLow: 992000, readLow: 992000, refHigh: 1000000, readHigh: 1000000 }), nodeCrypto)
        expect([high.gainPpm, high.offsetMicro]).toEqual([1000000, 0])
    })
    it.each([
        ["refLow", { refLow: -1000001 }],
        ["readLow", { readLow: -1000001 }],
        ["refHigh", { refHigh: 1000001 }],
        ["readHigh", { readHigh: 1000001 }],
    ] as const)("%s one past the limit is refused, naming it and the range", (field, over) => {
        const r = refusal(over)
        expect(r?.field).toBe(field)
        expect(r?.message).toMatch(/is outside -1000000\.\.1000000/)
    })
    it.each([
        ["refLow", { refLow: 0.5 }],
        ["readLow", { readLow: NaN }],
        ["refHigh", { refHigh: 8000.25 }],
        ["readHigh", { readHigh: "8000" as unknown as number }],
    ] as const)("%s not an integer (a fraction, NaN, a string) is refused as such", (field, over) => {
        const r = refusal(over)
        expect(r?.field).toBe(field)
        expect(r?.message).toMatch(/must be an integer/)
    })
})

describe("technician and reference: 1 to 32 printable ASCII characters, no | \" \\", () => {
    const ok = (over: Partial<CalibrationInput>) => makeCalibration(input(over), nodeCrypto)
    it.each(["technician", "reference"] as const)("%s: 1 and 32 characters are allowed, 0 and 33 are not", field => {
        expect(ok({ [field]: "T" })[field]).toBe("T")
        expect(ok({ [field]: "x".repeat(32) })[field]).toBe("x".repeat(32))
        for (const s of ["", "x".repeat(33)]) {
            const r = refusal({ [field]: s })
            expect(r?.field).toBe(field)
            expect(r?.message).toMatch(/must be 1\.\.32 characters/)
        }
    })
    it.each([["a number", 42], ["null", null], ["a list", ["T-0042"]]])("%s instead of text (a stored record edited by hand) is refused as such", (_n, v) => {
        for (const field of ["technician", "reference"] as const) {
            const r = refusal({ [field]: v as unknown as string })
            expect(r?.field).toBe(field)
            expect(r?.message).toMatch(/must be 1\.\.32 characters/)
        }
    })
    it("the printable range's ends, space (32) and ~ (126), are allowed", () => {
        expect(ok({ technician: " T~", reference: "~ ~" }).reference).toBe("~ ~")
    })
    it.each([
        ["'|' (the canonical line's separator)", "|"],
        ["a double quote", "\""],
        ["a backslash", "\\"],
        ["unit separator (31)", "\u001f"],
        ["DEL (127)", "\u007f"],
        ["a non-ASCII letter", "é"],
    ])("%s at character 3 is refused, naming the field and the position", (_n, ch) => {
        for (const field of ["technician", "reference"] as const) {
            const r = refusal({ [field]: "ABC" + ch + "D" })
            expect(r?.field).toBe(field)
            expect(r?.message).toMatch(/character 3 is not printable ASCII/)
        }
    })
})

describe("the time and the expiry", () => {
    const CLOCK_MIN = 1577836800 // 2020-01-01T00:00:00Z
    const Y2100 = 4102444800 // 2100-01-01T00:00:00Z
    it("a calibration made at 2020-01-01 00:00:00 or 2100-01-01 00:00:00 is accepted; a second outside either is not", () => {
        expect(makeCalibration(input({ atUnixS: CLOCK_MIN, expiresUnixS: CLOCK_MIN + DAY }), nodeCrypto).atUnixS).toBe(CLOCK_MIN)
        expect(makeCalibration(input({ atUnixS: Y2100, expiresUnixS: Y2100 + DAY }), nodeCrypto).atUnixS).toBe(Y2100)
        for (const at of [CLOCK_MIN - 1, Y2100 + 1]) {
            const r = refusal({ atUnixS: at, expiresUnixS: at + DAY })
            expect(r?.field).toBe("atUnixS")
            expect(r?.message).toMatch(/is outside 1577836800\.\.4102444800/)
        }
    })
    it("an expiry one second after the calibration and exactly a year and a day (366 days) after are accepted", () => {
        expect(makeCalibration(input({ expiresUnixS: T0 + 1 }), nodeCrypto).expiresUnixS).toBe(T0 + 1)
        expect(makeCalibration(input({ expiresUnixS: T0 + 366 * DAY }), nodeCrypto).expiresUnixS).toBe(T0 + 366 * DAY)
    })
    it("an expiry one second past 366 days is refused, naming the range", () => {
        const r = refusal({ expiresUnixS: T0 + 366 * DAY + 1 })
        expect(r?.field).toBe("expiresUnixS")
        expect(r?.message).toMatch(new RegExp("is outside " + (T0 + 1) + "\\.\\." + (T0 + 366 * DAY)))
    })
})

describe("the unit a channel is stored in (shown by `tech calibrate`)", () => {
    it("force in mN, both temperatures in 0.1 °C", () => {
        expect(CAL_CHANNELS.map(channelUnit)).toEqual(["0.1 degC", "0.1 degC", "mN"])
    })
})

describe("the store: what it loads, and what cycles wait for", () => {
    const CLOCK_MIN = 1577836800 // 2020-01-01T00:00:00Z
    async function storeAll(atUnixS: number, kv = new MemoryKv()) {
        const st = new CalibrationStore(kv, nodeCrypto)
        const t = { atUnixS: atUnixS, expiresUnixS: atUnixS + 365 * DAY }
        await saveCalibration(st, makeCalibration(input({ ...t, channel: "filmTemp", refLow: 250, readLow: 250, refHigh: 700, readHigh: 700 }), nodeCrypto))
        await saveCalibration(st, makeCalibration(input({ ...t, channel: "contactTemp", refLow: 250, readLow: 250, refHigh: 450, readHigh: 450 }), nodeCrypto))
        await saveCalibration(st, makeCalibration(input(t), nodeCrypto))
        return st
    }

    it("the clock counts as set from 2020-01-01 00:00:00 on; a second earlier, or no time at all, it does not", async () => {
        const st = await storeAll(CLOCK_MIN)
        expect(st.calibrationStatus(CLOCK_MIN)).toEqual({ ok: true, channel: "", reason: CalReason.Ok, message: "calibration ok" })
        for (const now of [CLOCK_MIN - 1, 0, -1, NaN]) {
            const s = st.calibrationStatus(now)
            expect([s.ok, s.channel, s.reason]).toEqual([false, "", CalReason.ClockNotSet])
            expect(s.message).toMatch(/^clock not set/)
        }
    })

    it("an expiry names the channel and the calibration's id", async () => {
        const st = await storeAll(T0)
        const s = st.calibrationStatus(T0 + 365 * DAY)
        expect(s.message).toBe("film temperature calibration " + st.get("filmTemp")!.id + " expired: a technician must recalibrate it")
    })

    // a blob whose checksum is right but whose contents are not a calibration record
    it.each([
        ["null", "null", CalReason.Corrupt],
        ["a number", "42", CalReason.Corrupt],
        ["a string", "\"calibration\"", CalReason.Corrupt],
        ["not JSON", "{\"v\":1,", CalReason.Corrupt],
        ["an object without a format", "{}", CalReason.OldFormat],
    ] as const)("stored contents that are %s: not applied, cycles blocked, the boot goes on", async (_n, text, reason) => {
        const kv = new MemoryKv()
        await new BlobStore(kv, nodeCrypto, "calcont").save(text)
        const st = new CalibrationStore(kv, nodeCrypto)
        await st.load()
        expect(st.entries["contactTemp"]).toEqual({ state: reason, cal: null })
        expect(st.apply("contactTemp", 420)).toBe(420)
        const s = st.calibrationStatus(T0)
        // the film's calibration is missing and is reported first
        expect([s.channel, s.reason]).toEqual(["filmTemp", CalReason.Missing])
    })

    it.each([
        // damaged: the blob's checksum no longer matches
        ["force", CalReason.Corrupt, /^force calibration damaged in flash .*a technician must redo it$/],
        ["contactTemp", CalReason.OldFormat, /^contact temperature calibration stored in an old format: a technician must redo it$/],
        ["filmTemp", CalReason.Missing, /^film temperature calibration missing: a technician must calibrate it/],
    ] as const)("%s %s: the message names the channel and what to do", async (ch, reason, message) => {
        const kv = new MemoryKv()
        const st = await storeAll(T0, kv)
        if (ch === "force") await kv.write("calforcea0", ((await kv.read("calforcea0")) as string).replace("8000", "9000"))
        if (ch === "contactTemp") await new BlobStore(kv, nodeCrypto, "calcont").save(JSON.stringify({ ...st.get("contactTemp"), v: 2 }))
        if (ch === "filmTemp") for (const k of kv.keys()) if (k.startsWith("calfilm")) await kv.remove(k)
        const r = new CalibrationStore(kv, nodeCrypto)
        await r.load()
        const s = r.calibrationStatus(T0 + DAY)
        expect([s.ok, s.channel, s.reason]).toEqual([false, ch, reason])
        expect(s.message).toMatch(message)
        // the other two are loaded and used
        expect(r.ids().filter(id => id !== "").length).toBe(2)
        expect(r.get(ch)).toBeNull()
    })

    it("a store not loaded yet blocks cycles: every channel counts as missing", () => {
        const st = new CalibrationStore(new MemoryKv(), nodeCrypto)
        for (const ch of CAL_CHANNELS) expect(st.entries[ch]).toEqual({ state: CalReason.Missing, cal: null })
        const s = st.calibrationStatus(T0)
        expect([s.ok, s.channel, s.reason]).toEqual([false, "filmTemp", CalReason.Missing])
    })

    it("a channel's reading without a usable record passes through unchanged; an unknown channel too", async () => {
        const st = new CalibrationStore(new MemoryKv(), nodeCrypto)
        expect([st.apply("force", -123), st.apply("pressure", 77)]).toEqual([-123, 77])
        expect(st.get("pressure")).toBeNull()
        expect([st.ids(), st.heldIds()]).toEqual([["", "", ""], []])
    })
})

describe("what a refusal tells the technician (`tech calibrate` shows it; nothing is written)", () => {
    it("an unknown channel: the three it may be", () => {
        expect(refusal({ channel: "pressure" })?.message).toBe("calibration channel: must be one of filmTemp, contactTemp, force")
    })
    it.each([
        // force: 5 N; temperatures: 20.0 °C (200 in 0.1 °C); gain 1.0 at the edge
        ["force", 5000, /calibration refHigh: must be at least 5000 mN above refLow/],
        ["filmTemp", 200, /calibration refHigh: must be at least 200 0\.1 degC above refLow/],
        ["contactTemp", 200, /calibration refHigh: must be at least 200 0\.1 degC above refLow/],
    ] as const)("%s: a reference span of exactly %i is enough, one less is not", (channel, span, message) => {
        const c = makeCalibration(input({ channel, refLow: 250, readLow: 250, refHigh: 250 + span, readHigh: 250 + span }), nodeCrypto)
        expect(c.gainPpm).toBe(1000000)
        const r = refusal({ channel, refLow: 250, readLow: 250, refHigh: 249 + span, readHigh: 249 + span })
        expect(r?.field).toBe("refHigh")
        expect(r?.message).toMatch(message)
    })
    it.each([
        ["swapped points (readHigh below readLow)", 8000, 0],
        ["a sensor that does not respond (both readings equal)", 4000, 4000],
    ])("%s: readHigh must be above readLow, said as such", (_n, readLow, readHigh) => {
        const r = refusal({ readLow, readHigh })
        expect(r?.field).toBe("readHigh")
        expect(r?.message).toMatch(/must be above readLow/)
    })
    it("a gain out of bounds is shown with its value and the bounds: 8,000 over 10,001 is 799,920 ppm", () => {
        expect(refusal({ readHigh: 10001 })?.message).toMatch(/gives a gain of 799920 ppm, outside 800000\.\.1250000/)
    })
})

describe("verifying a stored record (the firmware at boot, `tech self-test`)", () => {
    const good = () => makeCalibration(input({ readHigh: 10000 }), nodeCrypto)
    it("a sound record: nothing wrong", () => {
        expect(verifyCalibration(good(), nodeCrypto)).toBe("")
    })
    it("not a record at all", () => {
        expect(verifyCalibration(null as unknown as Calibration, nodeCrypto)).toBe("not a record")
        expect(verifyCalibration("calibration" as unknown as Calibration, nodeCrypto)).toBe("not a record")
    })
    it("an edited gain or offset does not follow from the points", () => {
        expect(verifyCalibration({ ...good(), gainPpm: 1000000 }, nodeCrypto)).toBe("offset/gain do not follow from its points")
        expect(verifyCalibration({ ...good(), offsetMicro: 1 }, nodeCrypto)).toBe("offset/gain do not follow from its points")
    })
    it("an edited text field or id no longer matches the id", () => {
        expect(verifyCalibration({ ...good(), technician: "T-0043" }, nodeCrypto)).toBe("id does not match its contents")
        expect(verifyCalibration({ ...good(), id: "0000000000000000" }, nodeCrypto)).toBe("id does not match its contents")
    })
    it("a field that no longer passes the input checks: that check's message", () => {
        expect(verifyCalibration({ ...good(), technician: "" }, nodeCrypto)).toMatch(/^calibration technician: must be 1\.\.32 characters/)
    })
    it("the store refuses to save an edited record, saying why, and keeps using the one it had", async () => {
        const kv = new MemoryKv()
        const st = new CalibrationStore(kv, nodeCrypto)
        const c = good()
        await saveCalibration(st, c)
        await expect(saveCalibration(st, { ...c, gainPpm: 1250000 })).rejects.toThrow(/^refusing to store calibration: offset\/gain do not follow from its points$/)
        expect(st.apply("force", 700)).toBe(560)
        const again = new CalibrationStore(kv, nodeCrypto)
        await again.load()
        expect(again.get("force")?.id).toBe(c.id)
    })
})

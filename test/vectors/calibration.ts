// Sensor calibration vectors and store checks shared by vitest (test/unit/calibration.test.ts)
// and the DeviceScript VM (test/vm/calibration.vm.ts). Two-point results worked out by hand
// in the comments; calibration ids are the SHA-256 of the canonical line written out below
// (computed with `printf '%s' LINE | sha256sum`, not by this code).
import { Crypto } from "../../src/core/crypto"
import { MemoryKv } from "../../src/core/store/kv"
import { BlobStore } from "../../src/core/store/blob"
import { CalibrationInput, Calibration, makeCalibration, applyCalibration, CalibrationError } from "../../src/core/calibration/calibration"
import { CalibrationStore, CalReason, saveCalibration } from "../../src/core/calibration/store"
import { draftRecord } from "../../src/core/records/builder"
import { RecordKind } from "../../src/core/records/types"
import { checkRecord } from "../../src/core/records/codec"

/** 2026-01-01T00:00:00Z, and a year later */
export const T0_UNIX_S = 1767225600
export const T1_UNIX_S = T0_UNIX_S + 365 * 86400

export interface TwoPointVector {
    input: CalibrationInput
    gainPpm: number
    offsetMicro: number
    /** [raw, calibrated] */
    apply: number[][]
    /** first 16 hex digits of sha256(canonical line) */
    id: string
}

function input(channel: string, refLow: number, readLow: number, refHigh: number, readHigh: number, reference: string): CalibrationInput {
    return { channel: channel, refLow: refLow, readLow: readLow, refHigh: refHigh, readHigh: readHigh, technician: "T-0042", reference: reference, atUnixS: T0_UNIX_S, expiresUnixS: T1_UNIX_S }
}

export const TWO_POINT_VECTORS: TwoPointVector[] = [
    {
        // 0 N and a 5 kg weight (5 x 9.80665 = 49.033 N) read 120 and 48120 mN.
        // gain = 49033 / 48000 = 1.02152083 -> 1021521 ppm; offset = 0 - 120 x 1021521 = -122582520
        // raw 24120: (24639086520 - 122582520) / 1e6 = 24516.504 -> 24517 (line: 24516.5)
        // raw 120 -> 0 exactly; raw 48120: 49033.008 -> 49033; raw 0: -122.58 -> -123
        // line: SFA-CAL|1|force|0|120|49033|48120|-122582520|1021521|T-0042|Mettler M1 5kg #A17|1767225600|1798761600
        input: input("force", 0, 120, 49033, 48120, "Mettler M1 5kg #A17"),
        gainPpm: 1021521,
        offsetMicro: -122582520,
        apply: [[24120, 24517], [120, 0], [48120, 49033], [0, -123]],
        id: "4c9b74b41191bb23",
    },
    {
        // ice point 0.0 °C reads 1.2, a 90.0 °C bath reads 88.7 (0.1 °C units).
        // gain = 900 / 875 = 1.0285714 -> 1028571; offset = -12 x 1028571 = -12342852
        // raw 450: (462856950 - 12342852) / 1e6 = 450.514 -> 451; raw 887: 899.9996 -> 900;
        // raw -50: (-51428550 - 12342852) / 1e6 = -63.77 -> -64
        // line: SFA-CAL|1|filmTemp|0|12|900|887|-12342852|1028571|T-0042|Fluke 1524 SN 3301|1767225600|1798761600
        input: input("filmTemp", 0, 12, 900, 887, "Fluke 1524 SN 3301"),
        gainPpm: 1028571,
        offsetMicro: -12342852,
        apply: [[450, 451], [887, 900], [-50, -64], [12, 0]],
        id: "220c80ce2de7f9de",
    },
    {
        // 25.0 °C reads 26.2, 45.0 °C reads 45.5: gain = 200 / 193 = 1.0362694 -> 1036269;
        // offset = 250e6 - 262 x 1036269 = 250000000 - 271502478 = -21502478
        // raw 420 (42.0 nominal, the patient limit): (435232980 - 21502478) / 1e6 = 413.73 -> 414;
        // raw 262 -> 250 exactly; raw 455: 449.9999 -> 450
        // line: SFA-CAL|1|contactTemp|250|262|450|455|-21502478|1036269|T-0042|Fluke 1524 SN 3301|1767225600|1798761600
        input: input("contactTemp", 250, 262, 450, 455, "Fluke 1524 SN 3301"),
        gainPpm: 1036269,
        offsetMicro: -21502478,
        apply: [[420, 414], [262, 250], [455, 450]],
        id: "3c4b11a8cf813815",
    },
]

/** "" when the vector's gain, offset, id and applied values all match, else the first difference. */
export function runTwoPointVector(v: TwoPointVector, c: Crypto): string {
    const cal = makeCalibration(v.input, c)
    if (cal.gainPpm !== v.gainPpm) return "gainPpm " + cal.gainPpm
    if (cal.offsetMicro !== v.offsetMicro) return "offsetMicro " + cal.offsetMicro
    if (cal.id !== v.id) return "id " + cal.id
    for (let i = 0; i < v.apply.length; i++) {
        const got = applyCalibration(cal, v.apply[i][0])
        if (got !== v.apply[i][1]) return "raw " + v.apply[i][0] + " -> " + got
    }
    return ""
}

/** Inputs a technician might get wrong, and the field the error must name. */
export const BAD_INPUTS: { name: string; mutate: (i: any) => void; field: string }[] = [
    { name: "unknown channel", mutate: i => { i.channel = "pressure" }, field: "channel" },
    { name: "reference span under 20.0 °C", mutate: i => { i.refHigh = i.refLow + 199 }, field: "refHigh" },
    { name: "points swapped", mutate: i => { i.readHigh = i.readLow - 500 }, field: "readHigh" },
    { name: "gain 1.5: a wrong reference value", mutate: i => { i.refHigh = i.refLow + Math.floor((i.readHigh - i.readLow) * 3 / 2) }, field: "readHigh" },
    { name: "a reading that is not an integer", mutate: i => { i.readLow = 12.5 }, field: "readLow" },
    { name: "an empty technician id", mutate: i => { i.technician = "" }, field: "technician" },
    { name: "a '|' in the reference", mutate: i => { i.reference = "Fluke|1524" }, field: "reference" },
    { name: "clock never set", mutate: i => { i.atUnixS = 1000 }, field: "atUnixS" },
    { name: "expiry before the calibration", mutate: i => { i.expiresUnixS = i.atUnixS }, field: "expiresUnixS" },
    { name: "valid for more than a year and a day", mutate: i => { i.expiresUnixS = i.atUnixS + 367 * 86400 }, field: "expiresUnixS" },
]

/** "" when the mutated film-temperature input is refused naming the field. */
export function runBadInput(b: { mutate: (i: any) => void; field: string }, c: Crypto): string {
    const i: any = input("filmTemp", 0, 12, 900, 887, "Fluke 1524 SN 3301")
    b.mutate(i)
    try {
        makeCalibration(i, c)
        return "accepted"
    } catch (e) {
        if (!(e instanceof CalibrationError)) return "wrong error: " + (e as Error).message
        return (e as CalibrationError).field === b.field ? "" : "named " + (e as CalibrationError).field
    }
}

async function storeWithAll(kv: MemoryKv, c: Crypto): Promise<CalibrationStore> {
    const st = new CalibrationStore(kv, c)
    for (let i = 0; i < TWO_POINT_VECTORS.length; i++) await saveCalibration(st, makeCalibration(TWO_POINT_VECTORS[i].input, c))
    return st
}

async function reload(kv: MemoryKv, c: Crypto): Promise<CalibrationStore> {
    const st = new CalibrationStore(kv, c)
    await st.load()
    return st
}

function expectStatus(st: CalibrationStore, now: number, ok: boolean, channel: string, reason: number): string {
    const s = st.calibrationStatus(now)
    if (s.ok !== ok || s.channel !== channel || s.reason !== reason)
        return "status ok=" + s.ok + " channel=" + s.channel + " reason=" + s.reason + " (" + s.message + ")"
    return ""
}

/** pause: awaited between steps in the VM (ds.sleep(0)) */
export interface CalCheck { name: string; run: (c: Crypto, pause: () => Promise<void>) => Promise<string> }

export const CAL_CHECKS: CalCheck[] = [
    {
        name: "all three saved, reloaded after a reboot, applied, and cycles allowed",
        run: async c => {
            const kv = new MemoryKv()
            await storeWithAll(kv, c)
            const st = await reload(kv, c)
            const bad = expectStatus(st, T0_UNIX_S + 86400, true, "", CalReason.Ok)
            if (bad) return bad
            if (st.apply("force", 24120) !== 24517 || st.apply("contactTemp", 420) !== 414) return "not applied"
            return st.ids().join(",") === "220c80ce2de7f9de,3c4b11a8cf813815,4c9b74b41191bb23" ? "ok" : "ids " + st.ids().join(",")
        },
    },
    {
        name: "a missing calibration blocks cycles, naming the channel; raw readings pass through",
        run: async c => {
            const kv = new MemoryKv()
            const st = new CalibrationStore(kv, c)
            await saveCalibration(st, makeCalibration(TWO_POINT_VECTORS[1].input, c)) // film only
            const r = await reload(kv, c)
            const bad = expectStatus(r, T0_UNIX_S, false, "contactTemp", CalReason.Missing)
            if (bad) return bad
            if (r.calibrationStatus(T0_UNIX_S).message.indexOf("contact temperature calibration missing") !== 0) return "message"
            return r.apply("force", 24120) === 24120 ? "ok" : "applied without a calibration"
        },
    },
    {
        name: "a calibration record after one channel is calibrated names that one only, and can be written",
        run: async c => {
            const kv = new MemoryKv()
            const film = makeCalibration(TWO_POINT_VECTORS[1].input, c)
            await saveCalibration(new CalibrationStore(kv, c), film) // film only
            const r = await reload(kv, c)
            const held = r.heldIds()
            if (held.length !== 1 || held[0] !== film.id) return "held " + held.join(",")
            const rec = draftRecord(RecordKind.Calibration, 1, 1000, T0_UNIX_S)
            rec.deviceId = "SFA1-000042" // the queue fills these in when it appends
            rec.seq = 1
            rec.calibrationIds = held
            checkRecord(rec) // throws for an id outside 1-16 characters ("" before the fix)
            rec.calibrationIds = r.ids()
            try {
                checkRecord(rec)
                return "a record with an empty id passed the check"
            } catch (e) {
                return "ok"
            }
        },
    },
    {
        name: "expired: allowed one second before expiry, blocked at it",
        run: async c => {
            const st = await storeWithAll(new MemoryKv(), c)
            const bad = expectStatus(st, T1_UNIX_S - 1, true, "", CalReason.Ok)
            if (bad) return bad
            // all three expire together; filmTemp is reported first
            return expectStatus(st, T1_UNIX_S, false, "filmTemp", CalReason.Expired) || "ok"
        },
    },
    {
        name: "an unset clock blocks cycles (expiry cannot be checked)",
        run: async c => {
            const st = await storeWithAll(new MemoryKv(), c)
            return expectStatus(st, 5000, false, "", CalReason.ClockNotSet) || "ok"
        },
    },
    {
        name: "a corrupted chunk is reported and never applied",
        run: async c => {
            const kv = new MemoryKv()
            await storeWithAll(kv, c)
            const chunk = (await kv.read("calforcea0")) as string
            // one digit changed inside the stored JSON: the blob's SHA-256 no longer matches
            const i = chunk.indexOf("49033")
            await kv.write("calforcea0", chunk.slice(0, i) + "59033" + chunk.slice(i + 5))
            const st = await reload(kv, c)
            const bad = expectStatus(st, T0_UNIX_S, false, "force", CalReason.Corrupt)
            if (bad) return bad
            if (st.apply("force", 24120) !== 24120) return "corrupt calibration applied"
            return st.ids()[2] === "" ? "ok" : "corrupt id cited"
        },
    },
    {
        name: "an edited record with a valid checksum is refused (offset/gain/id re-derived)",
        run: async c => {
            const kv = new MemoryKv()
            await storeWithAll(kv, c)
            const cal = makeCalibration(TWO_POINT_VECTORS[0].input, c) as any
            cal.gainPpm = 1100000
            // written through BlobStore, so the chunk checksum is right; the content is not
            await new BlobStore(kv, c, "calforce").save(JSON.stringify(cal))
            const st = await reload(kv, c)
            return expectStatus(st, T0_UNIX_S, false, "force", CalReason.Corrupt) || "ok"
        },
    },
    {
        name: "an older record format is refused, not converted",
        run: async c => {
            const kv = new MemoryKv()
            await storeWithAll(kv, c)
            const cal = makeCalibration(TWO_POINT_VECTORS[2].input, c) as any
            cal.v = 0
            await new BlobStore(kv, c, "calcont").save(JSON.stringify(cal))
            const st = await reload(kv, c)
            const bad = expectStatus(st, T0_UNIX_S, false, "contactTemp", CalReason.OldFormat)
            if (bad) return bad
            return st.apply("contactTemp", 420) === 420 ? "ok" : "old format applied"
        },
    },
    {
        name: "a blob written by another storage format is refused",
        run: async c => {
            const kv = new MemoryKv()
            await storeWithAll(kv, c)
            await kv.write("calfilmh", "{\"v\":2,\"slot\":0,\"n\":0,\"len\":0,\"sum\":\"\",\"gen\":9}")
            const st = await reload(kv, c)
            return expectStatus(st, T0_UNIX_S, false, "filmTemp", CalReason.OldFormat) || "ok"
        },
    },
    {
        name: "a power cut at every write of a recalibration leaves the old or the new record",
        run: async (c, pause) => {
            const oldCal = makeCalibration(TWO_POINT_VECTORS[0].input, c)
            const newInput = TWO_POINT_VECTORS[0].input
            const next: CalibrationInput = {
                channel: "force", refLow: 0, readLow: 95, refHigh: 49033, readHigh: 48300, technician: "T-0007",
                reference: newInput.reference, atUnixS: T1_UNIX_S - 86400, expiresUnixS: T1_UNIX_S + 300 * 86400,
            }
            const newCal: Calibration = makeCalibration(next, c)
            for (let cut = 0; cut < 6; cut++) {
                await pause()
                const kv = new MemoryKv()
                const st = await storeWithAll(kv, c)
                kv.cutAfter(cut)
                let done = true
                try {
                    await saveCalibration(st, newCal)
                } catch (e) {
                    done = false
                }
                kv.restore()
                const r = await reload(kv, c)
                const got = r.get("force")
                if (!got) return "cut " + cut + ": no usable record"
                if (done && got.id !== newCal.id) return "cut " + cut + ": completed save lost"
                if (!done && got.id !== oldCal.id) return "cut " + cut + ": torn record"
            }
            return "ok"
        },
    },
    {
        name: "the store refuses to save a record whose fields were altered",
        run: async c => {
            const cal = makeCalibration(TWO_POINT_VECTORS[1].input, c)
            cal.offsetMicro += 1000000
            try {
                await saveCalibration(new CalibrationStore(new MemoryKv(), c), cal)
                return "saved"
            } catch (e) {
                return (e as Error).message.indexOf("refusing") >= 0 ? "ok" : (e as Error).message
            }
        },
    },
]

// npm run tech -- calibrate --channel filmTemp|contactTemp|force --technician NAME [--reference TEXT] [--days N]
// Guided two-point calibration of one sensor channel (src/core/calibration): at a low and a
// high reference the technician reads the reference instrument, this reads the device's raw
// sensor value over the bus (the sensor server's reading register: the firmware applies the
// calibration only inside, so what is on the bus is uncalibrated; converted to the firmware's
// integer unit exactly as src/hw/sensor-inputs.ts does), builds the record with
// makeCalibration, writes it with the CalibrationStore the firmware reads, and reads it back.
// Non-interactive form: --low-ref V --high-ref V --reference TEXT --yes (after the low point it
// waits, up to --settle-ms, for the reading to move to the high reference and hold still).
import { CalibrationError, makeCalibration, channelUnit, CAL_CHANNELS, type Calibration } from "../../src/core/calibration/calibration"
import { CalibrationStore, saveCalibration } from "../../src/core/calibration/store"
import { nodeCrypto } from "../../src/node/crypto-node"
import { TechError, UsageError, ask, intOption, need, parseOptions, str, technicianOption, type TechIo } from "./common"
import { connectDevice, DEFAULT_BUS, type DeviceLink } from "./device"
import { CHANNEL_NAMES, dateOf, loadCalibration } from "./device-state"
import { MILLI_N_PER_KG } from "./self-test"
import type { JDService } from "jacdac-ts"

/** the settings key the firmware's KEY_CAL_RELOAD names (src/compliance.ts) */
export const KEY_CAL_RELOAD = "CAL_RELOAD"

export const CALIBRATE_USAGE = "calibrate --channel filmTemp|contactTemp|force --technician NAME [--reference TEXT] [--days N] [--readings N]\n" +
    "          [--low-ref V --high-ref V --yes [--settle-ms N]] [--bus HOST:PORT] [--device ID]\n" +
    "    guided two-point calibration: apply the low then the high reference, type the reference instrument's values\n" +
    "    (°C for temperatures, N for force); writes the record into the device and reads it back"

interface ChannelIo {
    /** the role whose sensor it reads (src/hw/roles.ts) */
    role: string
    /** human unit typed and shown */
    unit: string
    /** bus value -> the firmware's integer unit (src/hw/sensor-inputs.ts) */
    toInt: (v: number) => number
    /** human value -> integer unit */
    fromHuman: (v: number) => number
    show: (n: number) => string
    /** the reading holds still when a window's spread is at most this (integer unit) */
    stableSpread: number
    /** the high point must be at least this far from the low one (calibration.ts minSpan) */
    minSpan: number
    hint: { low: string; high: string }
}

const CHANNELS: { [channel: string]: ChannelIo } = {
    filmTemp: {
        role: "filmTemp", unit: "°C", toInt: v => Math.round(v * 10), fromHuman: v => Math.round(v * 10),
        show: n => (n / 10).toFixed(1) + " °C", stableSpread: 5, minSpan: 200,
        hint: { low: "e.g. the plate at room temperature beside a reference thermometer", high: "e.g. a reference block or dry-well at 80-90 °C" },
    },
    contactTemp: {
        role: "contactTemp", unit: "°C", toInt: v => Math.round(v * 10), fromHuman: v => Math.round(v * 10),
        show: n => (n / 10).toFixed(1) + " °C", stableSpread: 5, minSpan: 200,
        hint: { low: "e.g. the tip at room temperature beside a reference thermometer", high: "e.g. a water bath at about 45-50 °C" },
    },
    force: {
        role: "force", unit: "N", toInt: v => Math.round(v * MILLI_N_PER_KG), fromHuman: v => Math.round(v * 1000),
        show: n => (n / 1000).toFixed(3) + " N", stableSpread: 250, minSpan: 5000,
        hint: { low: "e.g. the press unloaded (0 N)", high: "e.g. a certified weight or force gauge at 20-50 N" },
    },
}

/** Printable ASCII without | " \ (calibration.ts checkText), 1..32. */
function checkReferenceText(s: string) {
    if (s.length < 1 || s.length > 32 || !/^[\x20-\x7e]*$/.test(s) || /[|"\\]/.test(s))
        throw new UsageError("--reference must be 1-32 printable ASCII characters without | \" \\ (the reference instrument: make, model, serial or certificate)")
}

function parseHuman(text: string, what: string, usage: boolean): number {
    const t = text.trim().replace(",", ".")
    const v = Number(t)
    if (t === "" || !Number.isFinite(v)) {
        if (usage) throw new UsageError(`${what} must be a number`)
        throw new TechError(`'${text}' is not a number`, "run calibrate again and type the reference instrument's value, e.g. 25.0")
    }
    return v
}

interface Point {
    mean: number
    spread: number
    sd: number
    n: number
}

function summarize(ints: number[]): Point {
    const n = ints.length
    const mean = ints.reduce((a, b) => a + b, 0) / n
    const sd = Math.sqrt(ints.reduce((a, b) => a + (b - mean) * (b - mean), 0) / n)
    return { mean: Math.round(mean), spread: Math.max(...ints) - Math.min(...ints), sd, n }
}

async function readPoint(io: TechIo, link: DeviceLink, svc: JDService, ch: ChannelIo, count: number, label: string): Promise<Point> {
    let shown = 0
    const raw = await link.readings(svc, count, Math.max(5000, count * 250), n => {
        if (n === count || n - shown >= Math.max(1, Math.floor(count / 4))) {
            shown = n
            io.out(`    reading ${n}/${count}`)
        }
    })
    if (raw.length < count)
        throw new TechError(`only ${raw.length} of ${count} readings of the ${ch.role} sensor arrived`, "check the sensor's cable and that the device is running, then calibrate again")
    const p = summarize(raw.map(ch.toInt))
    io.out(`  ${label}: raw ${ch.show(p.mean)} (mean of ${p.n} readings, spread ${ch.show(p.spread)}, standard deviation ${ch.show(Math.round(p.sd))})`)
    if (p.spread > ch.stableSpread * 4) io.out(`  warning: the reading is not steady (spread over ${ch.show(ch.stableSpread * 4)}): is the reference settled?`)
    return p
}

/** --yes: waits for a steady window of readings at least half the minimum span away from the low point. */
async function awaitHighPoint(io: TechIo, link: DeviceLink, svc: JDService, ch: ChannelIo, count: number, low: Point, settleMs: number): Promise<Point> {
    const t0 = Date.now()
    io.out(`  waiting up to ${Math.round(settleMs / 1000)} s for the high reference (a steady reading at least ${ch.show(ch.minSpan / 2)} above the low point)...`)
    let lastNote = 0
    while (Date.now() - t0 < settleMs) {
        const raw = await link.readings(svc, count, Math.max(5000, count * 250))
        if (raw.length < count) continue
        const p = summarize(raw.map(ch.toInt))
        if (p.mean - low.mean >= ch.minSpan / 2 && p.spread <= ch.stableSpread) {
            io.out(`  high point: raw ${ch.show(p.mean)} (mean of ${p.n} readings, spread ${ch.show(p.spread)})`)
            return p
        }
        if (Date.now() - lastNote > 5000) {
            lastNote = Date.now()
            io.out(`    now ${ch.show(p.mean)}, spread ${ch.show(p.spread)}`)
        }
    }
    throw new TechError(`the ${ch.role} reading did not settle at the high reference within ${settleMs} ms`,
        "apply the high reference (or give it more time with --settle-ms), then calibrate again")
}

export async function calibrate(argv: string[], io: TechIo): Promise<number> {
    const o = parseOptions(argv, ["channel", "technician", "reference", "days", "readings", "low-ref", "high-ref", "settle-ms", "bus", "device"], ["yes"])
    const channel = need(o, "channel")
    if (!CAL_CHANNELS.includes(channel)) throw new UsageError(`--channel must be one of ${CAL_CHANNELS.join(", ")}`)
    const ch = CHANNELS[channel]
    const technician = technicianOption(o)
    const days = intOption(o, "days", 365, 1, 366)
    const count = intOption(o, "readings", 20, 3, 200)
    const settleMs = intOption(o, "settle-ms", 120_000, 1000, 3_600_000)
    const yes = o["yes"] === true
    let reference = str(o, "reference")
    if (reference !== undefined) checkReferenceText(reference)
    const lowArg = str(o, "low-ref")
    const highArg = str(o, "high-ref")
    const lowPre = lowArg === undefined ? undefined : parseHuman(lowArg, "--low-ref", true)
    const highPre = highArg === undefined ? undefined : parseHuman(highArg, "--high-ref", true)
    if (yes && (lowPre === undefined || highPre === undefined || reference === undefined))
        throw new UsageError("--yes (non-interactive) needs --low-ref, --high-ref and --reference")

    const link = await connectDevice(io, str(o, "bus") ?? DEFAULT_BUS, 15_000, str(o, "device"))
    try {
        const roles = await link.roles([ch.role])
        const b = roles.find(r => r.role === ch.role)
        const svc = b && link.service(b)
        if (!svc) throw new TechError(`the ${CHANNEL_NAMES[channel]} sensor (role ${ch.role}) is not bound on the device`, "run npm run tech -- self-test, fix what it reports, then calibrate again")
        if (reference === undefined) {
            reference = await ask(io, "reference instrument (make, model, serial or certificate number; up to 32 characters):")
            try {
                checkReferenceText(reference)
            } catch (e) {
                throw new TechError((e as Error).message.replace("--reference", "the reference"), "run calibrate again with a shorter reference text")
            }
        }

        io.out(`calibrating ${CHANNEL_NAMES[channel]} (${channel}); values in ${ch.unit}, stored in ${channelUnit(channel)}`)
        io.out(`LOW point: apply the low reference (${ch.hint.low}) and let it settle.`)
        if (!yes) await ask(io, "press Enter to read the sensor")
        const low = await readPoint(io, link, svc, ch, count, "low point")
        const refLowHuman = lowPre ?? parseHuman(await ask(io, `reference instrument's value at the low point (${ch.unit}):`), "the low reference", false)
        io.out(`HIGH point: apply the high reference (${ch.hint.high}) and let it settle.`)
        let high: Point
        if (yes) high = await awaitHighPoint(io, link, svc, ch, count, low, settleMs)
        else {
            await ask(io, "press Enter to read the sensor")
            high = await readPoint(io, link, svc, ch, count, "high point")
        }
        const refHighHuman = highPre ?? parseHuman(await ask(io, `reference instrument's value at the high point (${ch.unit}):`), "the high reference", false)

        const now = Math.floor(Date.now() / 1000)
        let cal: Calibration
        try {
            cal = makeCalibration({
                channel, refLow: ch.fromHuman(refLowHuman), readLow: low.mean, refHigh: ch.fromHuman(refHighHuman), readHigh: high.mean,
                technician, reference, atUnixS: now, expiresUnixS: now + days * 86400,
            }, nodeCrypto)
        } catch (e) {
            if (e instanceof CalibrationError)
                throw new TechError(`the points do not make a valid calibration: ${e.message}\n` +
                    `      low: reference ${ch.show(ch.fromHuman(refLowHuman))}, raw ${ch.show(low.mean)}; high: reference ${ch.show(ch.fromHuman(refHighHuman))}, raw ${ch.show(high.mean)}`,
                    "check the reference values you typed and that each reference was applied and settled; then calibrate again. Nothing was written to the device")
            throw e
        }
        io.out(`calibration ${cal.id}: gain ${(cal.gainPpm / 1e6).toFixed(6)}, offset ${ch.show(Math.round(cal.offsetMicro / 1e6))}; valid until ${dateOf(cal.expiresUnixS)}`)
        if (!yes) {
            const a = (await ask(io, "write it to the device? [y/N]")).toLowerCase()
            if (a !== "y" && a !== "yes") {
                io.out("not written; the device keeps its previous calibration")
                return 1
            }
        }
        io.out("writing it into the device's settings...")
        await saveCalibration(new CalibrationStore(link.kv, nodeCrypto), cal)
        io.out("reading it back...")
        const back = await loadCalibration(link.kv, channel)
        if (back.state !== "ok" || back.cal.id !== cal.id)
            throw new TechError(`the calibration read back from the device does not verify (${back.state === "ok" ? "another record: " + back.cal.id : back.why})`,
                "check the USB link and calibrate again; until then the channel's previous calibration (if any) is what the device loads")
        io.out(`calibration ${cal.id} for ${channel} stored and verified on the device`)
        // the firmware reads this key every 5 s and loads its calibrations again while idle (src/compliance.ts)
        await link.kv.write(KEY_CAL_RELOAD, "1")
        io.out("the device applies it within 5 s once idle (a running cycle or scan finishes with the calibration it started with), then records it; then run npm run tech -- self-test")
        return 0
    } finally {
        await link.close()
    }
}

// Two-point (zero and gain) sensor calibration for the force channel and the two temperature
// channels. A technician puts the sensor at two known values, measured by a reference
// instrument, and notes the device's uncalibrated readings there; the line through the two
// points corrects every later reading:
//   calibrated = (raw x gainPpm + offsetMicro) / 1e6      (integers, rounded once, half up)
// with gainPpm = (refHigh - refLow) / (readHigh - readLow) x 1e6 (rounded) and
// offsetMicro = refLow x 1e6 - readLow x gainPpm (exact), so the low point maps exactly onto
// refLow and a single rounding keeps every value within half a unit of the line. Values are
// in the channel's unit: 0.1 °C for filmTemp and contactTemp, mN for force. Integer math only
// (products stay below 2^53), so the VM and Node agree to the unit.

import { Crypto, asciiBytes } from "../crypto"

/** Format of a stored calibration record; a record of any other format is refused. */
export const CAL_FORMAT = 1

/** The calibrated channels, in the order their status is reported. */
export const CAL_CHANNELS = ["filmTemp", "contactTemp", "force"]

/** The channel's unit (checkCalibrationInput spells it out inline: one function fewer in the firmware). */
export function channelUnit(channel: string): string {
    return channel === "force" ? "mN" : "0.1 degC"
}

/**
 * A gain outside 0.8..1.25 means the nominal conversion is off by more than its parts explain
 * (ADC reference spread ~±9 %, NTC and load-cell tolerances of a few %): a wrong reference
 * value, swapped points or a failing sensor, not something to calibrate away.
 */
export const GAIN_MIN_PPM = 800000
export const GAIN_MAX_PPM = 1250000
/** Readings and references stay within ±1000 N / ±100000.0 °C: anything larger is a typo. */
const VALUE_LIMIT = 1000000
/** A clock before 2020-01-01 has not been set: no expiry can be checked against it. */
export const CLOCK_MIN_UNIX_S = 1577836800
/** At most one year and a day between calibrations (the usual yearly interval for clinical thermometry and force references). */
export const MAX_VALIDITY_S = 366 * 86400
const TEXT_MAX_CHARS = 32

export interface CalibrationInput {
    channel: string
    /** reference instrument's value and the device's raw reading at the low point, channel unit */
    refLow: number
    readLow: number
    /** the same at the high point */
    refHigh: number
    readHigh: number
    /** technician id */
    technician: string
    /** the reference instrument: make, model, serial or certificate number */
    reference: string
    /** when it was done, and when it stops being valid, Unix seconds */
    atUnixS: number
    expiresUnixS: number
}

export interface Calibration extends CalibrationInput {
    v: number
    /** calibrated = (raw x gainPpm + offsetMicro) / 1e6; offsetMicro in 1e-6 of the channel unit */
    offsetMicro: number
    gainPpm: number
    /** first 16 hex digits of the SHA-256 of calibrationBytes(): names it in compliance records */
    id: string
}

export class CalibrationError extends Error {
    constructor(readonly field: string, message: string) {
        super()
        this.name = "CalibrationError"
        this.message = "calibration " + field + ": " + message
    }
}

/** Integer a / b rounded half up, b > 0, without `%` (the VM's `%` is wrong for operands in [2^31, 2^32)). */
export function roundDiv(a: number, b: number): number {
    let q = Math.floor(a / b)
    let r = a - q * b
    if (r < 0) {
        q--
        r += b
    } else if (r >= b) {
        q++
        r -= b
    }
    return 2 * r >= b ? q + 1 : q
}

/** The calibrated value of a raw reading, channel unit. */
export function applyCalibration(c: Calibration, raw: number): number {
    return roundDiv(raw * c.gainPpm + c.offsetMicro, 1000000)
}

function checkInt(field: string, v: number, lo: number, hi: number) {
    if (typeof v !== "number" || Math.floor(v) !== v) throw new CalibrationError(field, "must be an integer")
    if (v < lo || v > hi) throw new CalibrationError(field, v + " is outside " + lo + ".." + hi)
}

function checkText(field: string, s: string) {
    if (typeof s !== "string" || s.length < 1 || s.length > TEXT_MAX_CHARS)
        throw new CalibrationError(field, "must be 1.." + TEXT_MAX_CHARS + " characters")
    for (let i = 0; i < s.length; i++) {
        const ch = s.charCodeAt(i)
        // '|' separates fields in calibrationBytes; quotes and backslashes would need escaping
        if (ch < 32 || ch > 126 || ch === 124 || ch === 34 || ch === 92)
            throw new CalibrationError(field, "character " + i + " is not printable ASCII (or is | \" \\)")
    }
}

/** Checks a technician's input: throws CalibrationError naming the field. */
export function checkCalibrationInput(c: CalibrationInput) {
    if (CAL_CHANNELS.indexOf(c.channel) < 0) throw new CalibrationError("channel", "must be one of " + CAL_CHANNELS.join(", "))
    checkInt("refLow", c.refLow, -VALUE_LIMIT, VALUE_LIMIT)
    checkInt("readLow", c.readLow, -VALUE_LIMIT, VALUE_LIMIT)
    checkInt("refHigh", c.refHigh, -VALUE_LIMIT, VALUE_LIMIT)
    checkInt("readHigh", c.readHigh, -VALUE_LIMIT, VALUE_LIMIT)
    // A reading error e at both points tilts the line by up to 2e/span, so a short span makes a
    // poor gain: 20.0 °C keeps a 0.1 °C reading step to <= 1 % of gain; 5 N keeps a 50 mN load
    // cell step to <= 2 %.
    const span = c.channel === "force" ? 5000 : 200
    if (c.refHigh - c.refLow < span)
        throw new CalibrationError("refHigh", "must be at least " + span + (c.channel === "force" ? " mN" : " 0.1 degC") + " above refLow")
    if (c.readHigh <= c.readLow) throw new CalibrationError("readHigh", "must be above readLow (points swapped, or the sensor does not respond)")
    const g = gainPpmOf(c)
    if (g < GAIN_MIN_PPM || g > GAIN_MAX_PPM)
        throw new CalibrationError("readHigh", "gives a gain of " + g + " ppm, outside " + GAIN_MIN_PPM + ".." + GAIN_MAX_PPM + ": check the reference values and the sensor")
    checkText("technician", c.technician)
    checkText("reference", c.reference)
    checkInt("atUnixS", c.atUnixS, CLOCK_MIN_UNIX_S, 4102444800)
    checkInt("expiresUnixS", c.expiresUnixS, c.atUnixS + 1, c.atUnixS + MAX_VALIDITY_S)
}

function gainPpmOf(c: CalibrationInput): number {
    return roundDiv((c.refHigh - c.refLow) * 1000000, c.readHigh - c.readLow)
}

/** The canonical bytes the id is computed from: every field in a fixed order, '|' between. */
export function calibrationBytes(c: Calibration): number[] | Buffer {
    const s = "SFA-CAL|" + c.v + "|" + c.channel + "|" + c.refLow + "|" + c.readLow + "|" + c.refHigh + "|" + c.readHigh +
        "|" + c.offsetMicro + "|" + c.gainPpm + "|" + c.technician + "|" + c.reference + "|" + c.atUnixS + "|" + c.expiresUnixS
    return asciiBytes(s)
}

/** Builds the record from a technician's two points; throws CalibrationError on bad input. */
export function makeCalibration(input: CalibrationInput, crypto: Crypto): Calibration {
    checkCalibrationInput(input)
    const gainPpm = gainPpmOf(input)
    const c: Calibration = {
        v: CAL_FORMAT,
        channel: input.channel,
        refLow: input.refLow,
        readLow: input.readLow,
        refHigh: input.refHigh,
        readHigh: input.readHigh,
        offsetMicro: input.refLow * 1000000 - input.readLow * gainPpm,
        gainPpm: gainPpm,
        technician: input.technician,
        reference: input.reference,
        atUnixS: input.atUnixS,
        expiresUnixS: input.expiresUnixS,
        id: "",
    }
    c.id = crypto.sha256Hex(calibrationBytes(c)).slice(0, 16)
    return c
}

/**
 * Re-derives a stored record from its own points and compares: a record whose offset, gain
 * or id does not follow from its fields was edited or damaged, and is never used. Returns ""
 * when it is sound, else what is wrong.
 */
export function verifyCalibration(c: Calibration, crypto: Crypto): string {
    if (!c || typeof c !== "object") return "not a record"
    try {
        const again = makeCalibration(c, crypto)
        if (again.offsetMicro !== c.offsetMicro || again.gainPpm !== c.gainPpm) return "offset/gain do not follow from its points"
        if (again.id !== c.id) return "id does not match its contents"
    } catch (e) {
        return (e as Error).message
    }
    return ""
}

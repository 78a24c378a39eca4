// The device's sensor calibrations in flash, one BlobStore per channel (chunked under the
// settings value limit, SHA-256 checksummed, atomic: a power cut during a save leaves the old
// or the new record). Loaded once at boot; the controller's preflight asks
// calibrationStatus(now) before every cycle. A record that is missing, damaged, of another
// format or expired blocks cycles with a message saying which channel and what to do; a
// damaged or foreign one is never applied to readings.

import { Kv } from "../store/kv"
import { BlobStore, BlobStatus } from "../store/blob"
import { Crypto } from "../crypto"
import { CAL_CHANNELS, CAL_FORMAT, CLOCK_MIN_UNIX_S, Calibration, roundDiv, verifyCalibration } from "./calibration"

/** Why cycles are blocked (stable codes, logged and shown; only append). */
export enum CalReason {
    Ok = 0,
    Missing = 1,
    /** checksum, chunk or contents do not verify */
    Corrupt = 2,
    /** written by an older (or unknown) format: must be redone, never converted silently */
    OldFormat = 3,
    Expired = 4,
    /** the device has no wall-clock time, so expiry cannot be checked */
    ClockNotSet = 5,
}

export interface CalStatus {
    ok: boolean
    /** the first channel at fault ("" when ok, or for the clock) */
    channel: string
    reason: CalReason
    message: string
}

// per channel, in JSON strings the compiler folds into constants and parsed where used (parsed
// at the top level, the heap held them): the settings key prefix (BlobStore keys add "h", "a0",
// "b0", ...: at most 13 characters) and the name messages use
const PREFIX = '{"filmTemp":"calfilm","contactTemp":"calcont","force":"calforce"}'
const NAMES = '{"filmTemp":"film temperature","contactTemp":"contact temperature","force":"force"}'

interface Entry {
    state: CalReason
    cal: Calibration | null
}

export class CalibrationStore {
    /** each channel's state (written by load() and saveCalibration()) */
    readonly entries: { [channel: string]: Entry } = {}

    constructor(readonly kv: Kv, readonly crypto: Crypto) {
        for (const ch of CAL_CHANNELS) this.entries[ch] = { state: CalReason.Missing, cal: null }
    }

    /** Reads every channel's record from flash (at boot). */
    async load(): Promise<void> {
        for (let i = 0; i < CAL_CHANNELS.length; i++) {
            const ch = CAL_CHANNELS[i]
            this.entries[ch] = await this.loadOne(ch)
        }
    }

    private async loadOne(channel: string): Promise<Entry> {
        const b = await blobOf(this, channel).load()
        if (b.status === BlobStatus.Missing) return { state: CalReason.Missing, cal: null }
        if (b.status === BlobStatus.Format) return { state: CalReason.OldFormat, cal: null }
        if (b.status !== BlobStatus.Ok) return { state: CalReason.Corrupt, cal: null }
        let c: Calibration | null = null
        try {
            c = JSON.parse(b.value as string) as Calibration
        } catch (e) {
            return { state: CalReason.Corrupt, cal: null }
        }
        if (!c || typeof c !== "object") return { state: CalReason.Corrupt, cal: null }
        if (c.v !== CAL_FORMAT) return { state: CalReason.OldFormat, cal: null }
        if (c.channel !== channel || verifyCalibration(c, this.crypto) !== "") return { state: CalReason.Corrupt, cal: null }
        return { state: CalReason.Ok, cal: c }
    }

    /** The loaded record of a channel, or null when none is usable. */
    get(channel: string): Calibration | null {
        const e = this.entries[channel]
        return e ? e.cal : null
    }

    /**
     * A raw reading corrected by the channel's calibration. Without a usable one (cycles are
     * blocked then) the raw reading passes through unchanged, so the safety supervisor keeps
     * watching the nominal values; a damaged record is never applied. An expired one still
     * is: it is closer to the truth than none, and cycles are blocked anyway.
     */
    apply(channel: string, raw: number): number {
        const c = this.get(channel)
        return c ? roundDiv(raw * c.gainPpm + c.offsetMicro, 1000000) : raw // applyCalibration(c, raw), inline
    }

    /** The ids of the channels' records in CAL_CHANNELS order ("" for none): compliance records cite them. */
    ids(): string[] {
        // a loop, not map(): no other firmware code uses the Array map polyfill
        const r: string[] = []
        for (const ch of CAL_CHANNELS) {
            const c = this.get(ch)
            r.push(c ? c.id : "")
        }
        return r
    }

    /**
     * The ids of the channels calibrated so far, for a calibration record (a record's id list
     * holds 1-16 character ids only: ids() gives "" for a channel not yet calibrated, and a
     * record with one could never be written, holding up every record after it).
     */
    heldIds(): string[] {
        const a = this.ids()
        const r: string[] = []
        for (let i = 0; i < a.length; i++) if (a[i]) r.push(a[i])
        return r
    }

    /** May a cycle start? nowUnixS is wall-clock time (synced from the hub); <= 0 when unknown. */
    calibrationStatus(nowUnixS: number): CalStatus {
        for (let i = 0; i < CAL_CHANNELS.length; i++) {
            const ch = CAL_CHANNELS[i]
            const st = this.entries[ch].state
            if (st !== CalReason.Ok) return blocked(ch, st, statusText(ch, st))
        }
        if (!(nowUnixS >= CLOCK_MIN_UNIX_S))
            return blocked("", CalReason.ClockNotSet, "clock not set: calibration expiry cannot be checked; connect to the hub to sync time")
        for (let i = 0; i < CAL_CHANNELS.length; i++) {
            const ch = CAL_CHANNELS[i]
            const c = this.entries[ch].cal
            if (c && nowUnixS >= c.expiresUnixS)
                return blocked(ch, CalReason.Expired, JSON.parse(NAMES)[ch] + " calibration " + c.id + " expired: a technician must recalibrate it")
        }
        return { ok: true, channel: "", reason: CalReason.Ok, message: "calibration ok" }
    }
}

function blobOf(st: CalibrationStore, channel: string): BlobStore {
    return new BlobStore(st.kv, st.crypto, JSON.parse(PREFIX)[channel])
}

/**
 * Stores a record made by makeCalibration (verified again first) and uses it from now on.
 * Durable when the promise resolves; if the power goes during the save, the next boot
 * loads either this record or the one it replaced. (A free function, not a method: only the
 * technician's tools and the simulator store calibrations, and every method of a class the
 * device uses costs its 64 KB function area.)
 */
export async function saveCalibration(st: CalibrationStore, c: Calibration): Promise<void> {
    const bad = verifyCalibration(c, st.crypto)
    if (bad !== "") throw new Error("refusing to store calibration: " + bad)
    await blobOf(st, c.channel).save(JSON.stringify(c))
    st.entries[c.channel] = { state: CalReason.Ok, cal: c }
}

function blocked(channel: string, reason: CalReason, message: string): CalStatus {
    return { ok: false, channel: channel, reason: reason, message: message }
}

function statusText(channel: string, st: CalReason): string {
    const what = JSON.parse(NAMES)[channel] + " calibration "
    if (st === CalReason.Missing) return what + "missing: a technician must calibrate it before cycles can run"
    if (st === CalReason.OldFormat) return what + "stored in an old format: a technician must redo it"
    return what + "damaged in flash (checksum or contents): not used; a technician must redo it"
}

// When the device syncs: on a period, right after each cycle (its record is the one to get
// off the device), and after a failed round only after an exponential backoff with jitter, so
// a fleet whose hub just came back does not retry in lockstep. Times are passed in (uptime ms)
// and so is randomness (a number in [0,1)): the glue owns timers and the RNG.

export interface SyncTiming {
    /** a round this often when all is well */
    periodMs: number
    /** first retry delay; doubles per consecutive failed round up to capMs */
    backoffBaseMs: number
    backoffCapMs: number
    /** the device's fetch has no timeout once connected: the glue races each request against this */
    fetchTimeoutMs: number
}

// parsed from a string, as the firmware's other tables (README, "DeviceScript traps")
export const SYNC_TIMING: SyncTiming = JSON.parse('{"periodMs":300000,"backoffBaseMs":2000,"backoffCapMs":300000,"fetchTimeoutMs":15000}')

/**
 * Delay after the n-th consecutive failure (n >= 1): d = min(cap, base * 2^(n-1)), then "equal
 * jitter": d/2 fixed plus up to d/2 random. The fixed half keeps a restarted hub from being
 * hit at once by every device; the random half spreads them.
 */
export function backoffDelayMs(failures: number, baseMs: number, capMs: number, random01: number): number {
    let d = baseMs
    for (let i = 1; i < failures && d < capMs; i++) d = d * 2
    if (d > capMs) d = capMs
    const half = Math.floor(d / 2)
    let r = random01
    if (!(r >= 0)) r = 0
    if (r >= 1) r = 0.999999
    return half + Math.floor(r * (d - half))
}

export class SyncSchedule {
    /** consecutive failed rounds; 0 after a good one */
    failures = 0
    /** uptime (ms) of the next round: 0 = at boot */
    dueMs = 0

    constructor(readonly t: SyncTiming) {}

    due(nowMs: number): boolean {
        return nowMs >= this.dueMs
    }

    /**
     * A cycle ended: sync now, unless backing off (a fresh record does not make a down hub come
     * back sooner). A round uploads the records held when it started: if one was added during
     * it, call kick again after roundEnded.
     */
    kick(nowMs: number) {
        if (this.failures === 0 && this.dueMs > nowMs) this.dueMs = nowMs
    }

    /** Schedules the next round; returns its delay (ms). */
    roundEnded(ok: boolean, nowMs: number, random01: number): number {
        let delay = this.t.periodMs
        if (ok) this.failures = 0
        else {
            this.failures++
            delay = backoffDelayMs(this.failures, this.t.backoffBaseMs, this.t.backoffCapMs, random01)
        }
        this.dueMs = nowMs + delay
        return delay
    }
}

// Sensor health: implausible (outside the sensor's physical range: open or short), stale (no
// fresh reading for more than N ticks), stuck (reading frozen while the quantity is driven).

/** A reading with the time it arrived; atMs < 0 means none has arrived yet. */
export interface Sample {
    value: number
    atMs: number
    /**
     * Highest reading received since the previous control tick (samples can arrive faster
     * than ticks): the hard limits check it, so a breach shorter than a tick is not missed.
     * Absent = value.
     */
    peak?: number
}

/** The highest reading seen since the last tick. */
export function peakOf(s: Sample): number {
    return s.peak !== undefined && s.peak > s.value ? s.peak : s.value
}

export function hasValue(s: Sample): boolean {
    return s && s.atMs >= 0
}

export function isImplausible(s: Sample, min: number, max: number): boolean {
    return hasValue(s) && (s.value < min || peakOf(s) > max || s.value !== s.value)
}

/** True when the last reading is older than staleTicks control periods (or never came). */
export function isStale(s: Sample, nowMs: number, periodMs: number, staleTicks: number): boolean {
    if (!hasValue(s)) return true
    return nowMs - s.atMs > staleTicks * periodMs
}

/**
 * Stuck detector: trips when the reading has not changed at all for windowMs while `driven`
 * (a real sensor with an ADC always shows some change when its quantity is being driven).
 */
export class StuckDetector {
    /** when the frozen stretch began, or -1 (set it to -1 to forget the history) */
    sinceMs = -1
    private ref = 0

    constructor(readonly windowMs: number) {}

    /** True once the reading has been frozen for the whole window while driven. */
    update(nowMs: number, value: number, driven: boolean): boolean {
        if (!driven || this.sinceMs < 0 || value !== this.ref) {
            this.ref = value
            this.sinceMs = driven ? nowMs : -1
            return false
        }
        return nowMs - this.sinceMs >= this.windowMs
    }
}

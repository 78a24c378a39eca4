// Heater plausibility checks, in the spirit of Klipper's verify_heater and Marlin's thermal
// runaway protection, each a small detector with time passed in.

/**
 * Thermal runaway (heater not heating): while the film is well below target and the duty is
 * high, the temperature must have risen by minRise over the last window. Sliding window,
 * sampled once a second: a heater that fails mid-heat is caught one window (+ <1 s) after its
 * heat stops reaching the film, however the window lines up. Catches a disconnected or failed
 * heater, or a film sensor that has come off the plate.
 */
export class RunawayDetector {
    /** film temperature once a second while heating hard, oldest first */
    private deciC: number[] = []
    private tMs: number[] = []
    /** the rise seen over the window that tripped */
    value = 0

    constructor(readonly windowMs: number, readonly minRiseDeciC: number) {}

    reset() {
        this.deciC = []
        this.tMs = []
    }

    /** True when a full window at high duty showed less than the minimum rise. */
    update(nowMs: number, filmDeciC: number, heatingHard: boolean): boolean {
        if (!heatingHard) {
            this.reset()
            return false
        }
        const n = this.tMs.length
        if (n === 0 || nowMs - this.tMs[n - 1] >= RUNAWAY_SAMPLE_MS) {
            this.tMs.push(nowMs)
            this.deciC.push(filmDeciC)
        }
        while (this.tMs.length > 1 && nowMs - this.tMs[1] >= this.windowMs) {
            this.tMs.shift()
            this.deciC.shift()
        }
        if (nowMs - this.tMs[0] < this.windowMs) return false
        this.value = filmDeciC - this.deciC[0]
        return this.value < this.minRiseDeciC
    }
}

/** Runaway history resolution: 1 s keeps the history small (window / 1 s entries). */
const RUNAWAY_SAMPLE_MS = 1000

/**
 * Uncommanded heating (relay stuck on, SSR shorted): while the heater is commanded off, the
 * film must not climb more than maxRise above the lowest value seen in the current window.
 * The window restarts so slow ambient drift over hours never adds up.
 */
export class OffRiseDetector {
    /** start of the current window, or -1 (set it to -1 to forget the history) */
    startMs = -1
    private minDeciC = 0

    constructor(readonly windowMs: number, readonly maxRiseDeciC: number) {}

    /** the rise that tripped */
    value = 0

    /** True when the film climbed more than maxRise above the window's minimum. */
    update(nowMs: number, filmDeciC: number, heaterOff: boolean): boolean {
        if (!heaterOff) {
            this.startMs = -1
            return false
        }
        if (this.startMs < 0 || nowMs - this.startMs >= this.windowMs) {
            this.startMs = nowMs
            this.minDeciC = filmDeciC
            return false
        }
        if (filmDeciC < this.minDeciC) this.minDeciC = filmDeciC
        this.value = filmDeciC - this.minDeciC
        return this.value > this.maxRiseDeciC
    }
}

/**
 * Holding deviation: once the film has reached its target, it must not stay outside
 * target +/- band for longer than the window.
 */
export class HoldBandDetector {
    /** since when the film has been outside the band, or -1 (set it to -1 to forget the history) */
    outsideSinceMs = -1

    constructor(readonly bandDeciC: number, readonly windowMs: number) {}

    /** the signed deviation from target when it tripped */
    value = 0

    /** True when the film has been outside the band for longer than the window. */
    update(nowMs: number, filmDeciC: number, targetDeciC: number, active: boolean): boolean {
        const dev = filmDeciC - targetDeciC
        if (!active || (dev <= this.bandDeciC && dev >= -this.bandDeciC)) {
            this.outsideSinceMs = -1
            return false
        }
        if (this.outsideSinceMs < 0) this.outsideSinceMs = nowMs
        this.value = dev
        return nowMs - this.outsideSinceMs > this.windowMs
    }
}

// Heater plausibility checks, in the spirit of Klipper's verify_heater and Marlin's thermal
// runaway protection, each a small detector with time passed in.

/**
 * Thermal runaway (heater not heating): while the film is well below target and the duty is
 * high, the temperature must rise by minRise within every window. Catches a disconnected or
 * failed heater, or a film sensor that has come off the plate.
 */
export class RunawayDetector {
    private startMs = -1
    private startDeciC = 0

    constructor(readonly windowMs: number, readonly minRiseDeciC: number) {}

    reset() {
        this.startMs = -1
    }

    /** the rise seen in the window that tripped */
    value = 0

    /** True when a full window at high duty showed less than the minimum rise. */
    update(nowMs: number, filmDeciC: number, heatingHard: boolean): boolean {
        if (!heatingHard) {
            this.startMs = -1
            return false
        }
        if (this.startMs < 0) {
            this.startMs = nowMs
            this.startDeciC = filmDeciC
            return false
        }
        if (nowMs - this.startMs < this.windowMs) return false
        const rise = filmDeciC - this.startDeciC
        if (rise < this.minRiseDeciC) {
            this.value = rise
            return true
        }
        this.startMs = nowMs
        this.startDeciC = filmDeciC
        return false
    }
}

/**
 * Uncommanded heating (relay stuck on, SSR shorted): while the heater is commanded off, the
 * film must not climb more than maxRise above the lowest value seen in the current window.
 * The window restarts so slow ambient drift over hours never adds up.
 */
export class OffRiseDetector {
    private startMs = -1
    private minDeciC = 0

    constructor(readonly windowMs: number, readonly maxRiseDeciC: number) {}

    reset() {
        this.startMs = -1
    }

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
    private outsideSinceMs = -1

    constructor(readonly bandDeciC: number, readonly windowMs: number) {}

    reset() {
        this.outsideSinceMs = -1
    }

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

// Heater PID. Time and the measurement are passed in (Klipper's temperature_update style).
// - derivative on measurement: a setpoint step does not kick the output;
// - derivative filtered (first-order, time constant kdFilterMs) since a 0.1 °C sensor
//   differentiated at 20 Hz is mostly quantisation noise;
// - anti-windup: the integral is clamped to [0, itermMax] and frozen while the output is
//   saturated in the direction the error would push it further.
// Gains are stored as integers (1e-6 units) so they persist and compare exactly.

import type { ControlTiming } from "../manifest"
import { clamp } from "../util"

export interface PidGains {
    /** proportional, 1e-6 duty per °C */
    kpMicroPerDegC: number
    /** integral, 1e-6 duty per °C·s */
    kiMicroPerDegCSec: number
    /** derivative, 1e-6 duty·s per °C */
    kdMicroSecPerDegC: number
}

export interface PidLimits {
    maxDutyPermille: number
    itermMaxPermille: number
    /** derivative filter time constant */
    kdFilterMs: number
}

/**
 * Derivative filter time constant, ms. One quantisation step (0.1 °C) between two 50 ms ticks
 * is a raw slope of 2 °C/s; a 1 s filter passes 0.05/1.05 of it (~0.1 °C/s), while the
 * plate's own dynamics (time constants of tens of seconds) pass almost unchanged.
 */
export const KD_FILTER_MS = 1000

/** The limits the firmware (and the autotune step test) run the heater PID with. */
export function pidLimitsFor(c: ControlTiming): PidLimits {
    return { maxDutyPermille: c.heaterMaxDutyPermille, itermMaxPermille: c.itermMaxPermille, kdFilterMs: KD_FILTER_MS }
}

export function gainsValid(g: PidGains): boolean {
    return g && isFiniteNonNeg(g.kpMicroPerDegC) && isFiniteNonNeg(g.kiMicroPerDegCSec) &&
        isFiniteNonNeg(g.kdMicroSecPerDegC)
}

function isFiniteNonNeg(v: number) {
    return typeof v === "number" && v >= 0 && v < 1e12 && Math.floor(v) === v
}

export class HeaterPid {
    private kp = 0
    private ki = 0
    private kd = 0
    /** integral term, duty fraction (preloadPermille() below sets it) */
    iterm = 0
    private dterm = 0 // filtered derivative of the measurement, °C/s
    private lastMeasC = 0
    private lastMs = -1
    private lastDuty = 0

    constructor(gains: PidGains, readonly limits: PidLimits) {
        this.setGains(gains)
    }

    setGains(g: PidGains) {
        if (!gainsValid(g)) throw new RangeError("PID gains must be non-negative integers")
        this.kp = g.kpMicroPerDegC / 1e6
        this.ki = g.kiMicroPerDegCSec / 1e6
        this.kd = g.kdMicroSecPerDegC / 1e6
    }

    /** Forget history (call when the heater was off for a while or the target jumped far). */
    reset() {
        this.iterm = 0
        this.dterm = 0
        this.lastMs = -1
        this.lastDuty = 0
    }

    /** One update; returns heater duty in permille (integer 0..maxDutyPermille). */
    update(nowMs: number, measuredDeciC: number, targetDeciC: number): number {
        const measC = measuredDeciC / 10
        const errC = (targetDeciC - measuredDeciC) / 10
        const maxDuty = this.limits.maxDutyPermille / 1000
        if (this.lastMs < 0) {
            this.lastMs = nowMs
            this.lastMeasC = measC
        }
        const dtS = (nowMs - this.lastMs) / 1000
        if (dtS > 0) {
            const raw = (measC - this.lastMeasC) / dtS
            const a = dtS / (dtS + this.limits.kdFilterMs / 1000)
            this.dterm += a * (raw - this.dterm)
            // anti-windup: freeze while saturated and the error pushes further into saturation
            const saturatedHigh = this.lastDuty >= maxDuty && errC > 0
            const saturatedLow = this.lastDuty <= 0 && errC < 0
            if (!saturatedHigh && !saturatedLow) {
                this.iterm += this.ki * errC * dtS
                this.iterm = clamp(this.iterm, 0, this.limits.itermMaxPermille / 1000)
            }
        }
        this.lastMs = nowMs
        this.lastMeasC = measC
        const out = this.kp * errC + this.iterm - this.kd * this.dterm
        const duty = clamp(out, 0, maxDuty)
        this.lastDuty = duty
        return Math.round(duty * 1000)
    }
}

/**
 * Preloads the integral with the duty the loop is expected to settle at (bumpless start). A
 * free function: the firmware does not use it, and a HeaterPid method would cost its image.
 */
export function preloadPermille(pid: HeaterPid, dutyPermille: number) {
    pid.iterm = clamp(dutyPermille, 0, pid.limits.itermMaxPermille) / 1000
}

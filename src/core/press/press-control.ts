// Press control: approach until contact, closed-loop force ramp, hold, release to home, and a
// safe retract. The actuator takes a signed speed (permille of full speed, positive = toward
// the patient); the force loop is proportional on the force error, which is enough because the
// plant (speed -> position -> force through the film's compliance) is integrating, so a
// constant target is reached without steady-state error.

import type { PressSettings, CycleSettings } from "../manifest"
import { FaultCode } from "../faults"
import { clamp } from "../util"

export enum PressMode {
    Stop = 0,
    Approach = 1,
    Ramp = 2,
    Hold = 3,
    Release = 4,
    /** the safe state's retract: like Release, but gives up at the release time limit; it ends (Stop) at home or at that limit, so the next request starts afresh */
    Retract = 5,
}

export interface PressReading {
    forceMilliN: number
    positionUm: number
    /** home end stop closed */
    home: boolean
    /** position reading is fresh and plausible (else only the end stop counts) */
    positionValid: boolean
}

/** (Each mode change sets mode and modeStartMs itself: a shared private method cost more.) */
export class PressController {
    /** read-only outside (the controller derives free motion / contact control from it) */
    mode = PressMode.Stop
    private modeStartMs = 0
    private fromMilliN = 0
    private targetMilliN = 0
    private rampMs = 0
    /** position where contact was first detected in this cycle, µm (-1 if none yet): read-only outside */
    contactUm = -1
    /** fault found by the last step (PressNoContact), or None */
    fault = FaultCode.None

    constructor(readonly p: PressSettings, readonly c: CycleSettings) {}

    /**
     * Enters a mode at nowMs: Approach (forgets the last contact point), Release, Retract (not
     * restarted while retracting) or Stop; Ramp and Hold take their force with ramp() and hold().
     * (One method for the four: each method costs the firmware's function area.)
     */
    go(mode: PressMode, nowMs: number) {
        if (mode === PressMode.Retract && this.mode === mode) return
        if (mode === PressMode.Approach) this.contactUm = -1
        this.mode = mode
        this.modeStartMs = nowMs
    }

    /** Ramp linearly from the present force to targetMilliN over rampMs, then hold there. */
    ramp(nowMs: number, fromMilliN: number, targetMilliN: number, rampMs: number) {
        this.go(PressMode.Ramp, nowMs)
        this.fromMilliN = fromMilliN
        this.targetMilliN = targetMilliN
        this.rampMs = rampMs
    }

    hold(nowMs: number, targetMilliN: number) {
        this.go(PressMode.Hold, nowMs)
        this.targetMilliN = targetMilliN
    }

    /** Force set-point at nowMs (the ramp's current value), mN. */
    setpointMilliN(nowMs: number): number {
        if (this.mode === PressMode.Hold) return this.targetMilliN
        if (this.mode !== PressMode.Ramp) return 0
        const t = nowMs - this.modeStartMs
        if (t >= this.rampMs || this.rampMs <= 0) return this.targetMilliN
        return Math.round(this.fromMilliN + ((this.targetMilliN - this.fromMilliN) * t) / this.rampMs)
    }

    isHome(r: PressReading): boolean {
        return r.home || (r.positionValid && r.positionUm <= this.p.homeToleranceUm)
    }

    /** One control tick: returns the actuator speed, permille (integer). */
    step(nowMs: number, r: PressReading): number {
        this.fault = FaultCode.None
        switch (this.mode) {
            case PressMode.Approach:
                if (r.forceMilliN >= this.p.contactForceMilliN) {
                    if (this.contactUm < 0) this.contactUm = r.positionUm
                    return 0
                }
                if (r.positionValid && r.positionUm > this.p.travelMaxUm) {
                    this.fault = FaultCode.PressNoContact
                    return 0
                }
                return this.p.approachSpeedPermille
            case PressMode.Ramp:
            case PressMode.Hold: {
                const errN = (this.setpointMilliN(nowMs) - r.forceMilliN) / 1000
                const speed = Math.round(errN * this.p.forceGainPermillePerN)
                return clamp(speed, -this.p.maxSpeedPermille, this.p.maxSpeedPermille)
            }
            case PressMode.Release:
                return this.isHome(r) ? 0 : -this.p.releaseSpeedPermille
            case PressMode.Retract:
                // a retract ends (home, or given up at its time limit), so the next request (a
                // fault, a scan's end) starts a new one instead of finding this one spent
                if (this.isHome(r) || nowMs - this.modeStartMs > this.c.releaseMaxMs) {
                    this.go(PressMode.Stop, nowMs)
                    return 0
                }
                return -this.p.releaseSpeedPermille
            default:
                return 0
        }
    }
}

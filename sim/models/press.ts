// Press: motor command -> speed (first-order lag) -> position (hard end stops) -> contact with
// the arch -> force through the film's compliance -> load cell (offset, drift, noise).
//
// Axis: 0 = home (fully retracted), positive toward the patient; the arch surface (with the
// film on it) is at archM. Past it the penetration d = x - archM gives the force
//     F = k d (1 + d / stiffenM)
// (a softened film over gum and teeth stiffens as it is squeezed: the local stiffness is
// k (1 + 2 d / stiffenM)). The motor is speed-controlled; it stops advancing where the load
// would exceed its stall force, and at either hard end stop (its speed drops to zero there).
//
// Speed is exact for a constant command over a step: v(t) = v_c + (v0 - v_c) e^{-t/tau},
// x(t) = x0 + v_c t + (v0 - v_c) tau (1 - e^{-t/tau}), so results do not depend on dt.
//
// The load cell reports (F + offset + drift(t) + noise) / g in kg, as the WeightScale role
// does; drift grows linearly from the model's start and saturates (creep and warm-up of a
// strain gauge bridge), so over a long run it never fakes contact: offset + drift max stays
// 8 noise sigmas below the firmware's contact threshold (press.contactForceMilliN, 0.8 N).
//
// Sizing: SIM_PRESS moves 12.5 mm/s at full command, so the firmware's approach (40 %,
// 5 mm/s) covers the 15 mm to the arch in 3.0 s; a real press is similar (10-20 mm/s). The
// stiffness (4 N/mm, 20 N at 3.7 mm) keeps the firmware's force loop (40 ‰/N, 50 ms) well
// damped: the loop's time constant 1 / (k_local x 12.5 mm/s x 0.04/N) ~ 0.3 s vs a 50 ms tick.

import { checkParams, type ParamRanges } from "./check"
import type { Rng } from "./rng"

/** Standard gravity, m/s^2 (the WeightScale role reports kg). */
export const STANDARD_GRAVITY_MPS2 = 9.80665

export interface PressParams {
    /** speed at full command (1.0), m/s */
    maxSpeedMps: number
    /** motor speed lag (first order), s */
    speedTauS: number
    /** far hard end stop, m from home */
    travelM: number
    /** the home switch closes at or below this position, m */
    homeSwitchM: number
    /** where the film meets the arch, m from home */
    archM: number
    /** film + arch stiffness at first contact, N/m */
    stiffnessNPerM: number
    /** penetration at which the force is twice the linear term, m (stiffening) */
    stiffenM: number
    /** the motor cannot push harder than this, N */
    motorMaxForceN: number
    /** load cell zero offset, N */
    loadCellOffsetN: number
    /** load cell noise, standard deviation per reading, N */
    loadCellNoiseN: number
    /** load cell drift rate from start, N/s (signed) */
    loadCellDriftNPerS: number
    /** the drift's magnitude saturates here, N */
    loadCellDriftMaxN: number
}

const RANGES: ParamRanges<PressParams> = {
    maxSpeedMps: [1e-6, 1],
    speedTauS: [1e-6, 10],
    travelM: [1e-3, 1],
    homeSwitchM: [0, 0.01],
    archM: [0, 1],
    stiffnessNPerM: [1, 1e7],
    stiffenM: [1e-6, Infinity],
    motorMaxForceN: [0, 1e5],
    loadCellOffsetN: [-1e3, 1e3],
    loadCellNoiseN: [0, 1e3],
    loadCellDriftNPerS: [-1e3, 1e3],
    loadCellDriftMaxN: [0, 1e3],
}

/**
 * The press as the simulated applicator is set up for a fitted cycle (sim/engine.ts): the arch
 * scan carries the distance sensor along the arch over the plan's positions (fitting.scanStartUm
 * .. scanEndUm, 0..48 mm) first, so the film meets the arch past the plan's end: at 49.5 mm,
 * inside the firmware's no-contact limit (press.travelMaxUm, 50 mm); the far stop is at 60 mm.
 * The firmware's approach (5 mm/s) reaches it in ~10 s. SIM_PRESS below, with the arch at 15 mm,
 * is the short-stroke press the model's own tests work by hand.
 */
export function seatedPress(p: PressParams): PressParams {
    return { ...p, archM: 0.0495, travelM: 0.06 }
}

export const SIM_PRESS: PressParams = {
    maxSpeedMps: 0.0125,
    speedTauS: 0.08,
    travelM: 0.052,
    homeSwitchM: 0.0002,
    archM: 0.015,
    stiffnessNPerM: 4000,
    stiffenM: 0.01,
    motorMaxForceN: 150,
    loadCellOffsetN: 0.15,
    loadCellNoiseN: 0.05,
    loadCellDriftNPerS: 0.002,
    loadCellDriftMaxN: 0.25,
}

export class PressModel {
    private xM = 0
    private vMps = 0
    private elapsedS = 0
    private stalled = false

    constructor(readonly p: PressParams, private readonly rng: Rng) {
        checkParams("PressModel", p, RANGES)
        if (p.archM >= p.travelM) throw new RangeError("PressModel: archM must be inside the travel")
    }

    /** Motor jammed (on): no motion whatever the command; the force stays where it was. */
    stall(on: boolean): void {
        this.stalled = on
        if (on) this.vMps = 0
    }

    /** whether the mechanism is jammed (stall(true)): no drive moves it */
    jammed(): boolean {
        return this.stalled
    }

    /** Places the press (a test's or scenario's start), m; at rest. */
    setPosition(xM: number): void {
        this.xM = Math.min(Math.max(xM, 0), this.p.travelM)
        this.vMps = 0
    }

    /** Advances dtMs with speedCmd (-1 .. 1, positive toward the patient) held throughout. */
    step(dtMs: number, speedCmd: number): void {
        if (!(dtMs >= 0) || !Number.isFinite(dtMs)) throw new RangeError(`PressModel.step: dtMs must be >= 0, got ${dtMs}`)
        const p = this.p
        const t = dtMs / 1000
        this.elapsedS += t
        if (this.stalled || t === 0) return
        const cmd = Number.isFinite(speedCmd) ? Math.min(Math.max(speedCmd, -1), 1) : 0
        const vc = cmd * p.maxSpeedMps
        const e = Math.exp(-t / p.speedTauS)
        let x = this.xM + vc * t + (this.vMps - vc) * p.speedTauS * (1 - e)
        let v = vc + (this.vMps - vc) * e
        const xMaxForce = p.archM + this.penetrationAtM(p.motorMaxForceN)
        if (x >= xMaxForce && x > this.xM) {
            // the motor stalls against the load: it gets no further than its stall force allows
            x = Math.max(this.xM, xMaxForce)
            v = 0
        }
        if (x <= 0) {
            x = 0
            v = 0
        } else if (x >= p.travelM) {
            x = p.travelM
            v = 0
        }
        this.xM = x
        this.vMps = v
    }

    positionM(): number {
        return this.xM
    }

    speedMps(): number {
        return this.vMps
    }

    /** True force on the film, N. */
    forceN(): number {
        const d = this.xM - this.p.archM
        return d > 0 ? this.p.stiffnessNPerM * d * (1 + d / this.p.stiffenM) : 0
    }

    /** The load cell's zero error now (offset + drift), N. */
    loadCellErrorN(): number {
        const p = this.p
        const drift = Math.min(Math.abs(p.loadCellDriftNPerS) * this.elapsedS, p.loadCellDriftMaxN)
        return p.loadCellOffsetN + (p.loadCellDriftNPerS < 0 ? -drift : drift)
    }

    /** One load cell reading, kg: (force + offset + drift + noise) / g. Draws one Gaussian. */
    loadCellKg(): number {
        return (this.forceN() + this.loadCellErrorN() + this.p.loadCellNoiseN * this.rng.gauss()) / STANDARD_GRAVITY_MPS2
    }

    /** Home switch closed. */
    home(): boolean {
        return this.xM <= this.p.homeSwitchM
    }

    /**
     * Home as the firmware defines it (PressControl.isHome): the switch closed, or the position
     * within toleranceUm of zero. The firmware stops retracting at the first tick inside its
     * tolerance, which may be short of this model's switch (0.2 mm against a 0.3 mm tolerance), so
     * a wait for the switch alone can wait forever.
     */
    homeWithin(toleranceUm: number): boolean {
        return this.home() || this.xM * 1e6 <= toleranceUm
    }

    inContact(): boolean {
        return this.xM > this.p.archM
    }

    /** Penetration that gives forceN, m: the positive root of k d^2 / s + k d - F = 0. */
    private penetrationAtM(forceN: number): number {
        const k = this.p.stiffnessNPerM
        const s = this.p.stiffenM
        if (!Number.isFinite(s)) return forceN / k
        // d = 2F / (k (1 + sqrt(1 + 4F / (k s)))): the same root, without cancellation
        return (2 * forceN) / (k * (1 + Math.sqrt(1 + (4 * forceN) / (k * s))))
    }
}

// Film heater thermal model: two lumped nodes plus the contact tip.
//
//   heater (W) -> block [C_b] --R_bf--> film [C_f] --R_fa--> ambient
//                   block --R_ba--> ambient
//   tip [C_t] --R_tf-- film, and --R_tp-- patient (37 °C) while in contact,
//                                  or --R_ta-- ambient while not
//
// The block is the heater plate (heated directly, so it carries the relay's ripple); the film
// is what the film sensor reads, one lag behind. The tip sensor sits at the applicator tip: it
// takes so little heat that its flow back into the film is neglected (one-way coupling).
//
// Integration is exact for piecewise-constant heater power (zero-order hold, as the relay
// delivers it): x(t+dt) = x_ss + e^{A dt} (x - x_ss), with the 2 x 2 matrix exponential in
// closed form (Sylvester's formula; a passive RC network has real, distinct eigenvalues), so
// a result does not depend on dt. The tip is exact for a film temperature that moves linearly
// within the step (first-order hold); its error is below tau_tip x |d2 T_film / dt2| x dt^2 / 8
// (< 1e-4 K at a 10 ms step and the sim plant's curvature of < 5 K/s^2).
//
// Sizing, real vs sim. A real plate (REAL_THERMAL, the controller tests' plant plus a little
// block loss) has lags of ~4 s and ~72 s: 22 -> 70 °C takes ~44 s at full power and cooling
// 70 -> 50 °C ~43 s. The simulator must run a whole cycle in about a minute of wall time, so
// SIM_THERMAL keeps the same structure and resistances with heat capacities 3.5 times smaller
// (10 J/K in all) and a 80 W heater: lags ~1.1 s and ~21 s; 22 -> 70 °C in ~9 s at full power,
// 70 -> 50 °C in ~12 s from a film held at 70 °C (test/unit/sim-thermal.test.ts measures both).
// Two bounds keep it from being faster: the firmware's default PID (Ti = Kp/Ki = 29 s) needs
// ~25 s to settle within 1 °C of 70 °C on it, and the heater-disconnected check (film must rise
// 2 °C within 8 s at high duty) must still trip in its first window when the heater is lost
// 0.2 s into preheat: the 16 J delivered by then warm the 10 J/K plant by < 1.6 K.
// The tip's weights put it at 39.5 °C on a 70 °C film in contact, and 41.5 °C at the 95 °C
// film limit (the film limit bounds the tip); out of contact 30.7 °C at 70 °C.

import { checkParams, type ParamRanges } from "./check"

export interface ThermalParams {
    /** room temperature, °C */
    ambientC: number
    /** the patient's tissue under the tip, °C */
    patientC: number
    /** heater power with the relay on, W */
    heaterW: number
    /** heater block (plate) heat capacity, J/K */
    blockJPerK: number
    /** block -> film thermal resistance, K/W */
    blockToFilmKPerW: number
    /** block -> ambient thermal resistance, K/W (Infinity: none) */
    blockToAmbientKPerW: number
    /** film heat capacity, J/K */
    filmJPerK: number
    /** film -> ambient thermal resistance, K/W */
    filmToAmbientKPerW: number
    /** contact tip heat capacity, J/K */
    tipJPerK: number
    /** tip <-> film thermal resistance (always), K/W */
    tipToFilmKPerW: number
    /** tip <-> patient thermal resistance while in contact, K/W */
    tipToPatientKPerW: number
    /** tip <-> ambient thermal resistance while not in contact, K/W */
    tipToAmbientKPerW: number
}

const RANGES: ParamRanges<ThermalParams> = {
    ambientC: [-20, 50],
    patientC: [30, 42],
    heaterW: [0, 5000],
    blockJPerK: [1e-6, 1e6],
    blockToFilmKPerW: [1e-6, 1e6],
    blockToAmbientKPerW: [1e-6, Infinity],
    filmJPerK: [1e-6, 1e6],
    filmToAmbientKPerW: [1e-6, 1e6],
    tipJPerK: [1e-6, 1e6],
    tipToFilmKPerW: [1e-6, 1e6],
    tipToPatientKPerW: [1e-6, 1e6],
    tipToAmbientKPerW: [1e-6, 1e6],
}

/** A real plate, for reference: test/vectors/plant.ts's nominal plant plus a little block loss. */
export const REAL_THERMAL: ThermalParams = {
    ambientC: 22,
    patientC: 37,
    heaterW: 60,
    blockJPerK: 20,
    blockToFilmKPerW: 0.5,
    blockToAmbientKPerW: 40,
    filmJPerK: 15,
    filmToAmbientKPerW: 2,
    tipJPerK: 3,
    tipToFilmKPerW: 36,
    tipToPatientKPerW: 3,
    tipToAmbientKPerW: 8,
}

/** The simulator's plate: REAL_THERMAL's shape, ~3.5 times faster (see the header). */
export const SIM_THERMAL: ThermalParams = {
    ambientC: 22,
    patientC: 37,
    heaterW: 80,
    blockJPerK: 6,
    blockToFilmKPerW: 0.5,
    blockToAmbientKPerW: 40,
    filmJPerK: 4,
    filmToAmbientKPerW: 2,
    tipJPerK: 0.6,
    tipToFilmKPerW: 36,
    tipToPatientKPerW: 3,
    tipToAmbientKPerW: 8,
}

export class ThermalModel {
    private blockTempC: number
    private filmTempC: number
    private tipTempC: number
    // A = [[a11, a12], [a21, a22]] of d(excess)/dt = A excess + b P, 1/s
    private readonly a11: number
    private readonly a12: number
    private readonly a21: number
    private readonly a22: number
    /** eigenvalues of A, 1/s: fast (most negative) and slow */
    private readonly lamFast: number
    private readonly lamSlow: number
    /** steady excess over ambient per heater watt, K/W */
    private readonly blockKPerW: number
    private readonly filmKPerW: number

    constructor(readonly p: ThermalParams) {
        checkParams("ThermalModel", p, RANGES)
        const gbf = 1 / p.blockToFilmKPerW
        const gba = 1 / p.blockToAmbientKPerW
        const gfa = 1 / p.filmToAmbientKPerW
        this.a11 = -(gbf + gba) / p.blockJPerK
        this.a12 = gbf / p.blockJPerK
        this.a21 = gbf / p.filmJPerK
        this.a22 = -(gbf + gfa) / p.filmJPerK
        const tr = this.a11 + this.a22
        const det = this.a11 * this.a22 - this.a12 * this.a21
        const diff = this.a11 - this.a22
        const disc = Math.sqrt(diff * diff + 4 * this.a12 * this.a21)
        this.lamFast = (tr - disc) / 2
        this.lamSlow = det / this.lamFast // = (tr + disc) / 2 without cancellation
        // steady state: G x = [P, 0] with G the conductance matrix
        const detG = gbf * gfa + gba * gbf + gba * gfa
        this.blockKPerW = (gbf + gfa) / detG
        this.filmKPerW = gbf / detG
        this.blockTempC = p.ambientC
        this.filmTempC = p.ambientC
        this.tipTempC = p.ambientC
    }

    /** Sets every node's temperature (a test's or a scenario's starting point), °C. */
    setTemperatures(blockC: number, filmC: number, tipC: number): void {
        this.blockTempC = blockC
        this.filmTempC = filmC
        this.tipTempC = tipC
    }

    /** The plant's time constants, s: [fast, slow] (-1 / eigenvalue). */
    timeConstantsS(): [number, number] {
        return [-1 / this.lamFast, -1 / this.lamSlow]
    }

    /** Advances dtMs with heaterW applied throughout (0 .. heaterFullW()). */
    step(dtMs: number, heaterW: number, inContact: boolean): void {
        if (!(dtMs >= 0) || !Number.isFinite(dtMs)) throw new RangeError(`ThermalModel.step: dtMs must be >= 0, got ${dtMs}`)
        if (!(heaterW >= 0) || !Number.isFinite(heaterW)) throw new RangeError(`ThermalModel.step: heaterW must be >= 0, got ${heaterW}`)
        if (dtMs === 0) return
        const p = this.p
        const t = dtMs / 1000
        const filmBefore = this.filmTempC
        const sb = p.ambientC + heaterW * this.blockKPerW
        const sf = p.ambientC + heaterW * this.filmKPerW
        const [eb, ef] = this.expA(t, this.blockTempC - sb, this.filmTempC - sf)
        this.blockTempC = sb + eb
        this.filmTempC = sf + ef
        this.stepTip(t, filmBefore, this.filmTempC, inContact)
    }

    blockC(): number {
        return this.blockTempC
    }

    filmC(): number {
        return this.filmTempC
    }

    tipC(): number {
        return this.tipTempC
    }

    heaterFullW(): number {
        return this.p.heaterW
    }

    /** e^{A t} [x1, x2] by Sylvester's formula. */
    private expA(t: number, x1: number, x2: number): [number, number] {
        const l1 = this.lamFast
        const l2 = this.lamSlow
        const e1 = Math.exp(l1 * t)
        const e2 = Math.exp(l2 * t)
        let c0: number // e^{At} = c0 I + c1 A
        let c1: number
        if (l2 - l1 > 1e-9 * -l1) {
            c0 = (l1 * e2 - l2 * e1) / (l1 - l2)
            c1 = (e1 - e2) / (l1 - l2)
        } else {
            // (nearly) equal eigenvalues: e^{At} = e^{lt} (I + t (A - l I))
            const l = (l1 + l2) / 2
            const e = Math.exp(l * t)
            c0 = e * (1 - l * t)
            c1 = e * t
        }
        return [c0 * x1 + c1 * (this.a11 * x1 + this.a12 * x2), c0 * x2 + c1 * (this.a21 * x1 + this.a22 * x2)]
    }

    /**
     * The tip relaxes toward the weighted mean of what it touches, u = w_f T_film + (1 - w_f) T_other,
     * with tau = C_t / (g_tf + g_other). The film moves linearly from f0 to f1 over the step, so
     * u is a ramp u0 + s t, whose exact response is u0 + s t - s tau + (T0 - u0 + s tau) e^{-t/tau}.
     */
    private stepTip(t: number, f0: number, f1: number, inContact: boolean): void {
        const p = this.p
        const gtf = 1 / p.tipToFilmKPerW
        const gOther = inContact ? 1 / p.tipToPatientKPerW : 1 / p.tipToAmbientKPerW
        const other = inContact ? p.patientC : p.ambientC
        const wf = gtf / (gtf + gOther)
        const tau = p.tipJPerK / (gtf + gOther)
        const u0 = wf * f0 + (1 - wf) * other
        const u1 = wf * f1 + (1 - wf) * other
        const s = (u1 - u0) / t
        this.tipTempC = u1 - s * tau + (this.tipTempC - u0 + s * tau) * Math.exp(-t / tau)
    }
}

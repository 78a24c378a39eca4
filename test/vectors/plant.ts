// A small applicator plant for closed-loop tests of the controller, in the DeviceScript subset
// so the same runs execute in Node and in the VM. Explicit Euler at the control period.
// Thermal: two nodes (heater block, film) with loss to ambient; contact tip coupled to the film
// (weakly) and to the patient (37 °C) while pressed. Press: speed -> position, force through
// the film's compliance past the arch surface, hard end stop at 0 (home).
// Not the simulator's physics (sim/models); just enough plant to close the loops.

export interface PlantParams {
    ambientC: number
    /** heater power at full duty, W */
    heaterW: number
    /** heater block heat capacity, J/K */
    blockJPerK: number
    /** block -> film thermal resistance, K/W */
    blockToFilmKPerW: number
    /** film heat capacity, J/K */
    filmJPerK: number
    /** film -> ambient thermal resistance, K/W */
    filmToAmbientKPerW: number
    /** press speed at full command, µm/s */
    pressMaxUmPerS: number
    /** arch surface position from home, µm */
    archUm: number
    /** film + arch stiffness at first contact, mN per µm */
    stiffnessMilliNPerUm: number
    /** penetration at which the force is twice the linear term (stiffening), µm */
    stiffenUm: number
}

/** Full duty settles the film at 22 + 60 x 2 = 142 °C; block/film lags ~10 s and ~30 s. */
export const NOMINAL_PLANT: PlantParams = {
    ambientC: 22,
    heaterW: 60,
    blockJPerK: 20,
    blockToFilmKPerW: 0.5,
    filmJPerK: 15,
    filmToAmbientKPerW: 2,
    pressMaxUmPerS: 10000,
    archUm: 20000,
    // the simulator's film and arch (sim/models/press.ts SIM_PRESS: 4 N/mm stiffening over
    // 10 mm): the firmware's force plausibility check (E13) expects at least the softest
    // plausible film and arch, 3 N/mm stiffening over 10 mm (devicescript.json press.*)
    stiffnessMilliNPerUm: 4,
    stiffenUm: 10000,
}

/** Contact tip coupling: tip = (0.09 film + 0.91 patient) at steady state (70 °C film -> 40.0 °C). */
const TIP_FILM_PER_S = 0.009
const TIP_PATIENT_PER_S = 0.091
const TIP_AMBIENT_PER_S = 0.02
const PATIENT_C = 37
const HOME_SWITCH_UM = 200

export class Plant {
    blockC: number
    filmC: number
    tipC: number
    positionUm = 0
    /** fault switches a test may flip */
    heaterConnected = true
    /** relay contacts welded, and (worst case) the hardware one-shot failed too */
    relayStuckOn = false
    motorStalled = false

    /** Park-Miller PRNG state: products stay below 2^53, so Node and the VM agree exactly */
    private seed: number

    constructor(readonly p: PlantParams, seed?: number) {
        this.seed = seed ? seed : 12345
        this.blockC = p.ambientC
        this.filmC = p.ambientC
        this.tipC = p.ambientC
    }

    forceMilliN(): number {
        const past = this.positionUm - this.p.archUm
        return past > 0 ? past * this.p.stiffnessMilliNPerUm * (1 + past / this.p.stiffenUm) : 0
    }

    inContact(): boolean {
        return this.positionUm > this.p.archUm
    }

    /** Advances dtMs with the heater relay and press speed held. */
    step(dtMs: number, heaterOn: boolean, speedPermille: number) {
        const p = this.p
        const dt = dtMs / 1000
        const q = (heaterOn || this.relayStuckOn) && this.heaterConnected ? p.heaterW : 0
        const qBF = (this.blockC - this.filmC) / p.blockToFilmKPerW
        const qFA = (this.filmC - p.ambientC) / p.filmToAmbientKPerW
        this.blockC += ((q - qBF) / p.blockJPerK) * dt
        this.filmC += ((qBF - qFA) / p.filmJPerK) * dt
        if (this.inContact())
            this.tipC += (TIP_FILM_PER_S * (this.filmC - this.tipC) + TIP_PATIENT_PER_S * (PATIENT_C - this.tipC)) * dt
        else this.tipC += TIP_AMBIENT_PER_S * (p.ambientC - this.tipC) * dt
        if (!this.motorStalled) this.positionUm += (speedPermille / 1000) * p.pressMaxUmPerS * dt
        if (this.positionUm < 0) this.positionUm = 0
    }

    /** -1, 0 or +1 LSB of ADC noise */
    private noise(): number {
        this.seed = (this.seed * 16807) % 2147483647
        return (this.seed % 3) - 1
    }

    /** film reading, 0.1 °C, with one LSB of noise as a real thermistor ADC shows */
    filmDeciC(): number {
        return Math.round(this.filmC * 10) + this.noise()
    }

    tipDeciC(): number {
        return Math.round(this.tipC * 10) + this.noise()
    }

    positionRoundedUm(): number {
        return Math.round(this.positionUm)
    }

    /** home end stop: closes within its 0.2 mm pre-travel of the hard stop */
    home(): boolean {
        return this.positionUm <= HOME_SWITCH_UM
    }
}

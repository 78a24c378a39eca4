// Thermal plant models for closed-loop heater tests: first order plus dead time (FOPDT), and
// the same with a second lag (heater plate -> film), driven by the heater relay's on/off state.
//   plate/film rise above ambient: x1' = (gainC * u(t - dead) - x1) / tau1
//   film (second lag, optional):   x2' = (x1 - x2) / tau2
// Integrated exactly for an input held constant over each tick (zero-order hold), so the
// model's step response does not depend on dt. The sensor adds Gaussian-like noise
// (Irwin-Hall: sum of 12 uniforms - 6 has mean 0 and standard deviation 1) from a seeded
// mulberry32 PRNG, then quantises to 0.1 °C, so a run is deterministic for a seed.

export interface PlantParams {
    /** steady-state rise above ambient at 100 % duty, °C */
    gainC: number
    /** main (plate) time constant, s */
    tau1S: number
    /** second (film) time constant, s; 0 = pure FOPDT */
    tau2S: number
    /** transport/dead time between heater power and the sensor, s */
    deadS: number
    /** ambient temperature, °C */
    ambientC: number
    /** standard deviation of the sensor noise, °C (0 = none) */
    noiseC: number
    /** PRNG seed for the noise */
    seed: number
}

/** mulberry32: a 32-bit seeded PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
    let a = seed >>> 0
    return () => {
        a = (a + 0x6d2b79f5) >>> 0
        let t = a
        t = Math.imul(t ^ (t >>> 15), t | 1)
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
}

export class ThermalPlant {
    private x1 = 0 // °C above ambient, first lag
    private x2 = 0 // °C above ambient, second lag
    private delay: number[] = [] // heater input (0..1) still in transit, oldest first
    private delayTicks = -1
    private readonly rand: () => number

    constructor(readonly p: PlantParams) {
        if (!(p.gainC > 0 && p.tau1S > 0 && p.tau2S >= 0 && p.deadS >= 0 && p.noiseC >= 0))
            throw new RangeError("plant: gainC, tau1S > 0; tau2S, deadS, noiseC >= 0")
        this.rand = mulberry32(p.seed)
    }

    /** True film temperature, °C (no noise, no quantisation). */
    trueC(): number {
        return this.p.ambientC + (this.p.tau2S > 0 ? this.x2 : this.x1)
    }

    /** Sensor reading, 0.1 °C integer: true value + noise, rounded. */
    readDeciC(): number {
        let n = 0
        if (this.p.noiseC > 0) {
            let s = 0
            for (let i = 0; i < 12; i++) s += this.rand()
            n = (s - 6) * this.p.noiseC
        }
        return Math.round((this.trueC() + n) * 10)
    }

    /** Advances dtMs with the heater input u (0 = off, 1 = full power) applied now. */
    advance(dtMs: number, u: number) {
        if (this.delayTicks < 0) {
            // the dead time is a whole number of ticks of the first dt used
            this.delayTicks = Math.round((this.p.deadS * 1000) / dtMs)
            for (let i = 0; i < this.delayTicks; i++) this.delay.push(0)
        }
        this.delay.push(u)
        const uIn = this.delay.shift() as number
        const dtS = dtMs / 1000
        const t1 = this.p.tau1S
        const t2 = this.p.tau2S
        const target = this.p.gainC * uIn
        const e1 = Math.exp(-dtS / t1)
        if (t2 > 0) {
            // exact ZOH solution of the two-lag chain: x2 = target + c1 e^(-t/t1) + c2 e^(-t/t2)
            // with c1 = (x1 - target) t1 / (t1 - t2) (t1 != t2; nudged apart when equal)
            const t2n = Math.abs(t1 - t2) < 1e-6 ? t2 * (1 + 1e-4) : t2
            const c1 = ((this.x1 - target) * t1) / (t1 - t2n)
            const c2 = this.x2 - target - c1
            this.x2 = target + c1 * e1 + c2 * Math.exp(-dtS / t2n)
        }
        this.x1 = target + (this.x1 - target) * e1
    }
}

/**
 * Analytic ultimate point of the (two-lag) plus dead-time plant: the frequency wu where the
 * phase reaches -180° (deadS*w + atan(tau1S*w) + atan(tau2S*w) = pi, solved by bisection)
 * and the ultimate gain Ku = |1/G(j wu)| in duty per °C; Tu = 2 pi / wu in s.
 */
export function ultimatePoint(p: PlantParams): { kuPerC: number; tuS: number } {
    const phase = (w: number) => p.deadS * w + Math.atan(p.tau1S * w) + Math.atan(p.tau2S * w)
    let lo = 1e-6
    let hi = 100
    for (let i = 0; i < 200; i++) {
        const mid = (lo + hi) / 2
        if (phase(mid) < Math.PI) lo = mid
        else hi = mid
    }
    const w = (lo + hi) / 2
    const mag = Math.sqrt(1 + (p.tau1S * w) ** 2) * Math.sqrt(1 + (p.tau2S * w) ** 2)
    return { kuPerC: mag / p.gainC, tuS: (2 * Math.PI) / w }
}

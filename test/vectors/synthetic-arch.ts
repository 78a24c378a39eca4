// The synthetic arch generator for the fitting vectors (test/vectors/fitting.ts): an analytic
// arch as the template's design, the patient's arch placed by a known similarity, and a
// simulated scan of it with seeded noise and dropouts. In the DeviceScript subset: no
// trigonometry (rotations are given by their sine), no Math.log (Gaussian noise is
// Irwin-Hall, the sum of 12 uniforms), a Park-Miller PRNG exact in doubles.

import type { FittingSettings } from "../../src/core/manifest"
import { ArchScan, ArchScanBuilder, scanPlanUm } from "../../src/core/fitting/scan"

/**
 * Park-Miller minimal standard PRNG: seed * 16807 < 2^46 stays exact in doubles. The modulo
 * is written with Math.floor: the VM's `%` (2.16.4) wraps a left operand in [2^31, 2^32) to
 * int32 first (3107227739 % 2147483647 gives -1187739557, not 959744092).
 */
export class ParkMiller {
    constructor(private seed: number) {}
    /** uniform in (0, 1) */
    next(): number {
        const p = this.seed * 16807
        this.seed = p - Math.floor(p / 2147483647) * 2147483647
        return this.seed / 2147483647
    }
    /** approximately standard normal (Irwin-Hall, 12 uniforms): no log or cos needed */
    gauss(): number {
        let s = 0
        for (let i = 0; i < 12; i++) s += this.next()
        return s - 6
    }
}

/**
 * An arch in its own frame: x = u * halfWidth (left and right halves may differ),
 * y = depth * ((1 - q) u^2 + q u^4) for u in -1..1 (q: 0 = parabola, larger = squarer front),
 * plus bumpUm * 2.6 (u^3 - u): an odd, smooth deviation up to bumpUm (a patient is never
 * exactly the design). Front-most point at the origin.
 */
export interface ArchShape {
    leftUm: number
    rightUm: number
    depthUm: number
    quarticPermille: number
    bumpUm: number
}

function archX(a: ArchShape, u: number): number {
    return u < 0 ? u * a.leftUm : u * a.rightUm
}

function archY(a: ArchShape, u: number): number {
    const q = a.quarticPermille / 1000
    const u2 = u * u
    return a.depthUm * ((1 - q) * u2 + q * u2 * u2) + a.bumpUm * 2.6 * (u2 * u - u)
}

/**
 * The template: 61 points (at most 64 allowed), denser toward the ends where the arch turns
 * (u = v (1.25 - 0.25 v^2) for evenly spaced v), rounded to µm. The bump is not in the design.
 */
export function templateFromShape(a: ArchShape): number[][] {
    const design: ArchShape = { leftUm: a.leftUm, rightUm: a.rightUm, depthUm: a.depthUm, quarticPermille: a.quarticPermille, bumpUm: 0 }
    const pts: number[][] = []
    for (let i = 0; i <= 60; i++) {
        const v = -1 + i / 30
        const u = v * (1.25 - 0.25 * v * v)
        pts.push([Math.floor(archX(design, u) + 0.5), Math.floor(archY(design, u) + 0.5)])
    }
    return pts
}

export interface SyntheticCase {
    name: string
    /** the template's arch (design) */
    template: ArchShape
    /** the patient's arch; the template's for a matching case */
    patient: ArchShape
    /** true placement: [scalePpm, sinPpm (sine of the rotation, 1e-6), txUm, tyUm] */
    truth: number[]
    /** [sigmaUm of each distance reading's noise, dropout permille per reading, seed] */
    noise: number[]
    /** optional outliers: [reading index, µm added] */
    spikes?: number[][]
}

/** The rotation of a truth, µrad: asin(sinPpm / 1e6) by its series (|x| <= 0.2: error < 1e-9 rad). */
export function truthRotationMicroRad(sinPpm: number): number {
    const x = sinPpm / 1000000
    const x2 = x * x
    const asin = x * (1 + x2 * (1 / 6 + x2 * (3 / 40 + x2 * (15 / 336 + x2 * (105 / 3456)))))
    return Math.floor(asin * 1000000 + 0.5)
}

/** A distance the sensor reports when it sees nothing (DISTANCE_OUT_OF_RANGE_M = 10 m). */
export const NO_ECHO_UM = 10000000

/**
 * Scans the patient's arch as the applicator would: at each planned press position x the
 * sensor looks along +y and takes fitting.readingsPerPoint readings of the distance to the
 * arch (at the u where the placed arch crosses x, found by bisection; the placed arch is
 * monotonic in x for the rotations used here). Each reading has its own noise and may drop
 * out; an outlier (spike) is an obstacle, so it shifts every reading at that position.
 */
export async function simulateScan(c: SyntheticCase, s: FittingSettings, pause: () => Promise<void>): Promise<ArchScan> {
    const scale = c.truth[0] / 1000000
    const sn = c.truth[1] / 1000000
    const cs = Math.sqrt(1 - sn * sn)
    const tx = c.truth[2]
    const ty = c.truth[3]
    const rng = new ParkMiller(c.noise[2])
    const b = new ArchScanBuilder(s)
    const p = c.patient
    const xs = (u: number) => scale * (cs * archX(p, u) - sn * archY(p, u)) + tx
    const plan = scanPlanUm(s)
    for (let i = 0; i < plan.length; i++) {
        await pause()
        const x = plan[i]
        const seen = x >= xs(-1) && x <= xs(1)
        let y = NO_ECHO_UM
        if (seen) {
            let lo = -1
            let hi = 1
            for (let k = 0; k < 45; k++) {
                const mid = (lo + hi) / 2
                if (xs(mid) < x) lo = mid
                else hi = mid
            }
            const u = (lo + hi) / 2
            y = scale * (sn * archX(p, u) + cs * archY(p, u)) + ty + spikeAt(c, i)
        }
        const readings: number[] = []
        for (let k = 0; k < s.readingsPerPoint; k++) {
            const noise = c.noise[0] * rng.gauss()
            const drop = rng.next() * 1000 < c.noise[1]
            readings.push(seen && !drop ? Math.floor(y + noise + 0.5) : NO_ECHO_UM)
        }
        b.addPoint(x, readings)
    }
    return b.result()
}

/** The outlier added to reading i (a plain loop: DeviceScript closures cannot capture a for-loop variable). */
function spikeAt(c: SyntheticCase, i: number): number {
    let add = 0
    const sp = c.spikes
    if (sp) for (let k = 0; k < sp.length; k++) if (sp[k][0] === i) add += sp[k][1]
    return add
}


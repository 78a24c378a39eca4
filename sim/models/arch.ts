// The patient's dental arch as the fitting scan sees it.
//
// Scan geometry (the same as src/core/fitting/scan.ts): the distance sensor rides on the press
// head along x and looks straight along +y; it measures the distance to the first arch surface
// on that line, so the surface point is (x, headY + distance). The arch opens away from the
// sensor: front teeth at small y, molars at large y. In the arch's own frame (front-most point
// at the origin), with u = x / leftUm for x < 0 and u = x / rightUm for x >= 0 (|u| <= 1):
//     y = depthUm ((1 - q) u^2 + q u^4)  -  toothUm sin^2(pi toothCount (u + 1) / 2)
// q (quarticFraction) squares off the front; unequal half widths make it asymmetric; each
// tooth is a bump of toothUm toward the sensor, the gaps between teeth (and the two ends)
// sit on the smooth curve. This is the shape family the fitting tests draw templates from
// (test/vectors/fitting.ts), plus teeth; the patient is not rotated (the fit's job).
//
// A reading adds Gaussian noise (noiseUm per reading) and, with probability dropoutFraction,
// is lost; a lost reading, a line that misses the arch, or a distance outside the sensor's
// range reads DISTANCE_OUT_OF_RANGE_M, as a time-of-flight/triangulation sensor reports.
// SIM_ARCH: a mean arch (38.5 mm wide, 21 mm deep, slightly asymmetric) centred in the scan
// range (x 0..48 mm), front teeth 20 mm in front of the sensor; 40 µm noise is a laser
// triangulation sensor's class, and what the fit is specified for (fitting.maxRmsUm 80 µm).

import { checkParams, type ParamRanges } from "./check"
import type { Rng } from "./rng"

/** What the distance sensor reports when it sees nothing, m. */
export const DISTANCE_OUT_OF_RANGE_M = 10

export interface ArchParams {
    /** x of the arch's front-most point in the scan frame, µm */
    centreXUm: number
    /** y of the front-most point in the scan frame (from the sensor at headY = 0), µm */
    frontYUm: number
    /** half width to the left (x below centre), µm */
    leftUm: number
    /** half width to the right, µm */
    rightUm: number
    /** front-to-back depth at the ends, µm */
    depthUm: number
    /** share of the quartic term, 0 = parabola, 1 = quartic (squarer front) */
    quarticFraction: number
    /** teeth across the arch */
    toothCount: number
    /** tooth bump height toward the sensor, µm */
    toothUm: number
    /** distance noise, standard deviation per reading, µm */
    noiseUm: number
    /** share of readings lost (0..1) */
    dropoutFraction: number
    /** the sensor's range, µm */
    rangeMinUm: number
    rangeMaxUm: number
}

const RANGES: ParamRanges<ArchParams> = {
    centreXUm: [-1e6, 1e6],
    frontYUm: [-1e6, 1e6],
    leftUm: [1, 1e6],
    rightUm: [1, 1e6],
    depthUm: [0, 1e6],
    quarticFraction: [0, 1],
    toothCount: [0, 64],
    toothUm: [0, 1e4],
    noiseUm: [0, 1e4],
    dropoutFraction: [0, 1],
    rangeMinUm: [0, 1e7],
    rangeMaxUm: [0, 1e7],
}

export const SIM_ARCH: ArchParams = {
    centreXUm: 25000,
    frontYUm: 20000,
    leftUm: 19000,
    rightUm: 19500,
    depthUm: 21000,
    quarticFraction: 0.3,
    toothCount: 10,
    toothUm: 60,
    noiseUm: 40,
    dropoutFraction: 0.02,
    rangeMinUm: 2000,
    rangeMaxUm: 100000,
}

export class ArchModel {
    constructor(readonly p: ArchParams, private readonly rng: Rng) {
        checkParams("ArchModel", p, RANGES)
        if (!Number.isInteger(p.toothCount)) throw new RangeError("ArchModel: toothCount must be an integer")
        if (p.rangeMaxUm <= p.rangeMinUm) throw new RangeError("ArchModel: rangeMaxUm must be above rangeMinUm")
    }

    /** True when the line at scan x meets the arch. */
    covers(xUm: number): boolean {
        const x = xUm - this.p.centreXUm
        return x >= -this.p.leftUm && x <= this.p.rightUm
    }

    /** The arch's labial surface at scan x (teeth included), µm; NaN where the line misses it. */
    surfaceYUm(xUm: number): number {
        if (!this.covers(xUm)) return NaN
        const p = this.p
        const x = xUm - p.centreXUm
        const u = x < 0 ? x / p.leftUm : x / p.rightUm
        const s = Math.sin((Math.PI * p.toothCount * (u + 1)) / 2)
        return p.frontYUm + this.smoothUm(u) - p.toothUm * s * s
    }

    /**
     * The design outline in the arch's own frame (front-most point at the origin, no teeth):
     * count points at evenly spaced u from -1 to 1, [xUm, yUm], as a template would draw it.
     */
    outlineUm(count: number): number[][] {
        if (!(Number.isInteger(count) && count >= 2)) throw new RangeError("ArchModel.outlineUm: count must be an integer >= 2")
        const pts: number[][] = []
        for (let i = 0; i < count; i++) {
            const u = -1 + (2 * i) / (count - 1)
            pts.push([u < 0 ? u * this.p.leftUm : u * this.p.rightUm, this.smoothUm(u)])
        }
        return pts
    }

    /** One distance reading from a sensor at (headX, headY) looking along +y, m. Draws one uniform and one Gaussian. */
    scanDistanceM(headXUm: number, headYUm: number): number {
        const p = this.p
        const lost = this.rng.next() < p.dropoutFraction
        const noiseUm = p.noiseUm * this.rng.gauss()
        const y = this.surfaceYUm(headXUm)
        if (lost || Number.isNaN(y)) return DISTANCE_OUT_OF_RANGE_M
        const dUm = y - headYUm + noiseUm
        if (dUm < p.rangeMinUm || dUm > p.rangeMaxUm) return DISTANCE_OUT_OF_RANGE_M
        return dUm / 1e6
    }

    private smoothUm(u: number): number {
        const q = this.p.quarticFraction
        const u2 = u * u
        return this.p.depthUm * ((1 - q) * u2 + q * u2 * u2)
    }
}

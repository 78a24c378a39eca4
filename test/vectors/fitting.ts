// Fitting vectors shared by Node (test/unit/fitting*.test.ts, tools/fit-accuracy.ts) and the
// DeviceScript VM (test/vm/fitting.vm.ts). Two kinds:
//  - exact vectors: noise-free scans on an integer grid, whose answers are worked out by hand
//    in the comments (so both runtimes must produce exactly those integers);
//  - synthetic arches: a template drawn from an analytic arch, the patient's arch placed by a
//    known similarity, scanned by a simulated sensor with seeded noise and dropouts; the fit
//    must recover the known scale and offset within the goals.
// In the DeviceScript subset (see synthetic-arch.ts for the generator's choices).

import type { FittingSettings } from "../../src/core/manifest"
import { ArchScan } from "../../src/core/fitting/scan"
import { ArchShape, SyntheticCase, simulateScan, templateFromShape, truthRotationMicroRad } from "./synthetic-arch"
import { fitArch } from "../../src/core/fitting/fit"
import { FitResult } from "../../src/core/fitting/fit-result"

// ---- exact vectors ------------------------------------------------------------------------

/**
 * A 13-vertex parabola, x = 3200 k, y = 640 k^2 (k = -6..6) µm: 38.4 mm wide, 23.04 mm deep.
 * Every coordinate is a multiple of 160, so the transforms below map vertices and segment
 * midpoints to integers.
 */
export function gridArch(): number[][] {
    const pts: number[][] = []
    for (let k = -6; k <= 6; k++) pts.push([3200 * k, 640 * k * k])
    return pts
}

/** Scan = the template's vertices and segment midpoints under x' = a x - b y + tx, y' = b x + a y + ty. */
export function gridScan(aNum: number, bNum: number, den: number, txUm: number, tyUm: number): ArchScan {
    const t = gridArch()
    const pts: number[][] = []
    for (let i = 0; i < t.length; i++) {
        pts.push(place(t[i][0], t[i][1], aNum, bNum, den, txUm, tyUm))
        if (i + 1 < t.length)
            pts.push(place((t[i][0] + t[i + 1][0]) / 2, (t[i][1] + t[i + 1][1]) / 2, aNum, bNum, den, txUm, tyUm))
    }
    return { pointsUm: pts, positions: pts.length, dropped: 0, invalidReadings: 0 }
}

function place(x: number, y: number, aNum: number, bNum: number, den: number, tx: number, ty: number): number[] {
    // exact in integers: x and y are multiples of 80, den divides 80
    return [(aNum * x - bNum * y) / den + tx, (bNum * x + aNum * y) / den + ty]
}

export interface ExactFitVector {
    name: string
    /** a = aNum / den, b = bNum / den */
    a: number[]
    offsetUm: number[]
    /** expected [accepted 0/1, reason, rmsUm, worstUm, coveragePermille, scalePpm, rotationMicroRad, offsetXUm, offsetYUm] */
    expect: number[]
}

// Every scan point lies on the placed template, so the least-squares optimum has zero
// residual: rms 0, worst 0, and the transform is recovered exactly. The offset reported is
// where the arch centre, the midpoint of the ends (+-19200, 23040), i.e. (0, 23040), lands:
// (a 0 - b 23040 + tx, b 0 + a 23040 + ty). Coverage: the points run
// from the first vertex to the last and the longest gap is half the k = 5..6 segment,
// sqrt(3200^2 + 7040^2) / 2 = 3866 µm (x 1.0625 = 4108 µm in the scan) < coverageGapUm 5000,
// so every gap counts: 1000 permille.
export const EXACT_FIT_VECTORS: ExactFitVector[] = [
    {
        // a = 84/80 = 1.05, b = 13/80 = 0.1625: scale = sqrt(1.05^2 + 0.1625^2) = sqrt(1.12890625)
        // = 1.0625 -> 1062500 ppm; rotation = atan(13/84) = 0.1535438 rad -> 153544 µrad
        // (Python math.atan, and Node's Math.atan2 in test/unit/fitting-angle.test.ts);
        // centre lands at (-0.1625 x 23040 + 20000, 1.05 x 23040 + 15000) = (16256, 39192)
        name: "rotated 0.154 rad, scaled 1.0625, offset (20000, 15000): accepted",
        a: [84, 13, 80],
        offsetUm: [20000, 15000],
        expect: [1, 0, 0, 0, 1000, 1062500, 153544, 16256, 39192],
    },
    {
        // a = 100/80 = 1.25, b = 0: scale 1250000 ppm > scaleMaxPpm 1150000 -> ScaleOutOfRange (6);
        // centre lands at (25000, 1.25 x 23040 + 20000) = (25000, 48800)
        name: "scaled 1.25 (outside the template's size range): rejected",
        a: [100, 0, 80],
        offsetUm: [25000, 20000],
        expect: [0, 6, 0, 0, 1000, 1250000, 0, 25000, 48800],
    },
    {
        // a = 76/80 = 0.95, b = -4/80 = -0.05: scale = sqrt(0.9025 + 0.0025) = 0.951315 ->
        // 951315 ppm; rotation = atan(-4/76) = -0.0525831 rad -> -52583 µrad (math.atan);
        // centre lands at (0.05 x 23040 + 24000, 0.95 x 23040 + 18000) = (25152, 39888)
        name: "rotated -0.053 rad, scaled 0.951, offset (24000, 18000): accepted",
        a: [76, -4, 80],
        offsetUm: [24000, 18000],
        expect: [1, 0, 0, 0, 1000, 951315, -52583, 25152, 39888],
    },
]

// ---- synthetic arches (generator: synthetic-arch.ts) ------------------------------------

// Realistic arches for a smile film (second premolar to second premolar): 34-44 mm wide,
// 15-26 mm deep. Patients are placed around the scan's centre (25 mm) about 20 mm from the
// sensor, at scales 0.90-1.10 and rotations up to ~0.08 rad.
const A_MEAN: ArchShape = { leftUm: 19000, rightUm: 19000, depthUm: 21000, quarticPermille: 300, bumpUm: 0 }
const A_WIDE: ArchShape = { leftUm: 21500, rightUm: 21500, depthUm: 18000, quarticPermille: 450, bumpUm: 0 }
const A_NARROW: ArchShape = { leftUm: 17000, rightUm: 17000, depthUm: 24000, quarticPermille: 150, bumpUm: 0 }
const A_DEEP: ArchShape = { leftUm: 18500, rightUm: 18500, depthUm: 26000, quarticPermille: 250, bumpUm: 0 }
const A_SHALLOW: ArchShape = { leftUm: 20000, rightUm: 20000, depthUm: 15000, quarticPermille: 350, bumpUm: 0 }
const A_ASYM_L: ArchShape = { leftUm: 17500, rightUm: 20500, depthUm: 21000, quarticPermille: 300, bumpUm: 0 }
const A_ASYM_R: ArchShape = { leftUm: 20000, rightUm: 17800, depthUm: 22000, quarticPermille: 200, bumpUm: 0 }
const A_LOPSIDED: ArchShape = { leftUm: 16000, rightUm: 22000, depthUm: 21000, quarticPermille: 300, bumpUm: 0 }
const A_SQUARE: ArchShape = { leftUm: 19500, rightUm: 19500, depthUm: 20000, quarticPermille: 700, bumpUm: 0 }
const A_TAPERED: ArchShape = { leftUm: 18500, rightUm: 18500, depthUm: 23000, quarticPermille: 0, bumpUm: 0 }

function withBump(a: ArchShape, bumpUm: number): ArchShape {
    return { leftUm: a.leftUm, rightUm: a.rightUm, depthUm: a.depthUm, quarticPermille: a.quarticPermille, bumpUm: bumpUm }
}

function fits(name: string, a: ArchShape, bumpUm: number, truth: number[], noise: number[]): SyntheticCase {
    return { name: name, template: a, patient: withBump(a, bumpUm), truth: truth, noise: noise }
}

/**
 * Matching template and patient: each must be accepted with scale within 0.5 % and offset
 * within 50 µm of the truth. The first four are the VM's subset.
 */
export const MATCH_CASES: SyntheticCase[] = [
    fits("mean arch, sigma 40, 5 % dropouts", A_MEAN, 0, [1000000, 0, 25000, 20000], [40, 50, 11]),
    fits("wide arch, scale 0.92, rotated +0.05", A_WIDE, 20, [920000, 50000, 24500, 18000], [30, 0, 12]),
    fits("asymmetric (left short), scale 1.08, rotated -0.06", A_ASYM_L, -25, [1080000, -60000, 26000, 21000], [50, 80, 13]),
    fits("narrow deep arch, scale 1.05", A_NARROW, 30, [1050000, 20000, 25500, 22000], [45, 30, 14]),
    fits("mean arch, scale 1.10, rotated +0.08", A_MEAN, 30, [1100000, 80000, 24000, 19000], [40, 40, 21]),
    fits("mean arch, scale 0.90, rotated -0.08", A_MEAN, -30, [900000, -80000, 26500, 23000], [40, 40, 22]),
    fits("wide arch, sigma 50, 10 % dropouts", A_WIDE, 0, [1000000, -20000, 25000, 20000], [50, 100, 23]),
    fits("narrow arch, scale 0.93, shifted left", A_NARROW, 0, [930000, 30000, 23000, 17000], [35, 20, 24]),
    fits("deep arch, scale 1.02, rotated +0.07", A_DEEP, 25, [1020000, 70000, 25000, 16000], [45, 50, 25]),
    fits("deep arch, scale 0.95, far from the sensor", A_DEEP, -20, [950000, -40000, 25800, 28000], [40, 60, 26]),
    fits("shallow arch, scale 1.07", A_SHALLOW, 15, [1070000, 10000, 24800, 21000], [30, 30, 27]),
    fits("shallow arch, scale 0.91, rotated -0.05", A_SHALLOW, -15, [910000, -50000, 25500, 19500], [50, 70, 28]),
    fits("asymmetric (right short), scale 1.04", A_ASYM_R, 20, [1040000, 40000, 25200, 20500], [40, 50, 29]),
    fits("asymmetric (right short), scale 0.96, rotated -0.07", A_ASYM_R, -35, [960000, -70000, 24600, 18500], [45, 40, 30]),
    fits("asymmetric (left short), sigma 30", A_ASYM_L, 10, [1000000, 0, 25000, 20000], [30, 0, 31]),
    fits("square arch, scale 1.06", A_SQUARE, 25, [1060000, 30000, 25000, 20000], [40, 50, 32]),
    fits("square arch, scale 0.94, rotated -0.04", A_SQUARE, -25, [940000, -40000, 25600, 22500], [50, 60, 33]),
    fits("tapered arch, scale 1.03, rotated +0.06", A_TAPERED, 20, [1030000, 60000, 24700, 18800], [40, 50, 34]),
    fits("tapered arch, scale 0.97", A_TAPERED, -20, [970000, -10000, 25300, 21500], [45, 30, 35]),
    fits("mean arch, sigma 50, 15 % dropouts", A_MEAN, 40, [1010000, 20000, 25000, 20000], [50, 150, 36]),
    fits("wide arch, scale 1.05, rotated -0.03", A_WIDE, -30, [1050000, -30000, 25100, 19000], [35, 40, 37]),
    fits("narrow arch, scale 1.09, rotated +0.04", A_NARROW, 35, [1090000, 40000, 24900, 20000], [40, 50, 38]),
    fits("mean arch, scale 0.96, shifted right", A_MEAN, 0, [960000, 0, 27000, 20000], [40, 50, 39]),
    fits("mean arch, scale 1.00, close to the sensor", A_MEAN, 10, [1000000, 10000, 25000, 12000], [40, 50, 40]),
]

/** The VM runs the first cases only (GC stress makes it slow), on the same vectors. */
export const VM_MATCH_CASES = 4

/** Wrong template: the patient's arch has another shape; every one must be rejected. */
export const WRONG_TEMPLATE_CASES: SyntheticCase[] = [
    { name: "square patient, tapered template", template: A_TAPERED, patient: A_SQUARE, truth: [1000000, 0, 25000, 20000], noise: [40, 50, 51] },
    { name: "tapered patient, square template", template: A_SQUARE, patient: A_TAPERED, truth: [1000000, 20000, 25000, 20000], noise: [40, 50, 52] },
    { name: "deep patient, shallow template", template: A_SHALLOW, patient: A_DEEP, truth: [1000000, 0, 25000, 20000], noise: [40, 50, 53] },
    { name: "shallow patient, deep template", template: A_DEEP, patient: A_SHALLOW, truth: [1000000, 0, 25000, 20000], noise: [40, 50, 54] },
    // 16 mm left, 22 mm right: a milder asymmetry (17.5 / 20.5 mm) is absorbed as a rotation
    // with RMS ~60 µm, inside the limits (see docs/fitting.md)
    { name: "asymmetric patient, symmetric template", template: A_MEAN, patient: A_LOPSIDED, truth: [1000000, 0, 25000, 20000], noise: [40, 50, 55] },
    { name: "wide patient, narrow template", template: A_NARROW, patient: A_WIDE, truth: [1000000, 0, 25000, 20000], noise: [40, 50, 56] },
]

/** The VM runs this many wrong-template cases. */
export const VM_WRONG_CASES = 2

/** A rejection scenario and the reason it must give. */
export interface RejectCase {
    c: SyntheticCase
    reason: number
}

export const REJECT_CASES: RejectCase[] = [
    // 60 % of the readings lost: a point needs 2 of its 4 readings, P(>= 2 of 4 | p = 0.4) =
    // 1 - 0.6^4 - 4 0.4 0.6^3 = 0.52, so ~20 of the ~39 positions on the arch give a point
    // < minPoints 25 -> TooFewPoints (1)
    { c: fits("most readings lost", A_MEAN, 0, [1000000, 0, 25000, 20000], [40, 600, 61]), reason: 1 },
    // centred 15 mm right of the scan's centre: the scan ends at 48 mm, 10 mm into the right
    // half, so it misses most of the right side of the arch (~30 points, enough for
    // minPoints) -> PoorCoverage (3)
    { c: fits("patient off to one side", A_MEAN, 0, [1000000, 0, 40000, 20000], [40, 0, 62]), reason: 3 },
    // sigma 300 µm per reading, 150 per point (4 averaged): RMS ~150 > maxRmsUm 80 -> TooNoisy (4)
    { c: fits("patient moving (sigma 300)", A_MEAN, 0, [1000000, 0, 25000, 20000], [300, 0, 63]), reason: 4 },
    // one position 350 µm off (a lip in the beam), sigma 30 (15 per point), ~39 points: RMS ~
    // sqrt(15^2 + 350^2 / 39) ~ 59 < maxRmsUm 80, but that point is ~350 > maxWorstUm 300
    // away -> PointTooFar (5)
    {
        c: { name: "a lip in the beam", template: A_MEAN, patient: A_MEAN, truth: [1000000, 0, 25000, 20000], noise: [30, 0, 64], spikes: [[25, 350]] },
        reason: 5,
    },
    // patient 1.2 x the design: fits well, but outside scaleMaxPpm 1150000 -> ScaleOutOfRange (6)
    { c: fits("template one size too small", A_NARROW, 0, [1200000, 0, 25000, 20000], [40, 0, 65]), reason: 6 },
    // rotated asin(0.2) = 0.2014 rad > maxRotationMicroRad 170000 -> Misaligned (7)
    { c: fits("patient turned 0.2 rad", A_SHALLOW, 0, [1000000, 200000, 25000, 22000], [40, 0, 66]), reason: 7 },
]

// ---- runners shared by vitest, the VM suite and tools/fit-accuracy.ts ----------------------

/** The accuracy goal: scale within 0.5 %, offset within 50 µm. */
export const GOAL_SCALE_PPM = 5000
export const GOAL_OFFSET_UM = 50

/** Everything a fit reports, as integers: [accepted, reason, points, dropped, iterations, rms, worst, coverage, scale, rotation, offsetX, offsetY]. */
export function fitNumbers(r: FitResult): number[] {
    return [r.accepted ? 1 : 0, r.reason, r.points, r.dropped, r.iterations, r.rmsUm, r.worstUm, r.coveragePermille, r.scalePpm, r.rotationMicroRad, r.offsetXUm, r.offsetYUm]
}

/** [accepted, reason, rms, worst, coverage, scale, rotation, offsetX, offsetY]: what an exact vector expects. */
export function exactNumbers(r: FitResult): number[] {
    return [r.accepted ? 1 : 0, r.reason, r.rmsUm, r.worstUm, r.coveragePermille, r.scalePpm, r.rotationMicroRad, r.offsetXUm, r.offsetYUm]
}

export async function runExactVector(v: ExactFitVector, s: FittingSettings, pause: () => Promise<void>): Promise<FitResult> {
    // the grid scan has 25 points: below the shipped minPoints, which is not under test here
    const settings: FittingSettings = { ...s, minPoints: 10 }
    return await fitArch(gridArch(), gridScan(v.a[0], v.a[1], v.a[2], v.offsetUm[0], v.offsetUm[1]), settings, pause)
}

export async function runSyntheticCase(c: SyntheticCase, s: FittingSettings, pause: () => Promise<void>): Promise<FitResult> {
    const scan = await simulateScan(c, s, pause)
    return await fitArch(templateFromShape(c.template), scan, s, pause)
}

/**
 * Errors against the ground truth: [scale ppm, offset x µm, offset y µm, rotation µrad]. The
 * true offset is where the true placement puts the template's arch centre (the midpoint of
 * its first and last points), the point the fit reports.
 */
export function truthErrors(c: SyntheticCase, r: FitResult): number[] {
    const t = templateFromShape(c.template)
    const cx = (t[0][0] + t[t.length - 1][0]) / 2
    const cy = (t[0][1] + t[t.length - 1][1]) / 2
    const scale = c.truth[0] / 1000000
    const sn = c.truth[1] / 1000000
    const cs = Math.sqrt(1 - sn * sn)
    const ox = scale * (cs * cx - sn * cy) + c.truth[2]
    const oy = scale * (sn * cx + cs * cy) + c.truth[3]
    return [
        r.scalePpm - c.truth[0],
        Math.floor(r.offsetXUm - ox + 0.5),
        Math.floor(r.offsetYUm - oy + 0.5),
        r.rotationMicroRad - truthRotationMicroRad(c.truth[1]),
    ]
}

/** "ok" when the fit is accepted within the accuracy goal, else what failed. */
export function judgeMatch(c: SyntheticCase, r: FitResult): string {
    if (!r.accepted) return "rejected, reason " + r.reason + " (rms " + r.rmsUm + ", worst " + r.worstUm + ", coverage " + r.coveragePermille + ")"
    const e = truthErrors(c, r)
    if (Math.abs(e[0]) > GOAL_SCALE_PPM) return "scale off by " + e[0] + " ppm"
    if (Math.abs(e[1]) > GOAL_OFFSET_UM || Math.abs(e[2]) > GOAL_OFFSET_UM) return "offset off by (" + e[1] + ", " + e[2] + ") um"
    return "ok"
}

// Fit checks that issue 14's mutation run found tested on one side only (docs/mutation.md): the
// rotation limit with a negative rotation, and the scale range with a too-small scale. Noise-free
// grid scans (test/vectors/fitting.ts) whose answers are worked out by hand below: a = aNum / 80,
// b = bNum / 80, scale = sqrt(a^2 + b^2), rotation = atan(b / a).
import { describe, it, expect } from "vitest"
import { readManifest } from "../../tools/manifest-node"
import { FitReason, fitMessage, type FitResult } from "../../src/core/fitting/fit-result"
import { addRow, fitArch, solve4 } from "../../src/core/fitting/fit"
import { atan2Rad } from "../../src/core/fitting/angle"
import { ArchScanBuilder } from "../../src/core/fitting/scan"
import { ScanRun, ScanState } from "../../src/core/fitting/scan-run"
import type { FittingSettings } from "../../src/core/manifest"
import { fitNumbers, gridArch, gridScan, runExactVector, runSyntheticCase, MATCH_CASES, type ExactFitVector } from "../vectors/fitting"

const S = readManifest().fitting
const noPause = async () => {}

function vector(aNum: number, bNum: number): ExactFitVector {
    return { name: "", a: [aNum, bNum, 80], offsetUm: [20000, 15000], expect: [] }
}

describe("the limits these cases straddle", () => {
    it("are the documented ones", () => {
        expect([S.scaleMinPpm, S.scaleMaxPpm, S.maxRotationMicroRad]).toEqual([850000, 1150000, 170000])
        expect([S.minPoints, S.maxRmsUm, S.maxWorstUm, S.minCoveragePermille]).toEqual([25, 80, 300, 800])
    })
})

describe("rotation beyond 0.17 rad either way is misaligned", () => {
    it.each([
        // a = 0.95, b = -0.2: scale sqrt(0.9025 + 0.04) = 0.970824 -> 970824 ppm (in range);
        // rotation atan(-16/76) = -0.2074962 rad -> -207496 µrad, beyond -170000
        ["-0.207 rad", 76, -16, -207496],
        ["+0.207 rad", 76, 16, 207496],
    ] as const)("%s: rejected as Misaligned", async (_n, aNum, bNum, rot) => {
        const r = await runExactVector(vector(aNum, bNum), S, noPause)
        expect([r.accepted, r.reason, Math.round(r.scalePpm), r.rotationMicroRad]).toEqual([false, FitReason.Misaligned, 970824, rot])
    })
})

describe("a scale below 0.85 does not fit the template's size", () => {
    it("0.8 (a = 64/80, b = 0): ScaleOutOfRange", async () => {
        const r = await runExactVector(vector(64, 0), S, noPause)
        expect([r.accepted, r.reason, Math.round(r.scalePpm), r.rotationMicroRad]).toEqual([false, FitReason.ScaleOutOfRange, 800000, 0])
    })
    it("0.8625 (a = 69/80, b = 0): accepted", async () => {
        const r = await runExactVector(vector(69, 0), S, noPause)
        expect([r.accepted, r.reason, Math.round(r.scalePpm), r.rotationMicroRad]).toEqual([true, FitReason.Accepted, 862500, 0])
    })
})

// The accept/reject checks at their limits, and in the documented order (docs/fitting.md,
// "Accept or reject": RMS, worst point, coverage, scale, rotation; the first failing one is the
// reason). Two fits whose figures are worked by hand in test/unit/fitting-parts.test.ts:
// the square corner path at its identity start pose (maxIterations 0): RMS 151, worst 300,
// coverage 1000, scale 1000000, rotation 0; and the exact vector rotated atan(13/84) =
// 153544 µrad (test/vectors/fitting.ts). Each limit is set to the figure (passes: the checks
// are "above the limit") and one past it (fails).
describe("each accept/reject limit: the figure at the limit passes, one past it fails", () => {
    const corner = { pointsUm: [[0, 0], [500, 30], [1000, 500], [1000, 1300]], positions: 4, dropped: 0, invalidReadings: 0 }
    const cornerArch = [[0, 0], [1000, 0], [1000, 1000]]
    // every limit at the corner fit's own figures: accepted
    const atLimits: FittingSettings = {
        ...S, minPoints: 3, maxIterations: 0, maxRmsUm: 151, maxWorstUm: 300, minCoveragePermille: 1000, scaleMinPpm: 1000000, scaleMaxPpm: 1000000, maxRotationMicroRad: 0,
    }
    const reason = async (over: Partial<FittingSettings>) => {
        const r = await fitArch(cornerArch, corner, { ...atLimits, ...over })
        return [r.accepted, r.reason, r.rmsUm, r.worstUm, r.coveragePermille, r.scalePpm, r.rotationMicroRad]
    }
    it("every figure exactly at its limit: accepted", async () => {
        expect(await reason({})).toEqual([true, FitReason.Accepted, 151, 300, 1000, 1000000, 0])
    })
    it.each([
        ["RMS 151 over a limit of 150", { maxRmsUm: 150 }, FitReason.TooNoisy],
        ["worst 300 over a limit of 299", { maxWorstUm: 299 }, FitReason.PointTooFar],
        ["coverage 1000 under 1001 (a limit the manifest would refuse, the check's edge all the same)", { minCoveragePermille: 1001 }, FitReason.PoorCoverage],
        ["scale 1000000 under a minimum of 1000001", { scaleMinPpm: 1000001 }, FitReason.ScaleOutOfRange],
        ["scale 1000000 over a maximum of 999999", { scaleMaxPpm: 999999 }, FitReason.ScaleOutOfRange],
    ] as const)("%s: rejected for it", async (_n, over, why) => {
        expect((await reason(over)).slice(0, 2)).toEqual([false, why])
    })
    it("several at once: the reason is the first in the documented order", async () => {
        const all = { maxRmsUm: 150, maxWorstUm: 299, minCoveragePermille: 1001, scaleMinPpm: 1000001 }
        expect((await reason(all))[1]).toBe(FitReason.TooNoisy)
        expect((await reason({ ...all, maxRmsUm: 151 }))[1]).toBe(FitReason.PointTooFar)
        expect((await reason({ ...all, maxRmsUm: 151, maxWorstUm: 300 }))[1]).toBe(FitReason.PoorCoverage)
        expect((await reason({ ...all, maxRmsUm: 151, maxWorstUm: 300, minCoveragePermille: 1000 }))[1]).toBe(FitReason.ScaleOutOfRange)
    })
    it("a rotation of 153544 µrad: accepted at a limit of 153544, misaligned at 153543", async () => {
        const rotated = async (maxRotationMicroRad: number) => {
            const r = await runExactVector({ name: "", a: [84, 13, 80], offsetUm: [20000, 15000], expect: [] }, { ...S, maxRotationMicroRad }, noPause)
            return [r.reason, r.rotationMicroRad]
        }
        expect(await rotated(153544)).toEqual([FitReason.Accepted, 153544])
        expect(await rotated(153543)).toEqual([FitReason.Misaligned, 153544])
        // rotation is checked last: a scale also out of range is the reason given
        const both = await runExactVector({ name: "", a: [84, 13, 80], offsetUm: [20000, 15000], expect: [] }, { ...S, maxRotationMicroRad: 0, scaleMaxPpm: 1000000 }, noPause)
        expect(both.reason).toBe(FitReason.ScaleOutOfRange)
    })
})

describe("how many scan points a fit needs: fitting.minPoints (3 at the least)", () => {
    // the peak (0,0) -> (500,1000) -> (1000,0) and a scan on its three vertices: identity start
    // pose, every residual 0, points at 0, 1118 and 2236 µm along the 2236 µm arch: coverage 1000
    const peak = [[0, 0], [500, 1000], [1000, 0]]
    const scan = (pts: number[][]) => ({ pointsUm: pts, positions: pts.length, dropped: 1, invalidReadings: 0 })
    it("exactly minPoints points are enough: 3 of 3", async () => {
        const r = await fitArch(peak, scan(peak), { ...S, minPoints: 3 })
        expect([r.accepted, r.reason, r.points, r.rmsUm, r.coveragePermille, r.scalePpm, r.offsetXUm, r.offsetYUm]).toEqual([true, FitReason.Accepted, 3, 0, 1000, 1000000, 500, 0])
    })
    it("one fewer is not, and the result says how many there were and how many were dropped", async () => {
        const r = await fitArch(peak, scan(peak), { ...S, minPoints: 4 })
        expect([r.accepted, r.reason, r.points, r.dropped, r.iterations]).toEqual([false, FitReason.TooFewPoints, 3, 1, 0])
    })
    it("the shipped limit, 25, on the 25-point exact grid scan: accepted", async () => {
        expect(S.minPoints).toBe(25)
        const r = await fitArch(gridArch(), gridScan(84, 13, 80, 20000, 15000), S, noPause)
        expect([r.points, r.reason]).toEqual([25, FitReason.Accepted])
    })
})

describe("a scan or template with no width is degenerate, not a crash", () => {
    // with the manifest's iterations, and with none (maxIterations 0): the start pose divides by
    // the template's width and scales by the scan's, so the checks come before it, not only from
    // the solve refusing what follows
    it.each([S.maxIterations, 0])("maxIterations %i: a template drawn straight along y (no x extent)", async maxIterations => {
        const scan = { pointsUm: [[0, 0], [500, 100], [1000, 0]], positions: 3, dropped: 0, invalidReadings: 0 }
        expect((await fitArch([[0, 0], [0, 1000], [0, 2000]], scan, { ...S, minPoints: 3, maxIterations })).reason).toBe(FitReason.Degenerate)
    })
    it.each([S.maxIterations, 0])("maxIterations %i: a scan whose points all have one x (the press did not move)", async maxIterations => {
        const scan = { pointsUm: [[500, 0], [500, 100], [500, 200]], positions: 3, dropped: 0, invalidReadings: 0 }
        expect((await fitArch([[0, 0], [500, 1000], [1000, 0]], scan, { ...S, minPoints: 3, maxIterations })).reason).toBe(FitReason.Degenerate)
    })
})

// fitMessage: the operator's message (the log line "fit N: ...", docs/fitting.md): what went
// wrong with the measured number against its limit, and what to do; every rejection ends in
// "re-scan". Results written by hand, limits the manifest's (pinned above).
describe("the operator's message for each reason", () => {
    const result = (reason: FitReason, over: Partial<FitResult> = {}): FitResult => ({
        accepted: reason === FitReason.Accepted, reason, points: 40, dropped: 3, iterations: 7, rmsUm: 26, worstUm: 90, coveragePermille: 950,
        scalePpm: 1003492, rotationMicroRad: -1200, offsetXUm: 25000, offsetYUm: 41000, ...over,
    })
    it("accepted: the RMS and the scale, no re-scan", () => {
        expect(fitMessage(result(FitReason.Accepted), S)).toBe("fit accepted: RMS 26 um, scale 1003492 ppm")
    })
    it.each([
        [FitReason.TooFewPoints, { points: 20, dropped: 9 }, /^too few valid scan points: 20 \(need 25, 9 dropped\); check the patient is in the sensor's range/],
        [FitReason.Degenerate, {}, /^scan has no usable arch shape \(or the template has none\); check the template and the sensor/],
        [FitReason.PoorCoverage, { coveragePermille: 612 }, /^scan covers 612 permille of the arch \(need 800\); centre the patient/],
        [FitReason.TooNoisy, { rmsUm: 151 }, /^scan does not match the template: RMS 151 um \(limit 80\); keep the patient still or choose the right template/],
        [FitReason.PointTooFar, { worstUm: 412 }, /^a scan point is 412 um off the arch \(limit 300\); clear the lips or retractor/],
        [FitReason.ScaleOutOfRange, { scalePpm: 1250000 }, /^arch is 1250000 ppm of the template's size \(allowed 850000\.\.1150000\); choose another template size/],
        [FitReason.Misaligned, { rotationMicroRad: -207496 }, /^arch is rotated -207496 urad \(limit 170000\); align the patient/],
    ] as const)("reason %i: the figure, its limit and what to do, then re-scan", (reason, over, message) => {
        const m = fitMessage(result(reason, over), S)
        expect(m).toMatch(message)
        expect(m).toMatch(/; re-scan$/)
    })
})

// The scan builder's edges (docs/fitting.md, "Arch scan"): a reading outside
// distanceMinUm..distanceMaxUm (5000..80000 µm) or not a number is invalid; a position more
// than a step (1000 µm) off the plan (0..48000 µm) is dropped.
describe("the scan builder at its edges", () => {
    it("readings exactly at the distance window's ends are valid", () => {
        const b = new ArchScanBuilder(S)
        // (5000 + 80000) / 2 = 42500
        expect(b.addPoint(1000, [5000, 80000])).toBe(true)
        expect([b.pointsUm, b.invalidReadings]).toEqual([[[1000, 42500]], 0])
    })
    it("readings that are not numbers are invalid, and not added in", () => {
        const b = new ArchScanBuilder(S)
        expect(b.addPoint(1000, [30000, null, "30000", 30002] as unknown as number[])).toBe(true)
        expect([b.pointsUm, b.invalidReadings]).toEqual([[[1000, 30001]], 2])
    })
    it("positions exactly one step outside the plan are kept, a µm further are dropped", () => {
        const b = new ArchScanBuilder(S)
        expect(b.addPoint(-1000, [30000])).toBe(true)
        expect(b.addPoint(49000, [30000])).toBe(true)
        expect(b.addPoint(-1001, [30000])).toBe(false)
        expect(b.addPoint(49001, [30000])).toBe(false)
        expect([b.pointsUm, b.positions, b.dropped]).toEqual([[[-1000, 30000], [49000, 30000]], 4, 2])
    })
    it("a position with no readings at all is dropped (no point from nothing)", () => {
        const b = new ArchScanBuilder(S)
        expect(b.addPoint(1000, [])).toBe(false)
        expect([b.pointsUm, b.positions, b.dropped, b.invalidReadings]).toEqual([[], 1, 1, 0])
    })
    it("the point's x is the measured position rounded, halves up", () => {
        const b = new ArchScanBuilder(S)
        b.addPoint(1000.5, [30000])
        b.addPoint(1999.49, [30000])
        expect(b.pointsUm.map(p => p[0])).toEqual([1001, 1999])
    })
})

// The scan run tick by tick (docs/fitting.md, "Scan run"), fed directly: the press position,
// a distance reading and its time. Bins are the plan positions 0, 1000, ... µm; a reading
// counts toward the nearest.
describe("the scan run at its edges", () => {
    const SPEED = 400
    function running(): ScanRun {
        const sc = new ScanRun(S, SPEED, 800)
        sc.state = ScanState.Running
        return sc
    }
    it("a scan that is not running does nothing and gathers nothing", () => {
        const sc = new ScanRun(S, SPEED, 800)
        expect(sc.step(1000, true, 30000, 0, 0, true)).toBe(0)
        expect([sc.state, sc.b.positions]).toEqual([ScanState.Pending, 0])
        expect(sc.fail("door opened")).toBe(0)
        expect([sc.state, sc.why]).toEqual([ScanState.Pending, ""])
    })
    it("a failed scan keeps the first reason", () => {
        const sc = running()
        sc.fail("fault E51")
        sc.fail("door opened")
        expect([sc.state, sc.why]).toEqual([ScanState.Failed, "fault E51"])
    })
    it("without a press position it waits (speed 0) and takes no reading; the reading counts on the next tick", () => {
        const sc = running()
        expect(sc.step(0, false, 30000, 0, 0, true)).toBe(0)
        expect(sc.state).toBe(ScanState.Running)
        expect(sc.step(0, true, 30000, 0, 0, true)).toBe(SPEED)
        // bin 0 has 1 reading; moving into bin 1 makes it a point at x 0
        sc.step(1000, true, 30000, 50, 0, true)
        expect(sc.b.pointsUm).toEqual([[0, 30000]])
    })
    it("readings from before the plan's first bin (nearest position -1000) are not used", () => {
        const sc = running()
        sc.step(-600, true, 30000, 0, 0, true)
        sc.step(-200, true, 31000, 50, 0, true)
        sc.step(600, true, 32000, 100, 0, true)
        // bin 0 held the reading at -200 only; the one at -600 (bin -1) never becomes a point
        expect([sc.b.pointsUm, sc.b.positions]).toEqual([[[-200, 31000]], 1])
    })
    it("waits in a bin with under half its readings once a quarter step past its position, not before", () => {
        const sc = running()
        // bin 3 (3000 µm): one reading of 4
        expect(sc.step(2600, true, 30000, 0, 0, true)).toBe(SPEED)
        expect(sc.step(3249, true, 30000, 0, 0, true)).toBe(SPEED)
        expect(sc.step(3250, true, 30000, 0, 0, true)).toBe(0)
        // a second reading there: half of 4, it moves on
        expect(sc.step(3250, true, 30000, 50, 0, true)).toBe(SPEED)
    })
    it("a reading's time must advance to count: the same reading twice counts once", () => {
        const sc = running()
        sc.step(0, true, 30000, 100, 0, true)
        sc.step(100, true, 30000, 100, 0, true)
        sc.step(200, true, 30000, 99, 0, true)
        sc.step(1000, true, 30000, 150, 0, true)
        // bin 0 holds one reading, the one at x 0 (the next two are not fresh: counted, they
        // would move the point's x to 50 or 100)
        expect([sc.b.positions, sc.b.dropped, sc.b.pointsUm]).toEqual([1, 0, [[0, 30000]]])
    })
})

describe("coverage counts only gaps up to coverageGapUm, in arch order", () => {
    // the square corner path at its identity start pose (above): the points sit 0, 500, 1500 and
    // 2000 µm along the 2000 µm arch, gaps 500, 1000 and 500 µm
    const pts = [[0, 0], [500, 30], [1000, 500], [1000, 1300]]
    const cover = async (order: number[], coverageGapUm: number) => {
        const scan = { pointsUm: order.map(i => pts[i]), positions: 4, dropped: 0, invalidReadings: 0 }
        return (await fitArch([[0, 0], [1000, 0], [1000, 1000]], scan, { ...S, minPoints: 3, maxIterations: 0, coverageGapUm })).coveragePermille
    }
    it("a gap of 1000 µm counts under a limit of 1001, not under 999: 1000 or 500 permille", async () => {
        expect(await cover([0, 1, 2, 3], 1001)).toBe(1000)
        expect(await cover([0, 1, 2, 3], 999)).toBe(500)
    })
    it("the points' order in the scan does not matter", async () => {
        for (const order of [[3, 2, 1, 0], [2, 0, 3, 1], [1, 3, 0, 2]]) expect([order, await cover(order, 999)]).toEqual([order, 500])
    })
})

describe("reported figures stay within what a record holds (±1,000,000)", () => {
    it.each([
        // the exact vector's arch (scale 1, no rotation) placed 2 m to either side: its centre lands
        // at x = ±2,000,000 µm, reported as the range's end
        ["+2 m", 2000000, 1000000],
        ["-2 m", -2000000, -1000000],
    ])("an arch placed %s away: offset x reported as %i", async (_n, tx, reported) => {
        const r = await fitArch(gridArch(), gridScan(80, 0, 80, tx, 15000), { ...S, minPoints: 10 }, noPause)
        // centre (0, 23040) lands at (tx, 23040 + 15000)
        expect([r.scalePpm, r.rotationMicroRad, r.offsetXUm, r.offsetYUm]).toEqual([1000000, 0, reported, 38040])
    })
})

describe("the least-squares solve at the edge of singular", () => {
    // rows (1000, 1000) and (1000, 1000 + e) for the first two unknowns, the others pinned: the
    // second pivot is (1000 e)^2 / 2e6 = e^2 / 2 against a diagonal of ~2e6: singular when that
    // ratio, e^2 / 4e6, is under 1e-10 (e < 0.02)
    const solve = (e: number) => {
        const eq: number[] = new Array(20).fill(0)
        addRow(eq, [1000, 1000, 0, 0, 2000])
        addRow(eq, [1000, 1000 + e, 0, 0, 2000 + e])
        addRow(eq, [0, 0, 1, 0, 1])
        addRow(eq, [0, 0, 0, 1, 1])
        return solve4(eq) ? [eq[4], eq[9], eq[14], eq[19]] : null
    }
    it("told apart by 1 in 1000 (ratio 2.5e-13): singular", () => {
        expect(solve(0.001)).toBeNull()
    })
    it("told apart by 1 in 10 (ratio 2.5e-3): solved, a = b = 1", () => {
        const x = solve(100)!
        ;[1, 1, 1, 1].forEach((v, i) => expect(x[i]).toBeCloseTo(v, 9))
    })
})

describe("atan2 just short of pi", () => {
    it("atan2(1e-9, -1) = pi - 1e-9 (the half-angle step for x < 0 avoids cancelling)", () => {
        expect(Math.abs(atan2Rad(1e-9, -1) - (Math.PI - 1e-9))).toBeLessThan(1e-12)
        expect(Math.abs(atan2Rad(-1e-9, -1) - (-Math.PI + 1e-9))).toBeLessThan(1e-12)
    })
})

describe("the scan run: bins, readings and the point's x", () => {
    const SPEED = 400
    function running(s: FittingSettings = S): ScanRun {
        const sc = new ScanRun(s, SPEED, 800)
        sc.state = ScanState.Running
        return sc
    }
    it("a plan starting at 10 mm: bins count from there; readings before its first bin are not used, and the press is not held there", () => {
        const sc = running({ ...S, scanStartUm: 10000 })
        expect(sc.step(9400, true, 30000, 0, 0, true)).toBe(SPEED)
        sc.step(9800, true, 31000, 50, 0, true)
        sc.step(10600, true, 32000, 100, 0, true)
        expect([sc.b.pointsUm, sc.b.positions]).toEqual([[[9800, 31000]], 1])
    })
    it("at most readingsPerPoint (4) readings a bin: a faster sensor's fifth and sixth are left out", () => {
        const sc = running()
        ;[30000, 30004, 30008, 30012, 50000, 50000].forEach((d, i) => sc.step(i * 10, true, d, i, 0, true))
        sc.step(1000, true, 30000, 100, 0, true)
        // x: mean of 0, 10, 20, 30 = 15; y: mean of the first four = 30006
        expect(sc.b.pointsUm).toEqual([[15, 30006]])
    })
    it("the point's x is the mean position of its valid readings, the window's ends included", () => {
        const sc = running()
        sc.step(0, true, 5000, 0, 0, true)
        sc.step(200, true, 80000, 50, 0, true)
        sc.step(400, true, 100000, 100, 0, true) // past distanceMaxUm: invalid
        sc.step(450, true, 4999, 150, 0, true) // short of distanceMinUm: invalid
        sc.step(1000, true, 30000, 200, 0, true)
        // 2 of 4 valid: kept; x = (0 + 200) / 2, y = (5000 + 80000) / 2
        expect(sc.b.pointsUm).toEqual([[100, 42500]])
    })
})

describe("the scan builder: a press position that is not a number", () => {
    it("is dropped", () => {
        const b = new ArchScanBuilder(S)
        expect(b.addPoint("1000" as unknown as number, [30000])).toBe(false)
        expect(b.addPoint(NaN, [30000])).toBe(false)
        expect([b.pointsUm, b.dropped]).toEqual([[], 2])
    })
})

describe("convergence (docs/fitting.md: 3-25 iterations from the extent-based start)", () => {
    it("every synthetic arch of the accuracy set converges in 3-25 iterations, before the manifest's 40", async () => {
        const S = readManifest().fitting
        expect(S.maxIterations).toBe(40)
        const its = await Promise.all(MATCH_CASES.map(async c => (await runSyntheticCase(c, S, async () => {})).iterations))
        expect(Math.min(...its)).toBeGreaterThanOrEqual(3)
        expect(Math.max(...its)).toBeLessThanOrEqual(25)
    })
})

// ---- fourth round (docs/mutation/2026-12-07-fitting-whole.md): survivors with a test each ----

describe("fewer than 3 scan points is too few, whatever minPoints says", () => {
    // a similarity has 4 unknowns; 2 points beyond the ends would give 4 rows and a "fit" of
    // two points. minPoints is validated to be at least 3 in the manifest; the fit does not rely on it.
    const peak = [[0, 0], [500, 1000], [1000, 0]]
    it.each([0, 1, 2])("%i points with minPoints 0: TooFewPoints", async count => {
        const pts = [[0, 0], [1000, 0]].slice(0, count)
        const r = await fitArch(peak, { pointsUm: pts, positions: count, dropped: 0, invalidReadings: 0 }, { ...S, minPoints: 0 })
        expect([r.accepted, r.reason, r.points]).toEqual([false, FitReason.TooFewPoints, count])
    })
})

describe("the template's vertices: duplicates and the fewest there can be", () => {
    // the peak, and a scan on its vertices plus one point 300 µm beyond its last end along x:
    // placed at the identity (maxIterations 0), that point is 300 µm from the end vertex (1000, 0)
    const peak = [[0, 0], [500, 1000], [1000, 0]]
    const scan = { pointsUm: [[0, 0], [500, 1000], [1000, 0], [1300, 0]], positions: 4, dropped: 0, invalidReadings: 0 }
    const settings = { ...S, minPoints: 3 }
    it("a repeated vertex is one vertex: the fit is the one without it, to the last figure", async () => {
        const plain = await fitArch(peak, scan, settings)
        // the point beyond the end pins the end in x and y (two rows); a zero-length last
        // segment would make the end look like an interior vertex (one row)
        for (const dup of [[[0, 0], [0, 0], [500, 1000], [1000, 0]], [[0, 0], [500, 1000], [500, 1000], [1000, 0]], [[0, 0], [500, 1000], [1000, 0], [1000, 0]]])
            expect([dup, fitNumbers(await fitArch(dup, scan, settings))]).toEqual([dup, fitNumbers(plain)])
    })
    it("the repeated end vertex against a scan beyond it, after a solve: the same pose", async () => {
        const gs = gridScan(84, 13, 80, 20000, 15000)
        // the grid scan with one more point beyond the last end: the end (19200, 23040) placed
        // ((84 * 19200 - 13 * 23040) / 80 + 20000, (13 * 19200 + 84 * 23040) / 80 + 15000) = (36416, 42312),
        // and a point 2 mm further along x from it (beyond the end: measured to the end in x and y)
        const pts = gs.pointsUm.concat([[38416, 42312]])
        const g = gridArch()
        const dup = g.concat([g[g.length - 1]])
        const one = await fitArch(g, { ...gs, pointsUm: pts }, { ...S, minPoints: 10 })
        const two = await fitArch(dup, { ...gs, pointsUm: pts }, { ...S, minPoints: 10 })
        expect(fitNumbers(two)).toEqual(fitNumbers(one))
    })
    it("two vertices (a straight template) are enough: the line fits itself exactly", async () => {
        // scan points on the template's own segment, its ends included: scale 1, no rotation, rms 0,
        // the centre (500, 0) where it was, every point covered
        const line = { pointsUm: [[0, 0], [250, 0], [500, 0], [750, 0], [1000, 0]], positions: 5, dropped: 0, invalidReadings: 0 }
        const r = await fitArch([[0, 0], [1000, 0]], line, settings)
        expect([r.accepted, r.reason, r.rmsUm, r.worstUm, r.coveragePermille, r.scalePpm, r.rotationMicroRad, r.offsetXUm, r.offsetYUm])
            .toEqual([true, FitReason.Accepted, 0, 0, 1000, 1000000, 0, 500, 0])
    })
})

describe("the start pose (maxIterations 0): as wide as the scan, x centres and front-most points matched", () => {
    // a hook whose right-most vertex (1000, 500) is not its last: template x extent 0..1000, front
    // (least y) 0. The scan: x from 1000 to 3000 (width 2000), least y 400. Start: scale 2000 / 1000
    // = 2, no rotation, template x centre 500 -> scan x centre 2000: x' = 2 x + 1000; front y 0 ->
    // 400: y' = 2 y + 400. The reported offset is where the centre of the ends, ((0 + 800) / 2,
    // (0 + 1000) / 2) = (400, 500), lands: (1800, 1400).
    it("a template whose right-most vertex is not its last", async () => {
        const hook = [[0, 0], [1000, 500], [800, 1000]]
        const scan = { pointsUm: [[1000, 400], [3000, 1400], [2600, 2400]], positions: 3, dropped: 0, invalidReadings: 0 }
        const r = await fitArch(hook, scan, { ...S, minPoints: 3, maxIterations: 0 })
        // the scan is the hook placed exactly by the start pose: rms 0
        expect([r.iterations, r.rmsUm, r.worstUm, r.scalePpm, r.rotationMicroRad, r.offsetXUm, r.offsetYUm]).toEqual([0, 0, 0, 2000000, 0, 1800, 1400])
    })
})

describe("a NaN that reaches the fit is never a good fit", () => {
    // the scan builder refuses NaN; the fit does not rely on it. A NaN point's distance to every
    // segment compares false, so it keeps the distance it starts with, Infinity: the RMS and the
    // worst point are reported as the record's end, 1,000,000 µm. Every pose then costs
    // Infinity, so none is ever "the lowest cost seen" to be measured: the solve's NaN pose
    // (from the point's NaN row) is not reported. With more iterations the next solve, every
    // point paired with the same vertex, is singular: Degenerate.
    const scan = { pointsUm: [[0, 0], [500, NaN], [500, 1000], [1000, 0]], positions: 4, dropped: 0, invalidReadings: 0 }
    const fit = (maxIterations: number) => fitArch([[0, 0], [500, 1000], [1000, 0]], scan, { ...S, minPoints: 3, maxIterations })
    it.each([0, 1])("maxIterations %i (no solve, or its NaN pose never the lowest cost): TooNoisy, the point infinitely far", async n => {
        const r = await fit(n)
        expect([r.accepted, r.reason, r.rmsUm, r.worstUm]).toEqual([false, FitReason.TooNoisy, 1000000, 1000000])
    })
    it("with solves: Degenerate", async () => {
        const r = await fit(40)
        expect([r.accepted, r.reason]).toEqual([false, FitReason.Degenerate])
    })
})

describe("coverage: a gap exactly coverageGapUm counts", () => {
    // template (0, 0)-(2048, 0): centroid (1024, 0), radius 1024 µm, so positions along it are
    // x / 1024 and the start pose's scale is exactly 1 (all exact in binary). Points at x = 0,
    // 512, 1536, 2048: gaps 512, 1024, 512 µm. Under a limit of 512 the two gaps of 512 count:
    // 1024 of 2048 µm, 500 permille.
    it("gaps of 512 µm under a limit of 512: counted (500 permille); under 511: not (0)", async () => {
        const scan = { pointsUm: [[0, 0], [512, 0], [1536, 0], [2048, 0]], positions: 4, dropped: 0, invalidReadings: 0 }
        const cov = async (coverageGapUm: number) =>
            (await fitArch([[0, 0], [2048, 0]], scan, { ...S, minPoints: 3, maxIterations: 0, coverageGapUm })).coveragePermille
        expect([await cov(512), await cov(511)]).toEqual([500, 0])
    })
})

describe("the fit pauses every WORK_PER_PAUSE (40) closest-segment tests", () => {
    // maxIterations 0: two passes over the scan (the start pose, then the measuring pass at the
    // best pose). Each point tests m - 1 segments; the count carries over and restarts from 0 at
    // each pause, so a pause comes every ceil(40 / (m - 1)) points.
    // A zig-zag of m vertices and a 30-point scan on it: 60 points in all.
    const zigzag = (m: number) => Array.from({ length: m }, (_, i) => [i * 100, (i % 2) * 100])
    const scan = { pointsUm: Array.from({ length: 30 }, (_, i) => [i * 100, (i % 2) * 100]), positions: 30, dropped: 0, invalidReadings: 0 }
    const pauses = async (m: number) => {
        let count = 0
        await fitArch(zigzag(m), scan, { ...S, minPoints: 3, maxIterations: 0 }, async () => { count++ })
        return count
    }
    it.each([
        // 40 segments: 40 reached at every point exactly: 60 pauses
        [41, 60],
        // 39 segments: 39 after 1 point, 78 after 2: 60 / 2 = 30
        [40, 30],
        // 20 segments: 40 reached on the 2nd point exactly: 60 / 2 = 30
        [21, 30],
        // 9 segments: 36 after 4 points, 45 after 5: 60 / 5 = 12
        [10, 12],
    ])("%i vertices: %i pauses", async (m, expected) => {
        expect(await pauses(m)).toBe(expected)
    })
    it("without a pause function it runs through to the same result", async () => {
        const settings = { ...S, minPoints: 3, maxIterations: 0 }
        const without = await fitArch(zigzag(41), scan, settings)
        const withPause = await fitArch(zigzag(41), scan, settings, noPause)
        expect(fitNumbers(without)).toEqual(fitNumbers(withPause))
    })
})

describe("the operator's message for a reason this firmware does not know", () => {
    it("names the code and still asks for a re-scan", () => {
        const r: FitResult = {
            accepted: false, reason: 99 as FitReason, points: 40, dropped: 0, iterations: 3, rmsUm: 10, worstUm: 20, coveragePermille: 900,
            scalePpm: 1000000, rotationMicroRad: 0, offsetXUm: 0, offsetYUm: 0,
        }
        expect(fitMessage(r, S)).toBe("fit rejected (reason 99); re-scan")
    })
})

describe("the last step before convergence is under CONVERGED_UM (0.05 µm) at every vertex", () => {
    // Converged means no vertex of the placed template moved more than 0.05 µm in the last step.
    // The fit stopped after k iterations; stopped one earlier (maxIterations k - 1) it reports the
    // pose before that step. The reported centre offset (|centre| <= 1 in the fit's normalised
    // units) then moves under 3 x 0.05 µm: at most 1 after rounding; the scale, |(a, b)| / r with
    // each of a and b moving under 0.05 µm and the template's radius r > 15 mm here, under
    // 0.1 / 15000 = 6.7 ppm; the rotation under 0.1 / (scale x r) < 8 µrad.
    it("on every synthetic arch of the accuracy set", async () => {
        const S = readManifest().fitting
        for (const c of MATCH_CASES) {
            const full = await runSyntheticCase(c, S, noPause)
            const k = full.iterations
            const before = await runSyntheticCase(c, { ...S, maxIterations: k - 1 }, noPause)
            const d = [Math.abs(full.offsetXUm - before.offsetXUm), Math.abs(full.offsetYUm - before.offsetYUm), Math.abs(full.scalePpm - before.scalePpm), Math.abs(full.rotationMicroRad - before.rotationMicroRad)]
            expect([c.name, d[0] <= 1, d[1] <= 1, d[2] <= 7, d[3] <= 8]).toEqual([c.name, true, true, true, true])
        }
    })
})

describe("beyond an end, a point counts in x and in y (two rows)", () => {
    // A straight template (0, 0)-(1000, 0), and a scan on the line y = 0 from x = -200 to 1300
    // (its ends) with a point between. Points along a straight template say nothing about its
    // length: only the rows in x at its ends pin the scale. The start pose (as wide as the scan,
    // x centres matched) is already exact: scale 1500 / 1000, the ends' centre (500, 0) at (550, 0),
    // every residual 0; coverage: gaps of 700 and 800 µm, all under 5000.
    // Were the far end treated as an interior vertex (one row along the segment's normal: y),
    // only the near end would pin x: two unknowns (scale and x offset) against one row, a
    // singular system, and the fit Degenerate.
    it("the straight template's scale is pinned by its ends: 1.5, exactly", async () => {
        const scan = { pointsUm: [[-200, 0], [500, 0], [1300, 0]], positions: 3, dropped: 0, invalidReadings: 0 }
        const r = await fitArch([[0, 0], [1000, 0]], scan, { ...S, minPoints: 3 })
        expect([r.reason, r.rmsUm, r.worstUm, r.coveragePermille, r.scalePpm, r.rotationMicroRad, r.offsetXUm, r.offsetYUm])
            .toEqual([FitReason.ScaleOutOfRange, 0, 0, 1000, 1500000, 0, 550, 0])
    })
})

describe("a template deeper than it is wide", () => {
    // (0, 0)-(100, 1000)-(200, 0): every vertex is further from the centroid (100, 333) in y than
    // in x, so the normalising radius must add the two (a radius from x alone, or x minus y,
    // would be 0 or less). The scan is the template itself, vertices and midpoints: the start
    // pose (as wide as the scan, centred, fronts matched) is already exact: scale 1, rms 0, the
    // ends' centre (100, 0) where it was; gaps of about 500 µm along the arch: coverage 1000.
    it("fits itself exactly", async () => {
        const v = [[0, 0], [100, 1000], [200, 0]]
        const scan = { pointsUm: [[0, 0], [50, 500], [100, 1000], [150, 500], [200, 0]], positions: 5, dropped: 0, invalidReadings: 0 }
        const r = await fitArch(v, scan, { ...S, minPoints: 3 })
        expect([r.accepted, r.reason, r.rmsUm, r.worstUm, r.coveragePermille, r.scalePpm, r.rotationMicroRad, r.offsetXUm, r.offsetYUm])
            .toEqual([true, FitReason.Accepted, 0, 0, 1000, 1000000, 0, 100, 0])
    })
})

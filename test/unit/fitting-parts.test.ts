// The fit's building blocks: arctangent without trigonometry (against Node's Math), the scan
// builder (averaging, drops, counts), the scan plan, the 4 x 4 least-squares solve, and the
// template polyline's closest-point query (inside fitArch, seen through the residuals it
// reports). Expected values by hand in the comments.
import { describe, it, expect } from "vitest"
import { atanRad, atan2Rad, roundInt } from "../../src/core/fitting/angle"
import { ArchScanBuilder, scanPlanUm } from "../../src/core/fitting/scan"
import { addRow, fitArch, solve4 } from "../../src/core/fitting/fit"
import { FitReason } from "../../src/core/fitting/fit-result"
import { readManifest } from "../../tools/manifest-node"
import { ParkMiller, truthRotationMicroRad } from "../vectors/synthetic-arch"

const S = readManifest().fitting

describe("atan without trigonometry", () => {
    it("matches Math.atan to 1e-12 rad from -1e6 to 1e6", () => {
        let worst = 0
        for (let i = -2000; i <= 2000; i++) {
            const z = Math.sign(i) * Math.pow(10, Math.abs(i) / 333) - Math.sign(i) // dense near 0, up to ~1e6
            worst = Math.max(worst, Math.abs(atanRad(z) - Math.atan(z)))
        }
        expect(worst).toBeLessThan(1e-12)
    })
    it("atan2 matches Math.atan2 in all four quadrants and on the axes", () => {
        const vals = [-3, -1, -0.25, 0, 0.25, 1, 3]
        for (const y of vals) for (const x of vals) expect(Math.abs(atan2Rad(y, x) - Math.atan2(y, x)), `${y},${x}`).toBeLessThan(1e-12)
    })
    it("the exact vector's rotation: atan(13/84) rounds to 153544 µrad", () => {
        expect(Math.round(Math.atan2(13, 84) * 1e6)).toBe(153544)
        expect(roundInt(atanRad(13 / 84) * 1e6)).toBe(153544)
    })
    it("roundInt rounds halves up, also below zero (the VM and Node agree on floor)", () => {
        expect([roundInt(2.5), roundInt(-2.5), roundInt(-2.6), roundInt(0.49)]).toEqual([3, -2, -3, 0])
    })
    it("the vectors' asin series matches Math.asin for the rotations they use", () => {
        for (const sinPpm of [-200000, -80000, -1, 0, 13000, 50000, 200000])
            expect(truthRotationMicroRad(sinPpm)).toBe(Math.round(Math.asin(sinPpm / 1e6) * 1e6))
    })
    it("Park-Miller: 16807^k mod (2^31 - 1) from seed 1 (the published 10000th value 1043618065)", () => {
        const r = new ParkMiller(1)
        let v = 0
        for (let i = 0; i < 10000; i++) v = r.next()
        expect(Math.round(v * 2147483647)).toBe(1043618065)
    })
})

describe("scan plan and builder", () => {
    it("plans start..end by step: 0..50000 by 1000 is 51 positions", () => {
        const plan = scanPlanUm(S)
        expect(plan.length).toBe(Math.floor((S.scanEndUm - S.scanStartUm) / S.scanStepUm) + 1)
        expect(plan[0]).toBe(S.scanStartUm)
        expect(plan[plan.length - 1]).toBeLessThanOrEqual(S.scanEndUm)
        expect(scanPlanUm({ ...S, scanStartUm: 1000, scanEndUm: 2500, scanStepUm: 500 })).toEqual([1000, 1500, 2000, 2500])
    })
    it("averages the valid readings of a position (rounded) and counts invalid ones", () => {
        const b = new ArchScanBuilder({ ...S, distanceMinUm: 5000, distanceMaxUm: 80000 })
        // (20000 + 20001 + 20003) / 3 = 20001.33 -> 20001; 10 m (no echo) is invalid
        expect(b.addPoint(1000, [20000, 20001, 20003, 10_000_000])).toBe(true)
        // 2 of 4 valid is still half: kept, (30000 + 30001) / 2 = 30000.5 -> 30001
        expect(b.addPoint(2000, [30000, NaN, 30001, -1])).toBe(true)
        // 1 of 4: mostly unseen, dropped
        expect(b.addPoint(3000, [30000, NaN, 4999, 80001])).toBe(false)
        // off the plan by more than a step: the press is not where it was sent
        expect(b.addPoint(S.scanEndUm + S.scanStepUm + 1, [30000, 30000, 30000, 30000])).toBe(false)
        const scan = b.result()
        expect(scan.pointsUm).toEqual([[1000, 20001], [2000, 30001]])
        expect([scan.positions, scan.dropped, scan.invalidReadings]).toEqual([4, 2, 1 + 2 + 3])
    })
    it("a single reading per point works too; infinities are invalid", () => {
        const b = new ArchScanBuilder(S)
        expect(b.addPoint(0, [Infinity])).toBe(false)
        expect(b.addPoint(0, [42000.4])).toBe(true)
        expect(b.result().pointsUm).toEqual([[0, 42000]])
    })
})

describe("normal equations", () => {
    // the fit's augmented 4 x 5 [AtA | Atb]; the solution lands in its last column
    const solution = (eq: number[]) => [eq[4], eq[9], eq[14], eq[19]]
    it("recovers an exact linear model: y = 2 a + 3 b - c + 0.5 d", () => {
        const eq: number[] = new Array(20).fill(0)
        const rows = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 1, 1, 1], [1, -1, 2, 0]]
        for (const r of rows) addRow(eq, [r[0], r[1], r[2], r[3], 2 * r[0] + 3 * r[1] - r[2] + 0.5 * r[3]])
        expect(solve4(eq)).toBe(true)
        solution(eq).forEach((v, i) => expect(v).toBeCloseTo([2, 3, -1, 0.5][i], 12))
    })
    it("least squares: y = a over 1, 2, 3, 6 gives the mean 3 (other unknowns pinned to 0)", () => {
        const eq: number[] = new Array(20).fill(0)
        for (const y of [1, 2, 3, 6]) addRow(eq, [1, 0, 0, 0, y])
        addRow(eq, [0, 1, 0, 0, 0])
        addRow(eq, [0, 0, 1, 0, 0])
        addRow(eq, [0, 0, 0, 1, 0])
        expect(solve4(eq)).toBe(true)
        expect(solution(eq)[0]).toBeCloseTo(3, 12)
    })
    it("reports a singular system (an unknown no row touches)", () => {
        const eq: number[] = new Array(20).fill(0)
        addRow(eq, [1, 0, 0, 0, 1])
        addRow(eq, [0, 1, 0, 0, 1])
        addRow(eq, [0, 0, 1, 0, 1])
        expect(solve4(eq)).toBe(false)
    })
    it("reports a singular system (two unknowns the rows cannot tell apart)", () => {
        const eq: number[] = new Array(20).fill(0)
        addRow(eq, [1, 1, 0, 0, 2])
        addRow(eq, [2, 2, 0, 0, 4])
        addRow(eq, [0, 0, 1, 0, 1])
        addRow(eq, [0, 0, 0, 1, 1])
        expect(solve4(eq)).toBe(false)
    })
})

describe("template polyline and closest point (through fitArch)", () => {
    // square corner path (0,0) -> (1000,0) -> (1000,1000), with its corner repeated. With no
    // iterations the fit reports the residuals at its start pose, which here is the identity:
    // the scan spans x 0..1000 like the template and its front-most point is at y = 0 like the
    // template's. Scan points: on the first vertex (0 µm), 30 µm off the first segment halfway
    // (its closest point is that projection, not the corner 500 µm away), on the second
    // segment (0 µm), and 300 µm past the last end (measured to the end point).
    // rms = sqrt((0 + 30^2 + 0 + 300^2) / 4) = sqrt(22725) = 150.7 -> 151; worst 300; arch
    // centre (midpoint of the ends) (500, 500) stays put; the points sit at 0, 500, 1500 and
    // 2000 µm along the 2000 µm arch, all gaps under coverageGapUm: 1000 permille.
    const scan = { pointsUm: [[0, 0], [500, 30], [1000, 500], [1000, 1300]], positions: 4, dropped: 0, invalidReadings: 0 }
    const settings = { ...S, minPoints: 3, maxIterations: 0 }
    const expected = [FitReason.TooNoisy, 0, 151, 300, 1000, 1000000, 0, 500, 500]
    const numbers = (r: Awaited<ReturnType<typeof fitArch>>) =>
        [r.reason, r.iterations, r.rmsUm, r.worstUm, r.coveragePermille, r.scalePpm, r.rotationMicroRad, r.offsetXUm, r.offsetYUm]
    it("measures projection, on-segment and beyond-an-end distances", async () => {
        expect(numbers(await fitArch([[0, 0], [1000, 0], [1000, 0], [1000, 1000]], scan, settings))).toEqual(expected)
    })
    it("drops repeated points: the same fit without the repeated corner", async () => {
        expect(numbers(await fitArch([[0, 0], [1000, 0], [1000, 1000]], scan, settings))).toEqual(expected)
    })
    it("measures a point outside a corner to the corner", async () => {
        // a peak (0,0) -> (500,1000) -> (1000,0), identity start pose again (x 0..1000, front at
        // y = 0). (600, 1100) projects past the end of both segments, so its closest point is
        // the peak: sqrt(100^2 + 100^2) = 141.4 µm; the others lie on the arch (its ends, and
        // (250, 500) on the first segment). rms sqrt(20000 / 4) = 70.7 -> 71; centre (500, 0);
        // along the 2236 µm arch at 0, 559, 1118 and 2236 µm: 1000 permille; all within limits.
        const peak = { pointsUm: [[0, 0], [250, 500], [600, 1100], [1000, 0]], positions: 4, dropped: 0, invalidReadings: 0 }
        expect(numbers(await fitArch([[0, 0], [500, 1000], [1000, 0]], peak, settings))).toEqual([FitReason.Accepted, 0, 71, 141, 1000, 1000000, 0, 500, 0])
    })
})

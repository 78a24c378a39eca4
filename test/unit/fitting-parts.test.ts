// The fit's building blocks: arctangent without trigonometry (against Node's Math), the scan
// builder (averaging, drops, counts), the scan plan, the 4 x 4 least-squares solve, and the
// template polyline's closest-point query. Expected values by hand in the comments.
import { describe, it, expect } from "vitest"
import { atanRad, atan2Rad, roundInt } from "../../src/core/fitting/angle"
import { ArchScanBuilder, scanPlanUm } from "../../src/core/fitting/scan"
import { NormalEquations4 } from "../../src/core/fitting/normal-equations"
import { ArchPolyline } from "../../src/core/fitting/polyline"
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
    it("recovers an exact linear model: y = 2 a + 3 b - c + 0.5 d", () => {
        const eq = new NormalEquations4()
        const rows = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 1, 1, 1], [1, -1, 2, 0]]
        for (const r of rows) eq.addRow(r[0], r[1], r[2], r[3], 2 * r[0] + 3 * r[1] - r[2] + 0.5 * r[3])
        expect(eq.solve()).toBe(true)
        eq.x.forEach((v, i) => expect(v).toBeCloseTo([2, 3, -1, 0.5][i], 12))
    })
    it("least squares: y = a over 1, 2, 3, 6 gives the mean 3 (other unknowns pinned to 0)", () => {
        const eq = new NormalEquations4()
        for (const y of [1, 2, 3, 6]) eq.addRow(1, 0, 0, 0, y)
        eq.addRow(0, 1, 0, 0, 0)
        eq.addRow(0, 0, 1, 0, 0)
        eq.addRow(0, 0, 0, 1, 0)
        expect(eq.solve()).toBe(true)
        expect(eq.x[0]).toBeCloseTo(3, 12)
    })
    it("reports a singular system (an unknown no row touches)", () => {
        const eq = new NormalEquations4()
        eq.addRow(1, 0, 0, 0, 1)
        eq.addRow(0, 1, 0, 0, 1)
        eq.addRow(0, 0, 1, 0, 1)
        expect(eq.solve()).toBe(false)
    })
})

describe("template polyline", () => {
    // square corner path (0,0) -> (1000,0) -> (1000,1000); centroid (666.7, 333.3)
    const poly = new ArchPolyline([[0, 0], [1000, 0], [1000, 0], [1000, 1000]])
    it("drops repeated points and normalises to the farthest vertex", () => {
        expect(poly.count()).toBe(3)
        // farthest vertex from the centroid: (0,0) at sqrt(666.7^2 + 333.3^2) = 745.4 µm
        expect(poly.radiusUm).toBeCloseTo(Math.hypot(2000 / 3, 1000 / 3), 9)
        expect(poly.length() * poly.radiusUm).toBeCloseTo(2000, 9)
    })
    it("finds the closest point: projection on a segment, a corner, beyond an end", () => {
        const r = poly.radiusUm
        // identity placement in µm: vertices = u * r + centroid
        poly.transform(r, 0, 2000 / 3, 1000 / 3)
        poly.closest(500, -30) // above the first segment, 30 µm off, halfway
        expect([poly.seg, poly.t]).toEqual([0, 0.5])
        expect(poly.dist2).toBeCloseTo(900, 6)
        expect(poly.alongAtClosest() * r).toBeCloseTo(500, 6)
        poly.closest(1100, -100) // outside the corner: the corner (1000, 0) at 141.4 µm
        expect(Math.sqrt(poly.dist2)).toBeCloseTo(Math.hypot(100, 100), 6)
        poly.closest(1000, 1300) // past the last end: the end point, 300 µm
        expect([poly.seg, poly.t]).toEqual([1, 1])
        expect(Math.sqrt(poly.dist2)).toBeCloseTo(300, 6)
    })
})

// sim/models/arch.ts: surface values worked by hand, scan noise statistics, misses and range.
// Tolerances: 1e-9 µm for the surface (exact arithmetic); the scan's mean within 5 standard
// errors, its std within 5 %, the dropout share within 5 binomial standard errors.
import { describe, expect, test } from "vitest"
import { ArchModel, SIM_ARCH, DISTANCE_OUT_OF_RANGE_M, type ArchParams } from "../../sim/models/arch"
import { Rng } from "../../sim/models/rng"

function arch(p: ArchParams = SIM_ARCH, seed = 1): ArchModel {
    return new ArchModel(p, new Rng(seed))
}

describe("surface", () => {
    // SIM_ARCH: centre x 25000, front y 20000, left 19000, right 19500, depth 21000, q 0.3,
    // 10 teeth of 60 µm. y = 20000 + 21000 (0.7 u^2 + 0.3 u^4) - 60 sin^2(5 pi (u + 1))
    test.each([
        // u = 0: sin(5 pi) = 0
        ["front (u = 0)", 25000, 20000],
        // u = +-1: sin(10 pi) = sin(0) = 0; smooth part 21000
        ["right end (u = 1)", 25000 + 19500, 41000],
        ["left end (u = -1)", 25000 - 19000, 41000],
        // u = 0.5: 21000 (0.7 x 0.25 + 0.3 x 0.0625) = 4068.75; sin(7.5 pi) = -1 -> -60
        ["u = 0.5, a tooth's crown", 25000 + 9750, 20000 + 4068.75 - 60],
        // u = -0.5: sin(2.5 pi) = 1 -> -60
        ["u = -0.5, a tooth's crown", 25000 - 9500, 20000 + 4068.75 - 60],
        // u = 0.1: 21000 (0.007 + 0.00003) = 147.63; sin(5.5 pi) = -1 -> -60
        ["u = 0.1", 25000 + 1950, 20000 + 147.63 - 60],
        // u = 0.05: 21000 (0.00175 + 0.000001875) = 36.789375; sin(5.25 pi)^2 = 1/2 -> -30
        ["u = 0.05, half-way up a tooth", 25000 + 975, 20000 + 36.789375 - 30],
        // u = 0.2: 21000 (0.028 + 0.00048) = 598.08; sin(6 pi) = 0: a gap between teeth
        ["u = 0.2, between teeth", 25000 + 3900, 20000 + 598.08],
    ])("%s: x %s µm -> y %s µm", (_n, x, y) => {
        expect(Math.abs(arch().surfaceYUm(x) - y)).toBeLessThan(1e-9)
    })

    test.each([25000 - 19001, 25000 + 19501, -1e6, 1e6])("x %s µm misses the arch: NaN", x => {
        expect(arch().covers(x)).toBe(false)
        expect(arch().surfaceYUm(x)).toBeNaN()
    })

    test("a parabola without teeth: y = front + depth (x / half)^2", () => {
        const a = arch({ ...SIM_ARCH, quarticFraction: 0, toothUm: 0, leftUm: 20000, rightUm: 20000 })
        // x = 10 mm from the centre: u = 0.5 -> 21000 / 4 = 5250
        expect(a.surfaceYUm(35000)).toBeCloseTo(25250, 9)
        expect(a.surfaceYUm(15000)).toBeCloseTo(25250, 9)
    })

    test("outline: the design in the arch's own frame, ends at (-left, depth) and (right, depth), front at the origin", () => {
        const pts = arch().outlineUm(5)
        // u = -1, -0.5, 0, 0.5, 1; 0.5 -> 4068.75 as above
        const want = [[-19000, 21000], [-9500, 4068.75], [0, 0], [9750, 4068.75], [19500, 21000]]
        pts.forEach((p, i) => {
            expect(p[0]).toBeCloseTo(want[i]![0]!, 9)
            expect(p[1]).toBeCloseTo(want[i]![1]!, 9)
        })
        expect(() => arch().outlineUm(1)).toThrow(RangeError)
    })
})

describe("scan readings", () => {
    const N = 20_000
    const quiet: ArchParams = { ...SIM_ARCH, dropoutFraction: 0 }

    test.each([
        // distance = surface y - head y; at the front 20000 µm
        [1, 25000, 0, 20000],
        [2, 25000, 5000, 15000],
        // u = 0.5 tooth crown: 24008.75 - 1000
        [3, 34750, 1000, 23008.75],
    ])("seed %i, head (%s, %s) µm: mean %s µm, std 40 µm", (seed, hx, hy, dUm) => {
        const a = arch(quiet, seed)
        let s = 0
        let s2 = 0
        for (let i = 0; i < N; i++) {
            const d = a.scanDistanceM(hx, hy) * 1e6
            s += d
            s2 += d * d
        }
        const mean = s / N
        const std = Math.sqrt(s2 / N - mean * mean)
        expect(Math.abs(mean - dUm)).toBeLessThan((5 * 40) / Math.sqrt(N))
        expect(Math.abs(std / 40 - 1)).toBeLessThan(0.05)
    })

    test("no noise: the reading is exactly surface - head, in m", () => {
        const a = arch({ ...quiet, noiseUm: 0 })
        expect(a.scanDistanceM(25000, 0)).toBeCloseTo(0.02, 12)
        expect(a.scanDistanceM(25000 + 3900, -2000)).toBeCloseTo((20598.08 + 2000) / 1e6, 12)
    })

    test.each([
        ["beyond the left end", 5000, 0],
        ["beyond the right end", 45000, 0],
        ["closer than the sensor's minimum range (2 mm)", 25000, 19000],
        ["farther than its maximum range (100 mm)", 25000, -90000],
    ])("%s: out of range", (_n, hx, hy) => {
        const a = arch({ ...quiet, noiseUm: 0 })
        expect(a.scanDistanceM(hx, hy)).toBe(DISTANCE_OUT_OF_RANGE_M)
    })

    test.each([0.02, 0.1, 0.5])("dropout share %s", share => {
        const a = arch({ ...SIM_ARCH, dropoutFraction: share }, 4)
        let lost = 0
        for (let i = 0; i < N; i++) if (a.scanDistanceM(25000, 0) === DISTANCE_OUT_OF_RANGE_M) lost++
        expect(Math.abs(lost / N - share)).toBeLessThan(5 * Math.sqrt((share * (1 - share)) / N))
    })

    test("deterministic per seed", () => {
        const a = arch(SIM_ARCH, 5)
        const b = arch(SIM_ARCH, 5)
        const xs = [10000, 20000, 25000, 30000, 40000]
        expect(xs.map(x => b.scanDistanceM(x, 0))).toEqual(xs.map(x => a.scanDistanceM(x, 0)))
    })

    test("the SIM arch sits inside the firmware's scan (x 0..50 mm) and distance window (5..80 mm)", () => {
        const a = arch()
        expect(25000 - SIM_ARCH.leftUm).toBeGreaterThan(0)
        expect(25000 + SIM_ARCH.rightUm).toBeLessThan(50000)
        for (let x = 6000; x <= 44000; x += 1000) {
            const y = a.surfaceYUm(x)
            expect(y).toBeGreaterThan(5000)
            expect(y).toBeLessThan(80000)
        }
    })
})

describe("parameters", () => {
    test.each([
        ["an unknown key", { ...SIM_ARCH, widthUm: 40000 }],
        ["a fractional tooth count", { ...SIM_ARCH, toothCount: 2.5 }],
        ["a dropout share above 1", { ...SIM_ARCH, dropoutFraction: 1.5 }],
        ["an empty range", { ...SIM_ARCH, rangeMinUm: 5000, rangeMaxUm: 5000 }],
    ])("%s is rejected", (_n, p) => {
        expect(() => arch(p as ArchParams)).toThrow(RangeError)
    })
})

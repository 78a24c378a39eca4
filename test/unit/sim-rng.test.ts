// sim/models/rng.ts: mulberry32 against its published algorithm, and the statistics of its
// uniform and Gaussian outputs.
import { describe, expect, test } from "vitest"
import { Rng } from "../../sim/models/rng"

describe("Rng", () => {
    // reference outputs x 2^32, from an independent Python transcription of mulberry32
    // (32-bit masks instead of Math.imul)
    test.each([
        [1, [2693262067, 11749833, 2265367787]],
        [42, [2581720956, 1925393290, 3661312704]],
    ])("seed %i reproduces mulberry32", (seed, words) => {
        const r = new Rng(seed)
        expect(words.map(() => r.next() * 2 ** 32)).toEqual(words)
    })

    test("same seed, same sequence; another seed, another", () => {
        const a = new Rng(7)
        const b = new Rng(7)
        const c = new Rng(8)
        const sa = Array.from({ length: 20 }, () => a.gauss())
        expect(Array.from({ length: 20 }, () => b.gauss())).toEqual(sa)
        expect(Array.from({ length: 20 }, () => c.gauss())).not.toEqual(sa)
    })

    const N = 100_000
    test.each([1, 2, 3])("uniform [0, 1): mean 1/2, variance 1/12 (seed %i)", seed => {
        const r = new Rng(seed)
        let sum = 0
        let sum2 = 0
        let lo = 1
        let hi = 0
        for (let i = 0; i < N; i++) {
            const u = r.next()
            lo = Math.min(lo, u)
            hi = Math.max(hi, u)
            sum += u
            sum2 += u * u
        }
        const mean = sum / N
        const variance = sum2 / N - mean * mean
        expect(lo).toBeGreaterThanOrEqual(0)
        expect(hi).toBeLessThan(1)
        // standard error of the mean sqrt(1/12 / N) = 0.00091: 5 sigma
        expect(Math.abs(mean - 0.5)).toBeLessThan(0.0046)
        // the variance's standard error sqrt((1/80 - 1/144) / N) = 0.00024: 5 sigma
        expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.0012)
    })

    test.each([1, 2, 3])("gauss: mean 0, std 1, 68.3 % within one sigma (seed %i)", seed => {
        const r = new Rng(seed)
        let sum = 0
        let sum2 = 0
        let within = 0
        for (let i = 0; i < N; i++) {
            const g = r.gauss()
            sum += g
            sum2 += g * g
            if (Math.abs(g) < 1) within++
        }
        const mean = sum / N
        const std = Math.sqrt(sum2 / N - mean * mean)
        // standard errors: mean 1/sqrt(N) = 0.0032, std 1/sqrt(2N) = 0.0022, share 0.0015; 5 sigma
        expect(Math.abs(mean)).toBeLessThan(0.016)
        expect(Math.abs(std - 1)).toBeLessThan(0.011)
        // P(|Z| < 1) = erf(1 / sqrt 2) = 0.682689
        expect(Math.abs(within / N - 0.682689)).toBeLessThan(0.0074)
    })
})

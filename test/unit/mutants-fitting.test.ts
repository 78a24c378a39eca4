// Fit checks that issue 14's mutation run found tested on one side only (docs/mutation.md): the
// rotation limit with a negative rotation, and the scale range with a too-small scale. Noise-free
// grid scans (test/vectors/fitting.ts) whose answers are worked out by hand below: a = aNum / 80,
// b = bNum / 80, scale = sqrt(a^2 + b^2), rotation = atan(b / a).
import { describe, it, expect } from "vitest"
import { readManifest } from "../../tools/manifest-node"
import { FitReason } from "../../src/core/fitting/fit-result"
import { runExactVector, type ExactFitVector } from "../vectors/fitting"

const S = readManifest().fitting
const noPause = async () => {}

function vector(aNum: number, bNum: number): ExactFitVector {
    return { name: "", a: [aNum, bNum, 80], offsetUm: [20000, 15000], expect: [] }
}

describe("the limits these cases straddle", () => {
    it("are the documented ones", () => {
        expect([S.scaleMinPpm, S.scaleMaxPpm, S.maxRotationMicroRad]).toEqual([850000, 1150000, 170000])
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

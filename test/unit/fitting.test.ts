// Fitting calibration in Node: the exact vectors (hand-worked answers), the accuracy goal on
// the synthetic arches (scale within 0.5 %, offset within 50 µm of the ground truth), every
// wrong template rejected, every rejection reason, yielding, and the manifest's fitting
// section. test/vm/fitting.vm.ts runs the same vectors in the DeviceScript VM.
import { describe, it, expect } from "vitest"
import { readManifest } from "../../tools/manifest-node"
import { validateManifest } from "../../src/core/manifest-schema"
import { fitArch } from "../../src/core/fitting/fit"
import { FitReason, fitMessage, toFitSummary } from "../../src/core/fitting/fit-result"
import {
    EXACT_FIT_VECTORS, MATCH_CASES, WRONG_TEMPLATE_CASES, REJECT_CASES, VM_MATCH_CASES, VM_WRONG_CASES,
    runExactVector, runSyntheticCase, exactNumbers, judgeMatch, truthErrors, gridArch, gridScan,
} from "../vectors/fitting"

const M = readManifest()
const S = M.fitting
const noPause = async () => {}

describe("exact vectors (answers by hand)", () => {
    it.each(EXACT_FIT_VECTORS.map(v => [v.name, v] as const))("%s", async (_n, v) => {
        expect(exactNumbers(await runExactVector(v, S, noPause))).toEqual(v.expect)
    })
})

describe("accuracy goal on synthetic arches", () => {
    it.each(MATCH_CASES.map(c => [c.name, c] as const))("%s", async (_n, c) => {
        const r = await runSyntheticCase(c, S, noPause)
        expect(judgeMatch(c, r)).toBe("ok")
        // the fit's own quality figures are those of a good scan
        expect(r.rmsUm).toBeLessThanOrEqual(S.maxRmsUm)
        expect(r.coveragePermille).toBeGreaterThanOrEqual(S.minCoveragePermille)
    })
    it("over the whole set: scale within 0.5 %, offset within 50 µm", async () => {
        const errs = await Promise.all(MATCH_CASES.map(async c => truthErrors(c, await runSyntheticCase(c, S, noPause))))
        expect(Math.max(...errs.map(e => Math.abs(e[0])))).toBeLessThanOrEqual(5000)
        expect(Math.max(...errs.map(e => Math.max(Math.abs(e[1]), Math.abs(e[2]))))).toBeLessThanOrEqual(50)
    })
    it("the VM's subset is a prefix of the same table", () => {
        expect(VM_MATCH_CASES).toBeLessThanOrEqual(MATCH_CASES.length)
        expect(VM_WRONG_CASES).toBeLessThanOrEqual(WRONG_TEMPLATE_CASES.length)
    })
})

describe("wrong template", () => {
    it.each(WRONG_TEMPLATE_CASES.map(c => [c.name, c] as const))("%s: rejected as a mismatch", async (_n, c) => {
        const r = await runSyntheticCase(c, S, noPause)
        expect(r.accepted).toBe(false)
        expect(toFitSummary(r).accepted).toBe(0)
        // it is the shape that fails, not the amount of data
        expect([FitReason.TooNoisy, FitReason.PointTooFar]).toContain(r.reason)
    })
})

describe("rejection reasons", () => {
    it.each(REJECT_CASES.map(rc => [rc.c.name, rc] as const))("%s", async (_n, rc) => {
        const r = await runSyntheticCase(rc.c, S, noPause)
        expect(r.reason).toBe(rc.reason)
        expect(r.accepted).toBe(false)
        // the operator is told to scan again, with the number that failed against its limit
        const msg = fitMessage(r, S)
        expect(msg).toMatch(/re-scan$/)
    })
    it("messages name the measured value and the limit", async () => {
        const lip = REJECT_CASES.find(rc => rc.reason === FitReason.PointTooFar)!
        const r = await runSyntheticCase(lip.c, S, noPause)
        expect(fitMessage(r, S)).toContain(`${r.worstUm} um off the arch (limit ${S.maxWorstUm})`)
    })
    it("a template with no extent is degenerate, not a crash", async () => {
        const scan = gridScan(80, 0, 80, 20000, 15000)
        const settings = { ...S, minPoints: 10 }
        expect((await fitArch([[5, 5], [5, 5], [5, 5]], scan, settings, noPause)).reason).toBe(FitReason.Degenerate)
        expect((await fitArch([], scan, settings, noPause)).reason).toBe(FitReason.Degenerate)
    })
    it("too few points is decided before any fitting", async () => {
        const scan = gridScan(80, 0, 80, 20000, 15000)
        const r = await fitArch(gridArch(), scan, { ...S, minPoints: 26 }, noPause)
        expect([r.reason, r.points, r.iterations]).toEqual([FitReason.TooFewPoints, 25, 0])
    })
})

describe("yielding", () => {
    it("awaits the pause regularly and computes the same result as without it", async () => {
        let pauses = 0
        const c = MATCH_CASES[0]
        const withPause = await runSyntheticCase(c, S, async () => { pauses++ })
        const without = await runSyntheticCase(c, S, noPause)
        expect(withPause).toEqual(without)
        // one per scan position in the simulator, plus the fit's: every 40 segment tests
        // (~40 points x 60 segments per iteration -> ~60 per iteration)
        expect(pauses).toBeGreaterThan(51 + 50 * withPause.iterations)
    })
})

describe("fit summary for the compliance record", () => {
    it("carries exactly the record's integer fields", async () => {
        const r = await runExactVector(EXACT_FIT_VECTORS[0], S, noPause)
        expect(toFitSummary(r)).toEqual({
            rmsUm: 0, worstUm: 0, coveragePermille: 1000, scalePpm: 1062500, offsetXUm: 16256, offsetYUm: 39192,
            rotationMicroRad: 153544, accepted: 1,
        })
    })
})

describe("manifest fitting section", () => {
    const bad = (mutate: (f: any, m: any) => void) => {
        const m = JSON.parse(JSON.stringify(M))
        mutate(m.fitting, m)
        return () => validateManifest(m)
    }
    it("rejects a scan that ends before it starts", () => expect(bad(f => { f.scanStartUm = 20000; f.scanEndUm = 20000 })).toThrow(/fitting.scanEndUm: must exceed/))
    it("rejects a scan past the press travel", () => expect(bad((f, m) => { f.scanEndUm = m.press.travelMaxUm + 1 })).toThrow(/fitting.scanEndUm: must not exceed press.travelMaxUm/))
    // the plan runs 0..48 mm: 48000 / 100 + 1 = 481 positions at 0.1 mm; 48000 / 1000 + 1 = 49 at 1 mm
    it("rejects a plan with too many positions", () => expect(bad(f => { f.scanStepUm = 100 })).toThrow(/fitting.scanStepUm: gives 481 scan positions/))
    it("rejects minPoints above the plan's positions", () => expect(bad(f => { f.minPoints = 50 })).toThrow(/fitting.minPoints: exceeds the 49/))
    it("rejects an empty distance window", () => expect(bad(f => { f.distanceMaxUm = f.distanceMinUm })).toThrow(/fitting.distanceMaxUm/))
    it("rejects a worst-point limit below the RMS limit", () => expect(bad(f => { f.maxWorstUm = f.maxRmsUm - 1 })).toThrow(/fitting.maxWorstUm/))
    it("rejects an unknown key and an out-of-range value", () => {
        expect(bad(f => { f.scanStepMm = 1 })).toThrow(/fitting.scanStepMm: unknown key/)
        expect(bad(f => { f.readingsPerPoint = 0 })).toThrow(/fitting.readingsPerPoint: 0 is outside 1..16/)
    })
})

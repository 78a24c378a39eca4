import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { readManifest } from "../../tools/manifest-node"
import { TEMPLATE_CASES, runTemplateCase } from "../vectors/template-checks"
import { fuzzTemplates, oracle } from "../vectors/template-fuzz"
import { validateTemplate } from "../../src/core/template/validate"
import { templateId } from "../../src/core/template/codec"
import { goldenTemplate, goldenProfile } from "../vectors/golden"

const m = readManifest()

describe("template validation (shared cases)", () => {
    it.each(TEMPLATE_CASES.map(v => [v.name, v] as const))("%s", (_n, v) => {
        expect(runTemplateCase(v, m, nodeCrypto)).toBe("ok")
    })
})

describe("template validation", () => {
    it("yields the cycle's ProcessParams, named by the template id", () => {
        const v = validateTemplate(goldenTemplate(), goldenProfile(), m, nodeCrypto)
        expect(v.params).toEqual({
            templateId: goldenTemplate().id, filmDeciC: 700, soakMs: 2000, forceMilliN: 20000, rampMs: 4000,
            cureDeciC: 680, cureMs: 8000, coolDeciC: 500, contactMaxDeciC: 415,
        })
    })
    it("the message names the field, the value and the limit set", () => {
        const t = goldenTemplate()
        t.process.forceMilliN = 45000
        t.id = templateId(t, nodeCrypto)
        // the golden profile DRC-2025 v3 allows 5,000..40,000 mN (test/vectors/golden.ts)
        expect(() => validateTemplate(t, goldenProfile(), m, nodeCrypto))
            .toThrow("process.forceMilliN: 45000 is outside 5000..40000 (profile DRC-2025 v3) [profile_limit]")
    })
    it("an empty id is named as such", () => {
        const t = goldenTemplate()
        t.id = ""
        expect(() => validateTemplate(t, goldenProfile(), m, nodeCrypto)).toThrow(/^id: is empty/)
    })
})

describe("template fuzz", () => {
    it.each([1, 2, 3, 4])("seed %i: 2500 random, mutated and byte-mutated templates", async seed => {
        const s = await fuzzTemplates(nodeCrypto, m, seed, 2500, async () => {})
        expect(s.failure).toBe("")
        expect(s.runs).toBe(2500)
        // the fuzz reaches both sides: some accepted, many different rejections, some bytes decode
        expect(s.accepted).toBeGreaterThan(150)
        expect(s.decoded).toBeGreaterThan(10)
        expect(s.codes.length).toBeGreaterThanOrEqual(16)
    })
    it("the oracle is not vacuous: it flags values just past each kind of limit", () => {
        expect(oracle(goldenTemplate(), goldenProfile(), m)).toBe("")
        const cases: [(t: any, p: any) => void, RegExp][] = [
            [(t, p) => { t.process.filmDeciC = 901; p.filmMaxDeciC = 1200; t.material.materialMaxDeciC = 1200 }, /device/],
            [(t, p) => { t.process.forceMilliN = 40001 }, /profile/],
            [(t, p) => { t.material.softenDeciC = 701 }, /material/],
            [(t, p) => { t.archPointsUm[1] = [-15950, 0] }, /spacing/],
            [(t, p) => { t.name = "a\u0001" }, /text/],
            [(t, p) => { t.process.soakMs = 1.5 }, /integer/],
        ]
        for (const [edit, why] of cases) {
            const t: any = goldenTemplate()
            const p: any = goldenProfile()
            edit(t, p)
            expect(oracle(t, p, m)).toMatch(why)
        }
    })
})

// Template and profile edges that issue 14's mutation run found untested (docs/mutation.md): the
// "wrong template / wrong treatment" barrier of docs/safety.md. Each check names the field it
// refuses (docs/records.md §4, §9); the bounds are the format's (§3, §4), the golden profile's
// (DRC-2025 v3: film 55.0-85.0 °C, force 5-40 N, ramp >= 2 s, film 200-1500 µm, >= 5 points) and
// the manifest's (film 95.0 °C - 5.0 margin, force 60 N - 10 %, contact 42.0 °C).
import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { readManifest } from "../../tools/manifest-node"
import { fromHex, toHex } from "../../src/core/crypto"
import { validationErrorOf } from "../../src/core/codec/errors"
import { checkTemplateShape } from "../../src/core/template/shape"
import { encodeDesign, templateId, decodeTemplateBytes } from "../../src/core/template/codec"
import { checkProfile, encodeProfile, decodedProfile } from "../../src/core/template/profile"
import { validateTemplate } from "../../src/core/template/validate"
import { goldenTemplate, goldenProfile, GOLDEN_DESIGN_HEX, GOLDEN_TEMPLATE_HEX, GOLDEN_TEMPLATE_ID, GOLDEN_TEMPLATE_HASH } from "../vectors/golden"

const m = readManifest()
const c = nodeCrypto

/** "code@field" of the ValidationError fn throws, or "ok" */
function verdictOf(fn: () => void): string {
    const e = validationErrorOf(fn)
    return e ? e.code + "@" + e.field : "ok"
}

/** validates the golden template (and profile) after edit, with its id recomputed */
function validate(edit: (t: any, p: any) => void): string {
    const t: any = goldenTemplate()
    const p: any = goldenProfile()
    edit(t, p)
    t.id = templateId(t, c)
    return verdictOf(() => validateTemplate(t, p, m, c))
}

/** the shape check of the golden template after edit */
function shape(edit: (t: any) => void): string {
    const t: any = goldenTemplate()
    edit(t)
    return verdictOf(() => checkTemplateShape(t))
}

/** docs/records.md §2: zigzag, then 7 bits a byte, low first, 0x80 on all but the last */
function varint(n: number): string {
    let u = n >= 0 ? 2 * n : -2 * n - 1
    const out: number[] = []
    while (u >= 128) {
        out.push((u % 128) + 128)
        u = Math.floor(u / 128)
    }
    out.push(u)
    return toHex(out)
}

// The golden design bytes field by field (test/vectors/golden.ts, docs/records.md §4's example)
const DESIGN_PARTS = [
    "4401", "02", "1244656d6f2061726368", "146f70656e2d736d696c65", "10504554472d303530",
    "e807", "b009", "880e", // material: thickness 500, soften 600, max 900
    "f80a", "a01f", "c0b802", "c03e", "d00a", "807d", "e807", "be06", // process, in key order
    "0a", // 5 points
    "fff901", "00", "cf8c01", "c0bb01", "00", "80fa01", "d08c01", "c0bb01", "80fa01", "00",
]
const APPROVAL_PARTS = ["104452432d32303235", "06", "0e7265762d303137", "8086f7840d"]

function templateBytes(design: string[], approval: string[]): number[] {
    return fromHex("5401" + design.join("") + approval.join(""))
}

describe("the test's own encoder and field list match the documented example", () => {
    it("varint: the examples of docs/records.md §2", () => {
        expect([0, -1, 1, 63, -64, 64, 300, -300].map(varint).join(" ")).toBe("00 01 02 7e 7f 8001 d804 d704")
    })
    it("the parts join to the golden design and template bytes", () => {
        expect(DESIGN_PARTS.join("")).toBe(GOLDEN_DESIGN_HEX)
        expect(toHex(templateBytes(DESIGN_PARTS, APPROVAL_PARTS))).toBe(GOLDEN_TEMPLATE_HEX)
    })
})

describe("the template decoder range-checks every field and names it", () => {
    it("the golden bytes decode to the golden template, its id and the design's end", () => {
        const d = decodeTemplateBytes(fromHex(GOLDEN_TEMPLATE_HEX), c)
        expect(d.template).toEqual(goldenTemplate())
        expect(d.template.id).toBe(GOLDEN_TEMPLATE_ID)
        // the design bytes are bytes[2..designEnd): 2 bytes of 'T' 0x01, then the design
        expect(d.enc.designEnd).toBe(2 + GOLDEN_DESIGN_HEX.length / 2)
        expect(c.sha256Hex(d.enc.bytes as number[])).toBe(GOLDEN_TEMPLATE_HASH)
    })
    // [part index in the design (or approval), replacement, field]: below each field's minimum
    // (an empty text, a 0 where 1 is the least, -1 where 0 is)
    const DESIGN_CASES: [number, string, string][] = [
        [1, "00", "version"], [2, "00", "name"], [3, "00", "designer"], [4, "00", "material.materialId"],
        [5, "00", "material.filmThicknessUm"], [6, "01", "material.softenDeciC"], [7, "01", "material.materialMaxDeciC"],
        [8, "01", "process.filmDeciC"], [9, "01", "process.soakMs"], [10, "01", "process.forceMilliN"], [11, "01", "process.rampMs"],
        [12, "01", "process.cureDeciC"], [13, "01", "process.cureMs"], [14, "01", "process.coolDeciC"], [15, "01", "process.contactMaxDeciC"],
        [16, "04", "archPointsUm"], // 2 points, fewer than the format's 3
        // above the format's range of each unit: 0.1 °C 3000, mN 500000, ms 86400000
        [8, varint(3001), "process.filmDeciC"], [10, varint(500001), "process.forceMilliN"], [9, varint(86400001), "process.soakMs"],
        [5, varint(10001), "material.filmThicknessUm"], [1, varint(1000001), "version"],
        // a point's coordinate beyond ±100 mm names the point
        [21, varint(100001), "archPointsUm[2]"], [22, varint(-100001), "archPointsUm[2]"],
    ]
    it.each(DESIGN_CASES)("design part %i = %s: format_range at %s", (at, hex, field) => {
        const d = DESIGN_PARTS.slice()
        d[at] = hex
        expect(verdictOf(() => decodeTemplateBytes(templateBytes(d, APPROVAL_PARTS), c))).toBe("format_range@" + field)
    })
    it("an out-of-range coordinate's message says which one, and its range", () => {
        const d = DESIGN_PARTS.slice()
        d[21] = varint(100001)
        expect(validationErrorOf(() => decodeTemplateBytes(templateBytes(d, APPROVAL_PARTS), c))!.message).toMatch(/x: 100001 is outside -100000\.\.100000/)
        const d2 = DESIGN_PARTS.slice()
        d2[22] = varint(-100001)
        expect(validationErrorOf(() => decodeTemplateBytes(templateBytes(d2, APPROVAL_PARTS), c))!.message).toMatch(/y: -100001 is outside -100000\.\.100000/)
    })
    const APPROVAL_CASES: [number, string][] = [[0, "approval.profileId"], [1, "approval.profileVersion"], [2, "approval.reviewerId"], [3, "approval.approvedUnixS"]]
    it.each(APPROVAL_CASES)("approval part %i = 0: format_range at %s", (at, field) => {
        const a = APPROVAL_PARTS.slice()
        a[at] = "00"
        expect(verdictOf(() => decodeTemplateBytes(templateBytes(DESIGN_PARTS, a), c))).toBe("format_range@" + field)
    })
    it("the format's own edges decode: temperature 3000, force 500000, coordinates ±100000", () => {
        const d = DESIGN_PARTS.slice()
        d[8] = varint(3000)
        d[10] = varint(500000)
        d[21] = varint(-100000)
        d[22] = varint(100000)
        const t = decodeTemplateBytes(templateBytes(d, APPROVAL_PARTS), c).template
        expect([t.process.filmDeciC, t.process.forceMilliN, t.archPointsUm[2]]).toEqual([3000, 500000, [-100000, 100000]])
    })
})

describe("the shape check names the field it refuses", () => {
    const CASES: [string, (t: any) => void, string][] = [
        ["a material id of 0 characters", t => { t.material.materialId = "" }, "bad_string@material.materialId"],
        ["a film 0 µm thick", t => { t.material.filmThicknessUm = 0 }, "format_range@material.filmThicknessUm"],
        ["a negative softening point", t => { t.material.softenDeciC = -1 }, "format_range@material.softenDeciC"],
        ["a material maximum of 300.1 °C", t => { t.material.materialMaxDeciC = 3001 }, "format_range@material.materialMaxDeciC"],
        ["a film temperature of 300.1 °C", t => { t.process.filmDeciC = 3001 }, "format_range@process.filmDeciC"],
        ["a contact limit of 300.1 °C", t => { t.process.contactMaxDeciC = 3001 }, "format_range@process.contactMaxDeciC"],
        ["a force of 500.001 N", t => { t.process.forceMilliN = 500001 }, "format_range@process.forceMilliN"],
        ["a soak of a day and 1 ms", t => { t.process.soakMs = 86400001 }, "format_range@process.soakMs"],
        ["an approval under profile id ''", t => { t.approval.profileId = "" }, "bad_string@approval.profileId"],
        ["an approval under profile version 0", t => { t.approval.profileVersion = 0 }, "format_range@approval.profileVersion"],
        ["a reviewer id of 33 characters", t => { t.approval.reviewerId = "r".repeat(33) }, "bad_string@approval.reviewerId"],
        ["an approval at second 0", t => { t.approval.approvedUnixS = 0 }, "format_range@approval.approvedUnixS"],
        ["an id that is not hex", t => { t.id = "Z".repeat(64) }, "bad_hex@id"],
        ["version 0", t => { t.version = 0 }, "format_range@version"],
        ["a designer of 0 characters", t => { t.designer = "" }, "bad_string@designer"],
        // each bound of a point, and the point's own type
        ["x below -100 mm", t => { t.archPointsUm[3] = [-100001, 0] }, "format_range@archPointsUm[3][0]"],
        ["x above 100 mm", t => { t.archPointsUm[3] = [100001, 0] }, "format_range@archPointsUm[3][0]"],
        ["y below -100 mm", t => { t.archPointsUm[3] = [0, -100001] }, "format_range@archPointsUm[3][1]"],
        ["y above 100 mm", t => { t.archPointsUm[3] = [0, 100001] }, "format_range@archPointsUm[3][1]"],
        ["a fractional x", t => { t.archPointsUm[3] = [0.5, 0] }, "not_int@archPointsUm[3][0]"],
        ["a fractional y", t => { t.archPointsUm[3] = [0, 0.5] }, "not_int@archPointsUm[3][1]"],
        ["x given as a string", t => { t.archPointsUm[3] = ["5", 0] }, "type@archPointsUm[3][0]"],
        ["a point with one coordinate", t => { t.archPointsUm[3] = [5] }, "count@archPointsUm[3]"],
        ["a point that is an object", t => { t.archPointsUm[3] = { x: 0, y: 0 } }, "type@archPointsUm[3]"],
        ["a missing approval field", t => { delete t.approval.reviewerId }, "missing@approval.reviewerId"],
        ["an unknown material field", t => { t.material.colour = "clear" }, "unknown_field@material.colour"],
    ]
    it.each(CASES)("%s: %s", (_n, edit, want) => {
        expect(shape(edit)).toBe(want)
    })
    it("a y below -100 mm is reported with the coordinate range", () => {
        const t: any = goldenTemplate()
        t.archPointsUm[3] = [0, -100001]
        expect(validationErrorOf(() => checkTemplateShape(t))!.message).toMatch(/-100001 is outside -100000\.\.100000/)
    })
    it("the format's edges pass: coordinates ±100 mm, 300.0 °C, 500 N, a day", () => {
        expect(shape(t => {
            t.archPointsUm[0] = [-100000, 100000]
            t.archPointsUm[1] = [100000, -100000]
            t.process.filmDeciC = 3000
            t.process.forceMilliN = 500000
            t.process.soakMs = 86400000
        })).toBe("ok")
    })
    it("returns a copy holding only the checked values", () => {
        const t: any = goldenTemplate()
        const s = checkTemplateShape(t)
        expect(s).toEqual(goldenTemplate())
        t.archPointsUm[0][0] = 5
        t.process.filmDeciC = 1
        expect(s.archPointsUm[0]).toEqual([-16000, 0])
        expect(s.process.filmDeciC).toBe(700)
    })
    it("a draft design (no id, no approval yet) is checked field by field, each named", () => {
        const cases: [(t: any) => void, string][] = [
            [t => { t.version = 0 }, "format_range@version"], [t => { t.name = "" }, "bad_string@name"],
            [t => { t.designer = "" }, "bad_string@designer"], [t => { t.material.materialId = "" }, "bad_string@material.materialId"],
            [t => { t.process.soakMs = -1 }, "format_range@process.soakMs"], [t => { t.archPointsUm[0] = [0.5, 0] }, "not_int@archPointsUm[0][0]"],
        ]
        for (const [edit, want] of cases) {
            const t: any = goldenTemplate()
            delete t.id
            delete t.approval
            edit(t)
            expect(verdictOf(() => encodeDesign(t))).toBe(want)
        }
    })
    it("a design that is not an object is refused as such, not with a crash", () => {
        for (const v of [null, undefined, [], "template", 7]) {
            const e = validationErrorOf(() => encodeDesign(v as any))
            expect(e && e.code + "@" + e.field).toBe("type@(template)")
        }
    })
})

describe("profiles: min <= max, at least 3 points, each field named", () => {
    it("a profile whose every minimum equals its maximum admits a template at exactly those values", () => {
        expect(validate((t, p) => {
            p.filmMinDeciC = p.filmMaxDeciC = 700
            p.cureMinDeciC = p.cureMaxDeciC = 680
            p.forceMinMilliN = p.forceMaxMilliN = 20000
            p.cureMinMs = p.cureMaxMs = 8000
            p.filmThicknessMinUm = p.filmThicknessMaxUm = 500
        })).toBe("ok")
    })
    it("each minimum above its maximum is refused at the minimum's field", () => {
        const pairs = [["filmMinDeciC", "filmMaxDeciC"], ["cureMinDeciC", "cureMaxDeciC"], ["forceMinMilliN", "forceMaxMilliN"],
            ["cureMinMs", "cureMaxMs"], ["filmThicknessMinUm", "filmThicknessMaxUm"]]
        for (const [lo, hi] of pairs) {
            const p: any = goldenProfile()
            p[lo] = p[hi] + 1
            const e = validationErrorOf(() => checkProfile(p, "profile"))
            expect(e && e.code + "@" + e.field).toBe("profile_invalid@profile." + lo)
            expect(e!.message).toContain("must not exceed " + hi)
        }
    })
    it("archPointsMin 3 (the format's least) is a valid profile; 2 is not", () => {
        expect(validate((t, p) => { p.archPointsMin = 3 })).toBe("ok")
        expect(validate((t, p) => { p.archPointsMin = 2 })).toBe("profile_invalid@profile.archPointsMin")
    })
    it("a profile's fields are range-checked under the name given", () => {
        const cases: [(p: any) => void, string][] = [
            [p => { p.forceMaxMilliN = 500001 }, "format_range@bundle.forceMaxMilliN"],
            [p => { p.coolMaxDeciC = -1 }, "format_range@bundle.coolMaxDeciC"],
            [p => { p.profileId = "" }, "bad_string@bundle.profileId"],
            [p => { p.profileVersion = 0 }, "format_range@bundle.profileVersion"],
            [p => { p.rampMinMs = 86400001 }, "format_range@bundle.rampMinMs"],
            [p => { p.extra = 1 }, "unknown_field@bundle.extra"],
        ]
        for (const [edit, want] of cases) {
            const p: any = goldenProfile()
            edit(p)
            expect(verdictOf(() => checkProfile(p, "bundle"))).toBe(want)
        }
    })
    it("encodeProfile refuses what checkProfile refuses, naming profile.<field>", () => {
        const p: any = goldenProfile()
        p.cureMinMs = 700000
        expect(verdictOf(() => encodeProfile(p))).toBe("profile_invalid@profile.cureMinMs")
    })
    it("a decoded bundle's profile is taken as it is (readProfile checked it)", () => {
        const p = goldenProfile()
        expect(decodedProfile(p, "profile")).toBe(p)
    })
})

describe("validation: the material, the geometry and the profile's bounds", () => {
    it("a softening point equal to the material's maximum is refused at the softening point", () => {
        expect(validate(t => { t.material.softenDeciC = 700; t.material.materialMaxDeciC = 700 })).toBe("material_limit@material.softenDeciC")
    })
    it("the film may sit at either end of the material's softening..maximum range", () => {
        expect(validate(t => { t.process.filmDeciC = 600 })).toBe("ok") // softenDeciC 600
        expect(validate(t => { t.material.materialMaxDeciC = 850; t.process.filmDeciC = 850 })).toBe("ok")
        expect(validate(t => { t.material.materialMaxDeciC = 800; t.process.filmDeciC = 801 })).toBe("material_limit@process.filmDeciC")
    })
    it("the cure may sit at the material's maximum, not above", () => {
        expect(validate(t => { t.material.materialMaxDeciC = 800; t.process.filmDeciC = 750; t.process.cureDeciC = 800 })).toBe("ok")
        expect(validate(t => { t.material.materialMaxDeciC = 800; t.process.filmDeciC = 750; t.process.cureDeciC = 801 })).toBe("material_limit@process.cureDeciC")
    })
    // five points: steps of 100 µm along x, 100 µm along y, 20000 µm (12000, 16000) and 20000 µm along y
    const EDGE_ARCH = [[0, 0], [100, 0], [100, 100], [12100, 16100], [12100, 36100]]
    it("arch steps of exactly 100 µm and exactly 20000 µm are allowed, in x, y and diagonally", () => {
        expect(validate(t => { t.archPointsUm = EDGE_ARCH.map(p => p.slice()) })).toBe("ok")
        // 71, 71: 100.4 µm, the squares summed (a difference would be 0)
        expect(validate(t => { t.archPointsUm = [[0, 0], [71, 71], [171, 71], [271, 71], [371, 71]] })).toBe("ok")
    })
    it("a step of 99 µm or 20001 µm is refused at the point that makes it", () => {
        expect(validate(t => { t.archPointsUm = [[0, 0], [99, 0], [199, 0], [299, 0], [399, 0]] })).toBe("geometry@archPointsUm[1]")
        expect(validate(t => { t.archPointsUm = [[0, 0], [0, 100], [0, 199], [0, 299], [0, 399]] })).toBe("geometry@archPointsUm[2]")
        expect(validate(t => { t.archPointsUm = EDGE_ARCH.map(p => p.slice()); t.archPointsUm[4] = [12100, 36101] })).toBe("geometry@archPointsUm[4]")
        expect(validate(t => { t.archPointsUm = [[0, 0], [20001, 0], [20101, 0], [20201, 0], [20301, 0]] })).toBe("geometry@archPointsUm[1]")
    })
    it("below the profile's minimum film, cure, force and thickness: profile_limit at that field", () => {
        // the material softens at 50.0 °C here, so only the profile's 55.0 °C minimum can refuse 54.9
        expect(validate(t => { t.material.softenDeciC = 500; t.process.filmDeciC = 549 })).toBe("profile_limit@process.filmDeciC")
        expect(validate(t => { t.process.cureDeciC = 549 })).toBe("profile_limit@process.cureDeciC")
        expect(validate(t => { t.process.forceMilliN = 4999 })).toBe("profile_limit@process.forceMilliN")
        expect(validate(t => { t.material.filmThicknessUm = 1501 })).toBe("profile_limit@material.filmThicknessUm")
    })
    it("a limit with one side in the profile reports 0 or a day for the other", () => {
        const e1 = validationErrorOf(() => {
            const t: any = goldenTemplate()
            const p: any = goldenProfile()
            p.contactMaxDeciC = 410
            validateTemplate(t, p, m, c)
        })
        expect(e1 && e1.message).toMatch(/415 is outside 0\.\.410 /)
        const t2: any = goldenTemplate()
        t2.process.rampMs = 1999
        t2.id = templateId(t2, c)
        const e2 = validationErrorOf(() => validateTemplate(t2, goldenProfile(), m, c))
        expect(e2 && e2.message).toMatch(/1999 is outside 2000\.\.86400000 /)
    })
    it("an id that does not match says which id the design has", () => {
        const t: any = goldenTemplate()
        t.id = GOLDEN_TEMPLATE_HASH
        const e = validationErrorOf(() => validateTemplate(t, goldenProfile(), m, c))
        expect(e && e.code).toBe("id_mismatch")
        expect(e!.message).toContain(GOLDEN_TEMPLATE_ID)
    })
    it("a device limit says it is the device's, with the field", () => {
        const t: any = goldenTemplate()
        const p: any = goldenProfile()
        p.forceMinMilliN = 0
        t.process.forceMilliN = 1599 // below 2 x the press's 800 mN contact force
        t.id = templateId(t, c)
        const e = validationErrorOf(() => validateTemplate(t, p, m, c))
        expect(e && e.code + "@" + e.field).toBe("device_limit@process.forceMilliN")
        expect(e!.message).toMatch(/\(device hard limits\)/)
    })
    it("a valid template yields its hash: SHA-256 of the template bytes", () => {
        expect(validateTemplate(goldenTemplate(), goldenProfile(), m, c).hash).toBe(GOLDEN_TEMPLATE_HASH)
    })
})

describe("what each refusal tells the reviewer (the whole message)", () => {
    /** the message of the ValidationError fn throws */
    function messageOf(fn: () => void): string {
        return validationErrorOf(fn)?.message ?? "no error"
    }
    const validated = (edit: (t: any, p: any) => void, keepId = false) => messageOf(() => {
        const t: any = goldenTemplate()
        const p: any = goldenProfile()
        edit(t, p)
        if (!keepId) t.id = templateId(t, c)
        validateTemplate(t, p, m, c)
    })

    it("an empty id says how to compute it", () => {
        expect(messageOf(() => checkTemplateShape({ ...goldenTemplate(), id: "" }))).toBe("id: is empty: compute it with templateId() [missing]")
    })

    it("an id that is not the design's hash gives the one expected", () => {
        expect(validated(t => { t.id = "00".repeat(32) }, true))
            .toBe("id: is not the SHA-256 of the design (expected " + GOLDEN_TEMPLATE_ID + ") [id_mismatch]")
    })

    it("a profile other than the approval's names both", () => {
        expect(validated((_t, p) => { p.profileVersion = 4 }))
            .toBe("approval.profileVersion: approved under DRC-2025 v3, checked against DRC-2025 v4 [profile_mismatch]")
    })

    // the golden material: softens at 60.0 °C, at most 90.0 °C
    it("the material's own limits: softening below the maximum, film and cure within them", () => {
        expect(validated(t => { t.material.softenDeciC = 900 })).toBe("material.softenDeciC: must be below material.materialMaxDeciC [material_limit]")
        expect(validated(t => { t.process.filmDeciC = 901 })).toBe("process.filmDeciC: 901 is outside 600..900 (film softening..maximum) [material_limit]")
        expect(validated(t => { t.process.cureDeciC = 901 })).toBe("process.cureDeciC: 901 is outside 0..900 (film maximum) [material_limit]")
    })

    it("a point too close to the one before names it and the allowed step", () => {
        expect(validated(t => { t.archPointsUm[2] = [t.archPointsUm[1][0] + 99, t.archPointsUm[1][1]] }))
            .toBe("archPointsUm[2]: must be 100..20000 µm from the previous point [geometry]")
    })

    it("too few points for the profile says how many it has and how many the profile wants", () => {
        expect(validated((_t, p) => { p.archPointsMin = 6 })).toBe("archPointsUm: has 5 points, profile DRC-2025 v3 requires 6 [profile_limit]")
    })
})

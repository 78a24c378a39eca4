// Template validation cases, shared by vitest and the VM: every rejection code and the field it
// names, expected by hand from the golden profile (DRC-2025 v3) and the manifest (film hard limit
// 950 -> 900 allowed with its 5 °C margin; force 60 N -> 54 N; contact 42.0 °C).

import type { Manifest } from "../../src/core/manifest"
import { Crypto } from "../../src/core/crypto"
import { ValidationError } from "../../src/core/codec/errors"
import { validateTemplate } from "../../src/core/template/validate"
import { templateId } from "../../src/core/template/codec"
import { goldenTemplate, goldenProfile, GOLDEN_TEMPLATE_HASH } from "./golden"

export interface TemplateCase {
    name: string
    /** changes the golden template (and profile); the id is recomputed unless keepId */
    edit: (t: any, p: any) => void
    keepId?: boolean
    code: string
    field: string
}

export const TEMPLATE_CASES: TemplateCase[] = [
    { name: "the golden template is valid", edit: (t, p) => {}, code: "", field: "" },
    { name: "film above the profile's 85.0 °C", edit: (t, p) => { t.process.filmDeciC = 851 }, code: "profile_limit", field: "process.filmDeciC" },
    { name: "film at the profile's 85.0 °C is allowed", edit: (t, p) => { t.process.filmDeciC = 850 }, code: "", field: "" },
    { name: "film 90.1 °C over the device's 90.0 (95.0 - 5.0 margin) with a lax profile",
        edit: (t, p) => { t.process.filmDeciC = 901; p.filmMaxDeciC = 1200; t.material.materialMaxDeciC = 1200 }, code: "device_limit", field: "process.filmDeciC" },
    { name: "film at the device's 90.0 °C with a lax profile is allowed",
        edit: (t, p) => { t.process.filmDeciC = 900; p.filmMaxDeciC = 1200; t.material.materialMaxDeciC = 1200 }, code: "", field: "" },
    { name: "force above the profile's 40 N", edit: (t, p) => { t.process.forceMilliN = 40001 }, code: "profile_limit", field: "process.forceMilliN" },
    { name: "force above the device's 54 N (60 N - 10 %) with a lax profile",
        edit: (t, p) => { t.process.forceMilliN = 54001; p.forceMaxMilliN = 100000 }, code: "device_limit", field: "process.forceMilliN" },
    { name: "contact limit above the device's 42.0 °C with a lax profile",
        edit: (t, p) => { t.process.contactMaxDeciC = 421; p.contactMaxDeciC = 450 }, code: "device_limit", field: "process.contactMaxDeciC" },
    { name: "contact limit above the profile's", edit: (t, p) => { p.contactMaxDeciC = 410 }, code: "profile_limit", field: "process.contactMaxDeciC" },
    { name: "ramp faster than the profile allows", edit: (t, p) => { t.process.rampMs = 1999 }, code: "profile_limit", field: "process.rampMs" },
    { name: "cure shorter than the profile's minimum", edit: (t, p) => { t.process.cureMs = 4999 }, code: "profile_limit", field: "process.cureMs" },
    { name: "soak longer than the profile's maximum", edit: (t, p) => { t.process.soakMs = 120001 }, code: "profile_limit", field: "process.soakMs" },
    { name: "cool end above the profile's", edit: (t, p) => { t.process.coolDeciC = 551; t.process.cureDeciC = 700 }, code: "profile_limit", field: "process.coolDeciC" },
    { name: "film thinner than the profile allows", edit: (t, p) => { t.material.filmThicknessUm = 199 }, code: "profile_limit", field: "material.filmThicknessUm" },
    { name: "fewer arch points than the profile requires", edit: (t, p) => { t.archPointsUm.pop() }, code: "profile_limit", field: "archPointsUm" },
    { name: "film below the material's softening point", edit: (t, p) => { t.material.softenDeciC = 701 }, code: "material_limit", field: "process.filmDeciC" },
    { name: "cure above the material's maximum", edit: (t, p) => { t.process.cureDeciC = 720; t.material.materialMaxDeciC = 710 }, code: "material_limit", field: "process.cureDeciC" },
    { name: "two arch points 50 µm apart", edit: (t, p) => { t.archPointsUm[2] = [-8950, 12000] }, code: "geometry", field: "archPointsUm[2]" },
    { name: "arch points 25 mm apart", edit: (t, p) => { t.archPointsUm[4] = [30000, 0] }, code: "geometry", field: "archPointsUm[4]" },
    { name: "65 arch points", edit: (t, p) => { for (let i = 0; i < 60; i++) t.archPointsUm.push([20000 + 1000 * i, 0]) }, code: "count", field: "archPointsUm" },
    { name: "a point with three coordinates", edit: (t, p) => { t.archPointsUm[1] = [1, 2, 3] }, code: "count", field: "archPointsUm[1]" },
    { name: "a coordinate beyond 100 mm", edit: (t, p) => { t.archPointsUm[0] = [-100001, 0] }, code: "format_range", field: "archPointsUm[0][0]" },
    { name: "a fractional force", edit: (t, p) => { t.process.forceMilliN = 20000.5 }, code: "not_int", field: "process.forceMilliN" },
    { name: "a force given as a string", edit: (t, p) => { t.process.forceMilliN = "20000" }, code: "type", field: "process.forceMilliN" },
    { name: "a missing cure time", edit: (t, p) => { delete t.process.cureMs }, code: "missing", field: "process.cureMs" },
    { name: "an unknown field (typo)", edit: (t, p) => { t.process.cureMS = 8000 }, code: "unknown_field", field: "process.cureMS" },
    { name: "a name with a control character", edit: (t, p) => { t.name = "Demo\narch" }, code: "bad_string", field: "name" },
    { name: "a name of 33 characters", edit: (t, p) => { t.name = "123456789012345678901234567890123" }, code: "bad_string", field: "name" },
    { name: "an id that is not the design's hash", edit: (t, p) => { t.id = GOLDEN_TEMPLATE_HASH }, keepId: true, code: "id_mismatch", field: "id" },
    { name: "an edit after the id was computed", edit: (t, p) => { t.process.cureMs = 9000 }, keepId: true, code: "id_mismatch", field: "id" },
    { name: "approved under another profile version", edit: (t, p) => { t.approval.profileVersion = 2 }, code: "profile_mismatch", field: "approval.profileVersion" },
    { name: "approved under another profile", edit: (t, p) => { t.approval.profileId = "DRC-2024" }, code: "profile_mismatch", field: "approval.profileId" },
    { name: "a profile whose minimum exceeds its maximum", edit: (t, p) => { p.cureMinMs = 700000 }, code: "profile_invalid", field: "profile.cureMinMs" },
]

/** "ok" or what went wrong */
export function runTemplateCase(v: TemplateCase, m: Manifest, c: Crypto): string {
    const t: any = goldenTemplate()
    const p: any = goldenProfile()
    v.edit(t, p)
    if (!v.keepId) {
        try {
            t.id = templateId(t, c)
        } catch (e) {
            // a shape the encoder refuses: validation reports it
        }
    }
    try {
        const r = validateTemplate(t, p, m, c)
        if (v.code !== "") return "accepted, expected " + v.code
        return r.params.templateId === t.id && r.params.filmDeciC === t.process.filmDeciC ? "ok" : "wrong params"
    } catch (e) {
        if (!(e instanceof ValidationError)) return "threw a non-validation error: " + e
        if (e.code !== v.code || e.field !== v.field) return "got " + e.code + " at " + e.field + " (" + e.message + ")"
        return "ok"
    }
}

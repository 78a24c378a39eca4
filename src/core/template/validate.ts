// Validation of a template against both sets of limits it must sit inside: the regulation
// profile it was approved under and the device's hard limits (the manifest, through the
// cycle's own checkProcess). The first failure is thrown as a ValidationError naming the field;
// codes: id_mismatch, profile_mismatch, material_limit, geometry, profile_limit, device_limit
// (plus the shape codes of shape.ts). A template that passes yields the cycle's ProcessParams.

import type { Manifest } from "../manifest"
import { Crypto, sliceBytes } from "../crypto"
import { ValidationError } from "../codec/errors"
import { ProcessParams, checkProcess } from "../cycle/process"
import { Template, ARCH_STEP_MIN_UM, ARCH_STEP_MAX_UM } from "./types"
import { RegulationProfile, ProfileCheck, checkProfile } from "./profile"
import { checkTemplateShape } from "./shape"
import { encodeShaped, TemplateBytes } from "./codec"

export interface ValidTemplate {
    template: Template
    /** SHA-256 (hex) of the template's canonical bytes: what bundles approve and records name */
    hash: string
    params: ProcessParams
}

/** The template's id and process fields (a shaped template's process has exactly templateKeys(TemplateKeys.Process)). */
export function toProcessParams(t: Template): ProcessParams {
    return Object.assign({ templateId: t.id }, t.process)
}

/** Throws ValidationError for the first problem; returns the checked template, hash and params. */
export function validateTemplate(input: any, profileInput: any, m: Manifest, c: Crypto): ValidTemplate {
    const t = checkTemplateShape(input)
    return validateShaped(t, profileInput, m, c, encodeShaped(t), checkProfile)
}

/**
 * validateTemplate for a template that passed checkTemplateShape, with its bytes (encodeShaped);
 * the profile goes through `check` (checkProfile, or decodedProfile for a decoded bundle's).
 */
export function validateShaped(t: Template, profileInput: any, m: Manifest, c: Crypto, e: TemplateBytes, check: ProfileCheck): ValidTemplate {
    const id = c.sha256Hex(sliceBytes(e.bytes, 2, e.designEnd))
    if (id !== t.id) throw new ValidationError("id_mismatch", "id", "is not the SHA-256 of the design (expected " + id + ")")
    const profile = check(profileInput, "profile")
    if (t.approval.profileId !== profile.profileId || t.approval.profileVersion !== profile.profileVersion)
        throw new ValidationError("profile_mismatch", t.approval.profileId !== profile.profileId ? "approval.profileId" : "approval.profileVersion",
            "approved under " + t.approval.profileId + " v" + t.approval.profileVersion + ", checked against " + profile.profileId + " v" + profile.profileVersion)
    checkMaterialFit(t)
    checkGeometry(t)
    checkProfileLimits(t, profile)
    const params = toProcessParams(t)
    const dev = checkProcess(params, m)
    if (dev) throw new ValidationError("device_limit", "process." + dev.field, dev.reason + " (device hard limits)")
    return { template: t, hash: c.sha256Hex(e.bytes), params: params }
}

function within(v: number, lo: number, hi: number, code: string, field: string, what: string) {
    if (v < lo || v > hi) throw new ValidationError(code, field, v + " is outside " + lo + ".." + hi + " (" + what + ")")
}

function checkMaterialFit(t: Template) {
    const m = t.material
    const p = t.process
    if (m.softenDeciC >= m.materialMaxDeciC)
        throw new ValidationError("material_limit", "material.softenDeciC", "must be below material.materialMaxDeciC")
    within(p.filmDeciC, m.softenDeciC, m.materialMaxDeciC, "material_limit", "process.filmDeciC", "film softening..maximum")
    within(p.cureDeciC, 0, m.materialMaxDeciC, "material_limit", "process.cureDeciC", "film maximum")
}

function checkGeometry(t: Template) {
    const pts = t.archPointsUm
    const lo = ARCH_STEP_MIN_UM * ARCH_STEP_MIN_UM
    const hi = ARCH_STEP_MAX_UM * ARCH_STEP_MAX_UM
    for (let i = 1; i < pts.length; i++) {
        const dx = pts[i][0] - pts[i - 1][0]
        const dy = pts[i][1] - pts[i - 1][1]
        const d2 = dx * dx + dy * dy // exact: |d| <= 2e5 µm, d2 <= 8e10 < 2^53
        if (d2 < lo || d2 > hi)
            throw new ValidationError("geometry", "archPointsUm[" + i + "]",
                "must be " + ARCH_STEP_MIN_UM + ".." + ARCH_STEP_MAX_UM + " µm from the previous point")
    }
}

function checkProfileLimits(t: Template, r: RegulationProfile) {
    const what = "profile " + r.profileId + " v" + r.profileVersion
    const lim: any = r
    // [field, the profile's low bound ("": 0), its high bound ("": 86400000, the format's longest
    // duration)], in check order: a table in a string, parsed here (as code it cost the firmware
    // ~250 bytes of its 64 KB function area; kept parsed it would hold heap)
    const table: string[][] = JSON.parse('[["process.filmDeciC","filmMinDeciC","filmMaxDeciC"],["process.cureDeciC","cureMinDeciC","cureMaxDeciC"],' +
        '["process.contactMaxDeciC","","contactMaxDeciC"],["process.coolDeciC","","coolMaxDeciC"],["process.forceMilliN","forceMinMilliN","forceMaxMilliN"],' +
        '["process.rampMs","rampMinMs",""],["process.soakMs","","soakMaxMs"],["process.cureMs","cureMinMs","cureMaxMs"],' +
        '["material.filmThicknessUm","filmThicknessMinUm","filmThicknessMaxUm"]]')
    for (const f of table) {
        const dot = f[0].indexOf(".")
        within((t as any)[f[0].slice(0, dot)][f[0].slice(dot + 1)], f[1] ? lim[f[1]] : 0, f[2] ? lim[f[2]] : 86400000, "profile_limit", f[0], what)
    }
    if (t.archPointsUm.length < r.archPointsMin)
        throw new ValidationError("profile_limit", "archPointsUm", "has " + t.archPointsUm.length + " points, " + what + " requires " + r.archPointsMin)
}

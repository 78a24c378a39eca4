// Shape check of an untrusted template (from the library's JSON, a request, a fuzzer): every
// field present, known, of the right type and inside the format's bounds. Returns a clean copy
// holding only the known fields, so nothing unchecked travels further.

import { ValidationError } from "../codec/errors"
import { checkInt, checkText, checkArray, checkObject, checkHash, join, isInt, UNIX_S_MAX } from "../codec/ints"
import { Template, Material, TemplateProcess, Approval, TemplateFormat, TemplateKeys, templateFormat, templateKeys } from "./types"

/** the format range of each process field, by its unit (F: templateFormat()) */
export function processMax(key: string, F: TemplateFormat): number {
    if (key.indexOf("DeciC") > 0) return F.tempMaxDeciC
    if (key.indexOf("MilliN") > 0) return F.forceMaxMilliN
    return F.durationMaxMs
}

export function checkMaterial(v: any, field: string): Material {
    checkObject(v, templateKeys(TemplateKeys.Material), field)
    const F = templateFormat()
    return {
        materialId: checkText(v.materialId, 1, F.materialIdMax, join(field, "materialId")),
        filmThicknessUm: checkInt(v.filmThicknessUm, 1, F.thicknessMaxUm, join(field, "filmThicknessUm")),
        softenDeciC: checkInt(v.softenDeciC, 0, F.tempMaxDeciC, join(field, "softenDeciC")),
        materialMaxDeciC: checkInt(v.materialMaxDeciC, 0, F.tempMaxDeciC, join(field, "materialMaxDeciC")),
    }
}

export function checkTemplateProcess(v: any, field: string): TemplateProcess {
    const keys = templateKeys(TemplateKeys.Process)
    checkObject(v, keys, field)
    const F = templateFormat()
    const p: any = {}
    for (const k of keys) p[k] = checkInt(v[k], 0, processMax(k, F), join(field, k))
    return p as TemplateProcess
}

export function checkApproval(v: any, field: string): Approval {
    checkObject(v, templateKeys(TemplateKeys.Approval), field)
    const F = templateFormat()
    return {
        profileId: checkText(v.profileId, 1, F.profileIdMax, join(field, "profileId")),
        profileVersion: checkInt(v.profileVersion, 1, UNIX_S_MAX, join(field, "profileVersion")),
        reviewerId: checkText(v.reviewerId, 1, F.textMax, join(field, "reviewerId")),
        approvedUnixS: checkInt(v.approvedUnixS, 1, UNIX_S_MAX, join(field, "approvedUnixS")),
    }
}

export function checkArch(v: any, field: string): number[][] {
    const F = templateFormat()
    const pts = checkArray(v, F.archPointsMin, F.archPointsMax, field)
    const out: number[][] = []
    const m = F.coordMaxAbsUm
    for (let i = 0; i < pts.length; i++) {
        const p0 = pts[i]
        // fast path without building names (see codec/writer.ts); the slow path names the culprit
        if (Array.isArray(p0) && p0.length === 2 && isInt(p0[0]) && isInt(p0[1]) && p0[0] >= -m && p0[0] <= m && p0[1] >= -m && p0[1] <= m) {
            out.push([p0[0], p0[1]])
            continue
        }
        const f = field + "[" + i + "]"
        const p = checkArray(pts[i], 2, 2, f)
        out.push([checkInt(p[0], -F.coordMaxAbsUm, F.coordMaxAbsUm, f + "[0]"), checkInt(p[1], -F.coordMaxAbsUm, F.coordMaxAbsUm, f + "[1]")])
    }
    return out
}

/** The full template, id included (its value is checked against the content in validate.ts). */
export function checkTemplateShape(v: any): Template {
    checkObject(v, templateKeys(TemplateKeys.Template), "")
    const F = templateFormat()
    if (v.id === "") throw new ValidationError("missing", "id", "is empty: compute it with templateId()")
    return {
        id: checkHash(v.id, "id"),
        version: checkInt(v.version, 1, F.versionMax, "version"),
        name: checkText(v.name, 1, F.textMax, "name"),
        designer: checkText(v.designer, 1, F.textMax, "designer"),
        material: checkMaterial(v.material, "material"),
        process: checkTemplateProcess(v.process, "process"),
        archPointsUm: checkArch(v.archPointsUm, "archPointsUm"),
        approval: checkApproval(v.approval, "approval"),
    }
}

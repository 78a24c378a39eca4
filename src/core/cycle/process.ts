// The process parameters a cycle needs from a template. The template format itself (identity,
// approval, geometry) is defined elsewhere; it hands the cycle one of these. Integers only.

import type { Manifest } from "../manifest"
import { TemplateKeys, templateKeys } from "../template/types"

export interface ProcessParams {
    /** template id (content hash or catalogue id), recorded with the cycle */
    templateId: string
    /** film temperature during preheat, approach and press, 0.1 °C */
    filmDeciC: number
    /** time the film is held at temperature before the press moves, ms */
    soakMs: number
    /** press force to reach, mN */
    forceMilliN: number
    /** duration of the force ramp from contact to forceMilliN, ms */
    rampMs: number
    /** film temperature while curing under force, 0.1 °C */
    cureDeciC: number
    /** cure (hold) duration at force, ms */
    cureMs: number
    /** the cycle completes once the film has cooled to this, 0.1 °C */
    coolDeciC: number
    /** the template's own patient-contact limit (at most the device's), 0.1 °C */
    contactMaxDeciC: number
}

export interface ProcessError {
    field: string
    reason: string
}

function range(p: any, field: string, lo: number, hi: number): ProcessError | null {
    const v = p[field]
    if (v < lo || v > hi) return { field: field, reason: v + " outside " + lo + ".." + hi }
    return null
}

/** Checks the parameters against the device's hard limits; null when they may run. */
export function checkProcess(p: ProcessParams, m: Manifest): ProcessError | null {
    if (!p || typeof p !== "object") return { field: "(process)", reason: "missing" }
    if (typeof p.templateId !== "string" || p.templateId.length === 0 || p.templateId.length > 64)
        return { field: "templateId", reason: "must be a 1-64 character string" }
    // the integer fields: a template's process fields (parsed here; a list at the top level would be held in the heap)
    for (const f of templateKeys(TemplateKeys.Process)) {
        const v = (p as any)[f]
        if (typeof v !== "number" || Math.floor(v) !== v) return { field: f, reason: "must be an integer" }
    }
    const l = m.limits
    // at least 5 °C of margin under the hard limit, so normal overshoot never trips it
    const filmHi = l.filmMaxDeciC - 50
    return (
        range(p, "filmDeciC", 300, filmHi) ||
        range(p, "cureDeciC", 200, filmHi) ||
        range(p, "coolDeciC", 150, p.cureDeciC < p.filmDeciC ? p.cureDeciC : p.filmDeciC) ||
        range(p, "forceMilliN", m.press.contactForceMilliN * 2, l.forceMaxMilliN - l.forceMaxMilliN / 10) ||
        range(p, "contactMaxDeciC", 300, l.contactMaxDeciC) ||
        range(p, "soakMs", 0, 600000) ||
        range(p, "rampMs", 0, 120000) ||
        range(p, "cureMs", 1000, 1800000)
    )
}

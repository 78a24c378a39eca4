// What changed between two versions of one design, for the review item: every leaf field that
// differs, with its old and new value. The arch is compared as a whole (a point list is one
// field to a reviewer; a per-point diff of a re-sampled arch would be noise).

export interface FieldChange {
    field: string
    old: unknown
    new: unknown
}

const WHOLE = ["archPointsUm"]

export function diffDesigns(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
    const out: FieldChange[] = []
    walk(before, after, "", out)
    return out
}

function walk(a: unknown, b: unknown, path: string, out: FieldChange[]) {
    if (isObject(a) && isObject(b) && WHOLE.indexOf(path) < 0) {
        const keys: string[] = []
        for (const k of Object.keys(a).concat(Object.keys(b))) if (keys.indexOf(k) < 0) keys.push(k)
        for (const k of keys) walk(a[k], b[k], path ? path + "." + k : k, out)
        return
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ field: path, old: a === undefined ? null : a, new: b === undefined ? null : b })
}

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v)
}

// Control characters never reach the hub's code or its database: PostgreSQL refuses U+0000 in
// text (a NUL in a login name was a 500), and no field has a use for the others. Every route's
// request schema gets the `hubText` keyword on each string (app.ts, onRoute), so a refusal is
// the usual 400 naming the field: "body/name must not contain control characters (U+0000 at 0)".
//   "line"       (the default for a string): no C0 (U+0000-U+001F), DEL or C1 (U+0080-U+009F)
//   "multiline"  (free text: a reason, a PEM key): the same, but tab, line feed and return pass
//   "deep"       (a free-form object such as a design, checked by src/core later): every string
//                and key inside it, by the multiline rule, with the path of the first offender
import type { Ajv } from "ajv"

export type TextMode = "line" | "multiline" | "deep"

const LINE = /[\u0000-\u001f\u007f-\u009f]/
const MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/

const codePoint = (c: string) => "U+" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")

/** Where the first control character is ("U+0000 at 3"), or null when the value is clean. */
export function controlCharIn(value: unknown, mode: TextMode): string | null {
    if (typeof value === "string") {
        const m = (mode === "line" ? LINE : MULTILINE).exec(value)
        return m ? codePoint(m[0]) + " at " + (mode === "deep" ? "/" : m.index) : null
    }
    return mode === "deep" ? deepFind(value, "") : null
}

function deepFind(value: unknown, path: string): string | null {
    if (typeof value === "string") {
        const m = MULTILINE.exec(value)
        return m ? codePoint(m[0]) + " at " + (path || "/") : null
    }
    if (value === null || typeof value !== "object") return null
    const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value)
    for (const [k, v] of entries) {
        const m = MULTILINE.exec(k)
        if (m) return codePoint(m[0]) + " in a key at " + (path || "/")
        const found = deepFind(v, path + "/" + k)
        if (found) return found
    }
    return null
}

/** The ajv plugin (Fastify's `ajv.plugins`) that defines `hubText`. */
export function hubTextKeyword(ajv: Ajv): Ajv {
    ajv.addKeyword({
        keyword: "hubText",
        schemaType: "string",
        errors: true,
        validate: function check(mode: TextMode, data: unknown) {
            const found = controlCharIn(data, mode)
            if (found === null) return true
            ;(check as any).errors = [{ keyword: "hubText", message: "must not contain control characters (" + found + ")", params: { mode } }]
            return false
        },
    })
    return ajv
}

/** A request schema with `hubText` on every string ("line" unless set) and every free-form object ("deep"). */
export function withTextRule<T>(schema: T): T {
    if (Array.isArray(schema)) return schema.map(withTextRule) as T
    if (schema === null || typeof schema !== "object") return schema
    const s: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(schema)) {
        s[k] = k === "properties" && v && typeof v === "object"
            ? Object.fromEntries(Object.entries(v).map(([p, sub]) => [p, withTextRule(sub)]))
            : k === "items" || k === "additionalProperties" ? withTextRule(v) : v
    }
    if (s["hubText"] === undefined) {
        if (s["type"] === "string") s["hubText"] = "line"
        else if (s["type"] === "object" && s["properties"] === undefined) s["hubText"] = "deep"
    }
    return s as T
}

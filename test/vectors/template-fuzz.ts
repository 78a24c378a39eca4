// Template fuzzing, shared by vitest (thousands of runs) and the VM (fewer): random templates,
// mutated golden templates and mutated template bytes, from a seeded PRNG. The properties:
//   1. validation and decoding throw nothing but ValidationError;
//   2. an accepted template satisfies an independent oracle (below), written from the limit
//      tables and the documented device rule, not from the validator's code;
//   3. bytes that decode re-encode to exactly the same bytes (one encoding per template).

import type { Manifest } from "../../src/core/manifest"
import { Crypto, toHex } from "../../src/core/crypto"
import { ValidationError } from "../../src/core/codec/errors"
import { validateTemplate } from "../../src/core/template/validate"
import { templateId, encodeTemplate, decodeTemplate } from "../../src/core/template/codec"
import { goldenTemplate, goldenProfile } from "./golden"
import { Prng } from "./prng"

export interface FuzzStats { runs: number; accepted: number; decoded: number; codes: string[]; failure: string }

const LEAVES = ["version", "name", "designer", "id", "material.materialId", "material.filmThicknessUm", "material.softenDeciC",
    "material.materialMaxDeciC", "process.filmDeciC", "process.soakMs", "process.forceMilliN", "process.rampMs", "process.cureDeciC",
    "process.cureMs", "process.coolDeciC", "process.contactMaxDeciC", "approval.profileId", "approval.profileVersion",
    "approval.reviewerId", "approval.approvedUnixS", "archPointsUm", "archPoint", "material", "process", "approval"]
const PROFILE_LEAVES = ["filmMinDeciC", "filmMaxDeciC", "cureMinDeciC", "cureMaxDeciC", "contactMaxDeciC", "coolMaxDeciC",
    "forceMinMilliN", "forceMaxMilliN", "rampMinMs", "soakMaxMs", "cureMinMs", "cureMaxMs", "archPointsMin"]
/** values near every limit in play (device, profile, format, material) */
const EDGES = [0, 1, -1, 149, 150, 199, 200, 299, 300, 415, 420, 421, 550, 551, 599, 600, 700, 850, 851, 899, 900, 901, 999, 1000,
    1599, 1600, 1999, 2000, 4999, 5000, 10000, 40000, 40001, 54000, 54001, 120000, 120001, 600000, 600001, 1800001, 3000, 3001,
    86400000, 86400001, 500000, 100000, 100001, -100001, 281474976710655, 281474976710656]

/** copies without element i (the VM has no splice) */
function without<T>(xs: T[], i: number): T[] {
    const out: T[] = []
    for (let k = 0; k < xs.length; k++) if (k !== i) out.push(xs[k])
    return out
}

function withInserted(xs: number[], i: number, v: number): number[] {
    const out = xs.slice(0, i)
    out.push(v)
    for (let k = i; k < xs.length; k++) out.push(xs[k])
    return out
}

function randomText(r: Prng): string {
    const n = r.pick([0, 1, 5, 16, 17, 32, 33])
    let s = ""
    for (let i = 0; i < n; i++) s += String.fromCharCode(r.chance(30) ? r.int(0, 31) : r.int(32, 127))
    return s
}

function randomValue(r: Prng): any {
    switch (r.int(0, 11)) {
        case 0: case 1: case 2: case 3: return r.pick(EDGES)
        case 4: return r.int(-2000000, 2000000)
        case 5: return r.pick([0.5, 700.25, -0.0001, 0 / 0, 1 / 0, -1 / 0])
        case 6: return randomText(r)
        case 7: return r.pick([null, true, false, "700"])
        case 8: return [r.int(-20000, 20000), r.int(-20000, 20000)]
        case 9: return {}
        case 10: return undefined
        default: return r.int(0, 100000)
    }
}

function mutate(t: any, r: Prng) {
    const leaf = r.pick(LEAVES)
    const dot = leaf.indexOf(".")
    if (leaf === "archPoint") {
        const pts = t.archPointsUm
        if (!Array.isArray(pts) || pts.length === 0) return
        const i = r.int(0, pts.length - 1)
        const prev = pts[i > 0 ? i - 1 : 0]
        if (r.chance(600) && Array.isArray(prev)) pts[i] = [prev[0] + r.int(-25000, 25000), prev[1] + r.int(-25000, 25000)]
        else if (r.chance(500)) t.archPointsUm = without(pts, i)
        else pts[i] = randomValue(r)
        return
    }
    if (leaf === "archPointsUm" && r.chance(500)) {
        const n = r.pick([0, 2, 3, 5, 20, 64, 65])
        const pts: number[][] = []
        let x = -30000
        for (let i = 0; i < n; i++) {
            x += r.int(0, 21000)
            pts.push([x, r.int(-500, 16000)])
        }
        t.archPointsUm = pts
        return
    }
    const obj = dot < 0 ? t : t[leaf.slice(0, dot)]
    const key = dot < 0 ? leaf : leaf.slice(dot + 1)
    // never a named property on an array: in the VM that corrupts the heap (found by this fuzz)
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) return
    if (r.chance(50)) obj[key + "X"] = 1 // an unknown field
    else if (r.chance(50)) delete obj[key]
    else obj[key] = randomValue(r)
}

const NUDGE = ["filmDeciC", "soakMs", "forceMilliN", "rampMs", "cureDeciC", "cureMs", "coolDeciC", "contactMaxDeciC"]
/** moves one or two process values to a random point near a limit (the profile's or the device's) */
function nudge(t: any, r: Prng) {
    const targets = [550, 850, 900, 150, 300, 420, 5000, 40000, 54000, 2000, 120000, 600000]
    for (let i = r.int(1, 2); i > 0; i--) {
        const k = r.pick(NUDGE)
        t.process[k] = r.chance(500) ? r.pick(targets) + r.int(-3, 3) : t.process[k] + r.int(-200, 200)
    }
}

function mutateProfile(p: any, r: Prng) {
    const key = r.pick(PROFILE_LEAVES)
    p[key] = r.chance(800) ? p[key] + r.int(-200, 200) * r.pick([1, 10, 100]) : randomValue(r)
}

function isInt(v: any): boolean {
    return typeof v === "number" && Math.floor(v) === v && v > -1e15 && v < 1e15
}

function printable(s: any, lo: number, hi: number): boolean {
    if (typeof s !== "string" || s.length < lo || s.length > hi) return false
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) < 32 || s.charCodeAt(i) > 126) return false
    return true
}

function sameKeys(o: any, keys: string[]): boolean {
    const k = Object.keys(o)
    if (k.length !== keys.length) return false
    for (const x of keys) if (k.indexOf(x) < 0) return false
    return true
}

/** "" when t is inside every limit; else the first violation. Independent of the validator. */
export function oracle(t: any, p: any, m: Manifest): string {
    const pr = t.process
    const mat = t.material
    const num = [t.version, mat.filmThicknessUm, mat.softenDeciC, mat.materialMaxDeciC, pr.filmDeciC, pr.soakMs, pr.forceMilliN,
        pr.rampMs, pr.cureDeciC, pr.cureMs, pr.coolDeciC, pr.contactMaxDeciC, t.approval.profileVersion, t.approval.approvedUnixS]
    for (const v of num) if (!isInt(v)) return "non-integer " + v
    if (!sameKeys(t, ["id", "version", "name", "designer", "material", "process", "archPointsUm", "approval"]) ||
        !sameKeys(pr, ["filmDeciC", "soakMs", "forceMilliN", "rampMs", "cureDeciC", "cureMs", "coolDeciC", "contactMaxDeciC"]))
        return "unknown or missing keys"
    if (!printable(t.name, 1, 32) || !printable(t.designer, 1, 32) || !printable(mat.materialId, 1, 16) ||
        !printable(t.approval.reviewerId, 1, 32)) return "bad text"
    // device: hard film limit less its 5.0 °C margin; force below 90 % of the hard limit and at
    // least twice the contact force; the patient-contact limit never above the device's
    const l = m.limits
    const filmHi = l.filmMaxDeciC - 50
    if (pr.filmDeciC > filmHi || pr.cureDeciC > filmHi) return "film/cure over the device limit"
    if (pr.forceMilliN > l.forceMaxMilliN * 0.9 || pr.forceMilliN < 2 * m.press.contactForceMilliN) return "force outside the device range"
    if (pr.contactMaxDeciC > l.contactMaxDeciC) return "contact limit over the device's"
    if (pr.coolDeciC > pr.cureDeciC || pr.coolDeciC > pr.filmDeciC) return "cool above cure/film"
    // profile
    if (p.profileId !== t.approval.profileId || p.profileVersion !== t.approval.profileVersion) return "other profile"
    if (pr.filmDeciC < p.filmMinDeciC || pr.filmDeciC > p.filmMaxDeciC) return "film outside profile"
    if (pr.cureDeciC < p.cureMinDeciC || pr.cureDeciC > p.cureMaxDeciC) return "cure temp outside profile"
    if (pr.contactMaxDeciC > p.contactMaxDeciC || pr.coolDeciC > p.coolMaxDeciC) return "contact/cool over profile"
    if (pr.forceMilliN < p.forceMinMilliN || pr.forceMilliN > p.forceMaxMilliN) return "force outside profile"
    if (pr.rampMs < p.rampMinMs || pr.soakMs > p.soakMaxMs || pr.cureMs < p.cureMinMs || pr.cureMs > p.cureMaxMs) return "times outside profile"
    if (mat.filmThicknessUm < p.filmThicknessMinUm || mat.filmThicknessUm > p.filmThicknessMaxUm) return "thickness outside profile"
    // material
    if (pr.filmDeciC < mat.softenDeciC || pr.filmDeciC > mat.materialMaxDeciC || pr.cureDeciC > mat.materialMaxDeciC) return "outside material range"
    // geometry
    const pts = t.archPointsUm
    if (!Array.isArray(pts) || pts.length < p.archPointsMin || pts.length < 3 || pts.length > 64) return "point count"
    for (let i = 0; i < pts.length; i++) {
        const q = pts[i]
        if (!Array.isArray(q) || q.length !== 2 || !isInt(q[0]) || !isInt(q[1]) || q[0] < -100000 || q[0] > 100000 || q[1] < -100000 || q[1] > 100000)
            return "bad point " + i
        if (i > 0) {
            const d = Math.sqrt((q[0] - pts[i - 1][0]) * (q[0] - pts[i - 1][0]) + (q[1] - pts[i - 1][1]) * (q[1] - pts[i - 1][1]))
            if (d < 100 || d > 20000) return "point spacing " + i
        }
    }
    return ""
}

function addCode(s: FuzzStats, code: string) {
    if (s.codes.indexOf(code) < 0) s.codes.push(code)
}

function check(s: FuzzStats, t: any, p: any, m: Manifest, c: Crypto, label: string) {
    try {
        validateTemplate(t, p, m, c)
        const why = oracle(t, p, m)
        if (why !== "") s.failure = label + ": accepted but " + why + ": " + JSON.stringify(t)
        else s.accepted++
    } catch (e) {
        if (e instanceof ValidationError) addCode(s, e.code)
        else s.failure = label + ": threw " + e + " on " + JSON.stringify(t)
    }
}

export async function fuzzTemplates(c: Crypto, m: Manifest, seed: number, runs: number, pause: () => Promise<void>): Promise<FuzzStats> {
    const r = new Prng(seed)
    const s: FuzzStats = { runs: 0, accepted: 0, decoded: 0, codes: [], failure: "" }
    const goldenBytes = encodeTemplate(goldenTemplate())
    for (let k = 0; k < runs && s.failure === ""; k++) {
        await pause() // every run: the VM kills a fiber after ~128K opcodes without a yield
        s.runs++
        const mode = r.int(0, 9)
        if (mode >= 8) {
            // byte mutations of the golden template
            let b = goldenBytes.slice(0)
            const n = r.int(1, 4)
            for (let i = 0; i < n; i++) {
                const at = r.int(0, b.length - 1)
                const op = r.int(0, 3)
                if (op === 0) b[at] = r.int(0, 255)
                else if (op === 1) b = without(b, at)
                else if (op === 2) b = withInserted(b, at, r.int(0, 255))
                else b = b.slice(0, at)
            }
            try {
                const t = decodeTemplate(b, c)
                s.decoded++
                if (toHex(encodeTemplate(t)) !== toHex(b)) s.failure = "bytes " + toHex(b) + " decode but re-encode differently"
                else check(s, t, goldenProfile(), m, c, "decoded")
            } catch (e) {
                if (e instanceof ValidationError) addCode(s, e.code)
                else s.failure = "decode threw " + e + " on " + toHex(b)
            }
            continue
        }
        const t: any = goldenTemplate()
        const p: any = goldenProfile()
        if (mode >= 4 && mode <= 5) nudge(t, r) // near the limits, where acceptance flips
        else {
            const n = mode >= 6 ? 12 : r.int(1, 3) // "random": many mutations on every part
            for (let i = 0; i < n; i++) mutate(t, r)
        }
        if (r.chance(200)) mutateProfile(p, r)
        if (r.chance(900)) {
            try {
                t.id = templateId(t, c)
            } catch (e) {
                if (!(e instanceof ValidationError)) s.failure = "templateId threw " + e
            }
        }
        check(s, t, p, m, c, "object")
    }
    return s
}

// Phase statistics and process-check vectors (Node and VM), expected values by hand.

import { Manifest } from "../../src/core/manifest"
import { PhaseStats } from "../../src/core/cycle/phase-stats"
import { ProcessParams, checkProcess } from "../../src/core/cycle/process"
import { TEST_PROCESS } from "./cycle-runs"

export interface StatsVector {
    name: string
    /** [film, contact, force] per sample */
    samples: number[][]
    startMs: number
    endMs: number
    expect: number[] // durationMs, samples, filmMin, filmMax, filmMean, contactMax, forceMin, forceMax, forceMean
}

export const STATS_VECTORS: StatsVector[] = [
    // mean 700.5 rounds half away from zero to 701; force mean (0 + 1000 + 2000) / 3 = 1000
    { name: "three samples", samples: [[700, 360, 0], [701, 365, 1000], [701, 362, 2000]], startMs: 1000, endMs: 1150,
        expect: [150, 3, 700, 701, 701, 365, 0, 2000, 1000] },
    // film mean (700 + 701) / 2 = 700.5 -> 701; force (-1 + -2) / 2 = -1.5 -> -2 (away from zero)
    { name: "rounding of halves", samples: [[700, 300, -1], [701, 300, -2]], startMs: 0, endMs: 100,
        expect: [100, 2, 700, 701, 701, 300, -2, -1, -2] },
    { name: "no samples", samples: [], startMs: 500, endMs: 500, expect: [0, 0, 0, 0, 0, 0, 0, 0, 0] },
]

export function runStatsVector(v: StatsVector): number[] {
    const s = new PhaseStats()
    s.begin(4, v.startMs)
    for (const x of v.samples) s.add(x[0], x[1], x[2])
    const r = s.end(v.endMs)
    return [r.durationMs, r.samples, r.filmMinDeciC, r.filmMaxDeciC, r.filmMeanDeciC, r.contactMaxDeciC,
        r.forceMinMilliN, r.forceMaxMilliN, r.forceMeanMilliN]
}

export interface ProcessVector {
    name: string
    /** field to change and its value (field "" = unchanged) */
    field: string
    value: (m: Manifest) => any
    /** expected offending field, "" for accepted */
    bad: string
}

export const PROCESS_VECTORS: ProcessVector[] = [
    { name: "the test process is accepted", field: "", value: m => 0, bad: "" },
    // 5 °C margin under the film hard limit: filmMax - 50 is the highest allowed
    { name: "film at the margin is accepted", field: "filmDeciC", value: m => m.limits.filmMaxDeciC - 50, bad: "" },
    { name: "film into the margin is refused", field: "filmDeciC", value: m => m.limits.filmMaxDeciC - 49, bad: "filmDeciC" },
    { name: "contact limit above the device's", field: "contactMaxDeciC", value: m => m.limits.contactMaxDeciC + 1, bad: "contactMaxDeciC" },
    { name: "contact limit equal to the device's", field: "contactMaxDeciC", value: m => m.limits.contactMaxDeciC, bad: "" },
    // force up to 90 % of the hard maximum
    { name: "force at 90 % of max", field: "forceMilliN", value: m => m.limits.forceMaxMilliN - m.limits.forceMaxMilliN / 10, bad: "" },
    { name: "force over 90 % of max", field: "forceMilliN", value: m => m.limits.forceMaxMilliN - m.limits.forceMaxMilliN / 10 + 1, bad: "forceMilliN" },
    { name: "force below twice the contact threshold", field: "forceMilliN", value: m => 2 * m.press.contactForceMilliN - 1, bad: "forceMilliN" },
    { name: "fractional value", field: "cureMs", value: m => 8000.5, bad: "cureMs" },
    { name: "string value", field: "rampMs", value: m => "4000", bad: "rampMs" },
    { name: "cool target above the cure target", field: "coolDeciC", value: m => 690, bad: "coolDeciC" },
    { name: "empty template id", field: "templateId", value: m => "", bad: "templateId" },
    { name: "cure shorter than a second", field: "cureMs", value: m => 999, bad: "cureMs" },
]

export function runProcessVector(v: ProcessVector, m: Manifest): string {
    const p: any = {}
    const keys = Object.keys(TEST_PROCESS)
    for (const k of keys) p[k] = (TEST_PROCESS as any)[k]
    if (v.field) p[v.field] = v.value(m)
    const err = checkProcess(p as ProcessParams, m)
    return err ? err.field : ""
}

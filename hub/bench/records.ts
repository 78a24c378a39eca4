// Realistic record chains for the benchmarks: full cycle records as the firmware's queue seals
// them (seven phase summaries, an arch fit, two calibration ids, the golden template), with
// values that vary per cycle so no two bodies are alike. Made once, outside any timed section.
import { randomBytes } from "node:crypto"
import { draftRecord } from "../../src/core/records/builder"
import { sealRecord } from "../../src/core/records/codec"
import { RecordKind, type ComplianceRecord } from "../../src/core/records/types"
import type { PhaseSummary } from "../../src/core/cycle/phase-stats"
import { ZERO_HASH } from "../../src/core/codec/ints"
import { nodeCrypto } from "../../src/node/crypto-node"
import type { RecordsTable } from "../src/db/migrations/0001_core"

export const BENCH_TEMPLATE_ID = "52d77465f944deb19e1f1896ea4c73a040deea0b29e3a71438c5b737477d9bdc"
export const BENCH_TEMPLATE_HASH = "78c4cce60eece1c0e9c7135ecfc6c240623ffdf5f1d664f6c8f42510bb99dc93"

export interface BenchDevice {
    deviceId: string
    keyHex: string
}

export interface SealedEntry {
    seq: number
    sealedHex: string
    hash: string
    /** the columns the hub derives from the record (for the ceiling's rows); the decoded record
     *  itself is not kept: thousands of them would swell the heap the hub's GC has to walk */
    meta: Pick<ComplianceRecord, "prevHash" | "kind" | "wallUnixS" | "outcome" | "templateHash" | "operatorId">
}

export function benchDevices(n: number, prefix = "SFA1-B"): BenchDevice[] {
    const out: BenchDevice[] = []
    for (let i = 0; i < n; i++) out.push({ deviceId: prefix + String(i).padStart(6, "0"), keyHex: randomBytes(32).toString("hex") })
    return out
}

// Preflight..Cool of a nominal cycle (docs/records.md's worked example), jittered per cycle as
// real sensor readings are: [phase, durationMs, samples, filmMin, filmMax, filmMean, contactMax, forceMin, forceMax, forceMean]
const NOMINAL: number[][] = [
    [1, 0, 1, 231, 231, 231, 228, 12, 12, 12],
    [2, 61250, 1225, 231, 706, 560, 301, 10, 25, 14],
    [3, 4100, 82, 695, 705, 700, 330, 8, 850, 120],
    [4, 4350, 87, 692, 704, 699, 380, 812, 20410, 11020],
    [5, 8000, 160, 676, 686, 680, 405, 19520, 20390, 20005],
    [6, 3900, 78, 640, 681, 662, 398, 0, 19800, 4100],
    [7, 95400, 1908, 499, 640, 552, 370, -30, 40, 3],
]

function phases(k: number): PhaseSummary[] {
    return NOMINAL.map((v, i) => {
        const j = (k * 7 + i * 13) % 17 // a deterministic wobble of a few units
        return {
            phase: v[0], durationMs: v[1] + j * 50, samples: v[2] + j, filmMinDeciC: v[3] - j % 5, filmMaxDeciC: v[4] + j % 4,
            filmMeanDeciC: v[5] + (j % 3) - 1, contactMaxDeciC: v[6] + j % 6, forceMinMilliN: v[7] + j, forceMaxMilliN: v[8] + j * 3,
            forceMeanMilliN: v[9] + j * 2,
        }
    })
}

/** The k-th cycle of a device, before the queue fills deviceId, seq and prevHash. */
export function cycleDraft(k: number): ComplianceRecord {
    const r = draftRecord(RecordKind.Cycle, 5, 1_000_000 + k * 600_000, 1_750_003_600 + k * 600)
    r.operatorId = "op-" + (k % 9 + 1)
    r.templateId = BENCH_TEMPLATE_ID
    r.templateHash = BENCH_TEMPLATE_HASH
    r.bundleVersion = 7
    r.calibrationIds = ["cal-force-3", "cal-temp-9"]
    r.fit = { rmsUm: 30 + k % 20, worstUm: 90 + k % 30, coveragePermille: 930, scalePpm: 1_012_000, offsetXUm: -150, offsetYUm: 220, rotationMicroRad: -12_000, accepted: 1 }
    r.phases = phases(k)
    r.outcome = 1
    return r
}

/** Records from..to of one device, chained onto prevHash, sealed under its key. */
export function sealedChain(d: BenchDevice, from: number, to: number, prevHash = ZERO_HASH): SealedEntry[] {
    const out: SealedEntry[] = []
    let prev = prevHash
    for (let seq = from; seq <= to; seq++) {
        const r = cycleDraft(seq)
        r.deviceId = d.deviceId
        r.seq = seq
        r.prevHash = prev
        const s = sealRecord(r, d.keyHex, nodeCrypto)
        out.push({
            // a flat string, as JSON.parse hands the route: toHex builds it by concatenation, and
            // V8's first read of such a rope flattens it (~20 µs for 670 digits), a cost that
            // would land on whichever side (hub or ceiling) touched the record first
            seq, sealedHex: Buffer.from(s.sealed).toString("hex"), hash: s.hash,
            meta: { prevHash: r.prevHash, kind: r.kind, wallUnixS: r.wallUnixS, outcome: r.outcome, templateHash: r.templateHash, operatorId: r.operatorId },
        })
        prev = s.hash
    }
    return out
}

/** The row the hub stores for a record (what the raw-insert ceiling writes). */
export function recordRow(deviceId: string, e: SealedEntry, receivedAtMs: number): RecordsTable {
    const r = e.meta
    return {
        device_id: deviceId, seq: e.seq, hash: e.hash, prev_hash: r.prevHash, kind: r.kind, wall_unix_s: r.wallUnixS,
        outcome: r.outcome, template_hash: r.templateHash, operator_id: r.operatorId, sealed_hex: e.sealedHex, received_at_ms: receivedAtMs,
    }
}

// Exports for the audit tests, built with src/core sealRecord in the hub's export format
// (JSON and CSV; prompts' interface section), so that every tamper starts from a clean export.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ZERO_HASH } from "../../src/core/codec/ints"
import { toHex } from "../../src/core/crypto"
import { sealRecord } from "../../src/core/records/codec"
import { ComplianceRecord } from "../../src/core/records/types"
import { nodeCrypto } from "../../src/node/crypto-node"
import { draft } from "../vectors/record-helpers"
import { GOLDEN_KEY, GOLDEN_DEVICE, rep } from "../vectors/golden"

export const KEY = GOLDEN_KEY
export const DEVICE = GOLDEN_DEVICE
export const OTHER_DEVICE = "SFA1-000043"
export const OTHER_KEY = rep("42", 32)

export interface Sealed {
    record: ComplianceRecord
    sealedHex: string
    hash: string
}

/** records 1..n of one device, chained and sealed as the device's queue would */
export function sealedChain(n: number, deviceId = DEVICE, key = KEY, edit?: (r: ComplianceRecord) => void): Sealed[] {
    const out: Sealed[] = []
    let prev = ZERO_HASH
    for (let k = 1; k <= n; k++) {
        const r = draft(k)
        r.deviceId = deviceId
        r.seq = k
        r.prevHash = prev
        if (edit) edit(r)
        const s = sealRecord(r, key, nodeCrypto)
        out.push({ record: r, sealedHex: toHex(s.sealed), hash: s.hash })
        prev = s.hash
    }
    return out
}

export function reseal(r: ComplianceRecord, key = KEY): Sealed {
    const s = sealRecord(r, key, nodeCrypto)
    return { record: r, sealedHex: toHex(s.sealed), hash: s.hash }
}

export interface JsonEntry {
    seq: number
    hash: string
    prevHash: string
    receivedAtMs: number
    sealedHex: string
    record: any
}

export interface JsonExport {
    format: string
    formatVersion: number
    deviceId: string
    exportedAtUnixS: number
    head: { seq: number; hash: string }
    records: JsonEntry[]
}

/** the export of a list as the hub writes it (head = the last record) */
export function jsonExport(list: Sealed[], deviceId = DEVICE): JsonExport {
    const last = list[list.length - 1]
    return {
        format: "smile-film-record-export", formatVersion: 1, deviceId, exportedAtUnixS: 1750100000,
        head: last ? { seq: last.record.seq, hash: last.hash } : { seq: 0, hash: ZERO_HASH },
        records: list.map((s, i) => ({
            seq: s.record.seq, hash: s.hash, prevHash: s.record.prevHash, receivedAtMs: 1750004000000 + i * 1000,
            sealedHex: s.sealedHex, record: structuredClone(s.record),
        })),
    }
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break */
function cell(v: string | number): string {
    const s = String(v)
    return /[",\r\n]/.test(s) ? "\"" + s.replace(/"/g, "\"\"") + "\"" : s
}

export const CSV_HEADER = "seq,kind,hash,prev_hash,wall_unix_s,outcome,template_hash,operator_id,received_at_ms,sealed_hex"

export function csvExport(list: Sealed[]): string {
    const rows = list.map((s, i) => [s.record.seq, s.record.kind, s.hash, s.record.prevHash, s.record.wallUnixS, s.record.outcome,
        s.record.templateHash, s.record.operatorId, 1750004000000 + i * 1000, s.sealedHex].map(cell).join(","))
    return [CSV_HEADER, ...rows].join("\r\n") + "\r\n"
}

let dir = ""

/** writes text to a fresh file under one temp folder per test run; returns its path */
export function writeTemp(name: string, text: string): string {
    if (dir === "") dir = mkdtempSync(join(tmpdir(), "audit-test-"))
    const p = join(dir, name)
    writeFileSync(p, text)
    return p
}

export function removeTemp() {
    if (dir !== "") rmSync(dir, { recursive: true, force: true })
    dir = ""
}

// A device's records for an auditor, in the agreed format (helper C's `audit` reads it):
// JSON { format, formatVersion, deviceId, exportedAtUnixS, head, records[] } and CSV with one
// row per record. sealedHex (body ‖ MAC, as the device made it) is what gets verified; the
// decoded record and the other columns are there for people.
import { decodeRecord } from "../../src/core/records/codec"
import type { ComplianceRecord } from "../../src/core/records/types"
import { ZERO_HASH } from "../../src/core/codec/ints"
import type { HubContext } from "./context"
import { notFound } from "./errors"

export const EXPORT_FORMAT = "smile-film-record-export"
export const EXPORT_FORMAT_VERSION = 1
const PAGE = 1000

export interface ExportedRecord {
    seq: number
    hash: string
    prevHash: string
    receivedAtMs: number
    sealedHex: string
    record: ComplianceRecord
}

export interface RecordExport {
    format: typeof EXPORT_FORMAT
    formatVersion: typeof EXPORT_FORMAT_VERSION
    deviceId: string
    exportedAtUnixS: number
    head: { seq: number; hash: string }
    records: ExportedRecord[]
}

export async function exportDevice(ctx: HubContext, deviceId: string): Promise<RecordExport> {
    const device = await ctx.db.db.selectFrom("devices").select("id").where("id", "=", deviceId).executeTakeFirst()
    if (!device) throw notFound("no device " + deviceId)
    const exportedAtUnixS = Math.floor(ctx.nowMs() / 1000)
    const records: ExportedRecord[] = []
    // pages by seq so a long history is read in bounded queries
    for (let after = 0; ; ) {
        const rows = await ctx.db.db.selectFrom("records")
            .select(["seq", "hash", "prev_hash", "received_at_ms", "sealed_hex"])
            .where("device_id", "=", deviceId).where("seq", ">", after).orderBy("seq").limit(PAGE).execute()
        for (const r of rows) {
            const sealed = Array.from(Buffer.from(r.sealed_hex, "hex"))
            records.push({
                seq: Number(r.seq), hash: r.hash, prevHash: r.prev_hash, receivedAtMs: Number(r.received_at_ms),
                sealedHex: r.sealed_hex, record: decodeRecord(sealed.slice(0, sealed.length - 32)),
            })
        }
        if (rows.length < PAGE) break
        after = Number(rows[rows.length - 1].seq)
    }
    const last = records[records.length - 1]
    return {
        format: EXPORT_FORMAT, formatVersion: EXPORT_FORMAT_VERSION, deviceId, exportedAtUnixS,
        head: last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: ZERO_HASH },
        records,
    }
}

export const CSV_HEADER = "seq,kind,hash,prev_hash,wall_unix_s,outcome,template_hash,operator_id,received_at_ms,sealed_hex"

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function csvField(v: string | number): string {
    const s = String(v)
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s
}

export function exportCsv(e: RecordExport): string {
    const lines = [CSV_HEADER]
    for (const r of e.records) {
        lines.push([r.seq, r.record.kind, r.hash, r.prevHash, r.record.wallUnixS, r.record.outcome, r.record.templateHash,
            r.record.operatorId, r.receivedAtMs, r.sealedHex].map(csvField).join(","))
    }
    return lines.join("\r\n") + "\r\n"
}

export function exportJson(e: RecordExport): string {
    return JSON.stringify(e, null, 1) + "\n"
}

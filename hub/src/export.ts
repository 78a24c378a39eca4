// A device's records for an auditor (docs/records.md §10, read by `npm run audit`): JSON
// { format, formatVersion, deviceId, exportedAtUnixS, head, checkpoint, records[] } or CSV with
// one row per record and one checkpoint row. Streamed: the head is fixed first (the highest
// stored seq), then the records up to it are read PAGE at a time and written as they come, so
// an export of any size needs memory for one page, and the event loop serves other requests
// between pages. sealedHex (body ‖ MAC, as the device made it) is what gets verified; the
// decoded record and the other columns are there for people.
import { decodeRecord } from "../../src/core/records/codec"
import type { ComplianceRecord } from "../../src/core/records/types"
import { ZERO_HASH } from "../../src/core/codec/ints"
import type { HubContext } from "./context"
import type { RecordsTable } from "./db/migrations/0001_core"
import { notFound } from "./errors"
import { hubKeys } from "./hub-keys"
import { signCheckpoint, type Checkpoint } from "./checkpoint"
import { yieldToLoop } from "./event-loop"

export const EXPORT_FORMAT = "smile-film-record-export"
export const EXPORT_FORMAT_VERSION = 2
/** records read and written per step (~27 ms of CPU for JSON at ~135 us a record, bench/export.ts): what another request may wait */
export const EXPORT_PAGE = 200

export interface ExportedRecord {
    seq: number
    hash: string
    prevHash: string
    receivedAtMs: number
    sealedHex: string
    record: ComplianceRecord
}

export interface ExportHeader {
    format: typeof EXPORT_FORMAT
    formatVersion: typeof EXPORT_FORMAT_VERSION
    deviceId: string
    exportedAtUnixS: number
    head: { seq: number; hash: string }
    checkpoint: Checkpoint
}

export interface RecordExport extends ExportHeader {
    records: ExportedRecord[]
}

export interface ExportStream {
    header: ExportHeader
    /** records written so far */
    written: number
    /** the file's text in chunks of at most one page */
    chunks(format: "json" | "csv"): AsyncGenerator<string>
}

type StoredRow = Pick<RecordsTable, "seq" | "hash" | "prev_hash" | "kind" | "wall_unix_s" | "outcome" | "template_hash" | "operator_id" | "received_at_ms" | "sealed_hex">

/** Fixes the export's head and signs its checkpoint; 404 for an unknown device. */
export async function openExport(ctx: HubContext, deviceId: string): Promise<ExportStream> {
    const db = ctx.db.db
    const device = await db.selectFrom("devices").select("id").where("id", "=", deviceId).executeTakeFirst()
    if (!device) throw notFound("no device " + deviceId)
    const top = await db.selectFrom("records").select(["seq", "hash"]).where("device_id", "=", deviceId).orderBy("seq", "desc").limit(1).executeTakeFirst()
    const head = top ? { seq: Number(top.seq), hash: top.hash } : { seq: 0, hash: ZERO_HASH }
    const exportedAtUnixS = Math.floor(ctx.nowMs() / 1000)
    const keys = await hubKeys(ctx.db)
    const checkpoint = signCheckpoint(keys.signing, deviceId, keys.devicePublicId(deviceId), head, exportedAtUnixS)
    const header: ExportHeader = { format: EXPORT_FORMAT, formatVersion: EXPORT_FORMAT_VERSION, deviceId, exportedAtUnixS, head, checkpoint }
    const s: ExportStream = {
        header, written: 0,
        chunks: format => (format === "csv" ? csvChunks : jsonChunks)(header, countPages(s, pages(ctx, deviceId, head.seq))),
    }
    return s
}

async function* countPages(s: ExportStream, src: AsyncGenerator<StoredRow[]>): AsyncGenerator<StoredRow[]> {
    for await (const page of src) {
        yield page
        s.written += page.length
    }
}

/** records 1..headSeq in pages by seq (records are never changed, so later pages agree with earlier ones) */
async function* pages(ctx: HubContext, deviceId: string, headSeq: number): AsyncGenerator<StoredRow[]> {
    for (let after = 0; after < headSeq; ) {
        const rows = await ctx.db.db.selectFrom("records")
            .select(["seq", "hash", "prev_hash", "kind", "wall_unix_s", "outcome", "template_hash", "operator_id", "received_at_ms", "sealed_hex"])
            .where("device_id", "=", deviceId).where("seq", ">", after).where("seq", "<=", headSeq).orderBy("seq").limit(EXPORT_PAGE).execute()
        if (rows.length === 0) return
        yield rows
        after = Number(rows[rows.length - 1].seq)
        await yieldToLoop()
    }
}

function exported(r: StoredRow): ExportedRecord {
    const sealed = Buffer.from(r.sealed_hex, "hex")
    return {
        seq: Number(r.seq), hash: r.hash, prevHash: r.prev_hash, receivedAtMs: Number(r.received_at_ms),
        sealedHex: r.sealed_hex, record: decodeRecord(Array.from(sealed.subarray(0, sealed.length - 32))),
    }
}

async function* jsonChunks(header: ExportHeader, src: AsyncGenerator<StoredRow[]>): AsyncGenerator<string> {
    const top = JSON.stringify(header)
    yield top.slice(0, -1) + ",\"records\":["
    let sep = "\n"
    for await (const page of src) {
        let out = ""
        for (const r of page) {
            out += sep + JSON.stringify(exported(r))
            sep = ",\n"
        }
        yield out
    }
    yield "\n]}\n"
}

export const CSV_HEADER = "seq,kind,hash,prev_hash,wall_unix_s,outcome,template_hash,operator_id,received_at_ms,sealed_hex"
/** the checkpoint row's first cell; its other cells: deviceId, publicId, seq, hash, atUnixS, keyId, signatureHex, then 2 empty */
export const CSV_CHECKPOINT = "#checkpoint"

/**
 * RFC 4180 (a field with a comma, quote or line break is quoted, quotes doubled), and no cell a
 * spreadsheet would run as a formula (OWASP, "CSV Injection"): a cell starting with = + - @ tab
 * or CR gets a leading ', and so does one that starts with ' itself, so that a reader removes
 * exactly one leading ' to get the value back (the audit does).
 */
export function csvField(v: string | number): string {
    let s = String(v)
    if (/^[=+\-@\t\r']/.test(s)) s = "'" + s
    return /[",\r\n]/.test(s) ? "\"" + s.replace(/"/g, "\"\"") + "\"" : s
}

function csvRow(cells: (string | number)[]): string {
    return cells.map(csvField).join(",") + "\r\n"
}

/** The CSV's columns are the ones the hub stored from the decoded record at ingest (no decode here); the audit holds them to the sealed bytes. */
async function* csvChunks(header: ExportHeader, src: AsyncGenerator<StoredRow[]>): AsyncGenerator<string> {
    const c = header.checkpoint
    yield CSV_HEADER + "\r\n" + csvRow([CSV_CHECKPOINT, c.deviceId, c.publicId, c.seq, c.hash, c.atUnixS, c.keyId, c.signatureHex, "", ""])
    for await (const page of src) {
        let out = ""
        for (const r of page)
            out += csvRow([Number(r.seq), r.kind, r.hash, r.prev_hash, Number(r.wall_unix_s), r.outcome, r.template_hash, r.operator_id, Number(r.received_at_ms), r.sealed_hex])
        yield out
    }
}

/** The whole export as one string: for tests and small devices only (the routes and the CLI stream). */
export async function exportText(ctx: HubContext, deviceId: string, format: "json" | "csv"): Promise<string> {
    let out = ""
    for await (const chunk of (await openExport(ctx, deviceId)).chunks(format)) out += chunk
    return out
}

/** The whole export as an object: for tests and small devices only. */
export async function exportDevice(ctx: HubContext, deviceId: string): Promise<RecordExport> {
    return JSON.parse(await exportText(ctx, deviceId, "json")) as RecordExport
}

/** An export object (exportDevice) as the JSON file's text, for tests and tools that hold one. */
export function exportJson(e: RecordExport): string {
    return JSON.stringify(e) + "\n"
}

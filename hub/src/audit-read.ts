// Reads a device's record export (the hub's export format, JSON or CSV; detected by content)
// into entries for the audit (audit-check.ts). Only the file's shape is checked here: a file
// that is not an export, a wrong format tag or version, a missing or mistyped field, an
// unknown field, or a CSV row of the wrong width throws ExportFormatError (the CLI's exit 2).
// Whether the contents hold is the audit's question, not this reader's.

import type { Checkpoint } from "./checkpoint"

export const EXPORT_FORMAT = "smile-film-record-export"
/** version 1: no checkpoint; version 2 adds the hub's signed checkpoint (JSON field, CSV row) */
export const EXPORT_FORMAT_VERSIONS = [1, 2]
export const CSV_COLUMNS = ["seq", "kind", "hash", "prev_hash", "wall_unix_s", "outcome", "template_hash", "operator_id", "received_at_ms", "sealed_hex"] as const
export type CsvColumn = (typeof CSV_COLUMNS)[number]

export class ExportFormatError extends Error {
    override name = "ExportFormatError"
}

/** what a JSON entry shows beside its sealed bytes */
export interface JsonShown {
    seq: number
    hash: string
    prevHash: string
    receivedAtMs: number
    record: unknown
}

export interface ExportEntry {
    /** where it sits, for people: "records[3]" or "row 4, line 5" */
    where: string
    sealedHex: string
    json?: JsonShown
    csv?: Record<CsvColumn, string>
}

/** the hub's signed checkpoint as the file shows it (hub/src/checkpoint.ts) */
export type FileCheckpoint = Checkpoint

export interface ExportFile {
    kind: "json" | "csv"
    checkpoint?: FileCheckpoint
    /** JSON only: the export's own device id, head and time */
    deviceId?: string
    head?: { seq: number; hash: string }
    exportedAtUnixS?: number
    entries: ExportEntry[]
}

/** Parses an export, JSON or CSV by its first character; throws ExportFormatError. */
export function readExport(text: string): ExportFile {
    const t = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
    const start = t.trimStart()
    if (start.startsWith("{")) return readJson(t)
    if (start.startsWith("seq,") || /^"?[a-z_]+"?,/.test(start)) return readCsv(t)
    throw new ExportFormatError(`not a record export: expected JSON (an object with "format": "${EXPORT_FORMAT}") or CSV with the header ${CSV_COLUMNS.join(",")}`)
}

const TOP_FIELDS_V1 = ["format", "formatVersion", "deviceId", "exportedAtUnixS", "head", "records"]
const TOP_FIELDS_V2 = ["format", "formatVersion", "deviceId", "exportedAtUnixS", "head", "checkpoint", "records"]
const CHECKPOINT_FIELDS = ["deviceId", "publicId", "seq", "hash", "atUnixS", "keyId", "signatureHex"]
/** the first cell of a CSV export's checkpoint row */
export const CSV_CHECKPOINT = "#checkpoint"
const ENTRY_FIELDS = ["seq", "hash", "prevHash", "receivedAtMs", "sealedHex", "record"]

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v)
}

function fields(o: Record<string, unknown>, known: string[], where: string) {
    for (const k of known) if (!Object.hasOwn(o, k)) throw new ExportFormatError(`${where}${k}: missing`)
    for (const k of Object.keys(o)) if (!known.includes(k)) throw new ExportFormatError(`${where}${k}: unknown field (expected ${known.join(", ")})`)
}

function int(o: Record<string, unknown>, k: string, where: string): number {
    const v = o[k]
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new ExportFormatError(`${where}${k}: must be a non-negative integer, is ${JSON.stringify(v)}`)
    return v
}

function str(o: Record<string, unknown>, k: string, where: string): string {
    const v = o[k]
    if (typeof v !== "string") throw new ExportFormatError(`${where}${k}: must be a string, is ${JSON.stringify(v)}`)
    return v
}

function readJson(text: string): ExportFile {
    let doc: unknown
    try {
        doc = JSON.parse(text)
    } catch (e) {
        throw new ExportFormatError(`not valid JSON: ${(e as Error).message}`)
    }
    return readJsonDoc(doc)
}

/** V8 cannot hold a string much over 512 MB (a JSON export of ~190,000 records); above this, files are read line by line */
export const ONE_STRING_MAX_BYTES = 256 * 1024 * 1024

/**
 * Reads an export from its bytes. Files up to oneStringMaxBytes as readExport; a larger JSON
 * export must be in the hub's own layout (export.ts): the top-level object up to
 * `"records":[` on the first line, then one record per line (a comma after all but the
 * last), then `]}`. Each line is parsed alone, so no string holds the whole file.
 */
export function readExportBytes(buf: Buffer, oneStringMaxBytes = ONE_STRING_MAX_BYTES): ExportFile {
    if (buf.length <= oneStringMaxBytes) return readExport(buf.toString("utf8"))
    const lines: string[] = []
    for (let at = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0; at < buf.length; ) {
        let end = buf.indexOf(0x0a, at)
        if (end < 0) end = buf.length
        const line = buf.toString("utf8", at, end).trim()
        if (line !== "") lines.push(line)
        at = end + 1
    }
    const layout = `a file of ${buf.length} bytes is read line by line: it must be a JSON export in the hub's layout (the top-level fields and "records":[ on the first line, one record per line, ]} on the last)`
    const top = lines[0] ?? ""
    if (!top.startsWith("{")) throw new ExportFormatError(`${layout}; this is not JSON (a CSV export this large is not read)`)
    if (!top.endsWith("\"records\":[") || lines[lines.length - 1] !== "]}") throw new ExportFormatError(layout)
    const parse = (text: string, what: string): unknown => {
        try {
            return JSON.parse(text)
        } catch (e) {
            throw new ExportFormatError(`${what}: not valid JSON: ${(e as Error).message}`)
        }
    }
    const doc = parse(top + "]}", "line 1")
    const records = (doc as { records: unknown[] }).records
    for (let i = 1; i < lines.length - 1; i++) {
        const last = i === lines.length - 2
        const l = lines[i]
        if (!last && !l.endsWith(",")) throw new ExportFormatError(`line ${i + 1}: a record line other than the last must end with a comma; ${layout}`)
        records.push(parse(last ? l : l.slice(0, -1), `line ${i + 1}`))
    }
    return readJsonDoc(doc)
}

function readJsonDoc(doc: unknown): ExportFile {
    if (!isObject(doc)) throw new ExportFormatError("not a record export: the JSON is not an object")
    if (doc["format"] !== EXPORT_FORMAT) throw new ExportFormatError(`format: expected "${EXPORT_FORMAT}", found ${JSON.stringify(doc["format"])}`)
    const version = doc["formatVersion"]
    if (version !== 1 && version !== 2)
        throw new ExportFormatError(`formatVersion: this audit reads versions ${EXPORT_FORMAT_VERSIONS.join(" and ")}, found ${JSON.stringify(version)}`)
    fields(doc, version === 1 ? TOP_FIELDS_V1 : TOP_FIELDS_V2, "")
    const head = doc["head"]
    if (!isObject(head)) throw new ExportFormatError("head: must be an object { seq, hash }")
    fields(head, ["seq", "hash"], "head.")
    const records = doc["records"]
    if (!Array.isArray(records)) throw new ExportFormatError("records: must be an array")
    const entries: ExportEntry[] = records.map((r: unknown, i: number) => {
        const where = `records[${i}]`
        if (!isObject(r)) throw new ExportFormatError(`${where}: must be an object`)
        fields(r, ENTRY_FIELDS, where + ".")
        if (!isObject(r["record"])) throw new ExportFormatError(`${where}.record: must be an object (the decoded record)`)
        return {
            where, sealedHex: str(r, "sealedHex", where + "."),
            json: {
                seq: int(r, "seq", where + "."), hash: str(r, "hash", where + "."), prevHash: str(r, "prevHash", where + "."),
                receivedAtMs: int(r, "receivedAtMs", where + "."), record: r["record"],
            },
        }
    })
    let checkpoint: FileCheckpoint | undefined
    if (version === 2) {
        const c = doc["checkpoint"]
        if (!isObject(c)) throw new ExportFormatError("checkpoint: must be an object { " + CHECKPOINT_FIELDS.join(", ") + " }")
        fields(c, CHECKPOINT_FIELDS, "checkpoint.")
        checkpoint = {
            deviceId: str(c, "deviceId", "checkpoint."), publicId: str(c, "publicId", "checkpoint."), seq: int(c, "seq", "checkpoint."), hash: str(c, "hash", "checkpoint."),
            atUnixS: int(c, "atUnixS", "checkpoint."), keyId: str(c, "keyId", "checkpoint."), signatureHex: str(c, "signatureHex", "checkpoint."),
        }
    }
    return {
        kind: "json", checkpoint, deviceId: str(doc, "deviceId", ""), exportedAtUnixS: int(doc, "exportedAtUnixS", ""),
        head: { seq: int(head, "seq", "head."), hash: str(head, "hash", "head.") }, entries,
    }
}

/** RFC 4180 rows (quoted fields may hold commas, quotes as "" and line breaks), each with its first line. */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
    const rows: { line: number; cells: string[] }[] = []
    let cells: string[] = []
    let cell = ""
    let quoted = false
    let cellStart = true
    let line = 1
    let rowLine = 1
    for (let i = 0; i < text.length; i++) {
        const ch = text[i]
        if (quoted) {
            if (ch === "\"" && text[i + 1] === "\"") {
                cell += "\""
                i++
            } else if (ch === "\"") {
                quoted = false
                const next = text[i + 1]
                if (next !== undefined && next !== "," && next !== "\n" && next !== "\r")
                    throw new ExportFormatError(`CSV line ${line}: text after a closing quote`)
            } else {
                if (ch === "\n") line++
                cell += ch
            }
            continue
        }
        if (ch === "\"") {
            if (!cellStart) throw new ExportFormatError(`CSV line ${line}: a quote inside an unquoted field`)
            quoted = true
            cellStart = false
        } else if (ch === ",") {
            cells.push(cell)
            cell = ""
            cellStart = true
        } else if (ch === "\n" || (ch === "\r" && text[i + 1] === "\n")) {
            if (ch === "\r") i++
            cells.push(cell)
            if (!(cells.length === 1 && cells[0] === "")) rows.push({ line: rowLine, cells })
            cells = []
            cell = ""
            cellStart = true
            line++
            rowLine = line
        } else {
            cell += ch
            cellStart = false
        }
    }
    if (quoted) throw new ExportFormatError(`CSV line ${rowLine}: a quoted field is never closed`)
    if (cell !== "" || cells.length > 0) rows.push({ line: rowLine, cells: [...cells, cell] })
    return rows
}

function readCsv(text: string): ExportFile {
    const rows = parseCsv(text)
    const header = rows[0]?.cells ?? []
    const missing = CSV_COLUMNS.filter(c => !header.includes(c))
    const unknown = header.filter(h => !(CSV_COLUMNS as readonly string[]).includes(h))
    const repeated = header.filter((h, i) => header.indexOf(h) !== i)
    if (missing.length || unknown.length || repeated.length)
        throw new ExportFormatError(`CSV header: ${[
            missing.length ? "missing " + missing.join(", ") : "", unknown.length ? "unknown " + unknown.join(", ") : "",
            repeated.length ? "repeated " + repeated.join(", ") : ""].filter(s => s).join("; ")} (expected ${CSV_COLUMNS.join(",")})`)
    let checkpoint: FileCheckpoint | undefined
    const entries: ExportEntry[] = []
    rows.slice(1).forEach((r, i) => {
        const where = `row ${i + 1}, line ${r.line}`
        if (r.cells.length !== header.length) throw new ExportFormatError(`CSV ${where}: ${r.cells.length} fields, the header has ${header.length}`)
        if (r.cells[0] === CSV_CHECKPOINT) {
            if (checkpoint) throw new ExportFormatError(`CSV ${where}: a second checkpoint row`)
            checkpoint = csvCheckpoint(r.cells, where)
            return
        }
        const csv = {} as Record<CsvColumn, string>
        header.forEach((h, k) => { csv[h as CsvColumn] = unneutralised(r.cells[k]) })
        entries.push({ where, sealedHex: csv.sealed_hex, csv })
    })
    return { kind: "csv", checkpoint, entries }
}

/** The export puts ' before a cell a spreadsheet would run as a formula (and before one starting with '): one comes off. */
export function unneutralised(cell: string): string {
    return cell.startsWith("'") ? cell.slice(1) : cell
}

/** #checkpoint, deviceId, publicId, seq, hash, atUnixS, keyId, signatureHex (then empty cells) */
function csvCheckpoint(cells: string[], where: string): FileCheckpoint {
    const [, deviceId, publicId, seq, hash, atUnixS, keyId, signatureHex] = cells.map(unneutralised)
    const n = (v: string, name: string) => {
        if (!/^(0|[1-9][0-9]{0,15})$/.test(v)) throw new ExportFormatError(`CSV ${where}: checkpoint ${name} must be a non-negative integer, is ${JSON.stringify(v)}`)
        return Number(v)
    }
    return { deviceId, publicId, seq: n(seq, "seq"), hash, atUnixS: n(atUnixS, "atUnixS"), keyId, signatureHex }
}

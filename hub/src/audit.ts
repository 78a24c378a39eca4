// npm run audit -- FILE [--key HEX | --key-file PATH] [--device ID] [--head SEQ:HASH] [--from-first]
// Verifies a device's record export (JSON or CSV, from the hub) with no database, using
// src/core only. Exit 0: every record holds. Exit 1: something does not; the first broken
// record is named, then every finding. Exit 2: not a readable export, or bad arguments.
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { readExport, ExportFormatError, ExportFile } from "./audit-read"
import { auditExport, AuditOptions, AuditReport, AuditFinding } from "./audit-check"

export const EXIT_OK = 0
export const EXIT_FINDINGS = 1
export const EXIT_UNREADABLE = 2

const USAGE = "usage: npm run audit -- FILE [--key HEX | --key-file PATH] [--device ID] [--head SEQ:HASH] [--from-first]"
const HEX64 = /^[0-9a-fA-F]{64}$/

class UsageError extends Error {}

export interface AuditArgs {
    file: string
    opts: AuditOptions
}

export function parseArgs(argv: string[]): AuditArgs {
    let file: string | undefined
    const opts: AuditOptions = {}
    let keySources = 0
    const value = (i: number, flag: string): string => {
        if (i >= argv.length || argv[i].startsWith("--")) throw new UsageError(`${flag} needs a value`)
        return argv[i]
    }
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]
        if (a === "--key" || a === "--key-file") {
            keySources++
            const v = value(++i, a)
            let key = v
            if (a === "--key-file") {
                try {
                    key = readFileSync(v, "utf8").trim()
                } catch (e) {
                    throw new UsageError(`--key-file ${v}: ${(e as Error).message}`)
                }
            }
            if (!HEX64.test(key)) throw new UsageError(`${a}: the device key is 64 hex digits (32 bytes)`)
            opts.keyHex = key.toLowerCase()
        } else if (a === "--device") opts.deviceId = value(++i, a)
        else if (a === "--head") {
            const m = /^(\d+):([0-9a-f]{64})$/.exec(value(++i, a))
            if (!m) throw new UsageError("--head: give SEQ:HASH, the hash as 64 lowercase hex digits")
            opts.trustedHead = { seq: Number(m[1]), hash: m[2] }
        } else if (a === "--from-first") opts.fromFirst = true
        else if (a.startsWith("--")) throw new UsageError(`unknown option ${a}`)
        else if (file === undefined) file = a
        else throw new UsageError(`one FILE only (got ${file} and ${a})`)
    }
    if (keySources > 1) throw new UsageError("give --key or --key-file, not both")
    if (file === undefined) throw new UsageError("FILE is missing")
    return { file, opts }
}

function line(f: AuditFinding): string {
    const seq = f.seq >= 0 ? `seq ${f.seq}` : "seq ?"
    return `${seq}${f.where ? ` (${f.where})` : ""}: ${f.code}: ${f.detail}`
}

/** The report as people read it. */
export function formatReport(name: string, file: ExportFile, r: AuditReport): string {
    const out: string[] = []
    const kind = file.kind === "json" ? "JSON export" : "CSV export"
    const at = file.exportedAtUnixS !== undefined ? `, exported ${new Date(file.exportedAtUnixS * 1000).toISOString()}` : ""
    out.push(`audit of ${name}: ${kind}${at}, device ${r.deviceId || "(none)"}`)
    out.push(`records: ${r.records}${r.records ? `, seq ${r.firstSeq}..${r.lastSeq}` : ""}; contiguity and chain checked from seq ${r.checkedFromSeq}` +
        (r.checkedFromSeq > 1 ? ` (--from-first: record ${r.checkedFromSeq}'s prevHash is taken on trust)` : ""))
    out.push(`chain head (last record): seq ${r.lastSeq}, hash ${r.lastHash}`)
    if (r.macsChecked) out.push("MACs: checked with the given device key")
    else
        out.push("MACs: NOT checked (no --key or --key-file). Integrity is chain-only: it holds only relative to a trusted head hash." +
            `\n  Compare seq ${r.lastSeq} hash ${r.lastHash} with the head the device or the hub reports (or pass --head SEQ:HASH).`)
    if (r.ok) {
        out.push(`OK: all ${r.records} records hold (canonical bytes, shown fields, hashes, sequence, chain, device, head${r.macsChecked ? ", MACs" : ""})`)
    } else {
        out.push(`FAIL: first broken record: ${line(r.findings[0])}`)
        const badMacs = r.findings.filter(f => f.code === "bad_mac").length
        if (r.records > 1 && badMacs === r.records) out.push("note: no record's MAC verifies: the key is most likely not this device's")
        out.push(`findings (${r.findings.length}):`)
        for (const f of r.findings) out.push("  " + line(f))
    }
    return out.join("\n")
}

/** Runs the audit; returns the exit code (no process.exit, so tests may call it). */
export function runAudit(argv: string[], print: (s: string) => void, printErr: (s: string) => void): number {
    let args: AuditArgs
    try {
        args = parseArgs(argv)
    } catch (e) {
        if (!(e instanceof UsageError)) throw e
        printErr(`audit: ${e.message}\n${USAGE}`)
        return EXIT_UNREADABLE
    }
    let text: string
    try {
        text = readFileSync(args.file, "utf8")
    } catch (e) {
        printErr(`audit: cannot read ${args.file}: ${(e as Error).message}`)
        return EXIT_UNREADABLE
    }
    let file: ExportFile
    try {
        file = readExport(text)
    } catch (e) {
        if (!(e instanceof ExportFormatError)) throw e
        printErr(`audit: ${args.file}: ${e.message}`)
        return EXIT_UNREADABLE
    }
    const report = auditExport(file, args.opts)
    print(formatReport(args.file, file, report))
    return report.ok ? EXIT_OK : EXIT_FINDINGS
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
    process.exitCode = runAudit(process.argv.slice(2), s => console.log(s), s => console.error(s))
}

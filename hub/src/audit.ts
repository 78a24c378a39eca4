// npm run audit -- FILE [--key HEX | --key-file PATH] [--hub-key PEMFILE] [--device ID] [--head SEQ:HASH] [--from-first]
// Verifies a device's record export (JSON or CSV, from the hub) with no database, using
// src/core only. Exit 0: every record holds. Exit 1: something does not; the first broken
// record is named, then every finding. Exit 2: not a readable export, or bad arguments.
import { readFileSync } from "node:fs"
import { createPublicKey } from "node:crypto"
import { resolve } from "node:path"
import { readExportBytes, ExportFormatError, ExportFile } from "./audit-read"
import { auditExport, AuditOptions, AuditReport, AuditFinding } from "./audit-check"

export const EXIT_OK = 0
export const EXIT_FINDINGS = 1
export const EXIT_UNREADABLE = 2

const USAGE = "usage: npm run audit -- FILE [--key HEX | --key-file PATH] [--retired-key HEX | --retired-key-file PATH]... [--hub-key PEMFILE] [--device ID] [--head SEQ:HASH] [--from-first]"
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
            const key = a === "--key-file" ? keyFromFile(v) : v
            if (!HEX64.test(key)) throw new UsageError(`${a}: the device key is 64 hex digits (32 bytes)${a === "--key-file" ? ", alone or as a DEVICE_KEY=... line" : ""}`)
            opts.keyHex = key.toLowerCase()
        } else if (a === "--retired-key" || a === "--retired-key-file") {
            // a device key retired by a rotation (the .env.local the hub issued with it): records sealed before it
            const v = value(++i, a)
            const key = a === "--retired-key-file" ? keyFromFile(v) : v
            if (!HEX64.test(key)) throw new UsageError(`${a}: a retired device key is 64 hex digits (32 bytes)${a === "--retired-key-file" ? ", alone or as a DEVICE_KEY=... line" : ""}`)
            ;(opts.retiredKeyHexes ??= []).push(key.toLowerCase())
        } else if (a === "--hub-key") {
            const v = value(++i, a)
            opts.hubKeyPem = hubKeyFromFile(v)
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
    if (opts.retiredKeyHexes && opts.keyHex === undefined) throw new UsageError("--retired-key needs the current key (--key or --key-file) too")
    if (file === undefined) throw new UsageError("FILE is missing")
    return { file, opts }
}

function readText(flag: string, path: string): string {
    try {
        return readFileSync(path, "utf8")
    } catch (e) {
        throw new UsageError(`${flag} ${path}: ${(e as Error).message}`)
    }
}

/** the key alone (64 hex digits), or the .env.local the hub issued at provisioning (its DEVICE_KEY= line) */
export function keyFromFile(path: string): string {
    const text = readText("--key-file", path)
    const line = text.split(/\r?\n/).map(l => l.trim()).find(l => l.startsWith("DEVICE_KEY="))
    return line !== undefined ? line.slice("DEVICE_KEY=".length).trim() : text.trim()
}

/** an Ed25519 public key, PEM (SPKI), as GET /api/hub-key's publicKeyPem */
function hubKeyFromFile(path: string): string {
    const pem = readText("--hub-key", path)
    let type: string | undefined
    try {
        type = createPublicKey({ key: pem, format: "pem", type: "spki" }).asymmetricKeyType
    } catch (e) {
        throw new UsageError(`--hub-key ${path}: not a PEM public key (${(e as Error).message})`)
    }
    if (type !== "ed25519" || /PRIVATE KEY/.test(pem)) throw new UsageError(`--hub-key ${path}: must be the hub's Ed25519 public key (GET /api/hub-key), got ${/PRIVATE KEY/.test(pem) ? "a private key" : type}`)
    return pem
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
    if (r.macsChecked) out.push("MACs: checked with the given device key" + (r.retiredKeys ? ` (or one of the ${r.retiredKeys} retired key(s) given)` : ""))
    else
        out.push("MACs: NOT checked (no --key or --key-file). Integrity is chain-only: it holds only relative to a trusted head hash." +
            `\n  Compare seq ${r.lastSeq} hash ${r.lastHash} with the head the device or the hub reports (or pass --head SEQ:HASH).`)
    if (file.checkpoint) {
        const c = file.checkpoint
        const what = `seq ${c.seq}, hash ${c.hash}, signed ${new Date(c.atUnixS * 1000).toISOString()} by hub key ${c.keyId}`
        if (r.checkpoint === "verified") out.push(`checkpoint: ${what}: signature verified with the given hub key`)
        else if (r.checkpoint === "unverified" && r.findings.some(f => f.code === "bad_checkpoint")) out.push(`checkpoint: ${what}: signature does NOT verify`)
        else out.push(`checkpoint: ${what}: NOT verified (no --hub-key): a truncated or rewritten export shows only against the hub's key or a trusted head`)
    } else out.push("checkpoint: none in this export")
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
    let bytes: Buffer
    try {
        bytes = readFileSync(args.file)
    } catch (e) {
        printErr(`audit: cannot read ${args.file}: ${(e as Error).message}`)
        return EXIT_UNREADABLE
    }
    let file: ExportFile
    try {
        file = readExportBytes(bytes)
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

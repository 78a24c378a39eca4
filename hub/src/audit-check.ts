// The offline audit of one device's record export (docs/records.md section 7), with no
// database: the sealed bytes are the evidence, everything else in the file is for people and
// must agree with them. Checks, each a finding with a stable code:
//   malformed, bad_mac, wrong_device, duplicate, reorder, gap, truncated, broken_chain
//                     the core verifier (src/core/records/verify.ts) over the sealed bytes
//   not_hex           sealedHex is not hex (so not a record at all)
//   field_mismatch    a human-visible field (JSON seq/prevHash/record, a CSV column) differs
//                     from the sealed bytes: an edit of what people read, without re-sealing
//   hash_mismatch     the listed hash is not SHA-256 of the body
//   head_mismatch     the export's head, its checkpoint or the trusted head given does not match
//                     its last record
//   no_checkpoint     --hub-key given, but the export carries no signed checkpoint
//   bad_checkpoint    the checkpoint's signature does not verify under the hub's public key
//                     (or it names another key or device)
// Without the key the MACs cannot be checked (bad_mac is not reported): the chain then proves
// only that the records are consistent with the head hash, which must be trusted from elsewhere.

import { fromHex, toHex, type Crypto } from "../../src/core/crypto"
import { ZERO_HASH } from "../../src/core/codec/ints"
import { openRecord } from "../../src/core/records/codec"
import { ChainVerifier, VerifyOptions } from "../../src/core/records/verify"
import { ComplianceRecord } from "../../src/core/records/types"
import { nodeCrypto } from "../../src/node/crypto-node"
import { ExportEntry, ExportFile } from "./audit-read"
import { verifyCheckpoint } from "./checkpoint"

export interface AuditOptions {
    /** the device key (64 hex digits); without it MACs are not checked */
    keyHex?: string
    /** device keys retired by rotation: a record whose MAC does not verify under keyHex may verify under one of these */
    retiredKeyHexes?: string[]
    /** the device the export must be of (default: the JSON export's deviceId, else the first record's) */
    deviceId?: string
    /** a head known from elsewhere (the device's display, the hub): the export must end there */
    trustedHead?: { seq: number; hash: string }
    /** accept an export that starts after seq 1 (its first prevHash is then taken on trust) */
    fromFirst?: boolean
    /** the hub's Ed25519 public key (SPKI PEM, GET /api/hub-key): the export's checkpoint must verify under it */
    hubKeyPem?: string
}

export interface AuditFinding {
    code: string
    /** the sequence number concerned: from the sealed bytes, else as listed, else -1 */
    seq: number
    /** where in the file ("records[3]", "row 4, line 5"), "" for a missing record or the file */
    where: string
    /** index of the entry in the file, -1 for a missing record or the file as a whole */
    position: number
    detail: string
}

export interface AuditReport {
    ok: boolean
    deviceId: string
    records: number
    /** the lowest and highest sequence numbers seen (0 when none) */
    firstSeq: number
    lastSeq: number
    /** hash of the highest record: what a trusted head must equal */
    lastHash: string
    /** the seq the contiguity and chain checks start from (1 unless fromFirst) */
    checkedFromSeq: number
    macsChecked: boolean
    /** how many retired keys the MACs could also verify under */
    retiredKeys: number
    /** "verified" (signature good under --hub-key), "unverified" (present, no hub key given), "none" */
    checkpoint: "verified" | "unverified" | "none"
    /** every finding, ordered by seq then position: findings[0] names the first broken record */
    findings: AuditFinding[]
}

interface Opened {
    record: ComplianceRecord
    hash: string
}

/** The first place where what people read differs from the sealed record, or null. */
export function firstDifference(shown: unknown, sealed: unknown, path: string): string | null {
    if (Array.isArray(sealed)) {
        if (!Array.isArray(shown)) return `${path}: shows ${JSON.stringify(shown)}, sealed bytes have a list`
        if (shown.length !== sealed.length) return `${path}: shows ${shown.length} entries, sealed bytes have ${sealed.length}`
        for (let i = 0; i < sealed.length; i++) {
            const d = firstDifference(shown[i], sealed[i], `${path}[${i}]`)
            if (d) return d
        }
        return null
    }
    if (typeof sealed === "object" && sealed !== null) {
        if (typeof shown !== "object" || shown === null || Array.isArray(shown)) return `${path}: shows ${JSON.stringify(shown)}, sealed bytes have an object`
        const s = sealed as Record<string, unknown>
        const o = shown as Record<string, unknown>
        for (const k of Object.keys(s)) {
            if (!Object.hasOwn(o, k)) return `${path}.${k}: missing, sealed bytes say ${JSON.stringify(s[k])}`
            const d = firstDifference(o[k], s[k], `${path}.${k}`)
            if (d) return d
        }
        for (const k of Object.keys(o)) if (!Object.hasOwn(s, k)) return `${path}.${k}: not in the sealed record`
        return null
    }
    return shown === sealed ? null : `${path}: shows ${JSON.stringify(shown)}, sealed bytes say ${JSON.stringify(sealed)}`
}

/** what a CSV row must show for a record, column by column (received_at_ms is the hub's, not sealed) */
function csvExpected(r: ComplianceRecord): [string, string][] {
    return [["seq", String(r.seq)], ["kind", String(r.kind)], ["prev_hash", r.prevHash], ["wall_unix_s", String(r.wallUnixS)],
        ["outcome", String(r.outcome)], ["template_hash", r.templateHash], ["operator_id", r.operatorId]]
}

function shownChecks(e: ExportEntry, o: Opened, push: (code: string, detail: string) => void) {
    if (e.json) {
        const j = e.json
        if (j.hash !== o.hash) push("hash_mismatch", `hash: shows ${j.hash}, SHA-256 of the body is ${o.hash}`)
        const d = firstDifference(j.seq, o.record.seq, "seq") ?? firstDifference(j.prevHash, o.record.prevHash, "prevHash") ??
            firstDifference(j.record, o.record, "record")
        if (d) push("field_mismatch", d)
    }
    if (e.csv) {
        const c = e.csv
        if (c.hash !== o.hash) push("hash_mismatch", `hash: shows ${c.hash}, SHA-256 of the body is ${o.hash}`)
        for (const [col, want] of csvExpected(o.record))
            if (c[col as keyof typeof c] !== want) {
                push("field_mismatch", `${col}: shows ${JSON.stringify(c[col as keyof typeof c])}, sealed bytes say ${JSON.stringify(want)}`)
                break
            }
    }
}

function listedSeq(e: ExportEntry): number {
    if (e.json) return e.json.seq
    const s = e.csv ? Number(e.csv.seq) : NaN
    return Number.isSafeInteger(s) && s > 0 ? s : -1
}

/**
 * src/core's verifier checks every record under one key. With retired device keys (a rotated
 * device), its crypto answers a record's HMAC with the MAC under whichever given key, the
 * current one first, reproduces the MAC the record carries (the record's bytes are announced
 * before each open): a record verifies when one of the given keys made its MAC, and is bad_mac
 * as usual otherwise. (The order of key generations along the chain is the hub's rule at
 * ingest; the export does not say which key sealed what.)
 */
function keyring(retired: string[]): { crypto: Crypto; expect(sealed: number[]): void } {
    if (retired.length === 0) return { crypto: nodeCrypto, expect() {} }
    let mac = ""
    return {
        expect(sealed) {
            mac = sealed.length >= 32 ? toHex(sealed.slice(sealed.length - 32)) : ""
        },
        crypto: {
            sha256Hex: data => nodeCrypto.sha256Hex(data),
            hmacSha256Hex(keyHex, data) {
                const current = nodeCrypto.hmacSha256Hex(keyHex, data)
                if (current === mac) return current
                for (const k of retired) {
                    const m = nodeCrypto.hmacSha256Hex(k, data)
                    if (m === mac) return m
                }
                return current
            },
        },
    }
}

/** Audits a parsed export; never throws for bad contents (those are findings). */
export function auditExport(file: ExportFile, opts: AuditOptions = {}): AuditReport {
    const macsChecked = opts.keyHex !== undefined
    const findings: AuditFinding[] = []
    const add = (code: string, seq: number, position: number, detail: string) =>
        findings.push({ code, seq, where: position >= 0 ? file.entries[position].where : "", position, detail })
    let device = opts.deviceId ?? file.deviceId ?? file.checkpoint?.deviceId ?? ""
    // a JSON export always names its device; "" would otherwise fall back to the first record's
    if (file.deviceId === "") add("wrong_device", -1, -1, "the export names no device (deviceId is \"\")")
    if (opts.deviceId !== undefined && file.deviceId !== undefined && file.deviceId !== opts.deviceId)
        add("wrong_device", -1, -1, `the export says device ${file.deviceId}, the audit was asked for ${opts.deviceId}`)

    const hashes = new Map<number, string>()
    const ring = keyring(opts.retiredKeyHexes ?? [])
    const opened: (Opened | null)[] = file.entries.map(e => {
        try {
            const bytes = fromHex(e.sealedHex)
            ring.expect(bytes)
            const o = openRecord(bytes, opts.keyHex ?? "", ring.crypto)
            if (device === "") device = o.record.deviceId
            if (!hashes.has(o.record.seq)) hashes.set(o.record.seq, o.hash)
            return { record: o.record, hash: o.hash }
        } catch {
            return null // the verifier below names what is wrong
        }
    })
    // head: the export's own (JSON), or one given by the auditor; both must hold
    const heads: [string, { seq: number; hash: string }][] = []
    if (file.head) heads.push(["the export's head", file.head])
    if (opts.trustedHead) heads.push(["the trusted head", opts.trustedHead])
    const checkpoint = checkCheckpoint(file, opts, device, (code, detail) => add(code, -1, -1, detail))
    // without the hub's key the checkpoint is one more claimed head; with it, the one that counts
    if (file.checkpoint) heads.push([checkpoint === "verified" ? "the hub's signed checkpoint" : "the export's checkpoint", file.checkpoint])
    const vo: VerifyOptions = { deviceId: device }
    if (!opts.fromFirst) {
        vo.anchorSeq = 0 // the chain must start at seq 1 with the zero prevHash
        vo.anchorHash = ZERO_HASH
    }
    const headSeqs = heads.map(h => h[1].seq)
    if (headSeqs.length) vo.lastSeq = Math.max(...headSeqs)

    const v = new ChainVerifier(opts.keyHex ?? "", ring.crypto, vo)
    const notHex = new Set<number>()
    file.entries.forEach((e, i) => {
        let bytes: number[] = []
        try {
            bytes = fromHex(e.sealedHex)
        } catch (err) {
            notHex.add(i)
            add("not_hex", listedSeq(e), i, `sealedHex is not hex: ${(err as Error).message}`)
        }
        ring.expect(bytes)
        v.add(bytes)
    })
    const r = v.finish()
    for (const f of r.findings) {
        if (f.code === "bad_mac" && !macsChecked) continue
        const e = f.index >= 0 ? file.entries[f.index] : undefined
        if (f.code === "malformed" && notHex.has(f.index)) continue // named more precisely above
        const seq = f.seq >= 0 ? f.seq : e ? listedSeq(e) : -1
        const detail = f.code === "bad_mac" ? "MAC does not verify under the given key" : f.code === "malformed" ? `sealed bytes are not a canonical record: ${f.detail}` : f.detail
        add(f.code, seq, e ? f.index : -1, detail)
    }
    // after the verifier's: at one record, what the sealed bytes show comes first
    file.entries.forEach((e, i) => {
        const o = opened[i]
        if (o) shownChecks(e, o, (code, detail) => add(code, o.record.seq, i, detail))
    })
    for (const [name, h] of heads) {
        const at = hashes.get(h.seq)
        if (r.lastSeq > h.seq) add("head_mismatch", h.seq, -1, `${name} is seq ${h.seq}, but the records go on to seq ${r.lastSeq}`)
        else if (h.seq === 0 && h.hash !== ZERO_HASH) add("head_mismatch", 0, -1, `${name} is seq 0 with a non-zero hash ${h.hash}`)
        else if (at !== undefined && at !== h.hash) add("head_mismatch", h.seq, -1, `${name} hash ${h.hash} is not the hash of record ${h.seq} (${at})`)
    }

    const order = (f: AuditFinding) => (f.seq >= 0 ? f.seq : Number.MAX_SAFE_INTEGER)
    // by seq, then file position, findings about a missing record (position -1) last
    const rank = (f: AuditFinding) => (f.position >= 0 ? f.position : Number.MAX_SAFE_INTEGER)
    findings.sort((a, b) => order(a) - order(b) || rank(a) - rank(b))
    let firstSeq = 0
    for (const s of hashes.keys()) if (firstSeq === 0 || s < firstSeq) firstSeq = s
    return {
        ok: findings.length === 0, deviceId: device, records: file.entries.length,
        firstSeq, lastSeq: r.lastSeq, lastHash: r.lastHash, checkedFromSeq: opts.fromFirst && firstSeq > 0 ? firstSeq : 1, macsChecked, retiredKeys: macsChecked ? opts.retiredKeyHexes?.length ?? 0 : 0, checkpoint, findings,
    }
}

/** the checkpoint against the hub's key: findings through `add`, and what can be said of it */
function checkCheckpoint(file: ExportFile, opts: AuditOptions, device: string, add: (code: string, detail: string) => void): AuditReport["checkpoint"] {
    const c = file.checkpoint
    if (opts.hubKeyPem === undefined) return c ? "unverified" : "none"
    if (!c) {
        add("no_checkpoint", "the export carries no checkpoint signed by the hub (format version 1, or the checkpoint was removed)")
        return "none"
    }
    if (!verifyCheckpoint(opts.hubKeyPem, c)) {
        add("bad_checkpoint", `the checkpoint (seq ${c.seq}, hash ${c.hash}) is not signed by the given hub key: it was edited, or comes from another hub`)
        return "unverified"
    }
    if (c.deviceId !== device) add("bad_checkpoint", `the checkpoint is of device ${c.deviceId}, the export of ${device}`)
    return "verified"
}

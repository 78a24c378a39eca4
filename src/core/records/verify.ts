// Verifies one device's records as exported (in order) with its key: the hub at ingest and an
// independent auditor run this. Every problem becomes a finding with a stable code and the
// sequence number it concerns (or the position, for bytes that do not even decode):
//   malformed      bytes that are not a canonical record (seq -1; index says where)
//   bad_mac        the MAC does not verify under the device key (an edit without the key)
//   wrong_device   a record of another device among these
//   duplicate      a sequence number seen before (or at/below the anchor)
//   reorder        a sequence number lower than one before it
//   gap            sequence numbers missing (a deletion); seq = the first missing
//   truncated      records missing at the end (expected up to opts.lastSeq)
//   broken_chain   prevHash is not the hash of the record before (an edit, insertion or splice)
// Order, gaps and the chain are checked independently, so one tamper yields its own finding
// rather than a cascade.

import { Crypto } from "../crypto"
import { ValidationError } from "../codec/errors"
import { ZERO_HASH } from "../codec/ints"
import { ComplianceRecord } from "./types"
import { openRecord } from "./codec"

export interface Finding {
    code: string
    /** the sequence number concerned, -1 when the record did not decode */
    seq: number
    /** position in the input list, -1 for a missing record */
    index: number
    detail: string
}

export interface VerifyOptions {
    /** the device the records must belong to (default: the first record's) */
    deviceId?: string
    /** the last record already verified before these (the hub's head): seq and hash */
    anchorSeq?: number
    anchorHash?: string
    /** the device reported records up to this seq: fewer is truncation */
    lastSeq?: number
}

export interface VerifyReport {
    ok: boolean
    findings: Finding[]
    /** highest sequence number seen and its hash: the next anchor */
    lastSeq: number
    lastHash: string
}

/** what the order and chain checks need of a record (records themselves are not kept: VM heap) */
interface Entry {
    seq: number
    prevHash: string
    hash: string
    index: number
}

/**
 * Streaming form: add() each sealed record in order (one decode and MAC each, so a caller in
 * the VM can yield between records), then finish() for the order, gap and chain checks.
 */
export class ChainVerifier {
    private readonly findings: Finding[] = []
    private readonly entries: Entry[] = []
    private device: string
    private index = 0
    /** SHA-256 (hex) of the body of the record add() last decoded ("" when it was malformed) */
    lastHash = ""

    constructor(readonly keyHex: string, readonly crypto: Crypto, readonly opts: VerifyOptions) {
        this.device = opts.deviceId || ""
    }

    /** Checks one record; returns it decoded (null when malformed) for callers that store it. */
    add(sealed: number[]): ComplianceRecord | null {
        const i = this.index++
        this.lastHash = ""
        try {
            const o = openRecord(sealed, this.keyHex, this.crypto)
            this.lastHash = o.hash
            const s = o.record.seq
            if (!o.macOk) this.findings.push({ code: "bad_mac", seq: s, index: i, detail: "MAC does not verify" })
            if (this.device === "") this.device = o.record.deviceId
            if (o.record.deviceId !== this.device)
                this.findings.push({ code: "wrong_device", seq: s, index: i, detail: "record of " + o.record.deviceId + " among " + this.device + "'s" })
            this.entries.push({ seq: s, prevHash: o.record.prevHash, hash: o.hash, index: i })
            return o.record
        } catch (e) {
            if (!(e instanceof ValidationError)) throw e
            this.findings.push({ code: "malformed", seq: -1, index: i, detail: e.message })
            return null
        }
    }

    finish(): VerifyReport {
        const opts = this.opts
        const findings = this.findings
        const anchored = typeof opts.anchorSeq === "number"
        const anchorSeq = anchored ? (opts.anchorSeq as number) : 0
        // first occurrence of each seq, and the order checks
        const first: { [seq: string]: Entry } = {}
        const seqs: number[] = []
        let maxSeen = anchorSeq
        for (const e of this.entries) {
            const s = e.seq
            if (first["" + s] || (anchored && s <= anchorSeq)) {
                findings.push({ code: "duplicate", seq: s, index: e.index, detail: "sequence number " + s + " seen before" })
                continue
            }
            if (s < maxSeen) findings.push({ code: "reorder", seq: s, index: e.index, detail: "follows " + maxSeen })
            first["" + s] = e
            seqs.push(s)
            if (s > maxSeen) maxSeen = s
        }
        // gaps between the distinct sequence numbers (and after the anchor)
        seqs.sort((a, b) => a - b)
        let expect = anchored ? anchorSeq + 1 : seqs.length > 0 ? seqs[0] : 1
        for (const s of seqs) {
            if (s > expect) findings.push({ code: "gap", seq: expect, index: -1, detail: "records " + expect + ".." + (s - 1) + " missing" })
            expect = s + 1
        }
        if (typeof opts.lastSeq === "number" && opts.lastSeq >= expect)
            findings.push({ code: "truncated", seq: expect, index: -1, detail: "records " + expect + ".." + opts.lastSeq + " missing at the end" })
        // the chain: each record's prevHash against the record before it, wherever that one sits
        for (const s of seqs) {
            const e = first["" + s]
            let want = ""
            if (s === 1) want = ZERO_HASH
            else if (anchored && s === anchorSeq + 1 && opts.anchorHash) want = opts.anchorHash
            else if (first["" + (s - 1)]) want = first["" + (s - 1)].hash
            if (want !== "" && e.prevHash !== want)
                findings.push({ code: "broken_chain", seq: s, index: e.index, detail: "prevHash is not the hash of record " + (s - 1) })
        }
        const top = seqs.length > 0 ? first["" + seqs[seqs.length - 1]] : null
        return {
            ok: findings.length === 0, findings: findings,
            lastSeq: top ? top.seq : anchorSeq, lastHash: top ? top.hash : opts.anchorHash || ZERO_HASH,
        }
    }
}

/** Verifies a device's exported records (in their order) in one call (Node: hub, auditor). */
export function verifyRecords(list: number[][], keyHex: string, c: Crypto, opts: VerifyOptions): VerifyReport {
    const v = new ChainVerifier(keyHex, c, opts)
    for (const s of list) v.add(s)
    return v.finish()
}

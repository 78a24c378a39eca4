// One sync round with the hub, as a pure state machine: one request at a time, in the order
//   time      when the clock is unknown or due (and again if the hub calls a timestamp stale)
//   bundle    If-None-Match with the installed version; a newer one is opened and checked here
//   templates approved in the bundle, not revoked, not installed: fetched and hash-checked
//   records   the oldest unacknowledged ones, contiguous, at most batchMax within bodyMaxChars
//   status    state, phase, pending count, latched fault, record head
// The glue asks next() for a request, signs it (signing.ts) with req.timestampS and the nonce
// it passed in, fills a records request with the sealed records it read (fillRecords), sends
// it under a timeout, and hands the answer to onResponse(), which says what to apply: a clock,
// a bundle or template to install, a range of records to release from the queue. A record is
// released only when the hub answered "stored" or "duplicate" (committed there) and the
// answer's `ack` carries the hub's MAC (signing.ts) over the last of them and its hash as the
// device computes it from its own sealed bytes; never on a 5xx, a timeout, a rejection, or an
// answer whose ack does not verify (raised as ack_unverified: nothing is released). A rejected record stays on the device for good: fork, bad_mac,
// wrong_device and broken_chain are raised (alerts) and the upload stops until a technician
// looks. A transport failure, 5xx or refused authentication ends the round as failed (backoff.ts).

import { Crypto, hexBuffer } from "../crypto"
import { isInt, ZERO_HASH } from "../codec/ints"
import { ValidationError } from "../codec/errors"
import { openBundle } from "../bundle/codec"
import { checkInstall } from "../bundle/decide"
import { DEVICE_API, checkTimeAnswer, checkAck, sealedBodyHash } from "./signing"

export enum Step {
    Time = 1,
    Bundle = 2,
    Template = 3,
    Records = 4,
    Status = 5,
    Done = 6,
}

export interface SyncLimits {
    /**
     * records per upload (the hub takes 1..32). Two: a sealed record is ~333 bytes, 666 hex
     * characters, and the body, its signature's byte copy and the request each need one free
     * block of the body's size in the VM's heap, whose largest free block at idle is a few KB
     * (`npm run heap`); eight at a time ran it out of memory (README, "Known problems").
     */
    batchMax: number
    /** an upload body's length at most, unless one record alone is longer (two of the largest, 512 bytes sealed, fit) */
    bodyMaxChars: number
    /** re-read the hub's time this often (the uptime-derived clock drifts) */
    timeResyncS: number
    templatesPerRound: number
    /** bounds a round; the rest waits for the next one */
    requestsMax: number
}

// parsed from a string, as the firmware's other tables (README, "DeviceScript traps")
export const SYNC_LIMITS: SyncLimits = JSON.parse('{"batchMax":2,"bodyMaxChars":2200,"timeResyncS":21600,"templatesPerRound":1,"requestsMax":48}')

/** What the device holds when the round starts. */
export interface SyncInputs {
    deviceId: string
    keyHex: string
    /** when the hub's time was last received, unix s (0 = never since boot) */
    lastTimeSyncUnixS: number
    /** installed bundle version, 0 = none; approved = its approved hashes (those also in
     *  `templates`, e.g. its revoked ones, are not fetched) */
    bundleVersion: number
    approved: string[]
    /** template hashes not to fetch: those installed on the device (and any others it holds back) */
    templates: string[]
    /** the record queue: records queueHead..queueNext-1 are held, lastHash = hash of queueNext-1 */
    queueHead: number
    queueNext: number
    lastHash: string
    /** for the status report */
    state: string
    phase: number
    latchedFault: number
}

export interface SyncRequest {
    step: Step
    method: string
    /** path with query, as signed */
    path: string
    body: string
    /** sign with this (0 on the time route: a wrong clock must not keep the device from fixing it) */
    timestampS: number
    nonce: string
    /** "" or the If-None-Match header value */
    ifNoneMatch: string
    /** records: the range in the body (toSeq set by fillRecords) */
    fromSeq: number
    toSeq: number
    /** records: the sealed records in the body, hex (what an ack is checked against) */
    sealed: string[]
}

/** What to apply after an answer; a field left at its zero value means nothing to do. */
export interface SyncEffects {
    /** > 0: the hub's verified time: anchor the clock to it now */
    clockUnixS: number
    /** a verified, newer sealed bundle: install it (BundleStore.install) */
    bundle: Buffer | null
    /** template bytes whose SHA-256 is templateHash, an approved hash: install them */
    template: Buffer | null
    templateHash: string
    /** ackTo >= ackFrom > 0: queue.ack(ackFrom, ackTo) */
    ackFrom: number
    ackTo: number
}

export interface SyncAlert {
    /** fork, bad_mac, wrong_device, broken_chain, hub_behind, auth_refused, time_untrusted,
     *  bundle_<ValidationError code>, template_mismatch, record_unreadable, refused, ack_unverified */
    code: string
    /** the record concerned, 0 when none */
    seq: number
    detail: string
}

// the hub refused the record for good: the device keeps it and raises it
const RAISED: string[] = JSON.parse('["fork","bad_mac","wrong_device","broken_chain"]')

// One class with few methods: every method of a class the device constructs costs its image
// a descriptor and a prototype entry (README, "DeviceScript traps"), so each answer is handled
// inline in onResponse.
export class SyncRound {
    step = Step.Time
    /** false when the round ended on a transport failure, 5xx, refused auth or bad answer: back off */
    ok = true
    alerts: SyncAlert[] = []
    /** the oldest record not yet acknowledged (advances with acks) */
    head: number
    requests = 0
    private now = 0
    private forceTime = false
    private afterTime = Step.Bundle
    private wanted: string[]
    private fetched = 0
    private uploadStopped = false

    constructor(readonly lim: SyncLimits, readonly inp: SyncInputs, readonly c: Crypto) {
        this.head = inp.queueHead
        this.wanted = missing(inp.approved, [], inp.templates)
    }

    /** The next request (nowUnixS: the device's clock, 0 = unknown; nonce: fresh random hex), or null when done. */
    next(nowUnixS: number, nonce: string): SyncRequest | null {
        this.now = nowUnixS
        const inp = this.inp
        const lim = this.lim
        for (;;) {
            const s = this.step
            if (s === Step.Done) return null
            if (this.requests >= lim.requestsMax) {
                this.step = Step.Done
                return null
            }
            let method = "GET"
            let path = ""
            let body = ""
            // signed with the device's clock; 0 on the time route (a wrong clock must not keep the device from fixing it)
            let timestampS = this.now
            if (s === Step.Time) {
                if (this.now > 0 && !this.forceTime && this.now - inp.lastTimeSyncUnixS < lim.timeResyncS) {
                    this.step = Step.Bundle
                    continue
                }
                path = "time?nonce=" + nonce
                timestampS = 0
            } else if (s === Step.Bundle) path = "bundle"
            else if (s === Step.Template) {
                if (this.fetched >= this.wanted.length || this.fetched >= lim.templatesPerRound) {
                    this.step = Step.Records
                    continue
                }
                path = "templates/" + this.wanted[this.fetched]
            } else if (s === Step.Records) {
                if (this.uploadStopped || this.head >= inp.queueNext) {
                    this.step = Step.Status
                    continue
                }
                method = "POST"
                path = "records" // the body: fillRecords
            } else {
                const n = inp.queueNext
                method = "POST"
                path = "status"
                body = JSON.stringify({
                    state: inp.state, phase: inp.phase, pending: n - this.head, latchedFault: inp.latchedFault,
                    head: { seq: n - 1, hash: n > 1 ? inp.lastHash : ZERO_HASH },
                })
            }
            this.requests++
            const last = this.head + lim.batchMax - 1
            const records = s === Step.Records
            return {
                step: s, method: method, path: DEVICE_API + path, body: body, timestampS: timestampS, nonce: nonce,
                ifNoneMatch: s === Step.Bundle && inp.bundleVersion > 0 ? "\"v" + inp.bundleVersion + "\"" : "",
                fromSeq: records ? this.head : 0,
                toSeq: records ? (last < inp.queueNext - 1 ? last : inp.queueNext - 1) : 0,
                sealed: [],
            }
        }
    }

    /**
     * Puts sealed records fromSeq, fromSeq+1, ... (as read from the queue, hex) into a records
     * request, as many as fit batchMax and bodyMaxChars (at least one); sets req.toSeq. False
     * when none was given (unreadable): the upload stops, raised as record_unreadable.
     */
    fillRecords(r: SyncRequest, sealedHex: string[]): boolean {
        let body = "{\"records\":["
        let n = 0
        for (let i = 0; i < sealedHex.length && n < this.lim.batchMax && n <= r.toSeq - r.fromSeq; i++) {
            const hex = sealedHex[i]
            if (n > 0 && body.length + hex.length + 5 > this.lim.bodyMaxChars) break
            body += (n > 0 ? ",\"" : "\"") + hex + "\""
            r.sealed.push(hex)
            n++
        }
        if (n === 0) {
            this.raise("record_unreadable", r.fromSeq, "could not be read from the queue")
            this.uploadStopped = true
            return false
        }
        r.body = body + "]}"
        r.toSeq = r.fromSeq + n - 1
        return true
    }

    /** The answer to r: status 0 = no answer (connection failed or timed out); body = parsed JSON or null. */
    onResponse(r: SyncRequest, status: number, body: any): SyncEffects {
        const fx: SyncEffects = { clockUnixS: 0, bundle: null, template: null, templateHash: "", ackFrom: 0, ackTo: 0 }
        const inp = this.inp
        const s = r.step
        const code: string = body && body.error && typeof body.error.code === "string" ? body.error.code : ""
        if (status === 0 || status >= 500 || status === 429) return this.fail(fx)
        if (status === 401) {
            // the device's clock drifted or jumped: fetch the time once more, then repeat this request
            if (code === "stale_timestamp" && s !== Step.Time && !this.forceTime) {
                this.forceTime = true
                this.afterTime = s
                this.step = Step.Time
                return fx
            }
            if (code === "unknown_device" || code === "bad_signature")
                this.raise("auth_refused", 0, "the hub refuses this device's key (" + code + "): check the device id and key")
            return this.fail(fx)
        }
        if (s === Step.Time) {
            const unixS = status === 200 ? checkTimeAnswer(this.c, inp.keyHex, r.nonce, body) : 0
            if (unixS <= 0) {
                this.raise("time_untrusted", 0, "the time answer does not carry our nonce and key's MAC")
                return this.fail(fx)
            }
            fx.clockUnixS = unixS
            this.now = unixS
            this.step = this.afterTime
        } else if (s === Step.Bundle) {
            this.step = Step.Template
            if (status === 304 || status === 404) return fx // unchanged, or nothing approved yet
            let bad = ""
            try {
                if (status !== 200 || !body || typeof body.sealedHex !== "string") bad = "bundle_refused"
                else {
                    const sealed = hexBuffer(body.sealedHex)
                    const b = openBundle(sealed, inp.keyHex, this.c)
                    checkInstall(b, inp.deviceId, inp.bundleVersion, this.now)
                    fx.bundle = sealed
                    this.wanted = missing(b.approved, b.revoked, inp.templates)
                }
            } catch (e) {
                if (e instanceof ValidationError) bad = "bundle_" + e.code
                else if (e instanceof RangeError) bad = "bundle_malformed"
                else throw e
            }
            if (bad) this.raise(bad, 0, "bundle not installed")
        } else if (s === Step.Template) {
            const want = this.wanted[this.fetched]
            this.fetched++
            if (status === 404) return fx // revoked since the bundle was issued
            let bytes: Buffer | null = null
            try {
                if (status === 200 && body && typeof body.bytesHex === "string") bytes = hexBuffer(body.bytesHex)
            } catch (e) {
                if (!(e instanceof RangeError)) throw e
            }
            if (!bytes || this.c.sha256Hex(bytes) !== want) this.raise("template_mismatch", 0, "template " + want + ": answer " + status + " is not those bytes")
            else {
                fx.template = bytes
                fx.templateHash = want
            }
        } else if (s === Step.Records) {
            const results = body ? body.results : null
            if (status !== 200 || !Array.isArray(results)) {
                this.raise("refused", r.fromSeq, "upload refused: " + status + " " + code)
                this.uploadStopped = true
                return fx
            }
            const span = r.toSeq - r.fromSeq
            let i = 0
            while (i < results.length && i <= span && results[i] && results[i].seq === r.fromSeq + i &&
                (results[i].status === "stored" || results[i].status === "duplicate")) i++
            if (i > 0 && !this.acks(r, i - 1, body.ack)) {
                this.raise("ack_unverified", r.fromSeq + i - 1, "the answer's ack does not carry the hub's MAC over our record: nothing released")
                this.uploadStopped = true
                return this.fail(fx)
            }
            if (i > 0) {
                fx.ackFrom = r.fromSeq
                fx.ackTo = r.fromSeq + i - 1
                this.head = fx.ackTo + 1
            }
            if (i > span) return fx
            // the first record of the batch that was not acknowledged
            const x = results[i]
            const seq = this.head
            const expectedSeq = body.expectedSeq
            const reason = x && x.status === "rejected" && typeof x.reason === "string" ? x.reason : ""
            if (reason === "gap" && isInt(expectedSeq) && expectedSeq >= seq && expectedSeq < inp.queueNext) {
                this.head = expectedSeq // resend from where the hub's chain ends
                return fx
            }
            if (RAISED.indexOf(reason) >= 0) this.raise(reason, seq, "the hub refused the record: it stays on the device")
            else if (reason === "gap") this.raise("hub_behind", seq, "the hub expects " + expectedSeq + " but the device holds from " + seq)
            else if (i > 0) return fx // a short answer: go on from the first record it did not acknowledge
            else return this.fail(fx) // an answer that acknowledges nothing and names no reason: try later
            this.uploadStopped = true
        } else {
            if (status !== 204 && status !== 200) this.raise("refused", 0, "status report refused: " + status + " " + code)
            this.step = Step.Done
        }
        return fx
    }

    /** the answer's ack is the hub's MAC over the k-th record of r, with the hash of our own sealed bytes */
    private acks(r: SyncRequest, k: number, ack: any): boolean {
        const hex = r.sealed[k]
        if (!hex) return false
        return checkAck(this.c, this.inp.keyHex, this.inp.deviceId, r.fromSeq + k, sealedHash(this.c, hex), ack)
    }

    private fail(fx: SyncEffects): SyncEffects {
        this.ok = false
        this.step = Step.Done
        return fx
    }

    private raise(code: string, seq: number, detail: string) {
        this.alerts.push({ code: code, seq: seq, detail: detail })
    }
}

/** a sealed record's hash from its hex (signing.ts sealedBodyHash) */
export function sealedHash(c: Crypto, sealedHex: string): string {
    return sealedBodyHash(c, hexBuffer(sealedHex))
}

/** approved hashes that are neither revoked nor installed, in the bundle's order */
function missing(approved: string[], revoked: string[], installed: string[]): string[] {
    const out: string[] = []
    for (let i = 0; i < approved.length; i++)
        if (revoked.indexOf(approved[i]) < 0 && installed.indexOf(approved[i]) < 0) out.push(approved[i])
    return out
}

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
// released only when the hub answered "stored" or "duplicate" (committed there); never on a
// 5xx, a timeout, or a rejection. A rejected record stays on the device for good: fork, bad_mac,
// wrong_device and broken_chain are raised (alerts) and the upload stops until a technician
// looks. A transport failure, 5xx or refused authentication ends the round as failed (backoff.ts).

import { Crypto, hexBuffer } from "../crypto"
import { isInt, ZERO_HASH } from "../codec/ints"
import { ValidationError } from "../codec/errors"
import { openBundle } from "../bundle/codec"
import { checkInstall } from "../bundle/decide"
import { DEVICE_API, checkTimeAnswer } from "./signing"

export enum Step {
    Time = 1,
    Bundle = 2,
    Template = 3,
    Records = 4,
    Status = 5,
    Done = 6,
}

export interface SyncLimits {
    /** records per upload (the hub takes 1..32) */
    batchMax: number
    /** an upload body is built in the VM's 64 KB heap: keep it well below */
    bodyMaxChars: number
    /** re-read the hub's time this often (the uptime-derived clock drifts) */
    timeResyncS: number
    templatesPerRound: number
    /** bounds a round; the rest waits for the next one */
    requestsMax: number
}

// parsed from a string, as the firmware's other tables (README, "DeviceScript traps")
export const SYNC_LIMITS: SyncLimits = JSON.parse('{"batchMax":8,"bodyMaxChars":12000,"timeResyncS":21600,"templatesPerRound":1,"requestsMax":48}')

/** What the device holds when the round starts. */
export interface SyncInputs {
    deviceId: string
    keyHex: string
    /** when the hub's time was last received, unix s (0 = never since boot) */
    lastTimeSyncUnixS: number
    /** installed bundle version, 0 = none; approved = its approved hashes minus its revoked ones */
    bundleVersion: number
    approved: string[]
    /** template hashes installed on the device */
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
     *  bundle_<ValidationError code>, template_mismatch, record_unreadable, refused */
    code: string
    /** the record concerned, 0 when none */
    seq: number
    detail: string
}

// the hub refused the record for good: the device keeps it and raises it
const RAISED: string[] = JSON.parse('["fork","bad_mac","wrong_device","broken_chain"]')

function noEffects(): SyncEffects {
    return { clockUnixS: 0, bundle: null, template: null, templateHash: "", ackFrom: 0, ackTo: 0 }
}

function errorCode(body: any): string {
    return body && body.error && typeof body.error.code === "string" ? body.error.code : ""
}

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
    private wanted: string[] = []
    private fetched = 0
    private uploadStopped = false

    constructor(readonly lim: SyncLimits, readonly inp: SyncInputs, readonly c: Crypto) {
        this.head = inp.queueHead
        this.wanted = missing(inp.approved, [], inp.templates)
    }

    /** The next request (nowUnixS: the device's clock, 0 = unknown; nonce: fresh random hex), or null when done. */
    next(nowUnixS: number, nonce: string): SyncRequest | null {
        this.now = nowUnixS
        while (this.step !== Step.Done) {
            if (this.requests >= this.lim.requestsMax) {
                this.step = Step.Done
                return null
            }
            const r = this.plan(nonce)
            if (r) {
                this.requests++
                return r
            }
        }
        return null
    }

    private plan(nonce: string): SyncRequest | null {
        const s = this.step
        if (s === Step.Time) {
            if (this.now > 0 && !this.forceTime && this.now - this.inp.lastTimeSyncUnixS < this.lim.timeResyncS) {
                this.step = Step.Bundle
                return null
            }
            return req(Step.Time, "GET", DEVICE_API + "time?nonce=" + nonce, "", 0, nonce)
        }
        if (s === Step.Bundle) {
            const r = req(Step.Bundle, "GET", DEVICE_API + "bundle", "", this.now, nonce)
            if (this.inp.bundleVersion > 0) r.ifNoneMatch = "\"v" + this.inp.bundleVersion + "\""
            return r
        }
        if (s === Step.Template) {
            if (this.fetched >= this.wanted.length || this.fetched >= this.lim.templatesPerRound) {
                this.step = Step.Records
                return null
            }
            return req(Step.Template, "GET", DEVICE_API + "templates/" + this.wanted[this.fetched], "", this.now, nonce)
        }
        if (s === Step.Records) {
            if (this.uploadStopped || this.head >= this.inp.queueNext) {
                this.step = Step.Status
                return null
            }
            const r = req(Step.Records, "POST", DEVICE_API + "records", "", this.now, nonce)
            r.fromSeq = this.head
            const last = this.head + this.lim.batchMax - 1
            r.toSeq = last < this.inp.queueNext - 1 ? last : this.inp.queueNext - 1
            return r
        }
        return req(Step.Status, "POST", DEVICE_API + "status", this.statusBody(), this.now, nonce)
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
        const fx = noEffects()
        if (status === 0 || status >= 500 || status === 429) return this.fail()
        if (status === 401) return this.refusedAuth(r, body, fx)
        if (r.step === Step.Time) this.onTime(r, status, body, fx)
        else if (r.step === Step.Bundle) this.onBundle(status, body, fx)
        else if (r.step === Step.Template) this.onTemplate(status, body, fx)
        else if (r.step === Step.Records) this.onRecords(r, status, body, fx)
        else {
            if (status !== 204 && status !== 200) this.raise("refused", 0, "status report refused: " + status + " " + errorCode(body))
            this.step = Step.Done
        }
        return fx
    }

    private fail(): SyncEffects {
        this.ok = false
        this.step = Step.Done
        return noEffects()
    }

    private refusedAuth(r: SyncRequest, body: any, fx: SyncEffects): SyncEffects {
        const code = errorCode(body)
        // the device's clock drifted or jumped: fetch the time once more, then repeat this request
        if (code === "stale_timestamp" && r.step !== Step.Time && !this.forceTime) {
            this.forceTime = true
            this.afterTime = r.step
            this.step = Step.Time
            return fx
        }
        if (code === "unknown_device" || code === "bad_signature")
            this.raise("auth_refused", 0, "the hub refuses this device's key (" + code + "): check the device id and key")
        return this.fail()
    }

    private onTime(r: SyncRequest, status: number, body: any, fx: SyncEffects) {
        const unixS = status === 200 ? checkTimeAnswer(this.c, this.inp.keyHex, r.nonce, body) : 0
        if (unixS <= 0) {
            this.raise("time_untrusted", 0, "the time answer does not carry our nonce and key's MAC")
            this.fail()
            return
        }
        fx.clockUnixS = unixS
        this.now = unixS
        this.step = this.afterTime
    }

    private onBundle(status: number, body: any, fx: SyncEffects) {
        this.step = Step.Template
        if (status === 304 || status === 404) return // unchanged, or nothing approved yet
        let code = ""
        try {
            if (status !== 200 || !body || typeof body.sealedHex !== "string") code = "bundle_refused"
            else {
                const sealed = hexBuffer(body.sealedHex)
                const b = openBundle(sealed, this.inp.keyHex, this.c)
                checkInstall(b, this.inp.deviceId, this.inp.bundleVersion, this.now)
                fx.bundle = sealed
                this.wanted = missing(b.approved, b.revoked, this.inp.templates)
            }
        } catch (e) {
            if (e instanceof ValidationError) code = "bundle_" + e.code
            else if (e instanceof RangeError) code = "bundle_malformed"
            else throw e
        }
        if (code) this.raise(code, 0, "bundle not installed")
    }

    private onTemplate(status: number, body: any, fx: SyncEffects) {
        const want = this.wanted[this.fetched]
        this.fetched++
        if (status === 404) return // revoked since the bundle was issued
        let bytes: Buffer | null = null
        try {
            if (status === 200 && body && typeof body.bytesHex === "string") bytes = hexBuffer(body.bytesHex)
        } catch (e) {
            if (!(e instanceof RangeError)) throw e
        }
        if (!bytes || this.c.sha256Hex(bytes) !== want) {
            this.raise("template_mismatch", 0, "template " + want + ": answer " + status + " is not those bytes")
            return
        }
        fx.template = bytes
        fx.templateHash = want
    }

    private onRecords(r: SyncRequest, status: number, body: any, fx: SyncEffects) {
        const results = body ? body.results : null
        if (status !== 200 || !Array.isArray(results)) {
            this.raise("refused", r.fromSeq, "upload refused: " + status + " " + errorCode(body))
            this.uploadStopped = true
            return
        }
        let i = 0
        while (i < results.length && i <= r.toSeq - r.fromSeq && results[i] && results[i].seq === r.fromSeq + i &&
            (results[i].status === "stored" || results[i].status === "duplicate")) i++
        if (i > 0) {
            fx.ackFrom = r.fromSeq
            fx.ackTo = r.fromSeq + i - 1
            this.head = fx.ackTo + 1
        }
        if (i > r.toSeq - r.fromSeq) return
        this.onRejected(results[i], body.expectedSeq, i)
    }

    /** the first record of the batch that was not acknowledged */
    private onRejected(x: any, expectedSeq: any, acked: number) {
        const seq = this.head
        const reason = x && x.status === "rejected" && typeof x.reason === "string" ? x.reason : ""
        if (reason === "gap" && isInt(expectedSeq) && expectedSeq >= this.head && expectedSeq < this.inp.queueNext) {
            this.head = expectedSeq // resend from where the hub's chain ends
            return
        }
        if (RAISED.indexOf(reason) >= 0) this.raise(reason, seq, "the hub refused the record: it stays on the device")
        else if (reason === "gap") this.raise("hub_behind", seq, "the hub expects " + expectedSeq + " but the device holds from " + seq)
        else if (acked > 0) return // a short answer: go on from the first record it did not acknowledge
        else {
            this.fail() // an answer that acknowledges nothing and names no reason: try later
            return
        }
        this.uploadStopped = true
    }

    private statusBody(): string {
        const n = this.inp.queueNext
        return JSON.stringify({
            state: this.inp.state, phase: this.inp.phase, pending: n - this.head, latchedFault: this.inp.latchedFault,
            head: { seq: n - 1, hash: n > 1 ? this.inp.lastHash : ZERO_HASH },
        })
    }

    private raise(code: string, seq: number, detail: string) {
        this.alerts.push({ code: code, seq: seq, detail: detail })
    }
}

function req(step: Step, method: string, path: string, body: string, timestampS: number, nonce: string): SyncRequest {
    return { step: step, method: method, path: path, body: body, timestampS: timestampS, nonce: nonce, ifNoneMatch: "", fromSeq: 0, toSeq: 0 }
}

/** approved hashes that are neither revoked nor installed, in the bundle's order */
function missing(approved: string[], revoked: string[], installed: string[]): string[] {
    const out: string[] = []
    approved.forEach(h => {
        if (revoked.indexOf(h) < 0 && installed.indexOf(h) < 0) out.push(h)
    })
    return out
}

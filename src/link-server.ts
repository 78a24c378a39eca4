// The controller's side of the link service (services/smilelink.md, docs/link-service.md): the
// controller serves it, the link node is its only client. The controller has no network code;
// the link brings what the hub sends and takes what the hub needs, and is not trusted: what the
// controller acts on carries the hub's MAC under the device key (src/core/link/gate.ts,
// src/core/sync/signing.ts), so a faulty or compromised link can delay or drop, never forge:
//   clock     the hub's time answer to the controller's own fresh nonce, once, within 20 s
//   install   a sealed bundle (its MAC, device, version, expiry) or a template whose SHA-256 the
//             installed bundle approves, assembled in order and verified whole before it is stored
//   records   read in chunks; released only on the hub's MAC over the controller's own record's hash
//   abort     the console's abort MAC'd for the running cycle's sequence number
//   session   an offer MAC'd with its issue time (fresh within 120 s of the controller's clock)
// While a cycle or a scan runs, installs and record reads wait (Busy): the cycle's timing first.
import * as ds from "@devicescript/core"
import { randomBuffer } from "@devicescript/crypto"
import { Server, startServer } from "./hw/drivers/server-core"
import { MANIFEST } from "./gen/manifest"
import { Controller } from "./core/controller"
import { ControlEvent, EventKind, Phase } from "./core/cycle/events"
import { ScanState } from "./core/fitting/scan-run"
import { toHex, hexEqual, hexBuffer } from "./core/crypto"
import { ZERO_HASH } from "./core/codec/ints"
import { ValidationError } from "./core/codec/errors"
import { base64Buffer, toBase64 } from "./core/codec/base64"
import { BlobStore, BlobStatus } from "./core/store/blob"
import { BundleStore } from "./core/bundle/store"
import { Bundle } from "./core/bundle/types"
import { RecordKind } from "./core/records/types"
import { operator } from "./core/records/operator"
import { wallUnixS } from "./core/wall-clock"
import { ackMac, abortMac, sessionMac, sealedBodyHash, SESSION_FRESH_S } from "./core/sync/signing"
import { LinkResult, ClockGate, Assembly, InstallKind, CHUNK_MAX, SAMPLE_BYTES, putSample } from "./core/link/gate"
import { dsCrypto } from "./hw/crypto-ds"
import { SensorInputs } from "./hw/sensor-inputs"
import { TEMPLATE_PREFIX } from "./trust"
import { Parts, Network } from "./compliance"

/**
 * Packets to the link service handled a second at most (commands, register reads and writes, unknown
 * commands alike); the rest are dropped unanswered, before any work (a flood must not take the
 * control loop's time or the heap; server-core.ts also bounds those in flight). The link needs a few a second, ~25 during an
 * install or a record upload (one at a time, each waiting for its report).
 */
const COMMANDS_PER_SECOND = 40
/**
 * The same while a cycle or a scan runs: the control loop's output writes then take up to 40 of
 * the runtime's 50 sends a second (docs/target-speed.md, "The send budget"), and every answer is
 * a send. The link needs ~2.5 a second then (status and telemetry each second, a session report
 * every 3 s).
 */
const BUSY_COMMANDS_PER_SECOND = 4
/** live samples: 5 a second while a cycle runs; at most SAMPLES_MAX wait for the link (newer ones are dropped) */
const SAMPLE_MS = 200
const SAMPLES_MAX = 10

// Not `implements ds.SmileLinkServerSpec`: its declarations spread a command's fields as parameters, but the
// runtime (server-core.ts, as @devicescript/server 2.16.4) passes the decoded fields as one array.
export class LinkServer extends Server implements Network {
    private clockGate = new ClockGate()
    private asm = new Assembly()
    private lastEnd = LinkResult.Malformed
    private ending?: boolean
    /** the installed bundle (null: none or unreadable) and template hash ("" none), re-read after an install */
    private bundle?: Bundle | null
    private installed = ""
    /** the record read last (chunks of one record are read in turn) */
    private readSeq = 0
    private readBuf?: Buffer | null
    private samples = Buffer.alloc(SAMPLES_MAX * SAMPLE_BYTES)
    private nSamples = 0
    /** the running cycle's number: the sequence number its record takes */
    private cycle = 0
    private running?: boolean
    /** the open session ({ sessionId, templateHash, patientRef, operatorId }) or null; its cycle started */
    private session: any
    private started?: boolean
    /** the session state the hub has not been told: [cycle, state, outcome, sessionId], state 0 none */
    private report: any[] = [0, 0, 0, ""]

    constructor(readonly p: Parts) {
        super(ds.SmileLink.spec)
    }

    /** server-core's share a second: while busy, what leaves the control loop its sends */
    override share(): number {
        return this.busy() ? BUSY_COMMANDS_PER_SECOND : COMMANDS_PER_SECOND
    }

    /** Network (src/compliance.ts): the open session's patient reference until its cycle starts ("" none) */
    patient(): string {
        return this.session && !this.started ? this.session.patientRef : ""
    }

    /** Network: samples the readings for the link while a cycle runs */
    live(s: SensorInputs, ctrl: Controller) {
        const self = this
        setInterval(() => self.sample(s, ctrl), SAMPLE_MS)
    }

    private now(): number {
        return wallUnixS(this.p.clock.anchor, ds.millis())
    }

    /** a cycle runs, or a fitting scan runs or waits to be fitted */
    private busy(): boolean {
        const c = this.p.ctrl
        return c.cycle.running() || (!!c.scan && c.scan.state !== ScanState.Pending && c.scan.state !== ScanState.Failed)
    }

    /** (re)reads the installed bundle and template hash */
    async reload() {
        const p = this.p
        try {
            this.bundle = await new BundleStore(p.kv, dsCrypto, p.id.deviceId, p.id.keyHex).load()
        } catch (e) {
            if (!(e instanceof ValidationError)) throw e
            this.bundle = null
        }
        const t = await new BlobStore(p.kv, dsCrypto, TEMPLATE_PREFIX).load()
        this.installed = t.status === BlobStatus.Ok ? dsCrypto.sha256Hex(base64Buffer(t.value, "(template)")) : ""
    }

    status(): any[] {
        const c = this.p.ctrl
        const q = this.p.recs.queue
        const lf = c.latchedFault
        const nr = this.p.trust.notReady
        const state = lf ? 3 : c.cycle.running() ? 2 : this.busy() ? 4 : nr ? 0 : 1
        const b = this.bundle
        // wanted: an approved, unrevoked template the controller does not hold, while it holds none approved
        let wanted = ZERO_HASH
        if (b && !approves(b, this.installed))
            for (let i = b.approved.length - 1; i >= 0; i--) if (approves(b, b.approved[i])) wanted = b.approved[i]
        return [state, c.phase(), lf ? lf.code : 0, q.head, q.next, b ? b.bundleVersion : 0, this.now(), nr,
            hexBuffer((q.next > 1 ? q.last : ZERO_HASH) + wanted)]
    }

    clockChallenge(): Buffer[] {
        const n = randomBuffer(16)
        this.clockGate.challenge(n, ds.millis())
        return [n] // a lone Buffer would be taken for the list of fields
    }

    clockSet(a: any): number {
        if (!fields(a, "nb")) return LinkResult.Malformed
        const t = this.clockGate.accept(dsCrypto, this.p.id.keyHex, ds.millis(), a[0], a[1])
        if (!t) {
            console.warn("link: a time that is not the hub's answer to our challenge: refused")
            return LinkResult.Refused
        }
        if (!this.p.clock.anchor) console.log("clock set from the hub: " + t)
        this.p.clock.anchor = { unixS: t, atUptimeMs: ds.millis() }
        return LinkResult.Ok
    }

    installBegin(a: any): number {
        this.lastEnd = LinkResult.Malformed
        if (!fields(a, "nn")) return LinkResult.Malformed
        return this.busy() ? LinkResult.Busy : this.asm.begin(a[1], a[0])
    }

    installChunk(a: any): [number, number] {
        const r = fields(a, "nb") ? this.asm.chunk(a[0], a[1]) : LinkResult.Malformed
        return [this.asm.next, r]
    }

    async installEnd(): Promise<number> {
        while (this.ending) await ds.sleep(20) // a repeat while the first is verified and stored gets its answer
        const kind = this.asm.kind
        const bytes = this.asm.take()
        if (!bytes) return this.lastEnd // nothing assembled: a repeat of the last end, or out of order
        this.ending = true
        try {
            this.lastEnd = this.busy() ? LinkResult.Busy : await this.install(kind, bytes)
        } finally {
            this.ending = false
        }
        return this.lastEnd
    }

    private async install(kind: number, bytes: Buffer): Promise<number> {
        const p = this.p
        const now = this.now()
        if (kind === InstallKind.Bundle) {
            try {
                const b = await new BundleStore(p.kv, dsCrypto, p.id.deviceId, p.id.keyHex).install(bytes, now)
                console.log("bundle " + b.bundleVersion + " installed")
                if (this.installed && b.revoked.indexOf(this.installed) >= 0) p.recs.note(RecordKind.TemplateRevoke, this.installed, b.bundleVersion, [])
            } catch (e) {
                if (!(e instanceof ValidationError)) throw e
                console.warn("link: bundle refused: " + e.message)
                return LinkResult.Refused
            }
        } else {
            const h = dsCrypto.sha256Hex(bytes)
            const b = this.bundle
            if (!b || !approves(b, h) || approves(b, this.installed)) {
                console.warn("link: template " + h.slice(0, 12) + " refused: not approved by the installed bundle, or one approved is installed")
                return LinkResult.Refused
            }
            await new BlobStore(p.kv, dsCrypto, TEMPLATE_PREFIX).save(toBase64(bytes))
            console.log("template " + h.slice(0, 12) + " installed")
            p.recs.note(RecordKind.TemplateInstall, h, b.bundleVersion, [])
        }
        await this.reload()
        await p.trust.evaluate(now, true)
        return LinkResult.Ok
    }

    /** sealed record seq, read once for all its chunks (null: not held) */
    private async record(seq: number): Promise<Buffer | null> {
        const q = this.p.recs.queue
        if (seq < q.head || seq >= q.next) return null // released (or never written): the cache is no answer
        if (seq !== this.readSeq || !this.readBuf) {
            this.readBuf = null
            const t = await this.p.recs.queue.readText(seq)
            if (!t) return null
            this.readBuf = base64Buffer(t, "(record)")
            this.readSeq = seq
        }
        return this.readBuf
    }

    async recordRead(a: any): Promise<[number, number, number, Buffer]> {
        if (!fields(a, "nn")) return [0, 0, 0, Buffer.alloc(0)]
        const seq: number = a[0]
        const off: number = a[1]
        let r: Buffer = null
        if (!this.busy()) {
            try {
                r = await this.record(seq)
            } catch (e) {
                if (!(e instanceof ValidationError)) throw e
                console.warn("link: " + e.message)
            }
        }
        if (!r || off > r.length) return [seq, off, 0, Buffer.alloc(0)]
        return [seq, off, r.length, r.slice(off, Math.min(off + CHUNK_MAX, r.length))] // (the VM's slice does not clamp its end)
    }

    async recordAck(a: any): Promise<[number, number]> {
        const q = this.p.recs.queue
        if (!fields(a, "nb")) return [q.head, LinkResult.Malformed]
        const seq: number = a[0]
        const mac: Buffer = a[1]
        if (seq < q.head) return [q.head, LinkResult.Ok] // released already
        if (this.busy()) return [q.head, LinkResult.Busy]
        const r = seq < q.next && mac.length === 32 ? await this.record(seq) : null
        const id = this.p.id
        if (!r || !hexEqual(ackMac(dsCrypto, id.keyHex, id.deviceId, seq, sealedBodyHash(dsCrypto, r)), toHex(mac))) {
            console.warn("link: an ack of record " + seq + " without the hub's MAC over our record: nothing released")
            return [q.head, LinkResult.Refused]
        }
        await this.p.recs.ack(q.head, seq)
        return [q.head, LinkResult.Ok]
    }

    private sample(s: SensorInputs, c: Controller) {
        const running = c.cycle.running()
        if (running && !this.running) this.cycle = this.p.recs.queue.next
        this.running = running
        if (!running || this.nSamples >= SAMPLES_MAX) return
        const l = MANIFEST.limits
        putSample(this.samples, this.nSamples++, ds.millis(), c.phase(), within(s.film.value, l.filmSensorMinDeciC, l.filmSensorMaxDeciC),
            within(s.contact.value, l.contactSensorMinDeciC, l.contactSensorMaxDeciC), within(s.force.value, l.forceSensorMinMilliN, l.forceSensorMaxMilliN))
    }

    telemetry(): [number, Buffer] {
        const out = this.samples.slice(0, this.nSamples * SAMPLE_BYTES)
        this.nSamples = 0
        return [this.cycle, out]
    }

    abort(a: any): number {
        const c = this.p.ctrl
        if (!fields(a, "nb")) return LinkResult.Malformed
        const mac: Buffer = a[1]
        if (!c.cycle.running() || a[0] !== this.cycle || mac.length !== 32) return LinkResult.Malformed
        if (!hexEqual(abortMac(dsCrypto, this.p.id.keyHex, this.p.id.deviceId, this.cycle), toHex(mac))) {
            console.warn("link: an abort without the hub's MAC: refused")
            return LinkResult.Refused
        }
        console.log("abort requested from the console")
        c.softAbort = true
        return LinkResult.Ok
    }

    sessionOffer(a: any): number {
        if (!fields(a, "nsssb")) return LinkResult.Malformed
        const id: string = a[1]
        if (this.started) return LinkResult.Busy // the session's cycle runs: it ends with it
        if (!id) {
            this.session = null // none open (the link may always withdraw one: the START button still decides)
            return LinkResult.Ok
        }
        const now = this.now()
        const h: Buffer = a[4]
        const issued: number = a[0]
        const hash = toHex(h.slice(32, 64))
        if (now <= 0 || issued < now - SESSION_FRESH_S || issued > now + SESSION_FRESH_S || h.length !== 64 ||
            !hexEqual(sessionMac(dsCrypto, this.p.id.keyHex, this.p.id.deviceId, id, hash, a[2], a[3], issued), toHex(h.slice(0, 32)))) {
            console.warn("link: a session offer without a fresh hub MAC: refused")
            return LinkResult.Refused
        }
        const ctx = this.p.builder.ctx
        if (!ctx || hash !== ctx.templateHash) {
            console.log("session " + id.slice(0, 8) + " declined: its template is not the armed one")
            this.session = null
            this.report = [0, 2, 0, id]
            return LinkResult.Ok
        }
        if (!this.session || this.session.sessionId !== id) console.log("session " + id.slice(0, 8) + " for " + a[3])
        this.session = { sessionId: id, templateHash: hash, operatorId: a[2], patientRef: a[3] }
        return LinkResult.Ok
    }

    sessionReport(): [number, number, number, string] {
        return this.report as [number, number, number, string] // (replaced whole, never changed in place)
    }

    sessionReportSent(a: any): number {
        if (!fields(a, "ns")) return LinkResult.Malformed
        if (a[0] === this.report[1] && a[1] === this.report[3]) this.report = [0, 0, 0, ""]
        return LinkResult.Ok
    }

    /** Network: told every control event after the records: a session's cycle starts and ends. */
    onEvent(e: ControlEvent) {
        const s = this.session
        if (!s) return
        const ctx = this.p.builder.ctx
        if (e.kind === EventKind.PhaseStart && e.phase === Phase.Preflight && !this.started) {
            this.started = true
            if (ctx) ctx.operatorId = operator(s.operatorId)
            this.report = [this.p.recs.queue.next, 1, 0, s.sessionId]
        } else if (e.kind === EventKind.Outcome && this.started) {
            if (ctx) ctx.operatorId = ""
            this.report = [this.report[0], 2, e.code, s.sessionId]
            this.session = null
            this.started = false
        }
    }
}

/**
 * A command's decoded fields when there are enough of the kinds wanted ("n" number, "s" string,
 * "b" bytes), else null: a link's packets are input, and a short one decodes short.
 */
function fields(a: any, kinds: string): any[] | null {
    if (!Array.isArray(a) || a.length < kinds.length) return null
    for (let i = 0; i < kinds.length; i++) {
        const k = kinds.charAt(i)
        const v = a[i]
        if (k === "n" ? typeof v !== "number" : k === "s" ? typeof v !== "string" : !(v instanceof Buffer)) return null
    }
    return a
}

/** h is a template hash the bundle approves and does not revoke */
function approves(b: Bundle, h: string): boolean {
    return !!h && b.approved.indexOf(h) >= 0 && b.revoked.indexOf(h) < 0
}

/** v as an integer inside the sensor's range (the hub refuses a sample outside it) */
function within(v: number, lo: number, hi: number): number {
    const r = Math.round(v)
    return !(r >= lo) ? lo : r > hi ? hi : r // (NaN: lo)
}

/** The controller's network side: the link service. */
export async function linkNetwork(p: Parts): Promise<Network | null> {
    const s = new LinkServer(p)
    await s.reload()
    startServer(s, "link")
    return s
}

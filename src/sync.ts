// The device's sync with its hub (hub/README.md "Device protocol"): the glue around the pure
// round in src/core/sync. A round runs on its own fiber when due (a period, right after a
// cycle's record is saved, backing off after a failed round) and only while no cycle runs;
// one request at a time, each on a fetch raced against its own timeout (DeviceScript's fetch
// has none once connected). What an answer says is applied here: the hub's MAC'd time anchors
// the clock, a newer bundle and an approved template are installed in flash (then the approval
// check re-decides), and acknowledged records are released from the queue through the record
// service, so an ack never interleaves with an append.
import * as ds from "@devicescript/core"
import { randomBuffer } from "@devicescript/crypto"
import { Kv } from "./core/store/kv"
import { BlobStore, BlobStatus } from "./core/store/blob"
import { BundleStore } from "./core/bundle/store"
import { Bundle } from "./core/bundle/types"
import { base64Buffer, toBase64 } from "./core/codec/base64"
import { ValidationError } from "./core/codec/errors"
import { wallUnixS } from "./core/wall-clock"
import { SyncRound, SyncRequest, SyncEffects, SYNC_LIMITS, Step } from "./core/sync/planner"
import { SyncSchedule, SYNC_TIMING } from "./core/sync/backoff"
import { requestSignature } from "./core/sync/signing"
import { Controller } from "./core/controller"
import { ScanState } from "./core/fitting/scan-run"
import { Phase, phaseName } from "./core/cycle/events"
import { RecordKind } from "./core/records/types"
import { dsCrypto } from "./hw/crypto-ds"
import { httpRequest } from "./hw/http"
import { Identity } from "./identity"
import { Trust, TEMPLATE_PREFIX } from "./trust"
import { RecordService } from "./records"
import { ClockRef } from "./compliance"

/** the hub's base URL, e.g. http://192.168.1.10:8090 (written into .env.local by the hub) */
export const KEY_HUB_URL = "HUB_URL"
const POLL_MS = 1000

export class DeviceSync {
    readonly schedule = new SyncSchedule(SYNC_TIMING)
    private lastTimeSyncUnixS = 0
    /** SHA-256 of the installed template ("" none, null not read yet) */
    private installed: string = null
    /** approved templates fetched but not installed (the device holds one): not fetched again */
    private declined: string[] = []
    private running = false

    constructor(readonly hubUrl: string, readonly id: Identity, readonly kv: Kv, readonly trust: Trust,
        readonly recs: RecordService, readonly ctrl: Controller, readonly clock: ClockRef) {}

    start() {
        const self = this
        setInterval(async () => {
            if (self.running || busy(self.ctrl) || !self.schedule.due(ds.millis())) return
            self.running = true
            try {
                await self.round()
            } catch (e) {
                // an unreadable store or a bug must not panic the program (it would restart it): back off and retry
                console.error("sync round failed: " + (e as Error).message)
                self.schedule.roundEnded(false, ds.millis(), Math.random())
            }
            self.running = false
        }, POLL_MS)
    }

    /** One round now (start() runs them when due; tests call it directly). */
    async round() {
        const q = this.recs.queue
        const bundles = new BundleStore(this.kv, dsCrypto, this.id.deviceId, this.id.keyHex)
        const b = await this.bundle(bundles)
        if (this.installed === null) {
            this.installed = ""
            const t = await new BlobStore(this.kv, dsCrypto, TEMPLATE_PREFIX).load()
            if (t.status === BlobStatus.Ok) this.installed = dsCrypto.sha256Hex(base64Buffer(t.value, "(template)"))
        }
        // what the round must not fetch: the revoked, the installed template, and every other one while it is approved
        const holding = this.declined.slice(0)
        if (this.installed) holding.push(this.installed)
        if (b) {
            for (let i = 0; i < b.revoked.length; i++) holding.push(b.revoked[i])
            if (approves(b, this.installed)) for (let i = 0; i < b.approved.length; i++) holding.push(b.approved[i])
        }
        const lf = this.ctrl.latchedFault
        const phase = this.ctrl.phase()
        const round = new SyncRound(SYNC_LIMITS, {
            deviceId: this.id.deviceId, keyHex: this.id.keyHex, lastTimeSyncUnixS: this.lastTimeSyncUnixS,
            bundleVersion: b ? b.bundleVersion : 0, approved: b ? b.approved : [],
            templates: holding, queueHead: q.head, queueNext: q.next, lastHash: q.last,
            state: phase === Phase.Idle && this.trust.notReady ? "not_ready" : phaseName(phase),
            phase: phase, latchedFault: lf ? lf.code : 0,
        }, dsCrypto)
        let changed = false
        for (;;) {
            const r = round.next(wallUnixS(this.clock.anchor, ds.millis()), randomBuffer(16).toString("hex"))
            if (!r || busy(this.ctrl)) break // the cycle's timing comes first; its record kicks the next round
            if (r.step === Step.Records) {
                const sealed: string[] = []
                for (let n = r.fromSeq; n <= r.toSeq; n++) {
                    const one = await q.readText(n)
                    if (!one) break
                    sealed.push(base64Buffer(one, "(record)").toString("hex")) // a Buffer: 1 byte each in the heap
                }
                if (!round.fillRecords(r, sealed)) continue
            }
            if (await this.apply(await this.send(round, r), bundles)) changed = true
        }
        for (const x of round.alerts) console.warn("sync alert " + x.code + (x.seq ? " record " + x.seq : "") + ": " + x.detail)
        const now = ds.millis()
        const delay = this.schedule.roundEnded(round.ok, now, Math.random())
        if (round.ok && round.head < q.next && round.alerts.length === 0) this.schedule.kick(now)
        if (!round.ok) console.warn("sync failed; next try in " + Math.round(delay / 1000) + " s")
        if (changed) await this.trust.evaluate(wallUnixS(this.clock.anchor, ds.millis()), true)
    }

    /** the installed bundle (null: none or unreadable) */
    private async bundle(bundles: BundleStore): Promise<Bundle | null> {
        try {
            return await bundles.load()
        } catch (e) {
            if (!(e instanceof ValidationError)) throw e
            return null
        }
    }

    /** applies an answer's effects; true when what decides a run changed (bundle, template) */
    private async apply(fx: SyncEffects, bundles: BundleStore): Promise<boolean> {
        let changed = false
        if (fx.clockUnixS > 0) {
            if (!this.clock.anchor) console.log("clock set from the hub: " + fx.clockUnixS)
            this.clock.anchor = { unixS: fx.clockUnixS, atUptimeMs: ds.millis() }
            this.lastTimeSyncUnixS = fx.clockUnixS
        }
        if (fx.bundle) {
            const b = await bundles.install(fx.bundle, wallUnixS(this.clock.anchor, ds.millis()))
            console.log("bundle " + b.bundleVersion + " installed")
            if (this.installed && b.revoked.indexOf(this.installed) >= 0)
                this.recs.note(RecordKind.TemplateRevoke, this.installed, b.bundleVersion, [])
            changed = true
        }
        if (fx.template) {
            const a = await this.bundle(bundles)
            if (!a || !approves(a, this.installed)) {
                await new BlobStore(this.kv, dsCrypto, TEMPLATE_PREFIX).save(toBase64(fx.template))
                this.installed = fx.templateHash
                console.log("template " + fx.templateHash.slice(0, 12) + " installed")
                this.recs.note(RecordKind.TemplateInstall, fx.templateHash, a ? a.bundleVersion : 0, [])
                changed = true
            } else this.declined.push(fx.templateHash)
        }
        if (fx.ackFrom > 0 && fx.ackTo >= fx.ackFrom) await this.recs.ack(fx.ackFrom, fx.ackTo)
        return changed
    }

    /** One signed request, bounded by the sync's timeout; the round's reading of the answer (status 0 when no usable answer came). */
    private async send(round: SyncRound, r: SyncRequest): Promise<SyncEffects> {
        const a = await this.call(r.method, r.path, r.body, r.timestampS, r.nonce, r.ifNoneMatch)
        return round.onResponse(r, a[0], a[1])
    }

    /** One signed request, bounded by the sync's timeout: [status (0: no usable answer), the parsed JSON body or null]. */
    private async call(method: string, path: string, body: string, timestampS: number, nonce: string, ifNoneMatch: string): Promise<any[]> {
        let h = "x-device-id: " + this.id.deviceId + "\r\nx-timestamp: " + timestampS + "\r\nx-nonce: " + nonce + "\r\nx-signature: " +
            requestSignature(dsCrypto, this.id.keyHex, method, path, body, timestampS, nonce) + "\r\n"
        if (body) h += "content-type: application/json\r\n"
        if (ifNoneMatch) h += "if-none-match: " + ifNoneMatch + "\r\n"
        const a = await httpRequest(this.hubUrl, method, path, h, body, SYNC_TIMING.fetchTimeoutMs)
        if (a.status === 0) console.warn("sync: " + method + " " + path + ": " + a.text)
        let json: any = null
        try {
            if (a.status > 0 && a.text.length > 0) json = JSON.parse(a.text)
        } catch (e) {
            json = null
        }
        return [a.status, json]
    }

    /**
     * A request outside the rounds (live telemetry): only when no round is in flight (the VM has
     * one socket) and the clock is known; null when it could not be sent.
     */
    async live(method: string, path: string, body: string): Promise<any[] | null> {
        const ts = wallUnixS(this.clock.anchor, ds.millis())
        if (this.running || ts <= 0) return null
        this.running = true
        try {
            return await this.call(method, path, body, ts, randomBuffer(16).toString("hex"), "")
        } finally {
            this.running = false
        }
    }
}

/** h is a template hash the bundle approves and does not revoke */
function approves(b: Bundle, h: string): boolean {
    return !!h && b.approved.indexOf(h) >= 0 && b.revoked.indexOf(h) < 0
}

/**
 * A cycle runs, or a fitting scan runs or waits to be fitted: no round then. The cycle's timing
 * comes first, and a fit's arrays and a round's requests never need the tight heap at once
 * (README, "Known problems").
 */
function busy(c: Controller): boolean {
    return c.cycle.running() || (!!c.scan && c.scan.state !== ScanState.Pending && c.scan.state !== ScanState.Failed)
}

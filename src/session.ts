// Sessions prepared on the staff console (hub/src/device-sessions.ts): an approved template and a
// patient reference for this device. While idle the device asks its hub for the open session
// (GET session), shows its patient reference and waits for its own START button: nothing here
// starts a cycle. The cycle that starts then is the session's: its record carries the session's
// operator, and the device reports when it started and how it ended (POST session/state). A
// session for another template than the armed one is declined (ended, outcome 0); a session the
// console aborts before its cycle starts ends the same way, and one aborted during the cycle
// reaches the device in the telemetry's answer (src/live.ts). A report that cannot be sent is
// kept and sent again; the compliance record is the evidence, this is the console's view.
import * as ds from "@devicescript/core"
import { Controller } from "./core/controller"
import { ControlEvent, EventKind, Phase } from "./core/cycle/events"
import { DEVICE_API } from "./core/sync/signing"
import { CycleRecordBuilder } from "./core/records/builder"
import { DeviceSync } from "./sync"
import { operator } from "./core/records/operator"

const POLL_MS = 3000

export class Sessions {
    /** the open session as the hub sent it ({ sessionId, templateHash, patientRef, operatorId, abort }), or null */
    open: any = null
    /** the session's cycle started */
    started = false
    /** a state report still to send (JSON body), or "" */
    private report = ""
    private lastPollMs = 0
    private polling = false

    constructor(readonly sync: DeviceSync, readonly ctrl: Controller, readonly builder: CycleRecordBuilder, readonly nextSeq: () => number) {
        setInterval(this.poll, 500) // a bound method
    }

    /** The display's patient reference ("" none): shown with READY while the session waits for START. */
    label(): string {
        return this.open && !this.started ? this.open.patientRef : ""
    }

    async poll() {
        const now = ds.millis()
        if (this.polling || (!this.report && (this.ctrl.cycle.running() || now - this.lastPollMs < POLL_MS))) return
        this.polling = true
        try {
            if (this.report) {
                const a = await this.sync.live("POST", DEVICE_API + "session/state", this.report)
                // sent, or refused for good (4xx: the hub will never take it): either way not again
                if (a && a[0] > 0 && a[0] < 500) this.report = ""
            } else {
                this.lastPollMs = now
                const a = await this.sync.live("GET", DEVICE_API + "session", "")
                if (a && a[0] === 204) this.open = null
                else if (a && a[0] === 200 && a[1] && !this.started) this.take(a[1])
            }
        } catch (e) {
            // the session is the console's convenience: a failure never takes the program down
        }
        this.polling = false
    }

    private take(s: any) {
        const ctx = this.builder.ctx
        if (typeof s.sessionId !== "string") return
        if (s.abort || !ctx || s.templateHash !== ctx.templateHash) {
            console.log("session " + s.sessionId.slice(0, 8) + (s.abort ? " aborted" : " declined: its template is not the armed one"))
            this.end(s.sessionId, 0)
            return
        }
        if (!this.open || this.open.sessionId !== s.sessionId) console.log("session " + s.sessionId.slice(0, 8) + " for " + s.patientRef)
        this.open = s
    }

    private end(id: string, outcome: number) {
        this.report = '{"sessionId":"' + id + '","state":"ended","outcome":' + outcome + "}"
        this.open = null
        this.started = false
    }

    /** Told every control event after the records: a session's cycle starts and ends. */
    onEvent(e: ControlEvent) {
        const s = this.open
        if (!s) return
        if (e.kind === EventKind.PhaseStart && e.phase === Phase.Preflight && !this.started) {
            this.started = true
            const ctx = this.builder.ctx
            if (ctx) ctx.operatorId = operator(s.operatorId)
            this.report = '{"sessionId":"' + s.sessionId + '","state":"started","cycle":' + this.nextSeq() + "}"
        } else if (e.kind === EventKind.Outcome && this.started) {
            const ctx = this.builder.ctx
            if (ctx) ctx.operatorId = ""
            this.end(s.sessionId, e.code)
        }
    }
}

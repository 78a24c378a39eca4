// The control loop: one tick every manifest period. Each tick reads the latest samples, runs
// the pure controller, writes outputs, and handles events. Nothing may escape a tick (an
// uncaught exception panics the whole VM): any error latches a control-error fault, and the
// outputs go safe. A tick still running when the next is due is skipped, never overlapped;
// the supervisor sees the gap as an overrun.
import * as ds from "@devicescript/core"
import { Controller } from "./core/controller"
import { EventKind, ControlEvent, Phase, phaseName } from "./core/cycle/events"
import { faultLabel, faultName } from "./core/faults"
import { SensorInputs } from "./hw/sensor-inputs"
import { OutputWriter } from "./hw/outputs"
import { saveLatched, saveGains } from "./hw/persist"
import { beep } from "./hw/status-ui"
import { Io } from "./hw/roles"
import { Housekeeping } from "./hw/housekeeping"

/** Both buttons held this long clears a latched fault (technician gesture, logged). */
const CLEAR_HOLD_MS = 5000

export class ControlLoop {
    private busy?: boolean
    private bothSinceMs = -1
    ticks = 0
    skipped = 0
    /** Timing of the cycle (from its preflight; reported at its outcome): the worst gap between tick starts, and gaps over two periods. */
    private lastStartMs = -1
    maxGapMs = 0
    lateTicks = 0
    maxTickMs = 0
    private periodMs = 0
    /** also told every control event (the compliance records' builder), after the loop's own handling */
    eventSink?: (e: ControlEvent) => void

    constructor(readonly io: Io, readonly ctrl: Controller, readonly sensors: SensorInputs, readonly outputs: OutputWriter,
        readonly hk: Housekeeping, readonly logHasRoom: () => boolean) {}

    start(periodMs: number) {
        this.periodMs = periodMs
        setInterval(this.safeTick, periodMs) // a bound method (DeviceScript binds method values)
    }

    /** One tick that never throws: a tick still running is skipped, an exception fails safe. */
    async safeTick() {
        if (this.busy) {
            this.skipped++
            return
        }
        this.busy = true
        const t0 = ds.millis()
        try {
            await this.tick()
        } catch (e: any) {
            // last line of defence: outputs off, fault latched, the loop keeps running in the safe state
            try {
                await this.outputs.allOff()
            } catch (e2) {
                // nothing more can be done here; the heater one-shot expires on its own
            }
            try {
                console.error("control error: " + (e && e.message ? e.message : e))
                this.ctrl.reportError(ds.millis())
                await saveLatched(this.ctrl.latchedFault)
            } catch (e3) {
                console.error("control error while failing safe")
            }
        } finally {
            this.busy = false
            const d = ds.millis() - t0
            if (d > this.maxTickMs) this.maxTickMs = d
            // the display, lamp, buzzer and sensor settings get the bus only now (housekeeping.ts)
            this.hk.afterTick()
        }
    }

    private resetTiming() {
        this.maxGapMs = 0
        this.lateTicks = 0
        this.maxTickMs = 0
    }

    async tick() {
        const now = ds.millis()
        this.ticks++
        if (this.lastStartMs >= 0) {
            const gap = now - this.lastStartMs
            if (gap > this.maxGapMs) this.maxGapMs = gap
            if (this.periodMs > 0 && gap > 2 * this.periodMs) this.lateTicks++
        }
        this.lastStartMs = now
        // the sensors' object is the controller's input: the rest of it is filled in here
        const s = this.sensors
        s.nowMs = now
        s.logHasRoom = this.logHasRoom()
        // the heater-supply sense too (without it a welded relay would go unseen: docs/roles.md),
        // and every sensor role on the one I/O device (sensor-inputs.ts, `foreign`)
        s.outputsBound = this.io.heater.isBound && this.io.press.isBound && this.io.heaterSense.isBound && !s.foreign
        const out = this.ctrl.tick(s)
        // the peaks restart from the latest readings
        s.film.peak = s.film.value
        s.contact.peak = s.contact.value
        s.force.peak = s.force.value
        s.position.peak = s.position.value
        // and the latched door and buttons from their present levels (sensor-inputs.ts)
        s.doorClosed = s.doorLevel
        s.startPressed = s.startLevel
        s.abortPressed = s.abortLevel
        await this.outputs.write(out)
        // the technician's gesture: both buttons held CLEAR_HOLD_MS clears a latched fault
        if (!(s.startPressed && s.abortPressed) || !this.ctrl.latchedFault) this.bothSinceMs = -1
        else if (this.bothSinceMs < 0) this.bothSinceMs = now
        else if (now - this.bothSinceMs >= CLEAR_HOLD_MS) {
            this.bothSinceMs = -1
            this.ctrl.clearFault(now)
        }
        const evs = this.ctrl.drainEvents()
        for (const e of evs) {
            // the loop's own handling of each event first
            switch (e.kind) {
                case EventKind.PhaseStart:
                    console.log("phase " + phaseName(e.phase))
                    // the timing line covers the cycle: from its preflight to its outcome
                    if (e.phase === Phase.Preflight) this.resetTiming()
                    break
                case EventKind.Fault:
                    console.log("fault " + faultLabel(e.fault) + " " + faultName(e.fault.code))
                    if (this.ctrl.latchedFault) await saveLatched(this.ctrl.latchedFault)
                    beep(this.io, this.hk, true)
                    break
                case EventKind.FaultCleared:
                    console.log("fault cleared " + faultLabel(e.fault))
                    await saveLatched(null)
                    break
                case EventKind.Outcome:
                    console.log("outcome " + e.code)
                    // the tick timing figures, once per cycle, then reset
                    console.log("timing ticks " + this.ticks + " maxGapMs " + this.maxGapMs + " late " + this.lateTicks + " skipped " + this.skipped + " maxTickMs " + this.maxTickMs)
                    beep(this.io, this.hk, false)
                    break
                case EventKind.PreflightFailed:
                    console.log("preflight failed " + e.code)
                    beep(this.io, this.hk, true)
                    break
                case EventKind.GainsTuned: {
                    const r = this.ctrl.lastAutotune
                    if (r && r.gains) await saveGains(r.gains)
                    break
                }
            }
            if (this.eventSink) this.eventSink(e)
        }
    }
}

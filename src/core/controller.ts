// The applicator's control tick, pure: readings in, outputs out. The firmware calls tick()
// at the manifest's period; Node tests drive it against plant models. Order inside a tick:
//   1. the supervisor checks the readings (and last tick's outputs) -> any fault = safe state
//   2. the cycle / autotune decides targets
//   3. PID and press loop turn targets into duty and speed
//   4. the safe state overrides everything: heater off, press retracting to home.
// There is no start() method: a cycle starts only on the physical start button's edge.

import type { Manifest } from "./manifest"
import { Fault, FaultCode, SensorId, isLatching, makeFault } from "./faults"
import { HeaterPid, PidGains, pidLimitsFor } from "./heater/pid"
import { TimeProportioner } from "./heater/time-proportion"
import type { AutotuneResult } from "./heater/autotune"
import { PressController, PressMode } from "./press/press-control"
import { Supervisor } from "./safety/supervisor"
import { Sample, hasValue, isImplausible, isStale } from "./safety/sensor-checks"
import { Cycle, CycleReadings } from "./cycle/cycle"
import { ProcessParams, ProcessError, checkProcess } from "./cycle/process"
import { Phase, PreflightReason, EventKind, ControlEvent, event } from "./cycle/events"
import { ScanRun, ScanState } from "./fitting/scan-run"

export interface ControllerInputs {
    nowMs: number
    film: Sample
    contact: Sample
    force: Sample
    position: Sample
    /** home end stop closed */
    home: boolean
    doorClosed: boolean
    /** start button level (a cycle starts on its rising edge) */
    startPressed: boolean
    /** abort button level */
    abortPressed: boolean
    /** the compliance log can take another record */
    logHasRoom: boolean
    /** heater relay, its supply sense and press actuator are connected */
    outputsBound: boolean
    /** the heater-supply sense reads live (docs/roles.md `heaterSense`); absent: dead */
    heaterSenseLive?: boolean
    /** the arch-scan distance sensor, µm (only a scan reads it) */
    distance?: Sample
}

/**
 * A heater tuning session (Autotuner in heater/autotune.ts). Passed in rather than built here,
 * so the firmware image carries the tuner only where a technician can start one: the
 * DeviceScript function area is limited to 64 KB.
 */
export interface HeaterTuner {
    step(nowMs: number, measuredDeciC: number): number
    isDone(): boolean
    result(): AutotuneResult | null
}

export interface ControllerOutputs {
    /** relay state for this tick (time-proportioned duty) */
    heaterOn: boolean
    dutyPermille: number
    pressSpeedPermille: number
    filmTargetDeciC: number
    phase: Phase
}

export class Controller {
    readonly supervisor: Supervisor
    readonly press: PressController
    readonly cycle: Cycle
    readonly pid: HeaterPid
    readonly relay: TimeProportioner
    // Read-only outside the controller (fields, not getters: each method costs the firmware's
    // 64 KB function area ~40 bytes).
    /** the process armed for the next start press */
    armedProcess: ProcessParams | null = null
    /** the latched fault (cleared only by clearFault) */
    latchedFault: Fault | null = null
    /** the most recent fault, latched or not (for display) */
    recentFault: Fault | null = null
    /** the last finished autotune's result (accepted or rejected) */
    lastAutotune: AutotuneResult | null = null
    /**
     * The running heater tuning session, if any. Started by startAutotune() below, a free
     * function, and finished by the session itself: the device image has no autotune command
     * yet, and as Controller methods both would cost its 64 KB function area all the same.
     */
    autotune: AutotuneSession | null = null
    /**
     * The fitting scan the armed process still needs: while one is here the start button runs
     * it instead of a cycle. Failed scans are replaced, and finished ones fitted, by the
     * firmware's fitting glue (src/fit.ts).
     */
    scan: ScanRun | null = null
    /**
     * Given by the fitting glue: makes the pending scan an armed controller holds whenever it
     * has no accepted fit (`fitted`), from arm() on and from a cycle's end on, in the same call,
     * so no cycle starts unfitted. (The glue used to make it at its next poll, and for up to
     * 200 ms the display showed READY and START began a cycle with no fit.)
     */
    newScan: (() => ScanRun) | null = null
    /** an accepted fit is held for the next cycle (set by the fitting glue); arming anew and a cycle's end use it up */
    fitted = false
    private wasScanning = false
    private lastTickMs = -1
    private lastStart = true // a button held at boot is not a press
    /** a start edge seen last tick, acted on this tick unless ABORT came with it */
    private pendingStart = false
    /** the press is home for a fault clear: by a fresh position reading, else by the end stop */
    private homeForClear = false
    /**
     * What a START pressed now would be refused for (Ok: nothing), as of the last tick: the
     * display asks for START only when a start would be taken.
     */
    startBlock = PreflightReason.Ok
    /** software abort (console, technician): set it for the same effect as the abort button at the next tick */
    softAbort = false
    /** this tick's outputs */
    outputs: ControllerOutputs = { heaterOn: false, dutyPermille: 0, pressSpeedPermille: 0, filmTargetDeciC: -1, phase: Phase.Idle }
    private holdActive = false
    /** events not yet drained (startAutotune() adds one) */
    events: ControlEvent[] = []

    constructor(readonly m: Manifest, gains: PidGains) {
        this.supervisor = new Supervisor(m)
        this.press = new PressController(m.press, m.cycle)
        this.cycle = new Cycle(m, this.press)
        this.pid = new HeaterPid(gains, pidLimitsFor(m.control))
        this.relay = new TimeProportioner(Math.round(m.control.heaterWindowMs / m.control.periodMs))
        // after a reset (power loss, crash) the press may still be on the patient: home it first
        this.press.go(PressMode.Retract, 0)
    }

    /** Arms a process for the next start press; returns why not, or null. */
    arm(proc: ProcessParams): ProcessError | null {
        const err = checkProcess(proc, this.m)
        if (err) return err
        if (this.cycle.running()) return { field: "(state)", reason: "a cycle is running" }
        this.armedProcess = proc
        this.fitted = false
        this.holdScan()
        return null
    }

    disarm() {
        if (!this.cycle.running()) this.armedProcess = null
    }

    private holdScan() {
        if (this.newScan && this.armedProcess && !this.fitted && !this.scan && !this.cycle.running()) this.scan = this.newScan()
    }

    /** Restores a latched fault read from flash at boot. */
    restoreLatched(f: Fault | null) {
        if (!f || !isLatching(f.code)) return
        this.latchedFault = f
        this.recentFault = f
        this.cycle.settle(Phase.Faulted, 0)
    }

    /**
     * Technician clears a latched fault; only with the press stopped and home: a fresh position
     * reading within homeToleranceUm, or the end stop closed when there is no fresh position
     * (a switch stuck closed cannot clear a press that the position says is out).
     */
    clearFault(nowMs: number): boolean {
        if (!this.latchedFault || this.outputs.pressSpeedPermille !== 0 || !this.homeForClear) return false
        const e = event(EventKind.FaultCleared, nowMs, Phase.Faulted, this.latchedFault.code)
        e.fault = this.latchedFault
        this.events.push(e)
        this.latchedFault = null
        this.supervisor.reset()
        this.press.go(PressMode.Stop, nowMs)
        this.cycle.settle(Phase.Idle, nowMs)
        return true
    }

    /** An exception escaped the control logic: latch a control error and go safe. */
    reportError(nowMs: number) {
        this.trip(nowMs, makeFault(FaultCode.ControlError, SensorId.None, 0, 0, nowMs))
        this.outputs = { heaterOn: false, dutyPermille: 0, pressSpeedPermille: 0, filmTargetDeciC: -1, phase: this.phase() }
    }

    phase(): Phase {
        if (this.autotune) return Phase.Autotune
        if (this.scan && this.scan.state === ScanState.Running) return Phase.Scan
        return this.cycle.phase
    }

    drainEvents(): ControlEvent[] {
        // fresh arrays rather than `length = 0`: setting length corrupts the VM heap (seen in 2.16.4)
        const all = this.events
        for (const e of this.cycle.events) all.push(e)
        this.events = []
        this.cycle.events = []
        return all
    }

    tick(i: ControllerInputs): ControllerOutputs {
        this.holdScan() // (also for a controller armed before its fitting glue was given)
        const now = i.nowMs
        const gap = this.lastTickMs < 0 ? 0 : now - this.lastTickMs
        this.lastTickMs = now
        const running = this.cycle.running()
        const sc = this.scan
        const scanning = !!sc && sc.state === ScanState.Running
        const active = running || !!this.autotune || scanning
        const proc = this.cycle.process
        // A start acts one tick after its edge, and only if ABORT is pressed at neither tick:
        // pressing both (the technician's clear gesture, or a slip) never starts anything.
        // The firmware latches presses between ticks, so a tap shorter than a tick counts.
        const abortNow = i.abortPressed || this.softAbort
        const startGo = this.pendingStart && !abortNow
        this.pendingStart = i.startPressed && !this.lastStart && !abortNow
        this.lastStart = i.startPressed
        const pm = this.press.mode

        // 1. supervisor, before anything is decided
        const f = this.supervisor.check({
            nowMs: now, film: i.film, contact: i.contact, force: i.force, position: i.position,
            doorClosed: i.doorClosed, abortPressed: abortNow,
            active: active, cycleActive: running,
            heaterDutyPermille: this.outputs.dutyPermille, filmTargetDeciC: this.outputs.filmTargetDeciC,
            holdActive: this.holdActive,
            contactMaxDeciC: running && proc ? proc.contactMaxDeciC : 0,
            pressSpeedPermille: this.outputs.pressSpeedPermille,
            // free motion (approach, release, retract, a scan): stall applies; pushing in contact (ramp, hold)
            pressFreeMotion: pm === PressMode.Approach || pm === PressMode.Release || pm === PressMode.Retract || scanning,
            pressInContact: pm === PressMode.Ramp || pm === PressMode.Hold,
            contactUm: this.press.contactUm,
            tickGapMs: gap, outputsBound: i.outputsBound,
            heaterWasOn: this.outputs.heaterOn, heaterSenseLive: !!i.heaterSenseLive,
        })
        this.softAbort = false
        if (f) this.trip(now, f)

        // every sensor has a fresh, in-range reading (the preflight's self-check)
        const l = this.m.limits
        const p = this.m.control.periodMs
        const st = this.m.safety.staleTicks
        const posOk = ready(i.position, now, p, st, l.positionMinUm, l.positionMaxUm)
        this.homeForClear = posOk ? i.position.value <= this.m.press.homeToleranceUm : i.home
        const r: CycleReadings = {
            filmDeciC: i.film.value, contactDeciC: i.contact.value, forceMilliN: i.force.value,
            positionUm: i.position.value, positionValid: hasValue(i.position), home: i.home,
            doorClosed: i.doorClosed,
            sensorsReady: ready(i.film, now, p, st, l.filmSensorMinDeciC, l.filmSensorMaxDeciC) &&
                ready(i.contact, now, p, st, l.contactSensorMinDeciC, l.contactSensorMaxDeciC) &&
                ready(i.force, now, p, st, l.forceSensorMinMilliN, l.forceSensorMaxMilliN) &&
                posOk && i.outputsBound,
            logHasRoom: i.logHasRoom,
        }
        // what a START would be refused for (the scan's preconditions; a cycle also needs log room)
        this.startBlock = !r.doorClosed ? PreflightReason.DoorOpen : !r.sensorsReady ? PreflightReason.SensorNotReady
            : !sc && !r.logHasRoom ? PreflightReason.LogFull : !this.press.isHome(r) ? PreflightReason.PressNotHome : PreflightReason.Ok
        let target = -1
        this.holdActive = false
        let duty = 0

        // 2. what runs: cycle, autotune, or nothing
        const idle = this.cycle.phase === Phase.Idle || this.cycle.phase === Phase.Complete
        if (startGo && !this.autotune) {
            if (this.latchedFault) this.events.push(event(EventKind.PreflightFailed, now, Phase.Preflight, PreflightReason.LatchedFault))
            else if (sc) {
                // the scan moves the press toward the patient: the cycle's own preconditions (startBlock)
                const why = !this.armedProcess ? PreflightReason.NoProcess : sc.state !== ScanState.Pending || !idle ? PreflightReason.Busy : this.startBlock
                if (why !== PreflightReason.Ok) this.events.push(event(EventKind.PreflightFailed, now, Phase.Scan, why))
                else {
                    sc.state = ScanState.Running
                    this.supervisor.reset()
                    this.events.push(event(EventKind.PhaseStart, now, Phase.Scan, 0))
                }
            } else if (idle && this.cycle.begin(now, this.armedProcess, r) === PreflightReason.Ok) {
                this.supervisor.reset()
                this.pid.reset()
            }
        }
        if (this.cycle.running()) {
            const t = this.cycle.step(now, r)
            if (this.cycle.fault !== FaultCode.None) {
                this.trip(now, makeFault(this.cycle.fault, this.cycle.fault === FaultCode.PressNoContact ? SensorId.Position : SensorId.None,
                    this.cycle.faultValue, this.cycle.faultLimit, now))
            } else {
                target = t.filmTargetDeciC
                this.holdActive = t.holdActive
            }
        }
        const tune = this.autotune // (a fault above ended it)
        if (tune && !this.latchedFault) {
            duty = tune.tuner.step(now, i.film.value)
            target = tune.targetDeciC
            if (tune.tuner.isDone()) tune.finish(this, now)
        }

        // 3. loops
        if (this.cycle.running() && target >= 0) {
            if (this.outputs.filmTargetDeciC < 0) this.pid.reset()
            duty = this.pid.update(now, i.film.value, target)
        }
        // r is the press's reading too (the cycle is done with it), with no force until one arrives
        r.forceMilliN = hasValue(i.force) ? i.force.value : 0
        // ABORT with nothing running and the press out (a retract that gave up, a stall's stop)
        // sends it home: ABORT is the operator's way to free the patient in any state
        if (abortNow && !active && this.press.mode === PressMode.Stop && !this.press.isHome(r)) this.press.go(PressMode.Retract, now)
        let speed = this.press.step(now, r)
        if (scanning && sc.state === ScanState.Running) {
            const d = i.distance
            speed = sc.step(r.positionUm, r.positionValid, d ? d.value : 0, d ? d.atMs : -1, r.forceMilliN, i.doorClosed)
        }
        // a scan that ended (done, failed, or dropped by the firmware): the press goes home,
        // unless this tick's fault already put it in its safe state (a stall stops it where it is)
        const still = !!this.scan && this.scan.state === ScanState.Running
        if (this.wasScanning && !still && !f) this.press.go(PressMode.Retract, now)
        this.wasScanning = still

        // 4. safe state overrides
        const ph = this.cycle.phase
        if (this.latchedFault || ph === Phase.Aborted || ph === Phase.Faulted) {
            duty = 0
            target = -1
            if (ph === Phase.Aborted && speed === 0 && this.press.isHome(r)) {
                this.press.go(PressMode.Stop, now)
                this.cycle.settle(Phase.Idle, now)
            }
        }
        if (!this.cycle.running() && !this.autotune) {
            duty = 0
            target = -1
        }
        // a cycle that ended this tick (any outcome) used its fit up: the next START scans
        if (running && !this.cycle.running()) {
            this.fitted = false
            this.holdScan()
        }
        this.outputs = {
            heaterOn: this.relay.step(duty),
            dutyPermille: duty,
            pressSpeedPermille: speed,
            filmTargetDeciC: target,
            phase: this.phase(),
        }
        return this.outputs
    }

    /** Any fault: heater off now, press retracting (or stopped if it is the press that jammed). */
    private trip(now: number, f: Fault) {
        const latching = isLatching(f.code)
        if (this.latchedFault) return // first fault wins; the safe state is already in force
        this.recentFault = f
        if (latching) this.latchedFault = f
        if (this.cycle.running()) this.cycle.stop(now, f)
        else {
            const e = event(EventKind.Fault, now, this.phase(), f.code)
            e.fault = f
            this.events.push(e)
        }
        if (latching) this.cycle.settle(Phase.Faulted, now)
        this.autotune = null
        if (this.scan) this.scan.fail("fault E" + f.code)
        this.pid.reset()
        this.relay.reset()
        if (f.code === FaultCode.PressStall) this.press.go(PressMode.Stop, now)
        else this.press.go(PressMode.Retract, now)
    }
}

/**
 * Starts a heater autotune (technician command) on c with a tuner built for targetDeciC, e.g.
 * `new Autotuner(targetDeciC, m.autotune, m.control)`; returns why not, or null.
 */
export function startAutotune(c: Controller, nowMs: number, targetDeciC: number, tuner: HeaterTuner): string | null {
    if (c.latchedFault) return "latched fault: clear it first"
    if (c.cycle.phase !== Phase.Idle || c.autotune) return "busy"
    if (targetDeciC < 300 || targetDeciC > c.m.limits.filmMaxDeciC - 50) return "target out of range"
    c.autotune = new AutotuneSession(tuner, targetDeciC)
    c.supervisor.reset()
    c.events.push(event(EventKind.PhaseStart, nowMs, Phase.Autotune, 0))
    return null
}

/** A heater tuning session: its tuner and film target, and what its end does to the controller. */
class AutotuneSession {
    constructor(readonly tuner: HeaterTuner, readonly targetDeciC: number) {}

    /** The tuner is done: its gains are used from now on, or an AutotuneRejected fault is reported. */
    finish(c: Controller, now: number) {
        const res = this.tuner.result()
        if (res && res.ok && res.gains) {
            c.pid.setGains(res.gains)
            c.events.push(event(EventKind.GainsTuned, now, Phase.Autotune, 0))
        } else {
            const f = makeFault(FaultCode.AutotuneRejected, SensorId.FilmTemp, res ? res.overshootDeciC : 0,
                c.m.autotune.maxOvershootDeciC, now)
            c.recentFault = f
            const e = event(EventKind.Fault, now, Phase.Autotune, f.code)
            e.fault = f
            c.events.push(e)
        }
        c.lastAutotune = res
        c.autotune = null
        c.relay.reset()
    }
}

/** A fresh reading inside min..max. */
function ready(s: Sample, nowMs: number, periodMs: number, staleTicks: number, min: number, max: number): boolean {
    return !isStale(s, nowMs, periodMs, staleTicks) && !isImplausible(s, min, max)
}

// The application cycle: preflight -> preheat -> approach -> press -> cure -> release -> cool
// -> complete. It decides targets (film temperature, press mode); the controller turns them
// into outputs and the supervisor can end the cycle from any phase (stop()).

import type { Manifest } from "../manifest"
import { FaultCode, Fault } from "../faults"
import { PressController, PressMode } from "../press/press-control"
import { ProcessParams } from "./process"
import { PhaseStats } from "./phase-stats"
import { Phase, Outcome, PreflightReason, EventKind, ControlEvent, event } from "./events"

/** One tick's readings (its press fields make it a PressReading too: isHome takes it as is). */
export interface CycleReadings {
    filmDeciC: number
    contactDeciC: number
    forceMilliN: number
    positionUm: number
    positionValid: boolean
    home: boolean
    doorClosed: boolean
    /** every sensor fresh and in range */
    sensorsReady: boolean
    /** the compliance log can take one more record */
    logHasRoom: boolean
}

export interface CycleTargets {
    /** film target, or -1 for heater off */
    filmTargetDeciC: number
    /** the film has reached its target since the last target change */
    holdActive: boolean
}

export class Cycle {
    /** the phase now, and the process of the running (or last) cycle: read-only outside */
    phase = Phase.Idle
    process: ProcessParams | null = null
    private phaseStartMs = 0
    private atTargetSinceMs = -1
    private holdReached = false
    private lastTarget = -1
    private readonly stats = new PhaseStats()
    /** fault raised by the cycle itself (timeouts, no contact), FaultCode.None otherwise */
    fault = FaultCode.None
    faultValue = 0
    faultLimit = 0
    events: ControlEvent[] = []

    constructor(readonly m: Manifest, readonly press: PressController) {}

    running(): boolean {
        return this.phase >= Phase.Preflight && this.phase <= Phase.Cool
    }

    /** Preflight (one tick) and, if it passes, the start of preheat. */
    begin(nowMs: number, proc: ProcessParams | null, r: CycleReadings): PreflightReason {
        let why = PreflightReason.Ok
        if (this.running()) why = PreflightReason.Busy
        else if (!proc) why = PreflightReason.NoProcess
        else if (!r.sensorsReady) why = PreflightReason.SensorNotReady
        else if (!r.doorClosed) why = PreflightReason.DoorOpen
        else if (!r.logHasRoom) why = PreflightReason.LogFull
        else if (!this.press.isHome(r)) why = PreflightReason.PressNotHome
        if (why !== PreflightReason.Ok) {
            this.events.push(event(EventKind.PreflightFailed, nowMs, Phase.Preflight, why))
            return why
        }
        this.process = proc
        this.fault = FaultCode.None
        this.enter(Phase.Preflight, nowMs)
        this.enter(Phase.Preheat, nowMs)
        return PreflightReason.Ok
    }

    /** One tick of a running cycle. */
    step(nowMs: number, r: CycleReadings): CycleTargets {
        this.fault = FaultCode.None
        const p = this.process
        if (!this.running() || !p) return { filmTargetDeciC: -1, holdActive: false }
        this.stats.add(r.filmDeciC, r.contactDeciC, r.forceMilliN)
        const c = this.m.cycle
        const inPhase = nowMs - this.phaseStartMs
        switch (this.phase) {
            case Phase.Preheat: {
                const near = r.filmDeciC >= p.filmDeciC - c.atTargetBandDeciC && r.filmDeciC <= p.filmDeciC + c.atTargetBandDeciC
                if (!near) this.atTargetSinceMs = -1
                else if (this.atTargetSinceMs < 0) this.atTargetSinceMs = nowMs
                const need = p.soakMs > c.atTargetStableMs ? p.soakMs : c.atTargetStableMs
                if (this.atTargetSinceMs >= 0 && nowMs - this.atTargetSinceMs >= need) {
                    this.enter(Phase.Approach, nowMs)
                    this.press.go(PressMode.Approach, nowMs)
                } else if (inPhase > c.preheatMaxMs) this.raise(FaultCode.PhaseTimeout, inPhase, c.preheatMaxMs)
                return this.targets(p.filmDeciC, r)
            }
            case Phase.Approach:
                if (this.press.contactUm >= 0) {
                    this.enter(Phase.Press, nowMs)
                    this.press.ramp(nowMs, r.forceMilliN, p.forceMilliN, p.rampMs)
                } else if (this.press.fault !== FaultCode.None) {
                    this.raise(this.press.fault, r.positionUm, this.m.press.travelMaxUm)
                } else if (inPhase > c.approachMaxMs) this.raise(FaultCode.PhaseTimeout, inPhase, c.approachMaxMs)
                return this.targets(p.filmDeciC, r)
            case Phase.Press: {
                // the ramp is done and the force has come within 5 % of target
                const tol = p.forceMilliN / 20
                if (inPhase >= p.rampMs && r.forceMilliN >= p.forceMilliN - tol && r.forceMilliN <= p.forceMilliN + tol) {
                    this.enter(Phase.Cure, nowMs)
                    this.press.hold(nowMs, p.forceMilliN)
                } else if (inPhase > p.rampMs + c.approachMaxMs) this.raise(FaultCode.PhaseTimeout, inPhase, p.rampMs + c.approachMaxMs)
                return this.targets(p.filmDeciC, r)
            }
            case Phase.Cure:
                if (inPhase >= p.cureMs) {
                    this.enter(Phase.Release, nowMs)
                    this.press.go(PressMode.Release, nowMs)
                    return this.targets(-1, r)
                }
                return this.targets(p.cureDeciC, r)
            case Phase.Release:
                if (this.press.isHome(r)) {
                    this.press.go(PressMode.Stop, nowMs)
                    this.enter(Phase.Cool, nowMs)
                } else if (inPhase > c.releaseMaxMs) this.raise(FaultCode.PhaseTimeout, inPhase, c.releaseMaxMs)
                return this.targets(-1, r)
            case Phase.Cool:
                if (r.filmDeciC <= p.coolDeciC || inPhase >= c.coolMaxMs) {
                    this.finish(nowMs, Phase.Complete, Outcome.Complete, null)
                }
                return this.targets(-1, r)
            default:
                return this.targets(-1, r)
        }
    }

    /** Ends a running cycle early (abort or fault): closes the phase and reports the outcome. */
    stop(nowMs: number, fault: Fault) {
        if (!this.running()) return
        const aborted = fault.code === FaultCode.Abort || fault.code === FaultCode.DoorOpen
        this.finish(nowMs, aborted ? Phase.Aborted : Phase.Faulted, aborted ? Outcome.Aborted : Outcome.Faulted, fault)
    }

    /**
     * Outside a running cycle: Phase.Faulted for a latching fault (idle, aborting, at boot), or
     * back to Phase.Idle once the safe state is reached (press home) or a fault was cleared.
     */
    settle(ph: Phase.Idle | Phase.Faulted, nowMs: number) {
        this.phase = ph
        this.phaseStartMs = nowMs
    }

    private finish(nowMs: number, ph: Phase, outcome: Outcome, fault: Fault | null) {
        this.closePhase(nowMs)
        if (fault) {
            const e = event(EventKind.Fault, nowMs, this.phase, fault.code)
            e.fault = fault
            this.events.push(e)
        }
        this.events.push(event(EventKind.Outcome, nowMs, this.phase, outcome))
        this.phase = ph
        this.phaseStartMs = nowMs
    }

    private targets(target: number, r: CycleReadings): CycleTargets {
        if (target !== this.lastTarget) {
            this.lastTarget = target
            this.holdReached = false
        }
        if (target >= 0 && !this.holdReached) {
            const band = this.m.cycle.atTargetBandDeciC
            this.holdReached = r.filmDeciC >= target - band && r.filmDeciC <= target + band
        }
        // preheat is the approach to target: the hold band applies from the approach on
        return { filmTargetDeciC: target, holdActive: this.phase !== Phase.Preheat && target >= 0 && this.holdReached }
    }

    private enter(ph: Phase, nowMs: number) {
        if (this.running()) this.closePhase(nowMs)
        this.phase = ph
        this.phaseStartMs = nowMs
        this.atTargetSinceMs = -1
        this.stats.begin(ph, nowMs)
        this.events.push(event(EventKind.PhaseStart, nowMs, ph, 0))
    }

    private closePhase(nowMs: number) {
        const e = event(EventKind.PhaseEnd, nowMs, this.phase, 0)
        e.summary = this.stats.end(nowMs)
        this.events.push(e)
    }

    private raise(code: FaultCode, value: number, limit: number) {
        this.fault = code
        this.faultValue = value
        this.faultLimit = limit
    }
}

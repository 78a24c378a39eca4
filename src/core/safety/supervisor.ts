// Safety supervisor: runs every control tick BEFORE any output is computed or written, and
// returns the first fault found (or null). Order: readings that cannot be trusted, then hard
// limits, then a welded heater relay, then plausibility of the heater and press, then operator
// events, then timing.
// It never writes outputs itself: the controller turns any fault into the safe state.

import { Fault, FaultCode, SensorId, makeFault } from "../faults"
import type { Manifest } from "../manifest"
import { Sample, hasValue, isImplausible, isStale, StuckDetector, peakOf } from "./sensor-checks"
import { RunawayDetector, OffRiseDetector, HoldBandDetector } from "./thermal-checks"
import { StallDetector } from "./stall"

export interface SupervisorInputs {
    nowMs: number
    film: Sample
    contact: Sample
    force: Sample
    position: Sample
    doorClosed: boolean
    abortPressed: boolean
    /** a cycle or autotune is running: every check applies (idle: hard limits and ranges only) */
    active: boolean
    /** a cycle is running (door interlock applies) */
    cycleActive: boolean
    /** heater duty commanded on the previous tick */
    heaterDutyPermille: number
    /** film target, or < 0 when the heater has none */
    filmTargetDeciC: number
    /** the film is meant to be holding at its target (reached since the last target change) */
    holdActive: boolean
    /** contact limit in force: the lower of the device's and the template's */
    contactMaxDeciC: number
    /** press speed commanded on the previous tick */
    pressSpeedPermille: number
    /** the press is in free motion (approach/release), where stall applies */
    pressFreeMotion: boolean
    /** the press is pushing in contact, where a frozen force reading is suspicious */
    pressInContact: boolean
    /** where the press first found contact in this cycle, µm (-1: none yet) */
    contactUm: number
    /** ms since the previous tick started (0 on the first tick) */
    tickGapMs: number
    /** heater relay, its supply sense and press actuator are connected (bound) */
    outputsBound: boolean
    /** the heater relay was commanded on by the previous tick */
    heaterWasOn: boolean
    /** the heater-supply sense reads live (supply present after the relay) */
    heaterSenseLive: boolean
}

export class Supervisor {
    private readonly filmStuck: StuckDetector
    private readonly forceStuck: StuckDetector
    private readonly runaway: RunawayDetector
    private readonly offRise: OffRiseDetector
    private readonly hold: HoldBandDetector
    private readonly stall: StallDetector
    /** late ticks counted in the current window of control.lateWindowTicks active ticks */
    private lateTicks = 0
    private windowTicks = 0
    /**
     * Ticks since the heater relay was last commanded on: a fact about the relay's commands,
     * not detector history, so reset() leaves it.
     */
    private heaterOffTicks = 0

    constructor(readonly m: Manifest) {
        const s = m.safety
        this.filmStuck = new StuckDetector(s.stuckWindowMs)
        this.forceStuck = new StuckDetector(s.stuckWindowMs)
        this.runaway = new RunawayDetector(s.runawayWindowMs, s.runawayMinRiseDeciC)
        this.offRise = new OffRiseDetector(s.offRiseWindowMs, s.offRiseMaxDeciC)
        this.hold = new HoldBandDetector(s.holdBandDeciC, s.holdWindowMs)
        this.stall = new StallDetector(s.stallWindowMs, s.stallMinProgressUm, s.stallMinSpeedPermille)
    }

    /** Forget detector history (after a fault is cleared or a new cycle starts). */
    reset() {
        // (the three one-field detectors have no reset(): a method each would cost the
        // firmware's 64 KB function area more than these stores)
        this.filmStuck.sinceMs = -1
        this.forceStuck.sinceMs = -1
        this.runaway.reset()
        this.offRise.startMs = -1
        this.hold.outsideSinceMs = -1
        this.stall.reset()
        this.lateTicks = 0
        this.windowTicks = 0
    }

    check(i: SupervisorInputs): Fault | null {
        const l = this.m.limits
        const s = this.m.safety
        const now = i.nowMs
        const period = this.m.control.periodMs
        this.heaterOffTicks = i.heaterWasOn ? 0 : this.heaterOffTicks + 1

        // 1. readings that cannot be trusted
        const range = implausible(i.film, SensorId.FilmTemp, l.filmSensorMinDeciC, l.filmSensorMaxDeciC, false, now) ||
            implausible(i.contact, SensorId.ContactTemp, l.contactSensorMinDeciC, l.contactSensorMaxDeciC, false, now) ||
            implausible(i.force, SensorId.Force, l.forceSensorMinMilliN, l.forceSensorMaxMilliN, true, now) ||
            implausible(i.position, SensorId.Position, l.positionMinUm, l.positionMaxUm, false, now)
        if (range) return range
        if (i.active) {
            // SensorId of each: index + 1
            const smp = [i.film, i.contact, i.force, i.position]
            for (let k = 0; k < smp.length; k++)
                if (isStale(smp[k], now, period, s.staleTicks))
                    return makeFault(FaultCode.SensorStale, k + 1, hasValue(smp[k]) ? now - smp[k].atMs : -1, s.staleTicks * period, now)
        }

        if (i.active && !i.outputsBound) return makeFault(FaultCode.ActuatorLost, SensorId.None, 0, 0, now)

        // 2. hard limits, every tick, active or not
        const contactMax = i.contactMaxDeciC > 0 && i.contactMaxDeciC < l.contactMaxDeciC ? i.contactMaxDeciC : l.contactMaxDeciC
        const over = overLimit(i.film, FaultCode.FilmOverTemp, SensorId.FilmTemp, l.filmMaxDeciC, now) ||
            overLimit(i.contact, FaultCode.ContactOverTemp, SensorId.ContactTemp, contactMax, now) ||
            overLimit(i.force, FaultCode.OverForce, SensorId.Force, l.forceMaxMilliN, now)
        if (over) return over

        // 2b. a welded heater relay (latent: the one-shot still cuts the heater): in any state, the
        // supply after the relay must be dead once the relay has been commanded off for more than
        // heaterSenseSettleTicks ticks (the relay's release and the sense's filter, poll and report)
        if (i.heaterSenseLive && this.heaterOffTicks > s.heaterSenseSettleTicks)
            return makeFault(FaultCode.HeaterRelayWelded, SensorId.None, this.heaterOffTicks * period, s.heaterSenseSettleTicks * period, now)

        // 3. heater and press plausibility (need trustworthy, fresh readings)
        if (hasValue(i.film)) {
            const film = i.film.value
            const hasTarget = i.filmTargetDeciC >= 0
            const heatingHard = i.active && hasTarget && i.heaterDutyPermille >= s.runawayMinDutyPermille &&
                film < i.filmTargetDeciC - s.runawayBelowTargetDeciC
            if (this.runaway.update(now, film, heatingHard))
                return makeFault(FaultCode.ThermalRunaway, SensorId.FilmTemp, this.runaway.value, s.runawayMinRiseDeciC, now)
            if (this.offRise.update(now, film, i.heaterDutyPermille <= 0))
                return makeFault(FaultCode.HeaterUncommandedRise, SensorId.FilmTemp, this.offRise.value, s.offRiseMaxDeciC, now)
            if (this.hold.update(now, film, i.filmTargetDeciC, i.active && hasTarget && i.holdActive))
                return makeFault(FaultCode.HoldDeviation, SensorId.FilmTemp, this.hold.value, s.holdBandDeciC, now)
            if (this.filmStuck.update(now, film, i.active && i.heaterDutyPermille >= s.stuckMinDutyPermille))
                return makeFault(FaultCode.SensorStuck, SensorId.FilmTemp, film, s.stuckWindowMs, now)
            // a film sensor reading low (E24): heating out of contact, the tip's only warm
            // neighbour is the film, so its reading above the film's means the film's is wrong
            const low = hasValue(i.contact) ? i.contact.value - film : 0
            if (i.active && hasTarget && !i.pressInContact && low > s.filmBelowContactMaxDeciC)
                return makeFault(FaultCode.FilmBelowContact, SensorId.FilmTemp, low, s.filmBelowContactMaxDeciC, now)
        }
        if (hasValue(i.force)) {
            const moving = i.pressSpeedPermille >= s.stallMinSpeedPermille || i.pressSpeedPermille <= -s.stallMinSpeedPermille
            if (this.forceStuck.update(now, i.force.value, i.active && i.pressInContact && moving))
                return makeFault(FaultCode.SensorStuck, SensorId.Force, i.force.value, s.stuckWindowMs, now)
            // a load cell reading low (E13): pushing in contact, a penetration d past the contact
            // point gives at least the softest plausible film and arch's force, k d (1 + d / s)
            const d = i.position.value - i.contactUm
            const p = this.m.press
            const least = (p.stiffnessMinMilliNPerMm * d * (1 + d / p.stiffenUm)) / 1000
            if (i.active && i.pressInContact && i.contactUm >= 0 && hasValue(i.position) && i.force.value + s.forceShortfallMaxMilliN < least)
                return makeFault(FaultCode.ForceImplausible, SensorId.Force, i.force.value, least, now)
        }
        if (hasValue(i.position) && this.stall.update(now, i.position.value, i.pressSpeedPermille, i.active && i.pressFreeMotion))
            return makeFault(FaultCode.PressStall, SensorId.Position, this.stall.value, s.stallMinProgressUm, now)

        // 4. operator events
        if (i.cycleActive && !i.doorClosed) return makeFault(FaultCode.DoorOpen, SensorId.None, 0, 0, now)
        if (i.active && i.abortPressed) return makeFault(FaultCode.Abort, SensorId.None, 0, 0, now)

        // 5. timing: a late tick means outputs were stale for that long. One gap beyond overrunMs
        // is a fault at once; shorter late ticks (over two periods) are a fault when too many come
        // in one window: a loop that is overloaded all the time, never by much.
        if (!i.active) return null
        const c = this.m.control
        const gapMs = i.tickGapMs
        if (gapMs > c.overrunMs) return makeFault(FaultCode.TickOverrun, SensorId.None, gapMs, c.overrunMs, now)
        if (gapMs > 2 * c.periodMs) this.lateTicks++
        this.windowTicks++
        if (this.lateTicks > c.maxLateTicks) return makeFault(FaultCode.TickOverrun, SensorId.None, this.lateTicks, c.maxLateTicks, now)
        if (this.windowTicks >= c.lateWindowTicks) {
            this.windowTicks = 0
            this.lateTicks = 0
        }
        return null
    }
}

/**
 * SensorImplausible when s is out of min..max (or NaN). The value reported is the reading, or
 * for the force (reportPeak) its peak when that is what went over.
 */
function implausible(s: Sample, id: SensorId, min: number, max: number, reportPeak: boolean, now: number): Fault | null {
    if (!isImplausible(s, min, max)) return null
    return makeFault(FaultCode.SensorImplausible, id, reportPeak && peakOf(s) > max ? peakOf(s) : s.value, s.value < min ? min : max, now)
}

/** A hard-limit fault when the highest reading since the last tick is over max. */
function overLimit(s: Sample, code: FaultCode, id: SensorId, max: number, now: number): Fault | null {
    return hasValue(s) && peakOf(s) > max ? makeFault(code, id, peakOf(s), max, now) : null
}

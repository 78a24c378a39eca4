// Safety supervisor: runs every control tick BEFORE any output is computed or written, and
// returns the first fault found (or null). Order: readings that cannot be trusted, then hard
// limits, then plausibility of the heater and press, then operator events, then timing.
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
    /** ms since the previous tick started (0 on the first tick) */
    tickGapMs: number
    /** heater relay and press actuator are connected (bound) */
    outputsBound: boolean
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
        this.filmStuck.reset()
        this.forceStuck.reset()
        this.runaway.reset()
        this.offRise.reset()
        this.hold.reset()
        this.stall.reset()
        this.lateTicks = 0
        this.windowTicks = 0
    }

    check(i: SupervisorInputs): Fault | null {
        const l = this.m.limits
        const s = this.m.safety
        const now = i.nowMs
        const period = this.m.control.periodMs

        // 1. readings that cannot be trusted
        if (isImplausible(i.film, l.filmSensorMinDeciC, l.filmSensorMaxDeciC))
            return this.f(FaultCode.SensorImplausible, SensorId.FilmTemp, i.film.value,
                i.film.value < l.filmSensorMinDeciC ? l.filmSensorMinDeciC : l.filmSensorMaxDeciC, now)
        if (isImplausible(i.contact, l.contactSensorMinDeciC, l.contactSensorMaxDeciC))
            return this.f(FaultCode.SensorImplausible, SensorId.ContactTemp, i.contact.value,
                i.contact.value < l.contactSensorMinDeciC ? l.contactSensorMinDeciC : l.contactSensorMaxDeciC, now)
        if (isImplausible(i.force, l.forceSensorMinMilliN, l.forceSensorMaxMilliN))
            return this.f(FaultCode.SensorImplausible, SensorId.Force, peakOf(i.force) > l.forceSensorMaxMilliN ? peakOf(i.force) : i.force.value,
                i.force.value < l.forceSensorMinMilliN ? l.forceSensorMinMilliN : l.forceSensorMaxMilliN, now)
        if (isImplausible(i.position, l.positionMinUm, l.positionMaxUm))
            return this.f(FaultCode.SensorImplausible, SensorId.Position, i.position.value,
                i.position.value < l.positionMinUm ? l.positionMinUm : l.positionMaxUm, now)
        if (i.active) {
            const stale = this.staleSensor(i, now, period, s.staleTicks)
            if (stale !== SensorId.None) {
                const smp = this.sample(i, stale)
                return this.f(FaultCode.SensorStale, stale, hasValue(smp) ? now - smp.atMs : -1,
                    s.staleTicks * period, now)
            }
        }

        if (i.active && !i.outputsBound) return this.f(FaultCode.ActuatorLost, SensorId.None, 0, 0, now)

        // 2. hard limits, every tick, active or not
        if (hasValue(i.film) && peakOf(i.film) > l.filmMaxDeciC)
            return this.f(FaultCode.FilmOverTemp, SensorId.FilmTemp, peakOf(i.film), l.filmMaxDeciC, now)
        const contactMax = i.contactMaxDeciC > 0 && i.contactMaxDeciC < l.contactMaxDeciC ? i.contactMaxDeciC : l.contactMaxDeciC
        if (hasValue(i.contact) && peakOf(i.contact) > contactMax)
            return this.f(FaultCode.ContactOverTemp, SensorId.ContactTemp, peakOf(i.contact), contactMax, now)
        if (hasValue(i.force) && peakOf(i.force) > l.forceMaxMilliN)
            return this.f(FaultCode.OverForce, SensorId.Force, peakOf(i.force), l.forceMaxMilliN, now)

        // 3. heater and press plausibility (need trustworthy, fresh readings)
        if (hasValue(i.film)) {
            const film = i.film.value
            const hasTarget = i.filmTargetDeciC >= 0
            const heatingHard = i.active && hasTarget && i.heaterDutyPermille >= s.runawayMinDutyPermille &&
                film < i.filmTargetDeciC - s.runawayBelowTargetDeciC
            if (this.runaway.update(now, film, heatingHard))
                return this.f(FaultCode.ThermalRunaway, SensorId.FilmTemp, this.runaway.value, s.runawayMinRiseDeciC, now)
            if (this.offRise.update(now, film, i.heaterDutyPermille <= 0))
                return this.f(FaultCode.HeaterUncommandedRise, SensorId.FilmTemp, this.offRise.value, s.offRiseMaxDeciC, now)
            if (this.hold.update(now, film, i.filmTargetDeciC, i.active && hasTarget && i.holdActive))
                return this.f(FaultCode.HoldDeviation, SensorId.FilmTemp, this.hold.value, s.holdBandDeciC, now)
            if (this.filmStuck.update(now, film, i.active && i.heaterDutyPermille >= s.stuckMinDutyPermille))
                return this.f(FaultCode.SensorStuck, SensorId.FilmTemp, film, s.stuckWindowMs, now)
        }
        if (hasValue(i.force)) {
            const moving = i.pressSpeedPermille >= s.stallMinSpeedPermille || i.pressSpeedPermille <= -s.stallMinSpeedPermille
            if (this.forceStuck.update(now, i.force.value, i.active && i.pressInContact && moving))
                return this.f(FaultCode.SensorStuck, SensorId.Force, i.force.value, s.stuckWindowMs, now)
        }
        if (hasValue(i.position) && this.stall.update(now, i.position.value, i.pressSpeedPermille, i.active && i.pressFreeMotion))
            return this.f(FaultCode.PressStall, SensorId.Position, this.stall.value, s.stallMinProgressUm, now)

        // 4. operator events
        if (i.cycleActive && !i.doorClosed) return this.f(FaultCode.DoorOpen, SensorId.None, 0, 0, now)
        if (i.active && i.abortPressed) return this.f(FaultCode.Abort, SensorId.None, 0, 0, now)

        // 5. timing: a late tick means outputs were stale for that long. One gap beyond overrunMs
        // is a fault at once; shorter late ticks (over two periods) are a fault when too many come
        // in one window: a loop that is overloaded all the time, never by much.
        if (i.active) return this.timing(i.tickGapMs, now)
        return null
    }

    private timing(gapMs: number, now: number): Fault | null {
        const c = this.m.control
        if (gapMs > c.overrunMs) return this.f(FaultCode.TickOverrun, SensorId.None, gapMs, c.overrunMs, now)
        if (gapMs > 2 * c.periodMs) this.lateTicks++
        this.windowTicks++
        if (this.lateTicks > c.maxLateTicks) return this.f(FaultCode.TickOverrun, SensorId.None, this.lateTicks, c.maxLateTicks, now)
        if (this.windowTicks >= c.lateWindowTicks) {
            this.windowTicks = 0
            this.lateTicks = 0
        }
        return null
    }

    private staleSensor(i: SupervisorInputs, now: number, period: number, ticks: number): SensorId {
        if (isStale(i.film, now, period, ticks)) return SensorId.FilmTemp
        if (isStale(i.contact, now, period, ticks)) return SensorId.ContactTemp
        if (isStale(i.force, now, period, ticks)) return SensorId.Force
        if (isStale(i.position, now, period, ticks)) return SensorId.Position
        return SensorId.None
    }

    private sample(i: SupervisorInputs, id: SensorId): Sample {
        if (id === SensorId.FilmTemp) return i.film
        if (id === SensorId.ContactTemp) return i.contact
        if (id === SensorId.Force) return i.force
        return i.position
    }

    private f(code: FaultCode, sensor: SensorId, value: number, limit: number, now: number): Fault {
        return makeFault(code, sensor, value, limit, now)
    }
}

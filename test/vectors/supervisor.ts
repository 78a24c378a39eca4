// Supervisor vectors, shared by vitest (test/unit/supervisor.test.ts) and the DeviceScript VM
// (test/vm/supervisor.vm.ts). DeviceScript subset only. Each vector builds the inputs for
// tick k from a nominal, healthy state; the expected trip tick is computed by hand from the
// manifest's windows (comments give the arithmetic), never from running the supervisor.

import { Manifest } from "../../src/core/manifest"
import { FaultCode, SensorId } from "../../src/core/faults"
import { Supervisor, SupervisorInputs } from "../../src/core/safety/supervisor"

export interface SupVector {
    name: string
    /** ticks to run at most */
    ticks: number
    /** inputs for tick k at time nowMs (fresh samples unless the vector says otherwise) */
    inputs: (k: number, nowMs: number, m: Manifest) => SupervisorInputs
    /** time of tick k; default k x period */
    timeMs?: (k: number, m: Manifest) => number
    /** expected fault (None: must run all ticks without one) */
    code: FaultCode
    sensor: SensorId
    /** expected tick of the trip, by hand from the manifest */
    tripTick: (m: Manifest) => number
    /** tick of the first sample beyond the limit / of the event, for the reaction figure */
    eventTick: number
}

export function nominal(k: number, now: number, m: Manifest): SupervisorInputs {
    return {
        nowMs: now,
        film: { value: 700 + (k % 2), atMs: now }, // 0.1 °C of sensor noise
        contact: { value: 360, atMs: now },
        force: { value: 0, atMs: now },
        position: { value: 0, atMs: now },
        doorClosed: true,
        abortPressed: false,
        active: true,
        cycleActive: true,
        heaterDutyPermille: 300,
        filmTargetDeciC: 700,
        holdActive: true,
        contactMaxDeciC: 0,
        pressSpeedPermille: 0,
        pressFreeMotion: false,
        pressInContact: false,
        contactUm: -1,
        tickGapMs: k === 0 ? 0 : m.control.periodMs,
        outputsBound: true,
        // the relay off and its supply sense dead: healthy
        heaterWasOn: false,
        heaterSenseLive: false,
    }
}

function at(k: number, from: number) {
    return k >= from
}

/** A time-proportioned relay: commanded on at ticks 0-7 of every 20 (40 % of a 1 s window). */
function relayCmd(j: number): boolean {
    return j >= 0 && j % 20 < 8
}

/**
 * Tick k's relay inputs: the previous tick's command, and a sense that follows the command late
 * by `lagTicks` (live when the relay was commanded on in any of ticks k-1 .. k-1-lagTicks).
 */
function relayAndSense(i: SupervisorInputs, k: number, lagTicks: number): SupervisorInputs {
    i.heaterWasOn = relayCmd(k - 1)
    let live = false
    for (let j = 0; j <= lagTicks; j++) if (relayCmd(k - 1 - j)) live = true
    i.heaterSenseLive = live
    return i
}

export const SUPERVISOR_VECTORS: SupVector[] = [
    {
        name: "nominal hold runs clean", ticks: 600, code: FaultCode.None, sensor: SensorId.None, eventTick: 0,
        inputs: (k, now, m) => nominal(k, now, m), tripTick: m => -1,
    },
    {
        // first sample above the hard limit at tick 10 trips on that same tick
        name: "film over temperature", ticks: 50, code: FaultCode.FilmOverTemp, sensor: SensorId.FilmTemp, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); if (at(k, 10)) i.film.value = m.limits.filmMaxDeciC + 1; i.holdActive = false; return i },
        tripTick: m => 10,
    },
    {
        name: "contact over the device limit", ticks: 50, code: FaultCode.ContactOverTemp, sensor: SensorId.ContactTemp, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); if (at(k, 10)) i.contact.value = m.limits.contactMaxDeciC + 1; return i },
        tripTick: m => 10,
    },
    {
        // a template may set a lower contact limit (here 39.0 °C); 39.1 °C trips
        name: "contact over the template's lower limit", ticks: 50, code: FaultCode.ContactOverTemp, sensor: SensorId.ContactTemp, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.contactMaxDeciC = 390; if (at(k, 10)) i.contact.value = 391; return i },
        tripTick: m => 10,
    },
    {
        name: "over force", ticks: 50, code: FaultCode.OverForce, sensor: SensorId.Force, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.pressInContact = true; if (at(k, 10)) i.force.value = m.limits.forceMaxMilliN + 1; return i },
        tripTick: m => 10,
    },
    {
        // a force spike that came and went between two ticks: the latest value is normal, the
        // peak since the last tick is over the limit -> trips on that tick
        name: "over force between ticks (peak since the last tick)", ticks: 50, code: FaultCode.OverForce, sensor: SensorId.Force, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.pressInContact = true; i.force.value = 5000; if (k === 10) i.force.peak = m.limits.forceMaxMilliN + 1; return i },
        tripTick: m => 10,
    },
    {
        name: "film thermistor shorted (reads above range)", ticks: 50, code: FaultCode.SensorImplausible, sensor: SensorId.FilmTemp, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); if (at(k, 10)) i.film.value = m.limits.filmSensorMaxDeciC + 1; return i },
        tripTick: m => 10,
    },
    {
        name: "film thermistor open (reads below range)", ticks: 50, code: FaultCode.SensorImplausible, sensor: SensorId.FilmTemp, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); if (at(k, 10)) i.film.value = m.limits.filmSensorMinDeciC - 1; return i },
        tripTick: m => 10,
    },
    {
        name: "load cell disconnected (reads below range)", ticks: 50, code: FaultCode.SensorImplausible, sensor: SensorId.Force, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); if (at(k, 10)) i.force.value = m.limits.forceSensorMinMilliN - 1; return i },
        tripTick: m => 10,
    },
    {
        // last fresh sample at tick 10 (t = 500 ms). Stale when now - 500 > staleTicks x period,
        // i.e. at tick 10 + staleTicks + 1 (with staleTicks 2: tick 13, 3 ticks after the last sample).
        name: "film sensor lost", ticks: 50, code: FaultCode.SensorStale, sensor: SensorId.FilmTemp, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); if (at(k, 10)) i.film.atMs = 10 * m.control.periodMs; return i },
        tripTick: m => 10 + m.safety.staleTicks + 1,
    },
    {
        name: "contact sensor lost", ticks: 50, code: FaultCode.SensorStale, sensor: SensorId.ContactTemp, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); if (at(k, 10)) i.contact.atMs = 10 * m.control.periodMs; return i },
        tripTick: m => 10 + m.safety.staleTicks + 1,
    },
    {
        name: "load cell lost", ticks: 50, code: FaultCode.SensorStale, sensor: SensorId.Force, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); if (at(k, 10)) i.force.atMs = 10 * m.control.periodMs; return i },
        tripTick: m => 10 + m.safety.staleTicks + 1,
    },
    {
        // idle: a lost sensor is not a fault (preflight will refuse to start instead)
        name: "idle: lost sensor does not trip", ticks: 100, code: FaultCode.None, sensor: SensorId.None, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.active = false; i.cycleActive = false; i.holdActive = false; i.heaterDutyPermille = 0; i.filmTargetDeciC = -1; i.film.atMs = 0; return i },
        tripTick: m => -1,
    },
    {
        // heater at full duty 40 °C below target, film frozen at 30.0 °C (heater disconnected).
        // The window opens at tick 0; it trips when now - 0 >= runawayWindowMs with rise 0 < min:
        // tick = runawayWindowMs / period (8000 / 50 = 160).
        name: "thermal runaway: heater disconnected", ticks: 400, code: FaultCode.ThermalRunaway, sensor: SensorId.FilmTemp, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.film.value = 300 + (k % 2); i.filmTargetDeciC = 700; i.heaterDutyPermille = 1000; i.holdActive = false; i.contact.value = 250; return i },
        tripTick: m => m.safety.runawayWindowMs / m.control.periodMs,
    },
    {
        // heating at 1.0 °C/s until tick 200, then the heater fails: film flat at 40.0 °C (+1 LSB
        // noise). Runaway history is sampled every 1000 ms (every 20 ticks); at tick k the window
        // starts at the sample floor((k - 160) / 20) x 20. Rise = film(k) - film(start) < 20 first
        // at k = 340: start sample 180 (39.0 °C), film 40.0 °C, rise 10. (k = 339: start 160,
        // 38.0 °C, film 40.1 °C, rise 21.) 140 ticks = 7 s after the heat stopped.
        name: "thermal runaway: heater fails mid-heat (sliding window)", ticks: 600, code: FaultCode.ThermalRunaway, sensor: SensorId.FilmTemp, eventTick: 200,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.film.value = 300 + Math.floor((k < 200 ? k : 200) / 2) + (k % 2); i.filmTargetDeciC = 700; i.heaterDutyPermille = 1000; i.holdActive = false; i.contact.value = 250; return i },
        tripTick: m => 340,
    },
    {
        // the same, heating at 1.0 °C/s (0.5 deci-°C per tick): 8 °C per window, well above the minimum rise
        name: "runaway check passes a heater that heats", ticks: 400, code: FaultCode.None, sensor: SensorId.None, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.film.value = 300 + Math.floor(k / 2); i.filmTargetDeciC = 700; i.heaterDutyPermille = 1000; i.holdActive = false; i.contact.value = 250; return i },
        tripTick: m => -1,
    },
    {
        // heater commanded off, film climbing 1 deci-°C per tick (2 °C/s: a relay stuck on).
        // Window minimum is the tick-0 value; trips when the rise exceeds offRiseMaxDeciC:
        // rise = k > 50 -> k = 51.
        name: "heater rising while commanded off (relay stuck on)", ticks: 200, code: FaultCode.HeaterUncommandedRise, sensor: SensorId.FilmTemp, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.heaterDutyPermille = 0; i.holdActive = false; i.film.value = 700 + k; return i },
        tripTick: m => m.safety.offRiseMaxDeciC + 1,
    },
    {
        // 6 °C above target from tick 10 with a 5 °C band: outside since t = 500 ms; trips when
        // now - 500 > holdWindowMs, at tick 10 + holdWindowMs / period + 1 = 211.
        name: "holding deviation", ticks: 400, code: FaultCode.HoldDeviation, sensor: SensorId.FilmTemp, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.heaterDutyPermille = 100; if (at(k, 10)) i.film.value = 700 + m.safety.holdBandDeciC + 10; return i },
        tripTick: m => 10 + m.safety.holdWindowMs / m.control.periodMs + 1,
    },
    {
        // film frozen at 69.0 °C while the heater runs at 40 %: stuck from tick 0, trips when
        // now >= stuckWindowMs: tick 5000 / 50 = 100. (Within 3 °C of target: no runaway check.)
        name: "film sensor stuck while heating", ticks: 300, code: FaultCode.SensorStuck, sensor: SensorId.FilmTemp, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.film.value = 690; i.heaterDutyPermille = 400; i.holdActive = false; return i },
        tripTick: m => m.safety.stuckWindowMs / m.control.periodMs,
    },
    {
        name: "force sensor stuck while pushing", ticks: 300, code: FaultCode.SensorStuck, sensor: SensorId.Force, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.film.value = 700 + (k % 2); i.force.value = 5000; i.pressInContact = true; i.pressSpeedPermille = 200; return i },
        tripTick: m => m.safety.stuckWindowMs / m.control.periodMs,
    },
    {
        // approach at 40 % with the position frozen: window opens at tick 0, trips at
        // now >= stallWindowMs: tick 1000 / 50 = 20.
        name: "press stall", ticks: 100, code: FaultCode.PressStall, sensor: SensorId.Position, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.pressFreeMotion = true; i.pressSpeedPermille = 400; i.position.value = 5000; return i },
        tripTick: m => m.safety.stallWindowMs / m.control.periodMs,
    },
    {
        // moving 0.5 mm per tick until tick 30, then jammed. The window holds the sample one
        // window (20 ticks) back: travel p(k) - p(k - 20) is 0 first at k = 50 (k = 49: 500 µm).
        name: "press jams mid-approach (sliding window)", ticks: 200, code: FaultCode.PressStall, sensor: SensorId.Position, eventTick: 30,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.pressFreeMotion = true; i.pressSpeedPermille = 400; i.position.value = 500 * (k < 30 ? k : 30); return i },
        tripTick: m => 30 + m.safety.stallWindowMs / m.control.periodMs,
    },
    {
        // moving 0.5 mm per tick: 10 mm per window, far above the minimum progress
        name: "press moving is not a stall", ticks: 100, code: FaultCode.None, sensor: SensorId.None, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.pressFreeMotion = true; i.pressSpeedPermille = 400; i.position.value = 500 * k; return i },
        tripTick: m => -1,
    },
    // Force plausibility (E13). In contact, the press's penetration d past the contact point gives
    // at least the softest plausible force k d (1 + d / s): k = press.stiffnessMinMilliNPerMm
    // (3000 mN/mm), s = press.stiffenUm (10 mm); a reading more than
    // safety.forceShortfallMaxMilliN (2000 mN) below it trips. Contact at 20.000 mm, the press
    // advancing 0.1 mm per tick: d = 0.1 k mm.
    {
        // the loop holds the reading at 20 N while the cell's zero drifts: trips when
        // 3 d (1 + d / 10) > 20 + 2 = 22 N, i.e. d^2 + 10 d - 73.33 > 0, d > 4.917 mm: tick 50
        // (d = 5.0: 3 x 5.0 x 1.50 = 22.50 N; tick 49, d = 4.9: 3 x 4.9 x 1.49 = 21.90 N)
        name: "load cell reading low while pushing (zero drift)", ticks: 200, code: FaultCode.ForceImplausible, sensor: SensorId.Force, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.pressInContact = true; i.pressSpeedPermille = 100; i.contactUm = 20000; i.position.value = 20000 + 100 * k; i.force.value = 20000 + (k % 2); return i },
        tripTick: m => 50,
    },
    {
        // the cell saturates at 15 N while the real force (the sim plant, 4 d (1 + d / 10) N)
        // climbs: trips when 3 d (1 + d / 10) > 15 + 2 = 17 N, d^2 + 10 d - 56.67 > 0,
        // d > 4.037 mm: tick 41 (d = 4.1: 3 x 4.1 x 1.41 = 17.34 N; tick 40: 16.80 N)
        name: "saturating load cell while pushing", ticks: 200, code: FaultCode.ForceImplausible, sensor: SensorId.Force, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.pressInContact = true; i.pressSpeedPermille = 100; i.contactUm = 20000; i.position.value = 20000 + 100 * k; const d = k / 10; i.force.value = Math.min(15000, Math.round(4000 * d * (1 + d / 10))); return i },
        tripTick: m => 41,
    },
    {
        // a healthy cell on the sim plant (4 d (1 + d / 10) N, stiffer than the softest 3 d (...))
        // up to d = 7.9 mm (56.6 N), then held there: never short of the softest force
        name: "healthy load cell pushing runs clean", ticks: 200, code: FaultCode.None, sensor: SensorId.None, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.pressInContact = true; i.pressSpeedPermille = 100; i.contactUm = 20000; const d = (k < 79 ? k : 79) / 10; i.position.value = 20000 + 1000 * d; i.force.value = Math.round(4000 * d * (1 + d / 10)); return i },
        tripTick: m => -1,
    },
    {
        // exactly the tolerance short of the softest force (d = 5 mm: 22.5 - 2.0 = 20.5 N) is allowed
        name: "force exactly the tolerance short of the softest is allowed", ticks: 100, code: FaultCode.None, sensor: SensorId.None, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.pressInContact = true; i.pressSpeedPermille = 100 * (k % 2); i.contactUm = 20000; i.position.value = 25000; i.force.value = 20500 + (k % 2); return i },
        tripTick: m => -1,
    },
    {
        // backing off (release): far past the contact point with no force is not a fault
        name: "no force check while releasing", ticks: 100, code: FaultCode.None, sensor: SensorId.None, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.pressFreeMotion = true; i.pressSpeedPermille = -500; i.contactUm = 20000; i.position.value = 30000 - 250 * k; return i },
        tripTick: m => -1,
    },
    // Film plausibility (E24): heating with the press out of contact, the film must not read more
    // than safety.filmBelowContactMaxDeciC (5.0 °C) below the contact tip.
    {
        // cold start, film and tip at 22.0 °C; from tick 10 the film reads 6.0 °C low: trips at tick 10
        name: "film sensor reading low by a steady offset", ticks: 100, code: FaultCode.FilmBelowContact, sensor: SensorId.FilmTemp, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.holdActive = false; i.heaterDutyPermille = 1000; i.contact.value = 220; i.film.value = at(k, 10) ? 160 : 220 + (k % 2); return i },
        tripTick: m => 10,
    },
    {
        // 5.0 °C below the tip is the allowance: no trip (the runaway check needs 8 s: 100 ticks is 5 s)
        name: "film exactly the allowance below the tip is allowed", ticks: 100, code: FaultCode.None, sensor: SensorId.None, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.holdActive = false; i.heaterDutyPermille = 1000; i.contact.value = 220 + (k % 2); i.film.value = 170 + (k % 2); return i },
        tripTick: m => -1,
    },
    {
        // in contact the patient (37 °C) warms the tip: a tip above the film is not checked there
        name: "no film-below-tip check in contact", ticks: 100, code: FaultCode.None, sensor: SensorId.None, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.holdActive = false; i.pressInContact = true; i.contact.value = 400; i.film.value = 300 + (k % 2); return i },
        tripTick: m => -1,
    },
    {
        // nor without a heater target (release, cool: the tip may still be warm from the patient)
        name: "no film-below-tip check without a heater target", ticks: 100, code: FaultCode.None, sensor: SensorId.None, eventTick: 0,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.holdActive = false; i.heaterDutyPermille = 0; i.filmTargetDeciC = -1; i.contact.value = 390; i.film.value = 300; return i },
        tripTick: m => -1,
    },
    {
        name: "door opened during a cycle", ticks: 50, code: FaultCode.DoorOpen, sensor: SensorId.None, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.doorClosed = !at(k, 10); return i },
        tripTick: m => 10,
    },
    {
        name: "abort pressed", ticks: 50, code: FaultCode.Abort, sensor: SensorId.None, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.abortPressed = at(k, 10); return i },
        tripTick: m => 10,
    },
    {
        // tick 10 comes 6 periods after tick 9 (300 ms > overrunMs 150): one gap is enough
        name: "control tick overrun", ticks: 50, code: FaultCode.TickOverrun, sensor: SensorId.None, eventTick: 10,
        timeMs: (k, m) => (k < 10 ? k : k + 5) * m.control.periodMs,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.tickGapMs = k === 10 ? 6 * m.control.periodMs : k === 0 ? 0 : m.control.periodMs; return i },
        tripTick: m => 10,
    },
    {
        // from tick 10 every tick is 3 periods late (150 ms: late, not over overrunMs): the
        // (maxLateTicks + 1)th late tick of the window trips, tick 10 + maxLateTicks
        name: "sustained late ticks", ticks: 80, code: FaultCode.TickOverrun, sensor: SensorId.None, eventTick: 10,
        timeMs: (k, m) => (k < 10 ? k : 9 + 3 * (k - 9)) * m.control.periodMs,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.tickGapMs = k >= 10 ? 3 * m.control.periodMs : k === 0 ? 0 : m.control.periodMs; return i },
        tripTick: m => 10 + m.control.maxLateTicks,
    },
    {
        // maxLateTicks late ticks in each window (at its start), the rest on time: never a fault,
        // because the count restarts with every window of lateWindowTicks ticks
        name: "late ticks within the allowance run clean", ticks: 400, code: FaultCode.None, sensor: SensorId.None, eventTick: 0,
        inputs: (k, now, m) => {
            const i = nominal(k, now, m)
            const inWindow = k % m.control.lateWindowTicks
            i.tickGapMs = k === 0 ? 0 : inWindow < m.control.maxLateTicks ? 3 * m.control.periodMs : m.control.periodMs
            return i
        },
        tripTick: m => -1,
    },
    {
        // welded: the sense is live throughout; the relay is commanded on at ticks 0-9 and off
        // from tick 10. Tick k sees tick k-1's command, so tick 11 is the first off tick (1 tick
        // off); ticks 11 .. 10 + settle are the settling time; tick 11 + settle is the first with
        // more than settle ticks off and trips (settle 3: tick 14)
        name: "welded heater relay: the sense stays live after an off command", ticks: 100, code: FaultCode.HeaterRelayWelded, sensor: SensorId.None, eventTick: 11,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.heaterWasOn = k <= 10; i.heaterSenseLive = true; return i },
        tripTick: m => 11 + m.safety.heaterSenseSettleTicks,
    },
    {
        // a healthy relay whose sense lags the command by the whole settling time (live while the
        // relay was on within the last settle + 1 ticks): 20 windows of time-proportioning, clean
        name: "healthy relay, sense lagging by the settling time, runs clean", ticks: 400, code: FaultCode.None, sensor: SensorId.None, eventTick: 0,
        inputs: (k, now, m) => relayAndSense(nominal(k, now, m), k, m.safety.heaterSenseSettleTicks),
        tripTick: m => -1,
    },
    {
        // the same sense one tick later than the settling time allows: the relay's last "on" is
        // tick 7, tick 9 is the first off tick, tick 9 + settle has settle + 1 ticks off with the
        // sense still live (tick 7 is within its lag of settle + 1 ticks): it trips there (tick 12)
        name: "sense live one tick past the settling time trips", ticks: 400, code: FaultCode.HeaterRelayWelded, sensor: SensorId.None, eventTick: 9,
        inputs: (k, now, m) => relayAndSense(nominal(k, now, m), k, m.safety.heaterSenseSettleTicks + 1),
        tripTick: m => 9 + m.safety.heaterSenseSettleTicks,
    },
    {
        // idle, the heater off since boot: the relay welds at tick 20 (the sense goes live); it has
        // been off far longer than the settling time, so tick 20 trips
        name: "welded heater relay found while idle", ticks: 100, code: FaultCode.HeaterRelayWelded, sensor: SensorId.None, eventTick: 20,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.active = false; i.cycleActive = false; i.heaterSenseLive = at(k, 20); return i },
        tripTick: m => 20,
    },
    {
        name: "actuator lost during a cycle", ticks: 50, code: FaultCode.ActuatorLost, sensor: SensorId.None, eventTick: 10,
        inputs: (k, now, m) => { const i = nominal(k, now, m); i.outputsBound = !at(k, 10); return i },
        tripTick: m => 10,
    },
]

export interface SupResult {
    tick: number
    code: FaultCode
    sensor: SensorId
}

/**
 * Runs one vector; returns the first fault's tick (-1 if none). `pause` is awaited every 50
 * ticks: in the VM it is ds.sleep(0), since a fiber running ~128K opcodes without an await
 * is killed as an infinite loop.
 */
export async function runSupervisorVector(v: SupVector, m: Manifest, pause?: () => Promise<void>): Promise<SupResult> {
    const sup = new Supervisor(m)
    for (let k = 0; k < v.ticks; k++) {
        if (pause && k % 50 === 0) await pause()
        const now = v.timeMs ? v.timeMs(k, m) : k * m.control.periodMs
        const f = sup.check(v.inputs(k, now, m))
        if (f) return { tick: k, code: f.code, sensor: f.sensor }
    }
    return { tick: -1, code: FaultCode.None, sensor: SensorId.None }
}

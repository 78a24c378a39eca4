// Controller and cycle cases that issue 14's mutation run found untested (docs/mutation.md):
// a lost sensor during a heater autotune and during the arch scan, and the cycle's own E42
// timeouts in preheat and approach. Expected ticks are hand calculations from the manifest's
// documented defaults (docs/manifest.md), pinned in the first test.
import { describe, it, expect } from "vitest"
import { readManifest } from "../../tools/manifest-node"
import { Controller, ControllerInputs, HeaterTuner, startAutotune } from "../../src/core/controller"
import { Cycle, CycleReadings } from "../../src/core/cycle/cycle"
import { PressController } from "../../src/core/press/press-control"
import { ScanRun, ScanState } from "../../src/core/fitting/scan-run"
import { Phase, PreflightReason, EventKind, Outcome } from "../../src/core/cycle/events"
import { FaultCode, SensorId, makeFault } from "../../src/core/faults"
import { PressMode } from "../../src/core/press/press-control"
import type { AutotuneResult } from "../../src/core/heater/autotune"
import { TEST_PROCESS } from "../vectors/cycle-runs"

const m = readManifest()
const P = 50 // ms, control.periodMs
const gains = { kpMicroPerDegC: m.control.kpMicroPerDegC, kiMicroPerDegCSec: m.control.kiMicroPerDegCSec, kdMicroSecPerDegC: m.control.kdMicroSecPerDegC }

function inputs(now: number, over: Partial<ControllerInputs> = {}): ControllerInputs {
    return {
        nowMs: now,
        film: { value: 250, atMs: now }, contact: { value: 250, atMs: now },
        force: { value: 0, atMs: now }, position: { value: 0, atMs: now },
        distance: { value: 20000, atMs: now },
        home: true, doorClosed: true, startPressed: false, abortPressed: false, logHasRoom: true, outputsBound: true,
        ...over,
    }
}

/** a controller whose arch scan runs from 100 ms (the start edge at 50 ms acts on the next tick) */
function scanning(): { c: Controller; sc: ScanRun } {
    const c = new Controller(m, gains)
    expect(c.arm(TEST_PROCESS)).toBeNull()
    const sc = new ScanRun(m.fitting, m.press.approachSpeedPermille, m.press.contactForceMilliN)
    c.scan = sc
    c.tick(inputs(0))
    c.tick(inputs(P, { startPressed: true }))
    c.tick(inputs(2 * P, { startPressed: true }))
    expect(sc.state).toBe(ScanState.Running)
    return { c, sc }
}

/** a tuner that keeps the heater at half duty and never finishes */
const holdingTuner: HeaterTuner = { step: () => 500, isDone: () => false, result: () => null }

const SENSORS = [["film", SensorId.FilmTemp], ["contact", SensorId.ContactTemp], ["force", SensorId.Force], ["position", SensorId.Position]] as const

describe("the manifest defaults these hand calculations use", () => {
    it("are the documented ones", () => {
        expect(m.control.periodMs).toBe(P)
        expect(m.safety.staleTicks).toBe(3)
        expect([m.cycle.preheatMaxMs, m.cycle.approachMaxMs, m.cycle.atTargetBandDeciC, m.cycle.atTargetStableMs]).toEqual([600000, 30000, 10, 3000])
        expect(TEST_PROCESS.filmDeciC).toBe(700)
        expect(TEST_PROCESS.soakMs).toBeLessThan(3000)
    })
})

describe("a lost sensor while the heater is tuned (autotune is active: every check applies)", () => {
    it.each(SENSORS)("%s: E31 on the 4th tick after its last reading", (name, id) => {
        const c = new Controller(m, gains)
        c.tick(inputs(0))
        expect(startAutotune(c, 0, 700, holdingTuner)).toBeNull()
        expect(c.phase()).toBe(Phase.Autotune)
        // readings stop at 50 ms; at 250 ms the last is 200 ms old, more than 3 ticks (150 ms)
        let k = 1
        for (; k < 10 && !c.latchedFault; k++) c.tick(inputs(k * P, { [name]: { value: name === "film" ? 250 : 0, atMs: P } }))
        expect(c.latchedFault).toMatchObject({ code: FaultCode.SensorStale, sensor: id, value: 200, limit: 150 })
        expect(k - 1).toBe(5)
        // the fault ends the tuning, heater off
        expect(c.autotune).toBeNull()
        expect(c.outputs.dutyPermille).toBe(0)
    })

    it("the same loss while idle is no fault (only hard limits and ranges apply)", () => {
        const c = new Controller(m, gains)
        for (let k = 0; k < 20; k++) c.tick(inputs(k * P, { film: { value: 250, atMs: 0 } }))
        expect(c.latchedFault).toBeNull()
    })
})

describe("a lost sensor during the arch scan (the press moves toward the patient)", () => {
    it.each(SENSORS)("%s: E31 on the 3rd tick after its last reading, and the scan ends", (name, id) => {
        const { c, sc } = scanning()
        expect(c.phase()).toBe(Phase.Scan)
        // last reading at 150 ms: stale at 350 ms (200 ms old, over 3 x 50 ms), the 7th tick
        let k = 3
        for (; k < 12 && !c.latchedFault; k++) c.tick(inputs(k * P, { startPressed: true, [name]: { value: name === "film" ? 250 : 0, atMs: 3 * P } }))
        expect(c.latchedFault).toMatchObject({ code: FaultCode.SensorStale, sensor: id, value: 200 })
        expect(k - 1).toBe(7)
        expect(sc.state).not.toBe(ScanState.Running)
    })
})

describe("the cycle's own timeouts (E42)", () => {
    function readings(filmDeciC: number): CycleReadings {
        return { filmDeciC, contactDeciC: 250, forceMilliN: 0, positionUm: 0, positionValid: true, home: true, doorClosed: true, sensorsReady: true, logHasRoom: true }
    }
    function started() {
        const cy = new Cycle(m, new PressController(m.press, m.cycle))
        expect(cy.begin(0, TEST_PROCESS, readings(250))).toBe(PreflightReason.Ok)
        expect(cy.phase).toBe(Phase.Preheat)
        return cy
    }

    it("preheat that never reaches the film target: E42 on the first tick past 600 s", () => {
        const cy = started()
        let t = 0
        for (; t <= 600000; t += P) {
            cy.step(t, readings(250))
            expect(cy.fault).toBe(FaultCode.None)
        }
        cy.step(t, readings(250))
        expect([cy.fault, cy.faultValue, cy.faultLimit]).toEqual([FaultCode.PhaseTimeout, 600050, 600000])
    })

    it("approach that never touches: E42 on the first tick past 30 s in approach", () => {
        const cy = started()
        // at target from t = 0: approach after max(soak 2 s, stable 3 s) = 3,000 ms
        let t = 0
        for (; cy.phase === Phase.Preheat && t < 10000; t += P) cy.step(t, readings(700))
        expect(t - P).toBe(3000)
        expect(cy.phase).toBe(Phase.Approach)
        for (; t <= 3000 + 30000; t += P) {
            cy.step(t, readings(700))
            expect(cy.fault).toBe(FaultCode.None)
        }
        cy.step(t, readings(700))
        expect([cy.fault, cy.faultValue, cy.faultLimit]).toEqual([FaultCode.PhaseTimeout, 30050, 30000])
    })

    it("the film at target +/- 1.0 °C is at target; 1.1 °C off is not", () => {
        for (const [film, approachAt] of [[710, 3000], [690, 3000], [711, -1], [689, -1]]) {
            const cy = started()
            let at = -1
            for (let t = 0; t <= 5000 && at < 0; t += P) {
                cy.step(t, readings(film))
                if (cy.phase === Phase.Approach) at = t
            }
            expect([film, at]).toEqual([film, approachAt])
        }
    })
})

describe("the hold flag the supervisor's hold-band check relies on (Cycle.targets)", () => {
    function readings(filmDeciC: number): CycleReadings {
        return { filmDeciC, contactDeciC: 250, forceMilliN: 0, positionUm: 0, positionValid: true, home: true, doorClosed: true, sensorsReady: true, logHasRoom: true }
    }

    it("not in preheat, even at target; from the approach on, once the film has reached its target", () => {
        const cy = new Cycle(m, new PressController(m.press, m.cycle))
        cy.begin(0, TEST_PROCESS, readings(250))
        // far below: no hold
        expect(cy.step(0, readings(250))).toEqual({ filmTargetDeciC: 700, holdActive: false })
        // at target in preheat: still no hold (preheat is the approach to target)
        let t = P
        let tg = cy.step(t, readings(700))
        expect(tg).toEqual({ filmTargetDeciC: 700, holdActive: false })
        for (; cy.phase === Phase.Preheat && t < 10000; t += P) tg = cy.step(t, readings(700))
        expect(cy.phase).toBe(Phase.Approach)
        expect(tg).toEqual({ filmTargetDeciC: 700, holdActive: true })
        // reached since the last target change: a film off target later keeps the hold on (the
        // supervisor's hold band then counts how long it is off)
        expect(cy.step(t, readings(600))).toEqual({ filmTargetDeciC: 700, holdActive: true })
    })

    it("the band for 'at target' is the target +/- 1.0 °C (atTargetBandDeciC): in it for 3 s, the approach starts with the hold on", () => {
        for (const [film, reached] of [[689, false], [690, true], [710, true], [711, false]] as const) {
            const cy = new Cycle(m, new PressController(m.press, m.cycle))
            cy.begin(0, TEST_PROCESS, readings(250))
            let t = 0
            let tg = cy.step(t, readings(film))
            for (t = P; cy.phase === Phase.Preheat && t < 5000; t += P) tg = cy.step(t, readings(film))
            expect([film, cy.phase === Phase.Approach, tg.holdActive]).toEqual([film, reached, reached])
        }
    })
})

// ---- the controller run of issue 14 (docs/mutation.md, controller): what Controller itself decides

describe("before the first tick", () => {
    it("outputs are safe (heater off, press still, no target, idle), no events, and no fault can be cleared", () => {
        const c = new Controller(m, gains)
        // kills the initial outputs made {}, heaterOn true, target +1; the event list made non-empty
        expect(c.outputs).toEqual({ heaterOn: false, dutyPermille: 0, pressSpeedPermille: 0, filmTargetDeciC: -1, phase: Phase.Idle })
        expect(c.drainEvents()).toEqual([])
        // nothing has said the press is home yet (kills homeForClear's initial false made true)
        c.restoreLatched(makeFault(FaultCode.FilmOverTemp, SensorId.FilmTemp, 960, 950, 0))
        expect(c.clearFault(0)).toBe(false)
        expect(c.latchedFault?.code).toBe(FaultCode.FilmOverTemp)
    })
})

describe("restoreLatched: only a latching fault", () => {
    // kills `!f || !isLatching(f.code)` made false and `&&`
    it.each([["none", null], ["abort", FaultCode.Abort], ["door", FaultCode.DoorOpen], ["autotune rejected", FaultCode.AutotuneRejected]] as const)("%s: not latched, idle", (_n, code) => {
        const c = new Controller(m, gains)
        c.restoreLatched(code === null ? null : makeFault(code, SensorId.None, 0, 0, 0))
        expect(c.latchedFault).toBeNull()
        expect(c.phase()).toBe(Phase.Idle)
    })
})

/** a controller whose cycle has started (preheat) at 100 ms with the default inputs */
function startedController(): Controller {
    const c = new Controller(m, gains)
    expect(c.arm(TEST_PROCESS)).toBeNull()
    c.tick(inputs(0))
    c.tick(inputs(P, { startPressed: true }))
    c.tick(inputs(2 * P, { startPressed: true }))
    expect(c.phase()).toBe(Phase.Preheat)
    return c
}

describe("arm, disarm and clearFault's preconditions", () => {
    it("arming while a cycle runs is refused and keeps the running process; disarm then keeps it too", () => {
        const c = startedController()
        const other = { ...TEST_PROCESS, templateId: "other" }
        expect(c.arm(other)).toEqual({ field: "(state)", reason: "a cycle is running" })
        c.disarm()
        expect(c.armedProcess).toBe(TEST_PROCESS)
    })

    it("disarm while idle forgets the armed process", () => {
        const c = new Controller(m, gains)
        c.arm(TEST_PROCESS)
        c.disarm()
        expect(c.armedProcess).toBeNull()
    })

    it("clearFault with nothing latched: false, no event", () => {
        const c = new Controller(m, gains)
        c.tick(inputs(0))
        c.drainEvents()
        expect(c.clearFault(P)).toBe(false)
        expect(c.drainEvents()).toEqual([])
    })

    // homeToleranceUm 300: a fresh position of exactly 300 µm is home (kills `<=` made `<`)
    it.each([[300, false, true], [301, false, false], [5000, true, false]] as const)("position %i µm, end stop %s: cleared %s", (pos, home, cleared) => {
        const c = new Controller(m, gains)
        c.restoreLatched(makeFault(FaultCode.FilmOverTemp, SensorId.FilmTemp, 960, 950, 0))
        // the boot retract: at 300 µm it is home and stops; out, it retracts for up to 30 s, then stops
        let t = 0
        for (; t <= 31000; t += P) c.tick(inputs(t, { position: { value: pos, atMs: t }, home }))
        expect(c.outputs.pressSpeedPermille).toBe(0)
        expect(c.clearFault(t)).toBe(cleared)
    })

    it("reportError: a latched control error, outputs safe at once", () => {
        const c = startedController()
        c.reportError(3 * P)
        expect(c.latchedFault).toMatchObject({ code: FaultCode.ControlError })
        // kills the target -1 made +1
        expect(c.outputs).toEqual({ heaterOn: false, dutyPermille: 0, pressSpeedPermille: 0, filmTargetDeciC: -1, phase: Phase.Faulted })
    })

    it("a fault while idle is reported as an event (no cycle to report it)", () => {
        const c = new Controller(m, gains)
        // film below its sensor range (-20.0 °C): E30 even idle
        c.tick(inputs(0, { film: { value: -201, atMs: 0 } }))
        // kills the else block emptied and `cycle.running()` made true (stop() on no cycle reports nothing)
        expect(c.drainEvents().map(e => [e.kind, e.code, e.fault?.code])).toEqual([[EventKind.Fault, FaultCode.SensorImplausible, FaultCode.SensorImplausible]])
    })
})

describe("tick timing while active (overrunMs 150)", () => {
    it("the first tick has no gap, however late it comes", () => {
        const c = new Controller(m, gains)
        expect(startAutotune(c, 0, 700, holdingTuner)).toBeNull()
        // kills lastTickMs -1 made +1, the first-tick test made false or `>= 0` (a gap of 1,001 ms),
        // and softAbort's initial false made true (an abort while tuning)
        c.tick(inputs(1000))
        c.tick(inputs(1000 + P))
        expect(c.recentFault).toBeNull()
        expect(c.phase()).toBe(Phase.Autotune)
    })

    it("a 200 ms gap after a tick at 0 ms is an overrun", () => {
        const c = new Controller(m, gains)
        expect(startAutotune(c, 0, 700, holdingTuner)).toBeNull()
        c.tick(inputs(0))
        c.tick(inputs(200))
        // kills the gap made always 0 and `lastTickMs < 0` made `<= 0` (a tick at 0 ms is a tick)
        expect(c.latchedFault).toMatchObject({ code: FaultCode.TickOverrun, value: 200, limit: 150 })
    })
})

describe("the boot retract while a tuning runs (active: stall applies)", () => {
    it("a press stuck 5 mm out stalls within the 1 s stall window", () => {
        const c = new Controller(m, gains)
        expect(startAutotune(c, 0, 700, holdingTuner)).toBeNull()
        // the press retracts at 500 permille from boot but the position stays at 5 mm: < 200 µm in 1 s
        for (let k = 0; k <= 40 && !c.latchedFault; k++) c.tick(inputs(k * P, { position: { value: 5000, atMs: k * P }, home: false }))
        // kills `pm === PressMode.Retract` made false (the retract not counted as free motion)
        expect(c.latchedFault).toMatchObject({ code: FaultCode.PressStall, sensor: SensorId.Position })
    })
})

describe("the heater relay window (heaterWindowMs / periodMs = 20 ticks)", () => {
    it("half duty: on for the first 10 ticks of each 20", () => {
        const c = new Controller(m, gains)
        expect(startAutotune(c, 0, 700, holdingTuner)).toBeNull()
        const on: boolean[] = []
        for (let k = 0; k < 40; k++) on.push(c.tick(inputs(k * P)).heaterOn)
        // kills the window made heaterWindowMs x periodMs (50,000 ticks: on for 25,000)
        const win = [...Array(10).fill(true), ...Array(10).fill(false)]
        expect(on).toEqual([...win, ...win])
    })
})

describe("startAutotune's refusals and the session's end", () => {
    it("busy while a cycle runs or a tuning runs", () => {
        expect(startAutotune(startedController(), 200, 700, holdingTuner)).toBe("busy")
        const c = new Controller(m, gains)
        expect(startAutotune(c, 0, 700, holdingTuner)).toBeNull()
        expect(startAutotune(c, 0, 700, holdingTuner)).toBe("busy")
    })

    // targets from 30.0 °C to filmMax - 5 °C = 90.0 °C (kills each bound's edge, `-` made `+`, `||` made `&&`)
    it.each([[299, "target out of range"], [300, null], [900, null], [901, "target out of range"]] as const)("target %i: %s", (target, why) => {
        expect(startAutotune(new Controller(m, gains), 0, target, holdingTuner)).toBe(why)
    })

    const GAINS = { kpMicroPerDegC: 1000, kiMicroPerDegCSec: 10, kdMicroSecPerDegC: 0 }
    function result(ok: boolean, withGains: boolean): AutotuneResult {
        return { ok, gains: withGains ? GAINS : null, kuMicroPerDegC: 0, tuMs: 0, overshootDeciC: 35, settleMs: -1, reason: "" }
    }
    /** a tuner at half duty that is done after its third step, with result res */
    function doneAfter3(res: AutotuneResult | null): HeaterTuner {
        let n = 0
        return { step: () => { n++; return 500 }, isDone: () => n >= 3, result: () => res }
    }
    function tuneToEnd(res: AutotuneResult | null) {
        const c = new Controller(m, gains)
        c.tick(inputs(0))
        expect(startAutotune(c, 0, 700, doneAfter3(res))).toBeNull()
        c.drainEvents()
        for (let k = 1; k <= 2; k++) expect(c.tick(inputs(k * P))).toMatchObject({ dutyPermille: 500, filmTargetDeciC: 700 })
        const out = c.tick(inputs(3 * P))
        return { c, out, events: c.drainEvents() }
    }

    it("accepted: the gains are used, and the finishing tick's outputs are already off", () => {
        const { c, out, events } = tuneToEnd(result(true, true))
        // kills the "nothing runs" block emptied or its test made false (the tuner's 500 and its target would stay)
        expect(out).toEqual({ heaterOn: false, dutyPermille: 0, pressSpeedPermille: 0, filmTargetDeciC: -1, phase: Phase.Idle })
        expect(events.map(e => e.kind)).toEqual([EventKind.GainsTuned])
        expect(c.autotune).toBeNull()
        expect(c.recentFault).toBeNull()
    })

    // kills `res && res.ok && res.gains` made true, `res.ok || res.gains`, `res || res.ok`
    it.each([["rejected, with a candidate's gains", result(false, true), 35], ["ok but no gains", result(true, false), 35], ["no result", null, 0]] as const)("%s: AutotuneRejected (not latched)", (_n, res, value) => {
        const { c, events } = tuneToEnd(res)
        expect(events.map(e => [e.kind, e.code])).toEqual([[EventKind.Fault, FaultCode.AutotuneRejected]])
        // the value: the overshoot, the limit: maxOvershootDeciC 20
        expect(c.recentFault).toMatchObject({ code: FaultCode.AutotuneRejected, sensor: SensorId.FilmTemp, value, limit: 20 })
        expect(c.latchedFault).toBeNull()
        expect(c.lastAutotune).toBe(res)
    })
})

describe("the preflight and the template's contact limit", () => {
    it("a stale film reading refuses the start (SensorNotReady), the others fresh", () => {
        const c = new Controller(m, gains)
        c.arm(TEST_PROCESS)
        const stale = (t: number) => ({ film: { value: 250, atMs: t - 500 } })
        c.tick(inputs(1000, stale(1000)))
        c.tick(inputs(1050, { startPressed: true, ...stale(1050) }))
        c.tick(inputs(1100, { startPressed: true, ...stale(1100) }))
        // kills the film's ready() made true and its `&&` made `||`
        expect(c.phase()).toBe(Phase.Idle)
        expect(c.drainEvents().filter(e => e.kind === EventKind.PreflightFailed).map(e => e.code)).toEqual([PreflightReason.SensorNotReady])
    })

    it("after an aborted cycle the device's contact limit (42.0 °C) applies, not the last template's (41.5 °C)", () => {
        const c = startedController()
        c.tick(inputs(3 * P, { abortPressed: true }))
        expect(c.phase()).toBe(Phase.Idle) // the press was home: aborted and settled at once
        // kills `running && proc` made `running || proc`
        c.tick(inputs(4 * P, { contact: { value: 418, atMs: 4 * P } }))
        expect(c.latchedFault).toBeNull()
        c.tick(inputs(5 * P, { contact: { value: 421, atMs: 5 * P } }))
        expect(c.latchedFault).toMatchObject({ code: FaultCode.ContactOverTemp, value: 421, limit: 420 })
    })

    it("a start forgets the supervisor's idle history: a film that rose 4.5 °C idle may rise on in preheat", () => {
        // heater off throughout (the film is above the 70.0 °C target: no duty), so the
        // uncommanded-rise window (10 s, 5.0 °C) runs from the first tick at 66.0 °C
        const film = (t: number) => (t < 5000 ? 660 : t < 9100 ? 705 : 711)
        const c = new Controller(m, gains)
        c.arm(TEST_PROCESS)
        let t = 0
        for (; t <= 9500; t += P) {
            const start = t >= 8950 && t <= 9000 // the edge at 8,950 ms: preheat from 9,000
            c.tick(inputs(t, { film: { value: film(t), atMs: t }, startPressed: start }))
            expect([t, c.outputs.dutyPermille]).toEqual([t, 0])
        }
        // with the idle window kept, 71.1 °C at 9,100 ms is 5.1 °C over its 66.0 minimum: E21
        // (kills the block after a successful begin() emptied, and its test made `!==`)
        expect(c.phase()).toBe(Phase.Preheat)
        expect(c.recentFault).toBeNull()
    })
})

describe("the arch scan's edges", () => {
    it("with no distance sensor the scan gives up on its 41st tick (SILENT_TICKS 40 in scan-run.ts)", () => {
        const { c, sc } = scanning()
        let k = 0
        // the press creeps 100 µm a tick (2 mm/s: no stall)
        while (sc.state === ScanState.Running && k < 100) {
            k++
            const t = (2 + k) * P
            c.tick(inputs(t, { distance: undefined, position: { value: 100 * k, atMs: t }, home: false }))
        }
        // kills the missing reading's time -1 made +1 (a reading "at 1 ms": one tick more)
        expect(k).toBe(41)
        expect(sc.why).toBe("no distance readings")
    })

    it("a fault mid-scan: on that tick the press already retracts (release speed 500)", () => {
        const { c, sc } = scanning()
        c.tick(inputs(3 * P, { position: { value: 5000, atMs: 3 * P }, home: false }))
        // film below its sensor range: E30, the scan fails, the press (5 mm out) retracts
        const out = c.tick(inputs(4 * P, { position: { value: 5000, atMs: 4 * P }, home: false, film: { value: -201, atMs: 4 * P } }))
        expect(sc.state).toBe(ScanState.Failed)
        // kills `sc.state === ScanState.Running` made true (the failed scan's 0 would replace the retract)
        expect(out.pressSpeedPermille).toBe(-500)
    })
})

/**
 * A scripted bench for whole cycles: the film reads each phase's target (70.0 °C, 68.0 °C in
 * cure, 60.0 °C in release, then 50.0 °C: the cool limit, so cool ends at once; the film never
 * rises with the heater off), and the press
 * moves speed / 2 µm a tick (10 mm/s at full speed) against an arch 2 mm out of 8 mN/µm: 800 mN
 * (contact) at 2.1 mm. `over` changes a tick's readings. Stalls and the hold band never trip
 * on it: the press moves 200 µm a tick in free motion and the film is on target.
 */
class Bench {
    c = new Controller(m, gains)
    t = 0
    posUm = 0
    constructor() {
        expect(this.c.arm(TEST_PROCESS)).toBeNull()
    }
    film(ph: Phase): number {
        return ph <= Phase.Press ? 700 : ph === Phase.Cure ? 680 : ph === Phase.Release ? 600 : 500
    }
    force(): number {
        return this.posUm > 2000 ? Math.round(8 * (this.posUm - 2000)) : 0
    }
    tick(over: Partial<ControllerInputs> = {}) {
        const t = this.t
        const ph = this.c.phase()
        const out = this.c.tick(inputs(t, {
            film: { value: this.film(ph), atMs: t }, force: { value: this.force(), atMs: t },
            position: { value: Math.round(this.posUm), atMs: t }, home: this.posUm <= 0, ...over,
        }))
        this.posUm = Math.max(0, this.posUm + out.pressSpeedPermille / 2)
        this.t += P
        return out
    }
    /** ticks until the phase is ph (a start press first if idle) */
    until(ph: Phase, maxTicks = 2000) {
        if (this.c.phase() === Phase.Idle || this.c.phase() === Phase.Complete) {
            this.tick()
            this.tick({ startPressed: true })
        }
        for (let k = 0; k < maxTicks && this.c.phase() !== ph; k++) this.tick({ startPressed: true })
        expect(this.c.phase()).toBe(ph)
        expect(this.c.recentFault).toBeNull()
    }
}

describe("whole cycles on the scripted bench", () => {
    it("runs to Complete, and a start press then begins the next cycle", () => {
        const b = new Bench()
        b.until(Phase.Complete, 4000)
        b.tick()
        b.tick({ startPressed: true })
        // kills `phase === Phase.Complete` made false or `!==` in the controller's idle test
        b.tick({ startPressed: true })
        expect(b.c.phase()).toBe(Phase.Preheat)
    })

    it("pushing in the press phase is not free motion: no stall while the force rises with the press held still", () => {
        const b = new Bench()
        b.until(Phase.Press)
        const at = b.posUm
        // the press does not move (a hard arch): force stays at contact while the ramp's set-point
        // climbs and the speed reaches 150 permille after ~0.8 s; 3 s is less than the 5 s stuck window
        for (let k = 0; k < 60; k++) {
            b.posUm = at
            b.tick({ force: { value: 800 + (k % 2), atMs: b.t } })
        }
        // kills free motion made true, and `pm === Retract` made `!==` (Ramp then counts as free motion)
        expect(b.c.recentFault).toBeNull()
        expect(b.c.outputs.pressSpeedPermille).toBe(300)
    })

    it("a press stuck in release stalls (release is free motion)", () => {
        const b = new Bench()
        b.until(Phase.Release, 4000)
        const at = b.posUm
        expect(at).toBeGreaterThan(2000)
        for (let k = 0; k < 40 && !b.c.latchedFault; k++) {
            b.posUm = at
            b.tick()
        }
        // kills `pm === PressMode.Release` made false (no stall check: only the 30 s release timeout)
        expect(b.c.latchedFault).toMatchObject({ code: FaultCode.PressStall, sensor: SensorId.Position })
    })

    // E13: penetration d past contact needs at least 3,000 mN/mm x d x (1 + d / 10 mm)
    it("in the press phase (ramp) a force that does not rise 1 mm past contact is E13", () => {
        const b = new Bench()
        b.until(Phase.Press)
        const contact = b.c.press.contactUm
        // 1 mm: 3,000 x 1 x 1.1 = 3,300 mN; 800 + the 2,000 mN allowance = 2,800 < 3,300
        b.tick({ position: { value: contact + 1000, atMs: b.t }, force: { value: 800, atMs: b.t } })
        // kills pressInContact made false, `Ramp || Hold` made `&&`, and `pm === Ramp` made false
        expect(b.c.latchedFault).toMatchObject({ code: FaultCode.ForceImplausible, value: 800, limit: 3300 })
    })

    it("in cure (hold) 20 N at 5 mm past contact is E13", () => {
        const b = new Bench()
        b.until(Phase.Cure, 4000)
        const contact = b.c.press.contactUm
        // 5 mm: 3,000 x 5 x 1.5 = 22,500 mN; 20,000 + 2,000 = 22,000 < 22,500
        b.tick({ position: { value: contact + 5000, atMs: b.t }, force: { value: 20000, atMs: b.t } })
        // kills `pm === PressMode.Hold` made false
        expect(b.c.latchedFault).toMatchObject({ code: FaultCode.ForceImplausible, value: 20000, limit: 22500 })
    })

    it("an approach that finds nothing: E41 from the press, named on the position sensor", () => {
        const b = new Bench()
        b.until(Phase.Approach)
        // no arch: the press runs on at 200 µm a tick and passes travelMaxUm (50 mm)
        for (let k = 0; k < 400 && !b.c.latchedFault; k++) b.tick({ force: { value: 0, atMs: b.t } })
        // kills the cycle's fault left unread (`!== None` made false) and the sensor's choice made None
        expect(b.c.latchedFault).toMatchObject({ code: FaultCode.PressNoContact, sensor: SensorId.Position, limit: 50000 })
        expect(b.c.latchedFault!.value).toBeGreaterThan(50000)
    })

    it("an approach that times out: E42, on no sensor", () => {
        const b = new Bench()
        b.until(Phase.Approach)
        // a press creeping 20 µm a tick (400 µm/s: not a stall), never touching: 30 s of approach
        let pos = b.posUm
        for (let k = 0; k < 700 && !b.c.latchedFault; k++) {
            pos += 20
            b.tick({ force: { value: 0, atMs: b.t }, position: { value: Math.round(pos), atMs: b.t } })
        }
        // kills the sensor's choice made always Position (`true`, `!==`)
        expect(b.c.latchedFault).toMatchObject({ code: FaultCode.PhaseTimeout, sensor: SensorId.None, value: 30050, limit: 30000 })
    })

    it("a start pressed while an aborted cycle's press is still retracting starts nothing", () => {
        const b = new Bench()
        b.until(Phase.Cure, 4000)
        b.tick({ abortPressed: true })
        expect(b.c.phase()).toBe(Phase.Aborted)
        b.c.drainEvents()
        // start edge while retracting (several mm out: ~10 ticks to home)
        b.tick()
        b.tick({ startPressed: true })
        b.tick({ startPressed: true })
        // kills the idle test made true (begin() would run in Aborted and report the press not home)
        expect(b.c.phase()).toBe(Phase.Aborted)
        expect(b.c.drainEvents()).toEqual([])
    })

    it("the tick cure ends: no heater from the PID, even with the film reading falling sharply", () => {
        const b = new Bench()
        b.until(Phase.Cure, 4000)
        // cure began on the tick before b.t and lasts 8 s: the tick at its start + 8,000 ms ends it,
        // and on that tick the film reads 30.0 °C
        const end = b.t - P + 8000
        let out = b.tick()
        while (b.t <= end) out = b.tick({ film: { value: b.t === end ? 300 : 680, atMs: b.t } })
        expect(b.c.phase()).toBe(Phase.Release)
        // kills `target >= 0` made true: the PID run toward no target (-1) with the falling film's
        // derivative asks for heat
        expect(out).toMatchObject({ dutyPermille: 0, heaterOn: false, filmTargetDeciC: -1 })
    })
})

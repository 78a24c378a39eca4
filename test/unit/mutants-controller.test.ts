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
import { Phase, PreflightReason } from "../../src/core/cycle/events"
import { FaultCode, SensorId } from "../../src/core/faults"
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
        const c = new Controller(m, gains)
        expect(c.arm(TEST_PROCESS)).toBeNull()
        const sc = new ScanRun(m.fitting, m.press.approachSpeedPermille, m.press.contactForceMilliN)
        c.scan = sc
        c.tick(inputs(0))
        c.tick(inputs(P, { startPressed: true }))
        c.tick(inputs(2 * P, { startPressed: true })) // a start acts on the tick after its edge
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

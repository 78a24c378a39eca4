import { describe, it, expect } from "vitest"
import { readManifest } from "../../tools/manifest-node"
import { runCycle, pressStartAt, abortIn, TEST_PROCESS, RunScript } from "../vectors/cycle-runs"
import { CONTROLLER_RUNS } from "../vectors/controller-runs"
import { Controller, ControllerInputs, startAutotune } from "../../src/core/controller"
import { Phase, Outcome, EventKind, PreflightReason } from "../../src/core/cycle/events"
import { FaultCode } from "../../src/core/faults"

const m = readManifest()
const gains = { kpMicroPerDegC: m.control.kpMicroPerDegC, kiMicroPerDegCSec: m.control.kiMicroPerDegCSec, kdMicroSecPerDegC: m.control.kdMicroSecPerDegC }

describe("controller closed loop (shared runs)", () => {
    it.each(CONTROLLER_RUNS.map(c => [c.script.name, c] as const))("%s", async (_n, c) => {
        const r = await runCycle(c.script, m)
        expect(r.outcome).toBe(c.outcome)
        expect(r.faultCode).toBe(c.faultCode)
        expect(r.finalPhase).toBe(c.finalPhase)
        expect(r.latched).toBe(c.latched)
        // safe state, every path: heater never on after the stop, off and press still at the end
        expect(r.heaterOnAfterStop).toBe(0)
        expect(r.heaterOnAtEnd).toBe(false)
        expect(r.speedAtEnd).toBe(0)
        expect(r.homeAtEnd).toBe(c.homeAtEnd)
        // patient limits held throughout
        expect(r.maxTipDeciC).toBeLessThanOrEqual(TEST_PROCESS.contactMaxDeciC)
        expect(r.maxFilmDeciC).toBeLessThanOrEqual(m.limits.filmMaxDeciC)
        expect(r.maxForceMilliN).toBeLessThanOrEqual(m.limits.forceMaxMilliN)
    })
})

describe("nominal cycle", () => {
    it("runs every phase in order and holds force and temperature", async () => {
        const r = await runCycle({ name: "nominal", maxTicks: 20000, buttons: pressStartAt(5) }, m)
        expect(r.phases).toEqual([Phase.Preflight, Phase.Preheat, Phase.Approach, Phase.Press, Phase.Cure, Phase.Release, Phase.Cool])
        expect(r.outcome).toBe(Outcome.Complete)
        // force loop: proportional on an integrating plant has no steady-state error; allow 5 %
        expect(Math.abs(r.cureForceMeanMilliN - TEST_PROCESS.forceMilliN)).toBeLessThanOrEqual(TEST_PROCESS.forceMilliN / 20)
        // the press is position-limited by the film's stiffness: never more than 10 % over target
        expect(r.maxForceMilliN).toBeLessThanOrEqual(TEST_PROCESS.forceMilliN * 1.1)
        // cure temperature inside the hold band around its target
        expect(Math.abs(r.cureFilmMeanDeciC - TEST_PROCESS.cureDeciC)).toBeLessThanOrEqual(m.safety.holdBandDeciC)
    })
})

function idleInputs(now: number, over: Partial<ControllerInputs> = {}): ControllerInputs {
    return {
        nowMs: now,
        film: { value: 250, atMs: now }, contact: { value: 250, atMs: now },
        force: { value: 0, atMs: now }, position: { value: 0, atMs: now },
        home: true, doorClosed: true, startPressed: false, abortPressed: false, logHasRoom: true, outputsBound: true,
        ...over,
    }
}

function preflightReasons(c: Controller): number[] {
    return c.drainEvents().filter(e => e.kind === EventKind.PreflightFailed).map(e => e.code)
}

describe("starting a cycle", () => {
    const P = m.control.periodMs
    it("needs a start press (edge); a button held since boot does not start", () => {
        const c = new Controller(m, gains)
        c.arm(TEST_PROCESS)
        for (let k = 0; k < 20; k++) c.tick(idleInputs(k * P, { startPressed: true }))
        expect(c.phase()).toBe(Phase.Idle)
        c.tick(idleInputs(20 * P, { startPressed: false }))
        // the edge: a start acts one tick later, unless ABORT comes with it (test/vectors/fault-contracts.ts)
        c.tick(idleInputs(21 * P, { startPressed: true }))
        expect(c.phase()).toBe(Phase.Idle)
        c.tick(idleInputs(22 * P, { startPressed: true }))
        expect(c.phase()).toBe(Phase.Preheat)
    })

    it.each([
        ["no template armed", {}, false, PreflightReason.NoProcess],
        ["door open", { doorClosed: false }, true, PreflightReason.DoorOpen],
        ["log store full", { logHasRoom: false }, true, PreflightReason.LogFull],
        ["press not home", { home: false, position: { value: 5000, atMs: 21 * 50 } }, true, PreflightReason.PressNotHome],
        ["a sensor never reported", { force: { value: 0, atMs: -1 } }, true, PreflightReason.SensorNotReady],
        ["actuator not bound", { outputsBound: false }, true, PreflightReason.SensorNotReady],
    ] as const)("refuses with a reason: %s", (_n, over, arm, reason) => {
        const c = new Controller(m, gains)
        if (arm) c.arm(TEST_PROCESS)
        c.tick(idleInputs(20 * P))
        c.tick(idleInputs(21 * P, { startPressed: true, ...(over as Partial<ControllerInputs>) }))
        const out = c.tick(idleInputs(22 * P, { startPressed: true, ...(over as Partial<ControllerInputs>) }))
        expect(c.phase()).toBe(Phase.Idle)
        expect(out.heaterOn).toBe(false)
        expect(preflightReasons(c)).toEqual([reason])
    })

    it("rejects a process outside the device limits, naming the field, and keeps the old one", () => {
        const c = new Controller(m, gains)
        expect(c.arm(TEST_PROCESS)).toBeNull()
        const err = c.arm({ ...TEST_PROCESS, filmDeciC: m.limits.filmMaxDeciC })
        expect(err?.field).toBe("filmDeciC")
        expect(c.arm({ ...TEST_PROCESS, contactMaxDeciC: m.limits.contactMaxDeciC + 1 })?.field).toBe("contactMaxDeciC")
        expect(c.arm({ ...TEST_PROCESS, forceMilliN: 2.5 as number })?.field).toBe("forceMilliN")
        expect(c.armedProcess).toBe(TEST_PROCESS)
    })
})

describe("faults and the safe state", () => {
    const P = m.control.periodMs
    it("an implausible sensor latches a fault even when idle", () => {
        const c = new Controller(m, gains)
        c.tick(idleInputs(0, { film: { value: m.limits.filmSensorMinDeciC - 1, atMs: 0 } }))
        expect(c.phase()).toBe(Phase.Faulted)
        expect(c.latchedFault?.code).toBe(FaultCode.SensorImplausible)
    })

    function running(): { c: Controller; k: number } {
        const c = new Controller(m, gains)
        c.arm(TEST_PROCESS)
        c.tick(idleInputs(0))
        c.tick(idleInputs(P, { startPressed: true }))
        c.tick(idleInputs(2 * P, { startPressed: true }))
        expect(c.phase()).toBe(Phase.Preheat)
        // cold film far below target: the heater is on at full duty
        expect(c.tick(idleInputs(3 * P)).dutyPermille).toBe(m.control.heaterMaxDutyPermille)
        return { c, k: 4 }
    }

    it("a hard-limit breach turns the heater off on the same tick", () => {
        const { c, k } = running()
        const out = c.tick(idleInputs(k * P, { contact: { value: TEST_PROCESS.contactMaxDeciC + 1, atMs: k * P } }))
        expect(out.heaterOn).toBe(false)
        expect(out.dutyPermille).toBe(0)
        expect(c.phase()).toBe(Phase.Faulted)
        expect(c.latchedFault?.code).toBe(FaultCode.ContactOverTemp)
    })

    it("a latched fault survives a restart and blocks starts until a technician clears it", () => {
        const { c, k } = running()
        c.tick(idleInputs(k * P, { film: { value: m.limits.filmMaxDeciC + 5, atMs: k * P } }))
        const f = c.latchedFault!
        expect(f.code).toBe(FaultCode.FilmOverTemp)
        // reboot: a new controller restored from flash
        const c2 = new Controller(m, gains)
        c2.restoreLatched(f)
        c2.arm(TEST_PROCESS)
        c2.tick(idleInputs(0))
        c2.tick(idleInputs(P, { startPressed: true }))
        c2.tick(idleInputs(2 * P, { startPressed: true }))
        expect(c2.phase()).toBe(Phase.Faulted)
        expect(preflightReasons(c2)).toEqual([PreflightReason.LatchedFault])
        expect(c2.clearFault(3 * P)).toBe(true)
        expect(c2.drainEvents().map(e => e.kind)).toEqual([EventKind.FaultCleared])
        c2.tick(idleInputs(4 * P))
        c2.tick(idleInputs(5 * P, { startPressed: true }))
        c2.tick(idleInputs(6 * P, { startPressed: true }))
        expect(c2.phase()).toBe(Phase.Preheat)
    })

    it("an abort does not latch", () => {
        const { c, k } = running()
        c.softAbort = true
        const out = c.tick(idleInputs(k * P))
        expect(out.heaterOn).toBe(false)
        expect(c.latchedFault).toBeNull()
        // press already home: straight back to idle
        expect(c.phase()).toBe(Phase.Idle)
    })

    it("an exception in the control logic latches a control error with outputs off", () => {
        const { c, k } = running()
        c.reportError(k * P)
        expect(c.outputs.heaterOn).toBe(false)
        expect(c.outputs.pressSpeedPermille).toBe(0)
        expect(c.latchedFault?.code).toBe(FaultCode.ControlError)
    })
})

describe("boot", () => {
    it("retracts a press left extended by a power loss, then stops at home", async () => {
        const { Plant, NOMINAL_PLANT } = await import("../vectors/plant")
        const c = new Controller(m, gains)
        const P = m.control.periodMs
        const plant = new Plant(NOMINAL_PLANT)
        plant.positionUm = 15000
        const at = (k: number) => idleInputs(k * P, { home: plant.home(), position: { value: plant.positionRoundedUm(), atMs: k * P } })
        const out = c.tick(at(0))
        expect(out.pressSpeedPermille).toBe(-m.press.releaseSpeedPermille)
        expect(out.heaterOn).toBe(false)
        // at 500 permille of 10 mm/s (5 mm/s) it loses 250 um a tick: within homeToleranceUm (300 um)
        // of zero after ceil((15000 - 300) / 250) = 59 ticks, where it stops
        let speed = out.pressSpeedPermille
        let k = 1
        for (; k < 200 && speed !== 0; k++) {
            plant.step(P, false, speed)
            speed = c.tick(at(k)).pressSpeedPermille
            expect(speed === 0 || speed === -m.press.releaseSpeedPermille).toBe(true)
        }
        expect(k - 1).toBe(59)
        expect(plant.positionUm).toBeLessThanOrEqual(m.press.homeToleranceUm)
        for (let j = 0; j < 20; j++, k++) expect(c.tick(at(k)).pressSpeedPermille).toBe(0)
    })
})

describe("autotune through the controller", () => {
    it("tunes on the test plant, emits GainsTuned, and the new gains hold 70 °C", async () => {
        const { Autotuner } = await import("../../src/core/heater/autotune")
        const { Plant, NOMINAL_PLANT } = await import("../vectors/plant")
        const P = m.control.periodMs
        const c = new Controller(m, gains)
        const plant = new Plant(NOMINAL_PLANT)
        const inputs = (now: number) => idleInputs(now, { film: { value: plant.filmDeciC(), atMs: now } })
        c.tick(inputs(0))
        expect(startAutotune(c, P, 700, new Autotuner(700, m.autotune, m.control))).toBeNull()
        expect(c.phase()).toBe(Phase.Autotune)
        let on = false
        const kinds: number[] = []
        for (let k = 1; k < m.autotune.maxMs / P && c.phase() === Phase.Autotune; k++) {
            plant.step(P, on, 0)
            on = c.tick(inputs(k * P)).heaterOn
            for (const e of c.drainEvents()) kinds.push(e.kind)
        }
        const r = c.lastAutotune
        expect(r?.ok).toBe(true)
        expect(kinds).toContain(EventKind.GainsTuned)
        expect(c.outputs.heaterOn).toBe(false)
        // the step test's own overshoot bound, from the manifest
        expect(r!.overshootDeciC).toBeLessThanOrEqual(m.autotune.maxOvershootDeciC)
        // and the new gains hold 70 °C: the tuned PID on the same plant, 10 minutes at 70 °C, stays
        // inside the hold band (safety.holdBandDeciC, E22's limit) over its last 2 minutes
        const { HeaterPid, pidLimitsFor } = await import("../../src/core/heater/pid")
        const { TimeProportioner } = await import("../../src/core/heater/time-proportion")
        const pid = new HeaterPid(r!.gains!, pidLimitsFor(m.control))
        const relay = new TimeProportioner(Math.round(m.control.heaterWindowMs / P))
        const hold = new Plant(NOMINAL_PLANT)
        let worst = 0
        let heat = false
        for (let k = 0; k < 600000 / P; k++) {
            hold.step(P, heat, 0)
            const film = hold.filmDeciC()
            heat = relay.step(pid.update(k * P, film, 700))
            if (k * P >= 480000) worst = Math.max(worst, Math.abs(film - 700))
        }
        expect(worst).toBeLessThanOrEqual(m.safety.holdBandDeciC)
    })

    it("refuses to start with a latched fault or during a cycle", async () => {
        const { Autotuner } = await import("../../src/core/heater/autotune")
        const c = new Controller(m, gains)
        c.restoreLatched({ code: FaultCode.FilmOverTemp, sensor: 1, value: 951, limit: 950, atMs: 0 })
        expect(startAutotune(c, 0, 700, new Autotuner(700, m.autotune, m.control))).toMatch(/latched/)
    })
})

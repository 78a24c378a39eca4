// Closed-loop runs of the whole controller (supervisor + cycle + PID + press) against the
// test plant, shared by vitest (test/unit/controller.test.ts) and the VM
// (test/vm/controller.vm.ts). DeviceScript subset. A script presses buttons and injects
// plant faults by tick; the result records what an observer on the bus would see.

import { Manifest } from "../../src/core/manifest"
import { Controller } from "../../src/core/controller"
import { ProcessParams } from "../../src/core/cycle/process"
import { Phase, EventKind, Outcome } from "../../src/core/cycle/events"
import { Plant, NOMINAL_PLANT } from "./plant"

export const TEST_PROCESS: ProcessParams = {
    templateId: "test-arch-a",
    filmDeciC: 700,
    soakMs: 2000,
    forceMilliN: 20000,
    rampMs: 4000,
    cureDeciC: 680,
    cureMs: 8000,
    coolDeciC: 500,
    contactMaxDeciC: 415,
}

export interface Buttons {
    start: boolean
    abort: boolean
    door: boolean
}

export interface RunScript {
    name: string
    maxTicks: number
    /** buttons for tick k given the controller's phase now */
    buttons: (k: number, phase: Phase, sinceMs: number) => Buttons
    /** plant faults for tick k (mutate the plant) */
    inject?: (k: number, phase: Phase, plant: Plant) => void
    /** stop the run once this is true (default: idle or faulted after an outcome, press home) */
    arm?: boolean
}

export interface RunResult {
    ticks: number
    phases: Phase[]
    outcome: number
    faultCode: number
    finalPhase: Phase
    latched: boolean
    maxFilmDeciC: number
    maxTipDeciC: number
    maxForceMilliN: number
    /** ticks with the heater on after the fault/abort tick (must be 0) */
    heaterOnAfterStop: number
    /** ticks from the stop to the press being home (-1 if never) */
    homeTicksAfterStop: number
    heaterOnAtEnd: boolean
    speedAtEnd: number
    homeAtEnd: boolean
    /** first phase-end summaries by phase, for checks on means */
    cureForceMeanMilliN: number
    cureFilmMeanDeciC: number
}

export function pressStartAt(tick: number): (k: number, phase: Phase, sinceMs: number) => Buttons {
    return (k, phase, sinceMs) => ({ start: k >= tick && k < tick + 4, abort: false, door: true })
}

/** Presses start at tick 5, then abort once `phase` has lasted `afterMs`. */
export function abortIn(phase: Phase, afterMs: number): (k: number, ph: Phase, sinceMs: number) => Buttons {
    let pressed = false
    return (k, ph, sinceMs) => {
        if (ph === phase && sinceMs >= afterMs) pressed = true
        return { start: k >= 5 && k < 9, abort: pressed && ph !== Phase.Idle, door: true }
    }
}

export async function runCycle(script: RunScript, m: Manifest, pause?: () => Promise<void>): Promise<RunResult> {
    const period = m.control.periodMs
    const plant = new Plant(NOMINAL_PLANT)
    const ctrl = new Controller(m, {
        kpMicroPerDegC: m.control.kpMicroPerDegC,
        kiMicroPerDegCSec: m.control.kiMicroPerDegCSec,
        kdMicroSecPerDegC: m.control.kdMicroSecPerDegC,
    })
    if (script.arm !== false) ctrl.arm(TEST_PROCESS)
    const r: RunResult = {
        ticks: 0, phases: [], outcome: 0, faultCode: 0, finalPhase: Phase.Idle, latched: false,
        maxFilmDeciC: 0, maxTipDeciC: 0, maxForceMilliN: 0, heaterOnAfterStop: 0, homeTicksAfterStop: -1,
        heaterOnAtEnd: false, speedAtEnd: 0, homeAtEnd: true, cureForceMeanMilliN: 0, cureFilmMeanDeciC: 0,
    }
    let heaterOn = false
    let speed = 0
    let phase = Phase.Idle
    let phaseSinceMs = 0
    let stopTick = -1
    for (let k = 0; k < script.maxTicks; k++) {
        if (pause && k % 20 === 0) await pause()
        const now = k * period
        if (k > 0) plant.step(period, heaterOn, speed)
        if (script.inject) script.inject(k, phase, plant)
        const b = script.buttons(k, phase, now - phaseSinceMs)
        const out = ctrl.tick({
            nowMs: now,
            film: { value: plant.filmDeciC(), atMs: now },
            contact: { value: plant.tipDeciC(), atMs: now },
            force: { value: Math.round(plant.forceMilliN()), atMs: now },
            position: { value: plant.positionRoundedUm(), atMs: now },
            home: plant.home(),
            doorClosed: b.door,
            startPressed: b.start,
            abortPressed: b.abort,
            logHasRoom: true,
            outputsBound: true,
        })
        heaterOn = out.heaterOn
        speed = out.pressSpeedPermille
        if (plant.filmDeciC() > r.maxFilmDeciC) r.maxFilmDeciC = plant.filmDeciC()
        if (plant.tipDeciC() > r.maxTipDeciC) r.maxTipDeciC = plant.tipDeciC()
        if (plant.forceMilliN() > r.maxForceMilliN) r.maxForceMilliN = Math.round(plant.forceMilliN())
        for (const e of ctrl.drainEvents()) {
            if (e.kind === EventKind.PhaseStart) r.phases.push(e.phase)
            if (e.kind === EventKind.Outcome) r.outcome = e.code
            if (e.kind === EventKind.Fault && r.faultCode === 0) {
                r.faultCode = e.code
                if (stopTick < 0) stopTick = k
            }
            if (e.kind === EventKind.Outcome && e.code !== Outcome.Complete && stopTick < 0) stopTick = k
            if (e.kind === EventKind.PhaseEnd && e.phase === Phase.Cure && e.summary) {
                r.cureForceMeanMilliN = e.summary.forceMeanMilliN
                r.cureFilmMeanDeciC = e.summary.filmMeanDeciC
            }
        }
        if (stopTick >= 0 && heaterOn) r.heaterOnAfterStop++
        if (stopTick >= 0 && r.homeTicksAfterStop < 0 && (plant.home() || plant.positionUm <= m.press.homeToleranceUm))
            r.homeTicksAfterStop = k - stopTick
        const ph = ctrl.phase()
        if (ph !== phase) {
            phase = ph
            phaseSinceMs = now
        }
        r.ticks = k + 1
        // done: an outcome was reported and the machine is at rest
        if (r.outcome !== 0 && speed === 0 && !heaterOn && (ph === Phase.Idle || ph === Phase.Complete || ph === Phase.Faulted)) break
    }
    r.finalPhase = ctrl.phase()
    r.latched = !!ctrl.latchedFault
    r.heaterOnAtEnd = heaterOn
    r.speedAtEnd = speed
    r.homeAtEnd = plant.home() || plant.positionUm <= m.press.homeToleranceUm
    return r
}

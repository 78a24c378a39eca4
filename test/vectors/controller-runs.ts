// Closed-loop scripts with their expected ends, shared by vitest and the VM. Expectations come
// from the design: an abort or door-open ends Aborted and back to Idle with the press home;
// a hardware fault ends Faulted and latched; a jammed press is stopped where it is.

import { FaultCode } from "../../src/core/faults"
import { Phase, Outcome } from "../../src/core/cycle/events"
import { RunScript, pressStartAt, abortIn } from "./cycle-runs"

export interface ControllerRun {
    script: RunScript
    outcome: Outcome
    faultCode: FaultCode
    finalPhase: Phase
    latched: boolean
    homeAtEnd: boolean
}

function abortRun(phase: Phase, name: string, afterMs: number): ControllerRun {
    return {
        script: { name: "abort during " + name, maxTicks: 20000, buttons: abortIn(phase, afterMs) },
        outcome: Outcome.Aborted, faultCode: FaultCode.Abort, finalPhase: Phase.Idle, latched: false, homeAtEnd: true,
    }
}

export const CONTROLLER_RUNS: ControllerRun[] = [
    {
        script: { name: "nominal cycle", maxTicks: 20000, buttons: pressStartAt(5) },
        outcome: Outcome.Complete, faultCode: FaultCode.None, finalPhase: Phase.Complete, latched: false, homeAtEnd: true,
    },
    abortRun(Phase.Preheat, "preheat", 1000),
    abortRun(Phase.Approach, "approach", 1000),
    abortRun(Phase.Press, "press", 1000),
    abortRun(Phase.Cure, "cure", 1000),
    abortRun(Phase.Release, "release", 200),
    abortRun(Phase.Cool, "cool", 1000),
    {
        script: {
            name: "heater disconnected", maxTicks: 20000, buttons: pressStartAt(5),
            inject: (k, ph, plant) => { plant.heaterConnected = false },
        },
        outcome: Outcome.Faulted, faultCode: FaultCode.ThermalRunaway, finalPhase: Phase.Faulted, latched: true, homeAtEnd: true,
    },
    {
        script: {
            name: "relay stuck on during cure", maxTicks: 20000, buttons: pressStartAt(5),
            inject: (k, ph, plant) => { if (ph === Phase.Cure) plant.relayStuckOn = true },
        },
        outcome: Outcome.Faulted, faultCode: FaultCode.HeaterUncommandedRise, finalPhase: Phase.Faulted, latched: true, homeAtEnd: true,
    },
    {
        script: {
            name: "door opened during press", maxTicks: 20000,
            buttons: (k, ph, since) => ({ start: k >= 5 && k < 9, abort: false, door: !(ph === Phase.Press && since >= 500) }),
        },
        outcome: Outcome.Aborted, faultCode: FaultCode.DoorOpen, finalPhase: Phase.Idle, latched: false, homeAtEnd: true,
    },
    {
        script: {
            name: "press jammed during approach", maxTicks: 20000, buttons: pressStartAt(5),
            inject: (k, ph, plant) => { if (ph === Phase.Approach && plant.positionUm > 5000) plant.motorStalled = true },
        },
        outcome: Outcome.Faulted, faultCode: FaultCode.PressStall, finalPhase: Phase.Faulted, latched: true, homeAtEnd: false,
    },
]

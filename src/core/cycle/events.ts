// What a cycle reports as it runs: enough to build a compliance record later (phases with
// their summaries, faults, outcome). Numbers are stable: they are logged and sent.

import { Fault } from "../faults"
import { PhaseSummary } from "./phase-stats"

export enum Phase {
    Idle = 0,
    Preflight = 1,
    Preheat = 2,
    Approach = 3,
    Press = 4,
    Cure = 5,
    Release = 6,
    Cool = 7,
    Complete = 8,
    /** safe state after abort: heater off, press retracting; back to Idle once home */
    Aborted = 9,
    /** safe state after a fault: heater off, press retracting; stays until cleared (latching) */
    Faulted = 10,
    Autotune = 11,
    /** the fitting calibration's arch scan (press moving, heater off) */
    Scan = 12,
}

// Phase names by value, each padded to 10 characters in one constant string: the compiler folds
// it, so it costs neither start-up code nor heap (parsed into an array at the top level, the
// names were held for the program's life: README, "DeviceScript traps").
const PHASE_LIST = "idle      preflight preheat   approach  press     cure      release   cool      complete  aborted   faulted   autotune  scan      "
/** how many phases have names (Phase values 0..PHASE_COUNT - 1) */
export const PHASE_COUNT = 13

/** A phase's name ("" past the last phase); allocates only the name (the status display asks 4 times a second). */
export function phaseName(p: Phase): string {
    const s = PHASE_LIST.slice(p * 10, p * 10 + 10)
    return s.slice(0, s.indexOf(" "))
}

export enum Outcome {
    Complete = 1,
    Aborted = 2,
    Faulted = 3,
}

export enum PreflightReason {
    Ok = 0,
    /** no template armed */
    NoProcess = 1,
    SensorNotReady = 2,
    DoorOpen = 3,
    /** the compliance log store is full */
    LogFull = 4,
    PressNotHome = 5,
    /** a latched fault: a technician must clear it */
    LatchedFault = 6,
    Busy = 7,
}

export enum EventKind {
    PhaseStart = 1,
    PhaseEnd = 2,
    Fault = 3,
    Outcome = 4,
    PreflightFailed = 5,
    GainsTuned = 6,
    FaultCleared = 7,
}

export interface ControlEvent {
    kind: EventKind
    atMs: number
    phase: Phase
    /** fault code, outcome, or preflight reason, by kind */
    code: number
    summary: PhaseSummary | null
    fault: Fault | null
}

export function event(kind: EventKind, atMs: number, phase: Phase, code: number): ControlEvent {
    return { kind: kind, atMs: atMs, phase: phase, code: code, summary: null, fault: null }
}

// Press controller vectors (Node and VM). Each step gives the time, the reading, and the
// expected speed, computed by hand from the manifest's press settings (see comments).

import { Manifest } from "../../src/core/manifest"
import { PressController, PressMode, PressReading } from "../../src/core/press/press-control"
import { FaultCode } from "../../src/core/faults"

export interface PressStep {
    t: number
    force: number
    pos: number
    home: boolean
    /** expected speed, permille */
    speed: (m: Manifest) => number
    /** expected force set-point after the step, mN (-1: don't check) */
    setpoint?: number
    fault?: FaultCode
    /** a retract asked at this step's time, before the step (a fault, a scan's end) */
    retract?: boolean
}

export interface PressVector {
    name: string
    /** called once at t = 0 to put the controller in its mode */
    start: (p: PressController) => void
    steps: PressStep[]
}

const free = (t: number, pos: number, force: number): { t: number; force: number; pos: number; home: boolean } =>
    ({ t: t, force: force, pos: pos, home: pos <= 0 })

export const PRESS_VECTORS: PressVector[] = [
    {
        name: "approach moves at approach speed until contact force, then stops",
        start: p => p.go(PressMode.Approach, 0),
        steps: [
            { ...free(0, 0, 0), speed: m => m.press.approachSpeedPermille },
            { ...free(50, 200, 100), speed: m => m.press.approachSpeedPermille },
            // contact threshold reached exactly: stop
            { ...free(100, 400, 800), speed: m => 0 },
        ],
    },
    {
        name: "approach past the travel limit without contact is a fault",
        start: p => p.go(PressMode.Approach, 0),
        steps: [
            { ...free(0, 49000, 0), speed: m => m.press.approachSpeedPermille },
            { ...free(50, 50001, 0), speed: m => 0, fault: FaultCode.PressNoContact },
        ],
    },
    {
        // ramp 1 N -> 21 N over 4 s: set-point = 1000 + 20000 t / 4000 mN.
        // speed = round((set-point - force) / 1000 x 40 per N), clamped to +-300.
        name: "force ramp follows the set-point with a proportional loop",
        start: p => p.ramp(0, 1000, 21000, 4000),
        steps: [
            { t: 0, force: 1000, pos: 20000, home: false, speed: m => 0, setpoint: 1000 },
            // t=1000: set-point 6000, force 5000: 1 N error -> 40
            { t: 1000, force: 5000, pos: 20500, home: false, speed: m => 40, setpoint: 6000 },
            // t=2000: set-point 11000, force 1000: 10 N -> 400, clamped to 300
            { t: 2000, force: 1000, pos: 20500, home: false, speed: m => m.press.maxSpeedPermille, setpoint: 11000 },
            // t=3000: set-point 16000, force 16250: -0.25 N -> -10
            { t: 3000, force: 16250, pos: 28000, home: false, speed: m => -10, setpoint: 16000 },
            // after the ramp the set-point stays at the target: 25 N measured -> -4 N -> -160
            { t: 5000, force: 25000, pos: 32000, home: false, speed: m => -160, setpoint: 21000 },
        ],
    },
    {
        name: "hold keeps the target force",
        start: p => p.hold(0, 20000),
        steps: [
            { t: 0, force: 20000, pos: 30000, home: false, speed: m => 0, setpoint: 20000 },
            // 0.5 N low: +20
            { t: 50, force: 19500, pos: 30000, home: false, speed: m => 20, setpoint: 20000 },
        ],
    },
    {
        name: "release returns home at release speed and stops there",
        start: p => p.go(PressMode.Release, 0),
        steps: [
            { ...free(0, 30000, 20000), speed: m => -m.press.releaseSpeedPermille },
            { ...free(50, 301, 0), speed: m => -m.press.releaseSpeedPermille },
            // within the home tolerance (300 µm): stop
            { ...free(100, 300, 0), speed: m => 0 },
        ],
    },
    {
        name: "release stops at the home end stop even with a bad position reading",
        start: p => p.go(PressMode.Release, 0),
        steps: [
            { t: 0, force: 0, pos: 9000, home: false, speed: m => -m.press.releaseSpeedPermille },
            { t: 50, force: 0, pos: 9000, home: true, speed: m => 0 },
        ],
    },
    {
        name: "safe retract gives up after the release time limit",
        start: p => p.go(PressMode.Retract, 0),
        steps: [
            { t: 0, force: 0, pos: 9000, home: false, speed: m => -m.press.releaseSpeedPermille },
            { t: 30000, force: 0, pos: 9000, home: false, speed: m => -m.press.releaseSpeedPermille },
            { t: 30001, force: 0, pos: 9000, home: false, speed: m => 0 },
        ],
    },
    {
        // the controller retracts at boot (the press may be on the patient after a reset); that
        // retract, done at home, must not swallow a later one: a scan ending 40 s after boot
        // left the press 48.7 mm out (npm start's clinic), and so would a fault in that scan
        name: "a retract that ended at home does not hold back a later retract",
        start: p => p.go(PressMode.Retract, 0),
        steps: [
            { ...free(0, 0, 0), speed: m => 0 },
            { ...free(40000, 48000, 0), retract: true, speed: m => -m.press.releaseSpeedPermille },
            { ...free(40050, 47700, 0), speed: m => -m.press.releaseSpeedPermille },
            // a second request while retracting keeps the first one's time limit
            { ...free(70050, 9000, 0), retract: true, speed: m => 0 },
        ],
    },
    {
        name: "a retract that gave up at its time limit is tried again by a later request",
        start: p => p.go(PressMode.Retract, 0),
        steps: [
            { t: 0, force: 0, pos: 9000, home: false, speed: m => -m.press.releaseSpeedPermille },
            { t: 30001, force: 0, pos: 9000, home: false, speed: m => 0 },
            { t: 60000, force: 0, pos: 9000, home: false, speed: m => 0 },
            { t: 60050, force: 0, pos: 9000, home: false, retract: true, speed: m => -m.press.releaseSpeedPermille },
        ],
    },
]

/** Runs a vector; returns the index of the first failing step and what differed, or null. */
export function runPressVector(v: PressVector, m: Manifest): string | null {
    const p = new PressController(m.press, m.cycle)
    v.start(p)
    for (let i = 0; i < v.steps.length; i++) {
        const s = v.steps[i]
        const r: PressReading = { forceMilliN: s.force, positionUm: s.pos, home: s.home, positionValid: true }
        if (s.retract) p.go(PressMode.Retract, s.t)
        const speed = p.step(s.t, r)
        if (speed !== s.speed(m)) return "step " + i + ": speed " + speed + ", expected " + s.speed(m)
        const sp = p.setpointMilliN(s.t)
        if (s.setpoint !== undefined && sp !== s.setpoint) return "step " + i + ": set-point " + sp + ", expected " + s.setpoint
        const fault = s.fault === undefined ? FaultCode.None : s.fault
        if (p.fault !== fault) return "step " + i + ": fault " + p.fault + ", expected " + fault
    }
    return null
}

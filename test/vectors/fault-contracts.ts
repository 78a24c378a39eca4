// Fault contracts of the controller (issue 14 items 6, 7, 9, 12), run tick by tick against the
// test plant; shared by vitest (test/unit/fault-contracts.test.ts) and the VM
// (test/vm/fault-contracts.vm.ts). Each check returns "ok" or what went wrong. Expected ticks
// come from the plant and the manifest: the press moves pressMaxUmPerS (10 mm/s) x speed
// permille, so a retract at releaseSpeedPermille (500) covers 20 mm in 4.0 s = 80 ticks of 50 ms.

import { Manifest } from "../../src/core/manifest"
import { Controller, ControllerOutputs } from "../../src/core/controller"
import { FaultCode } from "../../src/core/faults"
import { Phase, EventKind, ControlEvent, PreflightReason } from "../../src/core/cycle/events"
import { PressMode } from "../../src/core/press/press-control"
import { Plant, NOMINAL_PLANT } from "./plant"
import { TEST_PROCESS } from "./cycle-runs"

/** The controller on the test plant, one tick per call, with buttons and reading overrides a check sets. */
export class Bench {
    readonly plant = new Plant(NOMINAL_PLANT)
    readonly ctrl: Controller
    k = 0
    out: ControllerOutputs
    start = false
    abort = false
    door = true
    /** the home end stop's reading: null = the plant's switch */
    homeSwitch: boolean | null = null
    /** film reading added to the plant's, 0.1 °C (a hard-limit breach) */
    filmAddDeciC = 0
    /** force reading added to the plant's, mN (a hard-limit breach) */
    forceAddMilliN = 0
    /** the position sensor stops reporting (its last reading ages) */
    positionLost = false
    private posAtMs = 0
    private posValue = 0
    heaterOnTicks = 0
    events: ControlEvent[] = []

    constructor(readonly m: Manifest, positionUm: number, readonly pause: () => Promise<void>) {
        this.plant.positionUm = positionUm
        this.ctrl = new Controller(m, { kpMicroPerDegC: m.control.kpMicroPerDegC, kiMicroPerDegCSec: m.control.kiMicroPerDegCSec, kdMicroSecPerDegC: m.control.kdMicroSecPerDegC })
        this.ctrl.arm(TEST_PROCESS)
        this.out = this.ctrl.outputs
    }

    now(): number {
        return this.k * this.m.control.periodMs
    }

    tick(): ControllerOutputs {
        const now = this.now()
        if (this.k > 0) this.plant.step(this.m.control.periodMs, this.out.heaterOn, this.out.pressSpeedPermille)
        if (!this.positionLost) {
            this.posAtMs = now
            this.posValue = this.plant.positionRoundedUm()
        }
        this.out = this.ctrl.tick({
            nowMs: now,
            film: { value: this.plant.filmDeciC() + this.filmAddDeciC, atMs: now },
            contact: { value: this.plant.tipDeciC(), atMs: now },
            force: { value: Math.round(this.plant.forceMilliN()) + this.forceAddMilliN, atMs: now },
            position: { value: this.posValue, atMs: this.posAtMs },
            home: this.homeSwitch === null ? this.plant.home() : this.homeSwitch,
            doorClosed: this.door,
            startPressed: this.start,
            abortPressed: this.abort,
            logHasRoom: true,
            outputsBound: true,
        })
        if (this.out.heaterOn) this.heaterOnTicks++
        for (const e of this.ctrl.drainEvents()) this.events.push(e)
        this.k++
        return this.out
    }

    /** Runs n ticks; stops early (returning true) when done() holds after a tick. (Yields every 5 ticks: the VM stops a fiber that runs too long without yielding.) */
    async run(n: number, done?: (b: Bench) => boolean): Promise<boolean> {
        for (let i = 0; i < n; i++) {
            if (i % 5 === 4) await this.pause()
            this.tick()
            if (done && done(this)) return true
        }
        return false
    }

    faults(): number[] {
        const r: number[] = []
        for (const e of this.events) if (e.kind === EventKind.Fault || (e.kind === EventKind.Outcome && e.fault)) r.push(e.code)
        return r
    }

    started(phase: Phase): boolean {
        for (const e of this.events) if (e.kind === EventKind.PhaseStart && e.phase === phase) return true
        return false
    }

    /** Starts a cycle (start held 4 ticks) and runs until the press is in approach and 8 mm out, jammed there. */
    async jamInApproach(): Promise<string> {
        await this.run(5) // (a button held at boot is not a press)
        this.start = true
        await this.run(4)
        this.start = false
        if (!(await this.run(20000, b => b.ctrl.press.mode === PressMode.Approach && b.plant.positionUm > 8000))) return "never reached 8 mm in approach"
        this.plant.motorStalled = true
        // the stall window (1 s) and a tick
        if (!(await this.run(this.m.safety.stallWindowMs / this.m.control.periodMs + 2, b => !!b.ctrl.latchedFault))) return "no fault within the stall window and a tick"
        const f = this.ctrl.latchedFault
        return f && f.code === FaultCode.PressStall ? "ok" : "latched E" + (f ? f.code : 0) + ", expected E40"
    }
}

export interface ContractCheck {
    name: string
    run: (m: Manifest, pause: () => Promise<void>) => Promise<string>
}

const HOME_TICKS_20MM = 80

/**
 * After 5 idle ticks, holds the buttons segment by segment ([start, abort, ticks], 1 = pressed),
 * then releases both for 40 ticks: "ok" when no cycle started and nothing heated.
 */
async function nothingStarts(b: Bench, segments: number[][]): Promise<string> {
    await b.run(5)
    for (const seg of segments) {
        b.start = seg[0] > 0
        b.abort = seg[1] > 0
        await b.run(seg[2])
    }
    b.start = false
    b.abort = false
    await b.run(40)
    if (b.heaterOnTicks !== 0) return "heater on for " + b.heaterOnTicks + " ticks"
    return b.started(Phase.Preflight) ? "a cycle started" : b.ctrl.phase() === Phase.Idle ? "ok" : "phase " + b.ctrl.phase()
}

export const FAULT_CONTRACTS: ContractCheck[] = [
    {
        name: "START alone starts the cycle on the tick after its edge",
        run: async (m, pause) => {
            const b = new Bench(m, 0, pause)
            await b.run(5)
            b.start = true
            b.tick() // the edge: nothing yet
            if (b.started(Phase.Preheat) || b.out.heaterOn) return "started on the edge's own tick"
            b.tick()
            b.start = false
            return b.started(Phase.Preheat) ? "ok" : "no preheat one tick after the edge"
        },
    },
    {
        name: "START and ABORT pressed in the same tick start nothing and heat nothing",
        run: async (m, pause) => await nothingStarts(new Bench(m, 0, pause), [[1, 1, 20]]),
    },
    {
        name: "ABORT one tick after START (a slip, or the clear gesture's presses 50 ms apart) starts nothing",
        run: async (m, pause) => await nothingStarts(new Bench(m, 0, pause), [[1, 0, 1], [1, 1, 4]]),
    },
    {
        name: "ABORT released while START is still held after both: still nothing starts",
        run: async (m, pause) => await nothingStarts(new Bench(m, 0, pause), [[1, 1, 3], [1, 0, 10]]),
    },
    {
        name: "a press stalled on the patient is not cleared until it is home; ABORT sends it home",
        run: async (m, pause) => {
            const b = new Bench(m, 0, pause)
            const j = await b.jamInApproach()
            if (j !== "ok") return j
            b.plant.motorStalled = false
            await b.run(20)
            const outUm = b.plant.positionUm
            if (b.out.pressSpeedPermille !== 0 || outUm < 8000) return "the stalled press moved: " + b.out.pressSpeedPermille + " permille, at " + outUm + " um"
            if (b.ctrl.clearFault(b.now())) return "cleared with the press " + Math.round(outUm) + " um out"
            // ABORT (one tick) while faulted: the press goes home at release speed, the fault stays
            b.abort = true
            b.tick()
            b.abort = false
            const ticks = Math.ceil(outUm / (m.press.releaseSpeedPermille / 1000 * NOMINAL_PLANT.pressMaxUmPerS) * 1000 / m.control.periodMs)
            if (!(await b.run(ticks + 3, x => x.out.pressSpeedPermille === 0 && x.plant.positionUm <= m.press.homeToleranceUm))) return "not home " + (ticks + 3) + " ticks after ABORT: " + Math.round(b.plant.positionUm) + " um"
            if (!b.ctrl.latchedFault || b.ctrl.latchedFault.code !== FaultCode.PressStall) return "ABORT changed the latched fault"
            b.tick()
            return b.ctrl.clearFault(b.now()) && !b.ctrl.latchedFault && b.ctrl.phase() === Phase.Idle ? "ok" : "not cleared at home"
        },
    },
    {
        name: "a home switch stuck closed does not clear a fault with the press out; with the position lost, the switch decides",
        run: async (m, pause) => {
            const b = new Bench(m, 0, pause)
            const j = await b.jamInApproach()
            if (j !== "ok") return j
            b.homeSwitch = true
            await b.run(5)
            if (b.ctrl.clearFault(b.now())) return "cleared on a stuck switch with the position at " + Math.round(b.plant.positionUm) + " um"
            b.positionLost = true
            await b.run(m.safety.staleTicks + 2)
            return b.ctrl.clearFault(b.now()) ? "ok" : "not cleared by the switch with no fresh position"
        },
    },
    {
        name: "a later fault does not replace a latched stall, and the stalled press stays stopped",
        run: async (m, pause) => {
            const b = new Bench(m, 0, pause)
            const j = await b.jamInApproach()
            if (j !== "ok") return j
            const n = b.faults().length
            b.plant.motorStalled = false
            // a film reading over its hard limit for 20 ticks (E10 on its own)
            b.filmAddDeciC = m.limits.filmMaxDeciC + 50 - b.plant.filmDeciC()
            let moved = 0
            for (let i = 0; i < 20; i++) if (b.tick().pressSpeedPermille !== 0) moved++
            b.filmAddDeciC = 0
            const f = b.ctrl.latchedFault
            if (!f || f.code !== FaultCode.PressStall) return "latched E" + (f ? f.code : 0) + " after the second fault"
            if (b.ctrl.recentFault !== f) return "the recent fault changed to E" + (b.ctrl.recentFault ? b.ctrl.recentFault.code : 0)
            if (b.faults().length !== n) return "the second fault was reported as a new fault event"
            return moved === 0 ? "ok" : "the stalled press was driven on " + moved + " ticks"
        },
    },
    {
        name: "an over-temperature during the press stays latched through a later over-force, and the press goes home",
        run: async (m, pause) => {
            const b = new Bench(m, 0, pause)
            await b.run(5)
            b.start = true
            await b.run(4)
            b.start = false
            if (!(await b.run(20000, x => x.ctrl.cycle.phase === Phase.Press && x.plant.inContact()))) return "never reached the press phase in contact"
            b.filmAddDeciC = m.limits.filmMaxDeciC + 20 - b.plant.filmDeciC()
            b.tick()
            b.filmAddDeciC = 0
            const first = b.ctrl.latchedFault
            if (!first || first.code !== FaultCode.FilmOverTemp) return "latched E" + (first ? first.code : 0) + ", expected E10"
            const n = b.faults().length
            const out = b.plant.positionUm
            // a second hard-limit fault while retracting: the force reading jumps over its limit for 2 ticks
            await b.run(3)
            b.forceAddMilliN = m.limits.forceMaxMilliN + 1000
            await b.run(2)
            b.forceAddMilliN = 0
            if (b.faults().length !== n) return "the later over-force was reported as a new fault"
            const ticks = Math.ceil(out / (m.press.releaseSpeedPermille / 1000 * NOMINAL_PLANT.pressMaxUmPerS) * 1000 / m.control.periodMs)
            if (!(await b.run(ticks + 3, x => x.plant.positionUm <= m.press.homeToleranceUm && x.out.pressSpeedPermille === 0))) return "not home " + (ticks + 3) + " ticks after E10"
            const f = b.ctrl.latchedFault
            return f && f.code === FaultCode.FilmOverTemp && b.ctrl.recentFault === f && !b.out.heaterOn ? "ok" : "latched E" + (f ? f.code : 0) + " at home"
        },
    },
    {
        name: "ABORT with nothing running and the press out (a boot retract that gave up) sends it home",
        run: async (m, pause) => {
            // a reset left the press 20 mm out and jammed: the boot retract gives up at releaseMaxMs
            const b = new Bench(m, 20000, pause)
            b.plant.motorStalled = true
            const limitTicks = m.cycle.releaseMaxMs / m.control.periodMs
            if (!(await b.run(limitTicks + 3, x => x.k > 1 && x.out.pressSpeedPermille === 0))) return "the boot retract did not give up within releaseMaxMs and a tick"
            b.plant.motorStalled = false
            await b.run(100)
            if (b.plant.positionUm < 19999) return "the press moved with nothing commanding it"
            if (b.ctrl.phase() !== Phase.Idle) return "phase " + b.ctrl.phase()
            b.abort = true
            b.tick()
            b.abort = false
            if (!(await b.run(HOME_TICKS_20MM + 3, x => x.plant.positionUm <= m.press.homeToleranceUm && x.out.pressSpeedPermille === 0)))
                return "not home " + (HOME_TICKS_20MM + 3) + " ticks after ABORT: " + Math.round(b.plant.positionUm) + " um"
            return b.ctrl.latchedFault || b.faults().length ? "ABORT while idle raised a fault" : "ok"
        },
    },
    {
        name: "ABORT while idle at home moves nothing",
        run: async (m, pause) => {
            const b = new Bench(m, 0, pause)
            await b.run(5)
            b.abort = true
            await b.run(10)
            b.abort = false
            await b.run(10)
            return b.plant.positionUm === 0 && b.out.pressSpeedPermille === 0 && b.faults().length === 0 ? "ok" : "moved or faulted"
        },
    },
    {
        // the display asks for START only when startBlock is Ok (src/hw/status-ui.ts)
        name: "startBlock names what a START would be refused for, and a START is taken when it is Ok",
        run: async (m, pause) => {
            // a reset left the press 20 mm out: the boot retract brings it home in 80 ticks
            const b = new Bench(m, 20000, pause)
            // (read through a call: the compiler would narrow the field across b.tick())
            const block = (): PreflightReason => b.ctrl.startBlock
            await b.run(5)
            if (block() !== PreflightReason.PressNotHome) return "press out: block " + block() + ", expected PressNotHome"
            if (!(await b.run(HOME_TICKS_20MM + 10, x => block() === PreflightReason.Ok))) return "never Ok after the boot retract"
            if (b.plant.positionUm > m.press.homeToleranceUm) return "Ok with the press " + Math.round(b.plant.positionUm) + " um out"
            b.door = false
            b.tick()
            if (block() !== PreflightReason.DoorOpen) return "door open: block " + block()
            b.start = true
            await b.run(3)
            b.start = false
            if (b.started(Phase.Preheat) || b.heaterOnTicks) return "started with the door open"
            b.tick()
            b.door = true
            b.positionLost = true
            // stale after staleTicks periods; one tick more for the check
            await b.run(m.safety.staleTicks + 2)
            if (block() !== PreflightReason.SensorNotReady) return "position lost: block " + block()
            b.positionLost = false
            b.tick()
            if (block() !== PreflightReason.Ok) return "all well again: block " + block()
            b.start = true
            await b.run(2)
            b.start = false
            return b.started(Phase.Preheat) ? "ok" : "START not taken with the block Ok"
        },
    },
]

// The arch scan as the controller runs it (src/core/fitting/scan-run.ts), against the
// simulator's physics: the press model (motor lag, end stops, contact force) moved by the scan's
// speed commands every control period, and the arch model's distance readings (noise,
// dropouts, out-of-range past the arch's ends). Then the same scan through the controller:
// the start button scans while a scan is pending, a scan never heats, an abort leaves the
// press home, and the fit of the scan meets the accuracy goal against the truth.
import { describe, it, expect } from "vitest"
import { readManifest } from "../../tools/manifest-node"
import { ScanRun, ScanState } from "../../src/core/fitting/scan-run"
import { fitArch } from "../../src/core/fitting/fit"
import { Controller, ControllerInputs } from "../../src/core/controller"
import { Phase, EventKind, PreflightReason } from "../../src/core/cycle/events"
import { FaultCode } from "../../src/core/faults"
import { PressModel, SIM_PRESS, seatedPress, type PressParams } from "../../sim/models/press"
import { ArchModel, SIM_ARCH } from "../../sim/models/arch"
import { Rng } from "../../sim/models/rng"
import { TEST_PROCESS } from "../vectors/cycle-runs"
import { SCAN_CHECKS } from "../vectors/scan-run"

const m = readManifest()
const S = m.fitting
const P = m.control.periodMs
const gains = { kpMicroPerDegC: m.control.kpMicroPerDegC, kiMicroPerDegCSec: m.control.kiMicroPerDegCSec, kdMicroSecPerDegC: m.control.kdMicroSecPerDegC }

function newScan(): ScanRun {
    return new ScanRun(S, m.press.approachSpeedPermille, m.press.contactForceMilliN)
}

interface Rig {
    press: PressModel
    arch: ArchModel
}

function rig(seed: number, press: PressParams = seatedPress(SIM_PRESS)): Rig {
    const rng = new Rng(seed)
    return { press: new PressModel(press, rng), arch: new ArchModel(SIM_ARCH, rng) }
}

/** Runs a scan to its end (or maxTicks); readEvery: a distance reading every n ticks. */
function runScan(r: Rig, sc: ScanRun, maxTicks: number, readEvery = 1, door = (_k: number) => true) {
    sc.state = ScanState.Running
    let ticks = 0
    let maxPosUm = 0
    let maxForceMilliN = 0
    let distUm = 0
    let distAt = -1
    for (let k = 0; k < maxTicks && sc.state === ScanState.Running; k++) {
        const now = k * P
        const posUm = Math.round(r.press.positionM() * 1e6)
        if (k % readEvery === 0) {
            distUm = Math.round(r.arch.scanDistanceM(posUm, 0) * 1e6)
            distAt = now
        }
        const force = Math.round(r.press.forceN() * 1000)
        const speed = sc.step(posUm, true, distUm, distAt, force, door(k))
        expect(speed).toBeGreaterThanOrEqual(0) // a scan only ever moves forward
        r.press.step(P, speed / 1000)
        ticks = k + 1
        maxPosUm = Math.max(maxPosUm, r.press.positionM() * 1e6)
        maxForceMilliN = Math.max(maxForceMilliN, force)
    }
    return { ticks, maxPosUm, maxForceMilliN }
}

// Truth, by hand from SIM_ARCH: the template is the arch's own outline (arch frame, front-most
// point at the origin), so scale 1, no rotation, and its arch centre, the midpoint of its ends
// (-leftUm, depthUm) and (rightUm, depthUm), lands at (centreXUm + (rightUm - leftUm) / 2,
// frontYUm + depthUm) = (25000 + 250, 20000 + 21000).
const TRUTH_X_UM = SIM_ARCH.centreXUm + (SIM_ARCH.rightUm - SIM_ARCH.leftUm) / 2
const TRUTH_Y_UM = SIM_ARCH.frontYUm + SIM_ARCH.depthUm

/** The template drawn from the arch's outline with 16 points, as the simulator's template is (sim/provision.ts). */
function template(r: Rig): number[][] {
    return r.arch.outlineUm(16).map(p => [Math.round(p[0]), Math.round(p[1])])
}

describe("arch scan against the simulator's press and arch", () => {
    it("sweeps the plan at the approach speed, stops short of the film, and gives one point per bin the arch covers", () => {
        const r = rig(1)
        const sc = newScan()
        const run = runScan(r, sc, 1000)
        expect(sc.state).toBe(ScanState.Done)
        // 48 mm at 40 % of 12.5 mm/s = 5 mm/s: 9.6 s + the motor's 0.08 s lag = 194 ticks of 50 ms
        expect(run.ticks).toBeGreaterThanOrEqual(190)
        expect(run.ticks).toBeLessThanOrEqual(200)
        // the press stops past the plan's end by its coast (v tau = 0.4 mm), short of the film at 49.5 mm
        expect(run.maxPosUm).toBeGreaterThanOrEqual(S.scanEndUm)
        expect(run.maxPosUm).toBeLessThan(49500)
        expect(run.maxForceMilliN).toBe(0)
        // the arch spans x 6.0..44.5 mm: bins 6..44 see it (39), minus the odd bin whose readings
        // were mostly lost; at 0.25 mm per reading every bin gets its 4 readings
        const scan = sc.b.result()
        expect(scan.pointsUm.length).toBeGreaterThanOrEqual(36)
        expect(scan.pointsUm.length).toBeLessThanOrEqual(39)
        expect(scan.positions).toBe(S.scanEndUm / S.scanStepUm + 1)
    })

    it("fits the scan within the accuracy goal (scale 0.5 %, offset 50 µm) on several seeds", async () => {
        for (const seed of [1, 2, 3, 4, 5]) {
            const r = rig(seed)
            const sc = newScan()
            runScan(r, sc, 1000)
            const fit = await fitArch(template(r), sc.b.result(), S, async () => {})
            expect(fit.accepted).toBe(true)
            expect(Math.abs(fit.scalePpm - 1000000)).toBeLessThanOrEqual(5000)
            expect(Math.abs(fit.offsetXUm - TRUTH_X_UM)).toBeLessThanOrEqual(50)
            expect(Math.abs(fit.offsetYUm - TRUTH_Y_UM)).toBeLessThanOrEqual(50)
        }
    })

    it("rejects another arch shape scanned the same way", async () => {
        const r = rig(7)
        const sc = newScan()
        runScan(r, sc, 1000)
        // a square-fronted design (all quartic) where the patient is mostly parabolic
        const wrong = new ArchModel({ ...SIM_ARCH, quarticFraction: 1 }, new Rng(1)).outlineUm(16).map(p => [Math.round(p[0]), Math.round(p[1])])
        const fit = await fitArch(wrong, sc.b.result(), S, async () => {})
        expect(fit.accepted).toBe(false)
    })

    it("waits for a sensor slower than the press and still fills every bin", () => {
        const r = rig(2)
        const sc = newScan()
        const run = runScan(r, sc, 3000, 4) // one reading per 200 ms: the press crosses a bin in 200 ms
        expect(sc.state).toBe(ScanState.Done)
        expect(sc.b.result().pointsUm.length).toBeGreaterThanOrEqual(36)
        expect(run.ticks).toBeGreaterThan(200)
    })

    it("stops at anything in the press's way (force at the contact threshold)", () => {
        const r = rig(3, { ...SIM_PRESS, archM: 0.03, travelM: 0.06 })
        const sc = newScan()
        const run = runScan(r, sc, 1000)
        expect(sc.state).toBe(ScanState.Failed)
        expect(sc.why).toBe("press touched something")
        // contact at 30 mm; the threshold (0.8 N at 4 N/mm) is 0.2 mm in, plus one tick of travel
        expect(run.maxPosUm).toBeLessThan(30000 + 200 + 500)
        expect(sc.step(0, true, 0, 1e9, 0, true)).toBe(0)
    })

    it("stops when the door opens, and when the distance sensor goes silent", () => {
        const a = newScan()
        runScan(rig(4), a, 1000, 1, k => k < 50)
        expect(a.state).toBe(ScanState.Failed)
        expect(a.why).toBe("door opened")
        const b = newScan()
        const run = runScan(rig(4), b, 1000, 100000) // one reading at the start, then none
        expect(b.state).toBe(ScanState.Failed)
        expect(b.why).toBe("no distance readings")
        // tick 0 takes the only reading; ticks 1..41 are silent, and the 41st (> 40) gives up
        expect(run.ticks).toBe(42)
    })
})

// ---- through the controller ----

function inputs(now: number, r: Rig, over: Partial<ControllerInputs> = {}): ControllerInputs {
    const posUm = Math.round(r.press.positionM() * 1e6)
    return {
        nowMs: now,
        film: { value: 250, atMs: now, peak: 250 }, contact: { value: 250, atMs: now, peak: 250 },
        force: { value: Math.round(r.press.forceN() * 1000), atMs: now, peak: 0 },
        position: { value: posUm, atMs: now, peak: posUm },
        distance: { value: Math.round(r.arch.scanDistanceM(posUm, 0) * 1e6), atMs: now, peak: 0 },
        home: r.press.home(), doorClosed: true, startPressed: false, abortPressed: false, logHasRoom: true, outputsBound: true,
        ...over,
    }
}

/** An armed controller holding a pending scan, on the simulator's press and arch: tick() runs one control period. */
function armedRig(seed: number) {
    const r = rig(seed)
    const c = new Controller(m, gains)
    expect(c.arm(TEST_PROCESS)).toBe(null)
    const sc = newScan()
    c.scan = sc
    let k = 0
    const tick = (over: Partial<ControllerInputs> = {}) => {
        const out = c.tick(inputs(k * P, r, over))
        r.press.step(P, out.pressSpeedPermille / 1000)
        k++
        return out
    }
    return { r, c, sc, tick }
}

describe("the scan through the controller", () => {
    // the controller's boot retract (src/core/controller.ts) ends at home; a scan started after its
    // 30 s time limit (releaseMaxMs) once found that retract spent and left the press 48 mm out
    it.each([["ends", {}], ["is aborted 2 s in", { abortAfterTicks: 40 }]] as const)("a scan that %s a minute after boot: the press comes home", (_w, o) => {
        const { r, c, sc, tick } = armedRig(5)
        for (let n = 0; n < 1200; n++) tick() // 60 s idle at home
        tick({ startPressed: true })
        tick({ startPressed: true }) // (a start acts on the tick after its edge)
        expect(c.phase()).toBe(Phase.Scan)
        let n = 0
        for (; sc.state === ScanState.Running && n < 1000; n++) tick({ abortPressed: "abortAfterTicks" in o && n >= o.abortAfterTicks })
        expect(r.press.positionM()).toBeGreaterThan(0.005)
        let back = 0
        while (!r.press.home() && back < 400) {
            expect(tick().pressSpeedPermille).toBeLessThanOrEqual(0)
            back++
        }
        expect(r.press.home()).toBe(true)
        // 48.4 mm at 6.25 mm/s in ~7.8 s (156 ticks); from 2 s in, less
        expect(back).toBeLessThanOrEqual(170)
    })

    it("a pending scan turns the start press into a scan: press out and home again, heater off throughout", () => {
        const { r, c, sc, tick } = armedRig(5)
        tick()
        tick({ startPressed: true })
        tick({ startPressed: true }) // (a start acts on the tick after its edge)
        expect(c.phase()).toBe(Phase.Scan)
        const starts = c.drainEvents().filter(e => e.kind === EventKind.PhaseStart).map(e => e.phase)
        expect(starts).toEqual([Phase.Scan])
        let heaterOn = 0
        for (let n = 0; sc.state === ScanState.Running && n < 1000; n++) if (tick().heaterOn) heaterOn++
        expect(sc.state).toBe(ScanState.Done)
        // home again: 48.4 mm at 50 % of 12.5 mm/s = 6.25 mm/s in ~7.8 s (156 ticks)
        let back = 0
        while (!r.press.home() && back < 400) {
            const out = tick()
            if (out.heaterOn) heaterOn++
            expect(out.pressSpeedPermille).toBeLessThanOrEqual(0)
            back++
        }
        expect(r.press.home()).toBe(true)
        expect(back).toBeLessThanOrEqual(170)
        expect(heaterOn).toBe(0)
        expect(c.phase()).toBe(Phase.Idle)
        // no cycle while the scan is still there: the start press is refused as busy
        tick({ startPressed: false })
        tick({ startPressed: true })
        tick({ startPressed: true }) // (a start acts on the tick after its edge)
        expect(c.phase()).toBe(Phase.Idle)
        expect(c.drainEvents().filter(e => e.kind === EventKind.PreflightFailed).map(e => e.code)).toEqual([PreflightReason.Busy])
        // the fit accepted: the firmware drops the scan, and the next press starts the cycle
        c.scan = null
        tick({ startPressed: false })
        tick({ startPressed: true })
        tick({ startPressed: true }) // (a start acts on the tick after its edge)
        expect(c.phase()).toBe(Phase.Preheat)
    })

    it("refuses to scan unarmed, with the door open, with the press out, or with a sensor not ready", () => {
        const cases: [Partial<ControllerInputs>, boolean, PreflightReason][] = [
            [{}, false, PreflightReason.NoProcess],
            [{ doorClosed: false }, true, PreflightReason.DoorOpen],
            [{ home: false, position: { value: 5000, atMs: P, peak: 5000 } }, true, PreflightReason.PressNotHome],
            // the scan needs the force (contact) and the position: a sensor that never reported refuses it
            [{ force: { value: 0, atMs: -1, peak: 0 } }, true, PreflightReason.SensorNotReady],
        ]
        for (const [over, arm, reason] of cases) {
            const r = rig(6)
            const c = new Controller(m, gains)
            if (arm) c.arm(TEST_PROCESS)
            c.scan = newScan()
            c.tick(inputs(0, r, over))
            c.tick(inputs(P, r, { ...over, startPressed: true }))
            c.tick(inputs(2 * P, r, { ...over, startPressed: true }))
            expect(c.phase()).toBe(Phase.Idle)
            expect(c.scan.state).toBe(ScanState.Pending)
            expect(c.drainEvents().filter(e => e.kind === EventKind.PreflightFailed).map(e => e.code)).toEqual([reason])
        }
    })

    it("abort during a scan: fault E51, the scan fails, the press goes home", () => {
        const { r, c, sc, tick } = armedRig(8)
        tick()
        tick({ startPressed: true })
        tick({ startPressed: true }) // (a start acts on the tick after its edge)
        for (let i = 0; i < 60; i++) tick() // 3 s: ~15 mm out
        expect(r.press.positionM()).toBeGreaterThan(0.01)
        tick({ abortPressed: true })
        expect(sc.state).toBe(ScanState.Failed)
        expect(sc.why).toBe("fault E" + FaultCode.Abort)
        expect(c.recentFault?.code).toBe(FaultCode.Abort)
        let n = 0
        while (!r.press.home() && n < 400) {
            expect(tick().pressSpeedPermille).toBeLessThanOrEqual(0)
            n++
        }
        expect(r.press.home()).toBe(true)
        for (let i = 0; i < 5; i++) expect(tick().pressSpeedPermille).toBe(0)
    })

    it("a scan dropped while running (the template was disarmed) still sends the press home", () => {
        const { r, c, sc, tick } = armedRig(9)
        tick()
        tick({ startPressed: true })
        tick({ startPressed: true }) // (a start acts on the tick after its edge)
        for (let i = 0; i < 40; i++) tick()
        sc.fail("not ready")
        c.scan = null
        let n = 0
        while (!r.press.home() && n < 400) {
            tick()
            n++
        }
        expect(r.press.home()).toBe(true)
    })
})

describe("scan-run vectors (also run in the VM: test/vm/scan-run.vm.ts)", () => {
    it.each(SCAN_CHECKS.map(c => [c.name, c] as const))("%s", (_n, c) => {
        expect(c.run(S)).toBe("ok")
    })
})

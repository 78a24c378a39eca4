// The fitting gate: no cycle starts without an accepted fit (docs/fitting.md). Shared by
// test/unit/fit-gate.test.ts (Node) and test/vm/fit-gate.vm.ts (the DeviceScript VM). The
// controller holds the pending arch scan itself once its fitting glue gave it a way to make one
// (Controller.newScan): from arm() on, and from the tick a cycle ends. Before, the glue made the
// scan at its own 200 ms poll, and in between the display asked for START and a press began a
// cycle unfitted (found at ESP32-C3 speed: the two-node bench pressed START in that window).
// Each check returns "ok" or what differs. Written in the DeviceScript subset.
import { Manifest } from "../../src/core/manifest"
import { Controller, ControllerInputs } from "../../src/core/controller"
import { ScanRun, ScanState } from "../../src/core/fitting/scan-run"
import { Phase, EventKind } from "../../src/core/cycle/events"
import { TEST_PROCESS } from "./cycle-runs"

export interface FitGateCheck {
    name: string
    run(m: Manifest): string
}

function inputs(now: number, start: boolean, abort: boolean): ControllerInputs {
    return {
        nowMs: now,
        film: { value: 250, atMs: now }, contact: { value: 250, atMs: now },
        force: { value: 0, atMs: now }, position: { value: 0, atMs: now },
        distance: { value: 20000, atMs: now },
        home: true, doorClosed: true, startPressed: start, abortPressed: abort, logHasRoom: true, outputsBound: true,
    }
}

function controller(m: Manifest): Controller {
    return new Controller(m, { kpMicroPerDegC: m.control.kpMicroPerDegC, kiMicroPerDegCSec: m.control.kiMicroPerDegCSec, kdMicroSecPerDegC: m.control.kdMicroSecPerDegC })
}

function giveGlue(c: Controller, m: Manifest) {
    c.newScan = () => new ScanRun(m.fitting, m.press.approachSpeedPermille, m.press.contactForceMilliN)
}

/** armed with the glue, holding an accepted fit as the glue leaves it (fitted, no scan); null if arming failed */
function fittedController(m: Manifest): Controller | null {
    const c = controller(m)
    giveGlue(c, m)
    if (c.arm(TEST_PROCESS)) return null
    c.fitted = true
    c.scan = null
    return c
}

/** the phases started since the last call, comma-separated */
function started(c: Controller): string {
    const out: number[] = []
    for (const e of c.drainEvents()) if (e.kind === EventKind.PhaseStart) out.push(e.phase)
    return out.join(",")
}

/**
 * A START press from tick k on: released at k (a button held at boot is no press), pressed at
 * k + 1, its edge acted on at k + 2. Returns the next free tick.
 */
function pressStart(c: Controller, m: Manifest, k: number): number {
    const p = m.control.periodMs
    c.tick(inputs(k * p, false, false))
    c.tick(inputs((k + 1) * p, true, false))
    c.tick(inputs((k + 2) * p, false, false))
    return k + 3
}

function want(what: string, got: string, expected: string): string {
    return got === expected ? "" : what + " " + got + ", expected " + expected + "; "
}

function pending(c: Controller): string {
    return c.scan ? (c.scan.state === ScanState.Pending ? "pending" : "state " + c.scan.state) : "none"
}

const SCAN = "" + Phase.Scan
const CYCLE = Phase.Preflight + "," + Phase.Preheat

export const FIT_GATE_CHECKS: FitGateCheck[] = [
    {
        name: "holds a pending scan from arm() on: the first START scans, it never starts a cycle",
        run: m => {
            const c = controller(m)
            giveGlue(c, m)
            let d = want("scan before arming", pending(c), "none")
            if (c.arm(TEST_PROCESS)) return "arm refused"
            // in the same call: no tick in between in which START would find no scan
            d += want("scan after arm()", pending(c), "pending")
            pressStart(c, m, 0)
            d += want("phases started", started(c), SCAN)
            return d || "ok"
        },
    },
    {
        name: "a controller armed before its glue was given holds the scan from its next tick",
        run: m => {
            const c = controller(m)
            if (c.arm(TEST_PROCESS)) return "arm refused"
            let d = want("scan with no glue", pending(c), "none")
            giveGlue(c, m)
            c.tick(inputs(0, false, false))
            d += want("scan after a tick", pending(c), "pending")
            pressStart(c, m, 1)
            d += want("phases started", started(c), SCAN)
            return d || "ok"
        },
    },
    {
        name: "with an accepted fit START begins the cycle; the tick the cycle ends holds the next scan",
        run: m => {
            const c = fittedController(m)
            if (!c) return "arm refused"
            let k = pressStart(c, m, 0)
            let d = want("phases started", started(c), CYCLE)
            d += want("scan in the cycle", pending(c), "none")
            // ABORT ends the cycle; in the tick it ends, the fit is used up and the next scan held,
            // so the display never asks for START with no scan and no fit
            const p = m.control.periodMs
            const abortAt = k
            for (; k < abortAt + 10 && c.cycle.running(); k++) c.tick(inputs(k * p, false, k === abortAt))
            if (c.cycle.running()) return d + "the cycle did not end within 10 ticks of ABORT"
            d += want("fitted after the cycle", c.fitted ? "yes" : "no", "no")
            d += want("scan in the tick the cycle ended", pending(c), "pending")
            c.drainEvents()
            pressStart(c, m, k)
            d += want("phases started by the next START", started(c), SCAN)
            return d || "ok"
        },
    },
    {
        name: "arming anew (another template) drops the accepted fit: the fit is for the armed template only",
        run: m => {
            const c = fittedController(m)
            if (!c) return "arm refused"
            const other = Object.assign({}, TEST_PROCESS)
            other.templateId = "test-arch-b"
            if (c.arm(other)) return "second arm refused"
            let d = want("fitted", c.fitted ? "yes" : "no", "no")
            d += want("scan", pending(c), "pending")
            return d || "ok"
        },
    },
    {
        name: "without a glue (no fitting given) the controller makes no scan: START begins the cycle",
        run: m => {
            const c = controller(m)
            if (c.arm(TEST_PROCESS)) return "arm refused"
            pressStart(c, m, 0)
            let d = want("scan", pending(c), "none")
            d += want("phases started", started(c), CYCLE)
            return d || "ok"
        },
    },
]

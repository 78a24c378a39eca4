// The fitting calibration on the device (docs/fitting.md): whenever a process is armed and the
// next cycle has no accepted fit, the controller holds a pending arch scan, so the operator's
// start press scans instead of starting a cycle. A finished scan is fitted here, outside the
// control tick (fitArch pauses every few dozen segment tests, so ticks keep running); an
// accepted fit goes into the next cycle's record context and clears the way for the cycle, a
// rejected one or a failed scan leaves a new pending scan whose message says why. A cycle's
// outcome uses the fit up: the next patient is scanned afresh.
import * as ds from "@devicescript/core"
import { MANIFEST } from "./gen/manifest"
import { Controller } from "./core/controller"
import { EventKind, ControlEvent } from "./core/cycle/events"
import { ScanRun, ScanState } from "./core/fitting/scan-run"
import { fitArch } from "./core/fitting/fit"
import { PressMode } from "./core/press/press-control"
import { fitMessage, toFitSummary } from "./core/fitting/fit-result"
import { CycleRecordBuilder } from "./core/records/builder"

const POLL_MS = 200

export class FitGlue {
    private busy?: boolean

    /** arch: the armed template's arch points (µm, int32 x, y pairs, src/trust.ts), or null */
    constructor(readonly ctrl: Controller, readonly builder: CycleRecordBuilder, readonly arch: () => Buffer | null) {
        // the controller holds a pending scan itself whenever the armed process has no fit
        ctrl.newScan = () => newScan("")
        setInterval(this.poll, POLL_MS) // a bound method
    }

    async poll() {
        const c = this.ctrl
        const sc = c.scan
        const ctx = this.builder.ctx
        if (this.busy) return
        if (!c.armedProcess) {
            // a running scan stops (the controller retracts the press); the fit is for the armed template only
            if (sc) sc.fail("not ready")
            c.scan = null
            c.fitted = false
            if (ctx) ctx.fit = null
        } else if (!sc) return
        else if (sc.state === ScanState.Failed) c.scan = newScan(sc.why)
        else if (sc.state === ScanState.Done) {
            // the fit waits until the press's retract has ended (at home, or given up): while the
            // fit runs the VM takes in no packet, and at ESP32-C3 speed a tick in its window saw
            // the position reading ~200 ms old (docs/target-speed.md), too old to steer a move by
            if (c.press.mode !== PressMode.Stop) return
            this.busy = true
            try {
                await this.fit(sc)
            } finally {
                this.busy = false
            }
        }
    }

    private async fit(sc: ScanRun) {
        const b = this.arch()
        const ctx = this.builder.ctx
        if (!b || !ctx) {
            this.ctrl.scan = newScan("no template arch")
            return
        }
        const arch: number[][] = []
        for (let i = 0; i + 8 <= b.length; i += 8) arch.push([b.getAt(i, "i32"), b.getAt(i + 4, "i32")])
        const r = await fitArch(arch, sc.b.result(), MANIFEST.fitting, pause)
        console.log("fit " + r.reason + ": " + fitMessage(r, MANIFEST.fitting))
        if (r.accepted && this.ctrl.scan === sc) {
            ctx.fit = toFitSummary(r)
            this.ctrl.fitted = true
            this.ctrl.scan = null
        } else this.ctrl.scan = newScan("fit E" + r.reason)
    }

    /** Told every control event after the records: a cycle's outcome uses the fit up. */
    onEvent(e: ControlEvent) {
        const ctx = this.builder.ctx
        if (e.kind === EventKind.Outcome && ctx) ctx.fit = null
    }
}

function newScan(why: string): ScanRun {
    const s = new ScanRun(MANIFEST.fitting, MANIFEST.press.approachSpeedPermille, MANIFEST.press.contactForceMilliN)
    s.why = why
    return s
}

async function pause() {
    await ds.sleep(0)
}

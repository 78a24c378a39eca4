// The shared heater vectors (test/vectors/heater.ts) in the DeviceScript VM: the same integers
// as the Node run (test/unit/heater-vectors.test.ts). Light on purpose: the VM test runner
// has GC stress on, so only the short synthetic autotune runs are here, not plant simulations.
import * as ds from "@devicescript/core"
import { describe, expect, test } from "@devicescript/test"
import { HeaterPid } from "../../src/core/heater/pid"
import { TimeProportioner } from "../../src/core/heater/time-proportion"
import { Autotuner } from "../../src/core/heater/autotune"
import {
    AUTOTUNE_VECTORS, PID_VECTORS, TP_MEAN_VECTORS, TP_WINDOW_VECTORS, TP_ZERO_OFF_TICKS, VECTOR_AUTOTUNE,
    VECTOR_CONTROL, expandSegments,
} from "../vectors/heater"

// a fiber running ~128K opcodes without an await is killed as an infinite loop
async function breathe() {
    await ds.sleep(0)
}

// labelled comparisons, since toBe's message alone does not say which vector failed
function same(label: string, got: any, want: any) {
    expect(label + ": " + got).toBe(label + ": " + want)
}

describe("heater PID vectors", () => {
    test("all PID vectors", async () => {
        for (const v of PID_VECTORS) {
            await breathe()
            const pid = new HeaterPid(
                { kpMicroPerDegC: v.gains[0], kiMicroPerDegCSec: v.gains[1], kdMicroSecPerDegC: v.gains[2] },
                { maxDutyPermille: v.limits[0], itermMaxPermille: v.limits[1], kdFilterMs: v.limits[2] }
            )
            for (let i = 0; i < v.steps.length; i++) {
                const s = v.steps[i]
                same(v.name + " step " + i, pid.update(s[0], s[1], s[2]), s[3])
            }
        }
    })
})

describe("heater time-proportioning vectors", () => {
    test("window vectors", async () => {
        for (const v of TP_WINDOW_VECTORS) {
            await breathe()
            const tp = new TimeProportioner(v.windowTicks)
            for (let w = 0; w < v.windows.length; w++) {
                const duty = v.windows[w][0]
                const want = v.windows[w][1]
                for (let i = 0; i < v.windowTicks; i++) same(v.name + " window " + w + " tick " + i, tp.step(duty), i < want)
            }
        }
    })
    test("long-run means", async () => {
        for (const m of TP_MEAN_VECTORS) {
            const tp = new TimeProportioner(m[0])
            let on = 0
            for (let i = 0; i < m[0] * m[2]; i++) {
                if (tp.step(m[1])) on++
                if (i % 500 === 0) await breathe()
            }
            same("duty " + m[1] + " over " + m[2] + " windows", on, m[3])
        }
    })
    test("zero switches off at once", () => {
        const tp = new TimeProportioner(20)
        for (let i = 0; i < TP_ZERO_OFF_TICKS.length; i++)
            same("tick " + i, tp.step(TP_ZERO_OFF_TICKS[i][0]) ? 1 : 0, TP_ZERO_OFF_TICKS[i][1])
    })
})

describe("heater autotune vectors", () => {
    test("all autotune vectors", async () => {
        for (const v of AUTOTUNE_VECTORS) {
            const settings = {
                maxOvershootDeciC: VECTOR_AUTOTUNE.maxOvershootDeciC,
                settleBandDeciC: VECTOR_AUTOTUNE.settleBandDeciC,
                relayCycles: VECTOR_AUTOTUNE.relayCycles,
                hysteresisDeciC: VECTOR_AUTOTUNE.hysteresisDeciC,
                stepDropDeciC: VECTOR_AUTOTUNE.stepDropDeciC,
                stepObserveMs: VECTOR_AUTOTUNE.stepObserveMs,
                maxMs: v.maxMs > 0 ? v.maxMs : VECTOR_AUTOTUNE.maxMs,
            }
            const at = new Autotuner(v.targetDeciC, settings, VECTOR_CONTROL)
            const meas = expandSegments(v.segments)
            const duties: number[] = []
            const phases: string[] = []
            for (let i = 0; i < meas.length; i++) {
                if (i % 20 === 0) await breathe()
                same(v.name + " done before tick " + i, at.isDone(), false)
                duties.push(at.step(i * v.tickMs, meas[i]))
                phases.push(at.phaseName())
            }
            for (const d of v.duties) same(v.name + " duty at tick " + d[0], duties[d[0]], d[1])
            for (let k = 0; k < v.phases.length; k++) same(v.name + " phase after tick " + v.phases[k], phases[v.phases[k]], v.phaseNames[k])
            const r = at.result()
            same(v.name + " done", at.isDone() && r !== null, true)
            same(v.name + " reason '" + r.reason + "' has '" + v.reasonHas + "'", r.reason.indexOf(v.reasonHas) >= 0, true)
            same(v.name + " ok", r.ok, v.ok)
            same(v.name + " Ku", r.kuMicroPerDegC, v.kuMicroPerDegC)
            same(v.name + " Tu", r.tuMs, v.tuMs)
            same(v.name + " overshoot", r.overshootDeciC, v.overshootDeciC)
            same(v.name + " settle", r.settleMs, v.settleMs)
            if (v.ok) {
                same(v.name + " gains", r.gains.kpMicroPerDegC + "/" + r.gains.kiMicroPerDegCSec + "/" + r.gains.kdMicroSecPerDegC,
                    v.gains[0] + "/" + v.gains[1] + "/" + v.gains[2])
            } else {
                same(v.name + " no gains", r.gains === null, true)
                if (v.gains.length > 0) {
                    const g = "(Kp " + v.gains[0] + ", Ki " + v.gains[1] + ", Kd " + v.gains[2] + ")"
                    same(v.name + " reason names " + g, r.reason.indexOf(g) >= 0, true)
                }
            }
            same(v.name + " off once done", at.step(meas.length * v.tickMs, 600), 0)
        }
    })
    test("Math.PI is pi in the VM", () => {
        same("pi x 1e9", Math.round(Math.PI * 1e9), 3141592654)
    })
})

// The shared heater vectors (test/vectors/heater.ts) in Node; test/vm/heater.vm.ts runs the
// same vectors in the DeviceScript VM, so both runtimes compute the same integers.
import { describe, expect, test } from "vitest"
import { HeaterPid } from "../../src/core/heater/pid"
import { TimeProportioner } from "../../src/core/heater/time-proportion"
import { Autotuner } from "../../src/core/heater/autotune"
import {
    AUTOTUNE_VECTORS, PID_VECTORS, TP_MEAN_VECTORS, TP_WINDOW_VECTORS, TP_ZERO_OFF_TICKS, VECTOR_AUTOTUNE,
    VECTOR_CONTROL, expandSegments,
} from "../vectors/heater"

describe("PID vectors", () => {
    test.each(PID_VECTORS.map(v => [v.name, v] as const))("%s", (_n, v) => {
        const pid = new HeaterPid(
            { kpMicroPerDegC: v.gains[0], kiMicroPerDegCSec: v.gains[1], kdMicroSecPerDegC: v.gains[2] },
            { maxDutyPermille: v.limits[0], itermMaxPermille: v.limits[1], kdFilterMs: v.limits[2] }
        )
        const got = v.steps.map(s => pid.update(s[0], s[1], s[2]))
        expect(got).toEqual(v.steps.map(s => s[3]))
    })
})

describe("TimeProportioner vectors", () => {
    test.each(TP_WINDOW_VECTORS.map(v => [v.name, v] as const))("%s", (_n, v) => {
        const tp = new TimeProportioner(v.windowTicks)
        for (const [duty, want] of v.windows) {
            const pattern: boolean[] = []
            for (let i = 0; i < v.windowTicks; i++) pattern.push(tp.step(duty))
            // exactly `want` ticks on, all at the start of the window
            expect(pattern).toEqual(pattern.map((_p, i) => i < want))
        }
    })

    test.each(TP_MEAN_VECTORS)("window %i ticks, duty %i permille over %i windows: %i ticks on", (w, duty, windows, want) => {
        const tp = new TimeProportioner(w)
        let on = 0
        for (let i = 0; i < w * windows; i++) if (tp.step(duty)) on++
        expect(on).toBe(want)
    })

    test("zero duty switches off mid-window and restarts the window", () => {
        const tp = new TimeProportioner(20)
        expect(TP_ZERO_OFF_TICKS.map(([d]) => (tp.step(d) ? 1 : 0))).toEqual(TP_ZERO_OFF_TICKS.map(t => t[1]))
    })
})

describe("autotune vectors", () => {
    test.each(AUTOTUNE_VECTORS.map(v => [v.name, v] as const))("%s", (_n, v) => {
        const settings = { ...VECTOR_AUTOTUNE, maxMs: v.maxMs > 0 ? v.maxMs : VECTOR_AUTOTUNE.maxMs }
        const at = new Autotuner(v.targetDeciC, settings, VECTOR_CONTROL)
        const meas = expandSegments(v.segments)
        const duties: number[] = []
        const phases: string[] = []
        for (let i = 0; i < meas.length; i++) {
            expect(at.isDone()).toBe(false)
            expect(at.result()).toBeNull()
            duties.push(at.step(i * v.tickMs, meas[i]))
            phases.push(at.phaseName())
        }
        expect(v.duties.map(d => duties[d[0]])).toEqual(v.duties.map(d => d[1]))
        expect(v.phases.map(i => phases[i])).toEqual(v.phaseNames)
        expect(at.isDone()).toBe(true)
        const r = at.result()!
        expect(r.reason).toContain(v.reasonHas)
        expect([r.ok, r.kuMicroPerDegC, r.tuMs, r.overshootDeciC, r.settleMs]).toEqual(
            [v.ok, v.kuMicroPerDegC, v.tuMs, v.overshootDeciC, v.settleMs])
        if (v.ok) {
            expect(r.gains).toEqual({ kpMicroPerDegC: v.gains[0], kiMicroPerDegCSec: v.gains[1], kdMicroSecPerDegC: v.gains[2] })
        } else {
            expect(r.gains).toBeNull()
            if (v.gains.length) expect(r.reason).toContain(`(Kp ${v.gains[0]}, Ki ${v.gains[1]}, Kd ${v.gains[2]})`)
        }
        // once done it stays done and keeps the heater off
        expect(at.step(meas.length * v.tickMs, 600)).toBe(0)
    })
})

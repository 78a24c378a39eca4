// HeaterPid against hand calculations. Units: gains in 1e-6 (Kp duty/°C, Ki duty/(°C·s),
// Kd duty·s/°C); temperatures in 0.1 °C; duty returned in permille.
import { describe, expect, test } from "vitest"
import { HeaterPid, KD_FILTER_MS, gainsValid, pidLimitsFor, preloadPermille, type PidGains, type PidLimits } from "../../src/core/heater/pid"

const LIMITS: PidLimits = { maxDutyPermille: 1000, itermMaxPermille: 1000, kdFilterMs: 1000 }

function gains(kp: number, ki: number, kd: number): PidGains {
    return { kpMicroPerDegC: kp, kiMicroPerDegCSec: ki, kdMicroSecPerDegC: kd }
}

describe("proportional term", () => {
    // first update of a fresh PID: no dt, so duty = round(1000 x clamp(Kp x e))
    test.each([
        // kp 1e-6/°C, measured, target, duty: hand calculation
        [50000, 600, 700, 500], // 0.05 x 10 °C = 0.5
        [100000, 650, 700, 500], // 0.1 x 5 = 0.5
        [20000, 450, 700, 500], // 0.02 x 25 = 0.5
        [20000, 200, 700, 1000], // 0.02 x 50 = 1.0
        [123000, 690, 700, 123], // 0.123 x 1 = 0.123
        [80000, 0, 700, 1000], // 0.08 x 70 = 5.6 -> clamped to 1.0
        [50000, 720, 700, 0], // 0.05 x -2 = -0.1 -> clamped to 0
    ])("Kp %i, film %i, target %i -> %i permille", (kp, meas, target, duty) => {
        expect(new HeaterPid(gains(kp, 0, 0), LIMITS).update(0, meas, target)).toBe(duty)
    })

    test("P-only output follows the error tick by tick", () => {
        // Kp 0.04/°C; errors 10, 7.5, 2.5, 0 °C -> 400, 300, 100, 0
        const pid = new HeaterPid(gains(40000, 0, 0), LIMITS)
        expect([600, 625, 675, 700].map((m, i) => pid.update(i * 50, m, 700))).toEqual([400, 300, 100, 0])
    })
})

describe("integral term", () => {
    test("accumulates Ki x e x dt at 50 ms ticks", () => {
        // Ki 0.02/(°C·s), e = 5 °C: +0.02 x 5 x 0.05 = 0.005 per tick; tick k reads 5k permille
        const pid = new HeaterPid(gains(0, 20000, 0), LIMITS)
        const got: number[] = []
        for (let k = 0; k <= 20; k++) got.push(pid.update(k * 50, 650, 700))
        expect(got).toEqual(got.map((_d, k) => 5 * k))
    })

    test("uses the real dt between irregular updates", () => {
        // Ki 0.01, e = 10 °C: dt 0.2, 0.3, 0.5 s -> +0.02, +0.03, +0.05 -> 20, 50, 100
        const pid = new HeaterPid(gains(0, 10000, 0), LIMITS)
        expect([0, 200, 500, 1000].map(t => pid.update(t, 600, 700))).toEqual([0, 20, 50, 100])
    })

    test("clamped to itermMaxPermille", () => {
        // Ki 0.1, e = 10 °C, 1 s: +1.0 per step, clamp 0.25
        const pid = new HeaterPid(gains(0, 100000, 0), { ...LIMITS, itermMaxPermille: 250 })
        expect([0, 1000, 2000].map(t => pid.update(t, 600, 700))).toEqual([0, 250, 250])
    })

    test("never negative: above the target it winds down to 0 and stops there", () => {
        // preload 0.3; Ki 0.01, e = -5 °C, 1 s: -0.05 per step -> 300, 250, ..., 50, 0, 0, 0;
        // then e = +1 °C: the integral restarts from 0: 0.01 x 1 x 1 = 0.01 -> 10
        const pid = new HeaterPid(gains(0, 10000, 0), LIMITS)
        preloadPermille(pid, 300)
        const got: number[] = []
        for (let k = 0; k < 9; k++) got.push(pid.update(k * 1000, 750, 700))
        expect(got).toEqual([300, 250, 200, 150, 100, 50, 0, 0, 0])
        expect(pid.update(9000, 690, 700)).toBe(10)
    })
})

describe("derivative on measurement", () => {
    test.each([
        [600, 900],
        [600, 300],
        [650, 700],
    ])("target step %i -> %i with a steady film gives no kick", (from, to) => {
        // Kp = Ki = 0 and a huge Kd (5 duty·s/°C): only a derivative of the target could move
        // the output; on measurement the film did not move, so the duty stays 0
        const pid = new HeaterPid(gains(0, 0, 5000000), LIMITS)
        expect([pid.update(0, 600, from), pid.update(50, 600, from), pid.update(100, 600, to), pid.update(150, 600, to)])
            .toEqual([0, 0, 0, 0])
    })

    test("setpoint step with P: only Kp x step, no derivative spike", () => {
        // Kp 0.01, Kd 1: target 60 -> 70 °C at a steady 60 °C: 0.01 x 10 = 0.1 -> 100 (a
        // derivative on the error would add 1 x 10 °C / 0.05 s = 200 -> saturated at 1000)
        const pid = new HeaterPid(gains(10000, 0, 1000000), LIMITS)
        expect([pid.update(0, 600, 600), pid.update(50, 600, 700), pid.update(100, 600, 700)]).toEqual([0, 100, 100])
    })

    test("a falling film raises the duty through the filtered derivative", () => {
        // Kd 1 duty·s/°C, filter 1 s, 50 ms tick: film 61.0 -> 60.0 °C in one tick: raw slope
        // -1 / 0.05 = -20 °C/s, a = 0.05 / 1.05, filtered -20 x 0.047619 = -0.952381 °C/s
        // -> duty 0.952 -> 952; next tick (no change): -0.952381 x (1 - a) = -0.907029 -> 907
        const pid = new HeaterPid(gains(0, 0, 1000000), LIMITS)
        expect([pid.update(0, 610, 600), pid.update(50, 600, 600), pid.update(100, 600, 600)]).toEqual([0, 952, 907])
    })
})

describe("anti-windup and clamps", () => {
    test("two minutes saturated below target leave the integral at zero", () => {
        // Kp 0.05, Ki 0.002/(°C·s). Film 22 °C, target 70: Kp e = 2.4, saturated from the first
        // tick, so the integral is frozen. Without the freeze it would reach
        // 0.002 x 48 x 120 = 11.5 (clamped 1.0) and hold the heater fully on at the target.
        // At the target (e = 0): duty = 0 + integral 0 = 0.
        const pid = new HeaterPid(gains(50000, 2000, 0), LIMITS)
        for (let k = 0; k < 2400; k++) expect(pid.update(k * 50, 220, 700)).toBe(1000)
        expect(pid.update(2400 * 50, 700, 700)).toBe(0)
    })

    test("integration resumes once the output leaves saturation", () => {
        // same gains at 1 s ticks; film 69 °C (e = 1): first tick still frozen (the previous
        // output was saturated): 0.05 -> 50; next: + 0.002 x 1 x 1 -> 52
        const pid = new HeaterPid(gains(50000, 2000, 0), LIMITS)
        for (let k = 0; k < 100; k++) pid.update(k * 1000, 220, 700)
        expect([pid.update(100000, 690, 700), pid.update(101000, 690, 700)]).toEqual([50, 52])
    })

    test("saturation at a lower maxDutyPermille also freezes the integral", () => {
        // max 400: Kp e = 0.05 x 10 = 0.5 -> 400 and frozen; film at target -> 0
        const pid = new HeaterPid(gains(50000, 10000, 0), { ...LIMITS, maxDutyPermille: 400 })
        expect([0, 1000, 2000, 3000].map(t => pid.update(t, 600, 700))).toEqual([400, 400, 400, 400])
        expect(pid.update(4000, 700, 700)).toBe(0)
    })

    test.each([
        [400, 0, 400], // 0.05 x 70 = 3.5 -> 0.4
        [400, 650, 250], // 0.05 x 5 = 0.25
        [1000, 800, 0], // -0.5 -> 0
    ])("output clamp: max %i, film %i -> %i", (max, meas, duty) => {
        expect(new HeaterPid(gains(50000, 0, 0), { ...LIMITS, maxDutyPermille: max }).update(0, meas, 700)).toBe(duty)
    })
})

describe("state and gains", () => {
    test("reset forgets the integral and the derivative history", () => {
        // Ki 0.01, e = 10 for 1 s -> 100; after reset the first update has no dt: 0
        const pid = new HeaterPid(gains(0, 10000, 0), LIMITS)
        pid.update(0, 600, 700)
        expect(pid.update(1000, 600, 700)).toBe(100)
        pid.reset()
        expect(pid.update(2000, 600, 700)).toBe(0)
    })

    test("preload sets the integral (clamped to itermMax)", () => {
        const pid = new HeaterPid(gains(0, 0, 0), { ...LIMITS, itermMaxPermille: 500 })
        preloadPermille(pid, 400)
        expect(pid.update(0, 700, 700)).toBe(400)
        preloadPermille(pid, 900)
        expect(pid.update(50, 700, 700)).toBe(500)
    })

    test.each([
        [gains(-1, 0, 0)],
        [gains(0, 1.5, 0)],
        [gains(0, 0, Number.NaN)],
        [gains(1e12, 0, 0)],
    ])("rejects invalid gains %o", g => {
        expect(gainsValid(g)).toBe(false)
        expect(() => new HeaterPid(g, LIMITS)).toThrow(RangeError)
    })

    test("pidLimitsFor takes the manifest's duty and integral limits", () => {
        const c = { periodMs: 50, overrunMs: 150, maxLateTicks: 10, lateWindowTicks: 100, heaterWindowMs: 1000, heaterOneShotMs: 200, pressOneShotMs: 200, heaterMaxDutyPermille: 800,
            kpMicroPerDegC: 1, kiMicroPerDegCSec: 1, kdMicroSecPerDegC: 1, itermMaxPermille: 600 }
        expect(pidLimitsFor(c)).toEqual({ maxDutyPermille: 800, itermMaxPermille: 600, kdFilterMs: KD_FILTER_MS })
    })
})

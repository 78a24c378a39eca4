// sim/models/press.ts against hand-worked kinematics, force and load-cell statistics.
// Tolerances: 1e-9 m / 1e-9 m/s for the exact kinematics; 1e-9 N for forces; load-cell means
// within 5 standard errors of the mean, standard deviations within 5 % (the sample std's own
// relative error is 1/sqrt(2N) = 0.5 % at N = 20000).
import { describe, expect, test } from "vitest"
import { PressModel, SIM_PRESS, STANDARD_GRAVITY_MPS2, type PressParams } from "../../sim/models/press"
import { Rng } from "../../sim/models/rng"

const G = 9.80665

function press(p: PressParams = SIM_PRESS, seed = 1): PressModel {
    return new PressModel(p, new Rng(seed))
}

function run(m: PressModel, durationMs: number, dtMs: number, cmd: number) {
    for (let t = 0; t < durationMs - 1e-9; t += dtMs) m.step(Math.min(dtMs, durationMs - t), cmd)
}

describe("kinematics: first-order speed lag", () => {
    // from rest at command c: v = c v_max; x(t) = v t - v tau (1 - e^(-t/tau)), speed v (1 - e^(-t/tau));
    // v_max 12.5 mm/s, tau 0.08 s; all cases stay short of the arch at 15 mm
    test.each([
        [0.4, 0.05],
        [0.4, 0.2],
        [0.4, 1.0],
        [1.0, 1.0],
        [0.15, 2.0],
        [-1.0, 0.5], // pushing into home from 10 mm: 10 mm - 6.25 mm + ...
    ])("command %s for %s s", (cmd, tS) => {
        const v = cmd * 0.0125
        const tau = 0.08
        const start = cmd < 0 ? 0.01 : 0
        const x = start + v * tS - v * tau * (1 - Math.exp(-tS / tau))
        for (const dtMs of [1, 5, 10, tS * 1000]) {
            const m = press()
            m.setPosition(start)
            run(m, tS * 1000, dtMs, cmd)
            expect(Math.abs(m.positionM() - x)).toBeLessThan(1e-9)
            expect(Math.abs(m.speedMps() - v * (1 - Math.exp(-tS / tau)))).toBeLessThan(1e-9)
        }
    })

    test("commands are clamped to -1..1 and a non-number is a stop", () => {
        const a = press()
        run(a, 500, 5, 3)
        const b = press()
        run(b, 500, 5, 1)
        expect(a.positionM()).toBe(b.positionM())
        const c = press()
        run(c, 500, 5, NaN)
        expect(c.positionM()).toBe(0)
    })

    test("approach at 40 % reaches the arch at 15 mm in a few seconds: 15 mm / 5 mm/s + tau = 3.08 s", () => {
        const m = press()
        let tMs = 0
        while (!m.inContact() && tMs < 30_000) {
            m.step(5, 0.4)
            tMs += 5
        }
        // x = v t - v tau (1 - e^(-t/tau)) = 0.015 with e^(-t/tau) ~ e^-38: t = 0.015 / 0.005 + 0.08
        expect(Math.abs(tMs - 3080)).toBeLessThanOrEqual(5)
    })
})

describe("end stops and home switch", () => {
    // a soft film and a strong motor so nothing but the stop ends the travel
    const free: PressParams = { ...SIM_PRESS, stiffnessNPerM: 1, motorMaxForceN: 1e5 }

    test("the far stop holds the press at travelM with zero speed", () => {
        const m = press(free)
        run(m, 10_000, 10, 1) // 12.5 mm/s x 10 s = 125 mm > 52 mm
        expect(m.positionM()).toBe(0.052)
        expect(m.speedMps()).toBe(0)
    })

    test("the home stop holds it at 0; reversing from the stop starts from rest", () => {
        const m = press(free)
        m.setPosition(0.005)
        run(m, 2000, 10, -1)
        expect(m.positionM()).toBe(0)
        expect(m.speedMps()).toBe(0)
        expect(m.home()).toBe(true)
        run(m, 200, 10, 1) // from rest: v t - v tau (1 - e^(-t/tau)) at t = 0.2 s
        expect(m.positionM()).toBeCloseTo(0.0125 * 0.2 - 0.0125 * 0.08 * (1 - Math.exp(-2.5)), 12)
    })

    test.each([
        [0, true],
        [0.0001, true],
        [0.0002, true], // closes within 0.2 mm of home
        [0.00021, false],
        [0.01, false],
    ])("home switch at %s m: %s", (x, closed) => {
        const m = press()
        m.setPosition(x)
        expect(m.home()).toBe(closed)
    })

    // the firmware's home (PressControl.isHome) is the switch or a position within its 0.3 mm
    // tolerance: between 0.2 and 0.3 mm the firmware has stopped at home with the switch open
    test.each([
        [0.0002, 300, true],
        [0.00025, 300, true], // switch open, inside the tolerance
        [0.0003, 300, true],
        [0.00031, 300, false],
        [0.00025, 100, false],
    ])("at %s m with a %s um tolerance, home: %s", (x, tolUm, home) => {
        const m = press()
        m.setPosition(x)
        expect(m.homeWithin(tolUm)).toBe(home)
    })
})

describe("force through the film's compliance", () => {
    // F = k d (1 + d / s), k 4000 N/m, s 10 mm:
    // 1 mm: 4 x 1.1 = 4.4 N; 3 mm: 12 x 1.3 = 15.6 N; 5 mm: 20 x 1.5 = 30 N; 10 mm: 40 x 2 = 80 N
    test.each([
        [-0.005, 0, false],
        [0, 0, false],
        [0.001, 4.4, true],
        [0.003, 15.6, true],
        [0.005, 30, true],
        [0.01, 80, true],
    ])("penetration %s m: %s N", (d, forceN, contact) => {
        const m = press()
        m.setPosition(0.015 + d)
        expect(m.forceN()).toBeCloseTo(forceN, 9)
        expect(m.inContact()).toBe(contact)
    })

    test("the motor stalls at its 150 N: k d + k d^2 / s = 150 gives d = 15 mm (x = 30 mm)", () => {
        // 4000 d + 400000 d^2 = 150 -> d^2 + 0.01 d - 3.75e-4 = 0 -> d = (-0.01 + 0.04) / 2 = 0.015
        const m = press()
        run(m, 20_000, 10, 1)
        expect(m.positionM()).toBeCloseTo(0.03, 12)
        expect(m.forceN()).toBeCloseTo(150, 6)
        run(m, 1000, 10, -0.2) // it can always back off
        expect(m.positionM()).toBeLessThan(0.03)
    })

    test("stall(true): no motion whatever the command, force held; stall(false) moves again", () => {
        const m = press()
        m.setPosition(0.018)
        m.stall(true)
        run(m, 2000, 10, 1)
        expect(m.positionM()).toBe(0.018)
        expect(m.forceN()).toBeCloseTo(4000 * 0.003 * 1.3, 9)
        run(m, 2000, 10, -1)
        expect(m.positionM()).toBe(0.018)
        m.stall(false)
        run(m, 100, 10, -1)
        expect(m.positionM()).toBeLessThan(0.018)
    })
})

describe("load cell", () => {
    const N = 20_000
    function stats(m: PressModel): { meanKg: number; stdKg: number } {
        let s = 0
        let s2 = 0
        for (let i = 0; i < N; i++) {
            const kg = m.loadCellKg()
            s += kg
            s2 += kg * kg
        }
        const mean = s / N
        return { meanKg: mean, stdKg: Math.sqrt(s2 / N - mean * mean) }
    }

    // at t = 0 the drift is zero: mean (F + 0.15 N) / g, std 0.05 N / g
    test.each([
        [1, 0, 0],
        [2, 0.003, 15.6],
        [3, 0.005, 30],
    ])("seed %i, penetration %s m: mean (F + offset) / g, std sigma / g", (seed, d, forceN) => {
        const m = press(SIM_PRESS, seed)
        m.setPosition(0.015 + d)
        const { meanKg, stdKg } = stats(m)
        const sigmaKg = 0.05 / G
        expect(Math.abs(meanKg - (forceN + 0.15) / G)).toBeLessThan((5 * sigmaKg) / Math.sqrt(N))
        expect(Math.abs(stdKg / sigmaKg - 1)).toBeLessThan(0.05)
    })

    test("uses standard gravity 9.80665 m/s^2", () => {
        expect(STANDARD_GRAVITY_MPS2).toBe(9.80665)
    })

    // drift: 0.002 N/s from the model's start, saturating at 0.25 N (reached at 125 s)
    test.each([
        [0, 0.15],
        [50, 0.15 + 0.1],
        [100, 0.15 + 0.2],
        [125, 0.15 + 0.25],
        [400, 0.15 + 0.25],
    ])("after %s s the zero error is %s N", (tS, errN) => {
        const m = press()
        run(m, tS * 1000, 1000, 0)
        expect(m.loadCellErrorN()).toBeCloseTo(errN, 9)
        const { meanKg } = stats(m)
        expect(Math.abs(meanKg - errN / G)).toBeLessThan((5 * 0.05) / G / Math.sqrt(N))
    })

    test("a negative drift rate drifts down and saturates at -max", () => {
        const m = press({ ...SIM_PRESS, loadCellDriftNPerS: -0.01 })
        run(m, 10_000, 100, 0)
        expect(m.loadCellErrorN()).toBeCloseTo(0.15 - 0.1, 9)
        run(m, 100_000, 1000, 0)
        expect(m.loadCellErrorN()).toBeCloseTo(0.15 - 0.25, 9)
    })

    test("a stalled press still drifts (time passes)", () => {
        const m = press()
        m.stall(true)
        run(m, 10_000, 100, 1)
        expect(m.loadCellErrorN()).toBeCloseTo(0.15 + 0.02, 9)
    })

    test("offset + drift never reaches the 0.8 N contact threshold minus 8 sigma", () => {
        const p = SIM_PRESS
        expect(p.loadCellOffsetN + p.loadCellDriftMaxN + 8 * p.loadCellNoiseN).toBeLessThanOrEqual(0.8)
    })

    test("deterministic per seed", () => {
        const a = press(SIM_PRESS, 9)
        const b = press(SIM_PRESS, 9)
        const readA = Array.from({ length: 10 }, () => a.loadCellKg())
        expect(Array.from({ length: 10 }, () => b.loadCellKg())).toEqual(readA)
    })
})

describe("parameters", () => {
    test.each([
        ["an unknown key", { ...SIM_PRESS, maxSpeed: 1 }],
        ["zero speed", { ...SIM_PRESS, maxSpeedMps: 0 }],
        ["the arch beyond the travel", { ...SIM_PRESS, archM: 0.06 }],
        ["negative noise", { ...SIM_PRESS, loadCellNoiseN: -0.1 }],
    ])("%s is rejected", (_n, p) => {
        expect(() => press(p as PressParams)).toThrow(RangeError)
    })
})

// sim/models/thermal.ts against the analytic solutions of the two-node RC network.
// Expected values come from the R and C values by hand (worked in the comments) or from the
// closed forms written out here independently of the model's matrix exponential.
// Tolerances: 1e-6 K where the model is exact (steady states, step response, tip); 1e-3 K for
// the negligible-capacity limits (the neglected 1e-6 J/K shifts the response by ~1e-6 K);
// relative 1e-4 for the cooling tail's time constant (the fast mode is e^-18 by then).
import { describe, expect, test } from "vitest"
import { ThermalModel, SIM_THERMAL, REAL_THERMAL, type ThermalParams } from "../../sim/models/thermal"

const K_TOL = 1e-6

/** Runs the model for durationMs in steps of dtMs. */
function run(m: ThermalModel, durationMs: number, dtMs: number, heaterW: number, inContact = false) {
    for (let t = 0; t < durationMs - 1e-9; t += dtMs) m.step(Math.min(dtMs, durationMs - t), heaterW, inContact)
}

/** Eigenvalues of the network (1/s), from its characteristic polynomial written out from R and C. */
function eigen(p: ThermalParams): { l1: number; l2: number; a21: number } {
    const gbf = 1 / p.blockToFilmKPerW
    const gba = 1 / p.blockToAmbientKPerW
    const gfa = 1 / p.filmToAmbientKPerW
    const a11 = -(gbf + gba) / p.blockJPerK
    const a22 = -(gbf + gfa) / p.filmJPerK
    const a12 = gbf / p.blockJPerK
    const a21 = gbf / p.filmJPerK
    const tr = a11 + a22
    const det = a11 * a22 - a12 * a21
    const root = Math.sqrt(tr * tr - 4 * det)
    return { l1: (tr - root) / 2, l2: (tr + root) / 2, a21 }
}

/** Film excess over ambient after a power step from ambient: inverse Laplace of a21/C_b P / (s (s-l1)(s-l2)). */
function filmStepC(p: ThermalParams, watts: number, tS: number): number {
    const { l1, l2, a21 } = eigen(p)
    const k = (a21 / p.blockJPerK) * watts / (l1 * l2)
    return p.ambientC + k * (1 + (l2 * Math.exp(l1 * tS) - l1 * Math.exp(l2 * tS)) / (l1 - l2))
}

/** A model holding its film at filmC in steady state: returns it and the holding power. */
function heldAt(p: ThermalParams, filmC: number, tipC = p.ambientC): { m: ThermalModel; watts: number } {
    const xf = filmC - p.ambientC
    const xb = xf + (xf * p.blockToFilmKPerW) / p.filmToAmbientKPerW // block -> film carries the film's loss
    const watts = (xb - xf) / p.blockToFilmKPerW + xb / p.blockToAmbientKPerW
    const m = new ThermalModel(p)
    m.setTemperatures(p.ambientC + xb, filmC, tipC)
    return { m, watts }
}

describe("steady state at constant power", () => {
    // det = g_bf g_fa + g_ba g_bf + g_ba g_fa; film = amb + P g_bf / det, block = amb + P (g_bf + g_fa) / det
    // SIM/REAL: g_bf 2, g_fa 0.5, g_ba 0.025 W/K -> det 1 + 0.05 + 0.0125 = 1.0625 W^2/K^2:
    // film 1.882353 K/W, block 2.352941 K/W. Without block loss: film = amb + P R_fa, block = amb + P (R_bf + R_fa).
    test.each([
        ["SIM, full power 80 W", SIM_THERMAL, 80, 22 + 80 * 2 / 1.0625, 22 + 80 * 2.5 / 1.0625],
        ["SIM, 25.5 W (holds 70 °C)", SIM_THERMAL, 25.5, 70, 82],
        ["REAL, 60 W", REAL_THERMAL, 60, 22 + 60 * 2 / 1.0625, 22 + 60 * 2.5 / 1.0625],
        ["SIM without block loss, 40 W", { ...SIM_THERMAL, blockToAmbientKPerW: Infinity }, 40, 22 + 40 * 2, 22 + 40 * 2.5],
        ["SIM, heater off", SIM_THERMAL, 0, 22, 22],
    ])("%s: film and block", (_name, p, watts, filmC, blockC) => {
        const m = new ThermalModel(p)
        m.step(3_600_000, watts, false) // one hour: > 40 slow time constants
        expect(m.filmC()).toBeCloseTo(filmC, 6)
        expect(m.blockC()).toBeCloseTo(blockC, 6)
        const n = new ThermalModel(p)
        run(n, 2_000_000, 10_000, watts) // the same in 10 s steps
        expect(Math.abs(n.filmC() - filmC)).toBeLessThan(K_TOL)
    })
})

describe("two-node step response (exact integration)", () => {
    // the film starts with zero slope (two lags) and follows the closed form at every t
    test.each([0.5, 1, 2, 5, 9, 20, 60])("SIM full power, film at %s s", tS => {
        const expected = filmStepC(SIM_THERMAL, 80, tS)
        for (const dtMs of [1, 10, 50, tS * 1000]) {
            const m = new ThermalModel(SIM_THERMAL)
            run(m, tS * 1000, dtMs, 80)
            expect(Math.abs(m.filmC() - expected)).toBeLessThan(K_TOL)
        }
    })

    test("REAL full power after 30 s", () => {
        const m = new ThermalModel(REAL_THERMAL)
        run(m, 30_000, 5, 60)
        expect(Math.abs(m.filmC() - filmStepC(REAL_THERMAL, 60, 30))).toBeLessThan(K_TOL)
    })
})

describe("negligible-capacity limits: first-order responses", () => {
    // film capacity 1e-6 J/K: the film follows the block through the divider R_fa / (R_bf + R_fa) = 0.8;
    // the block sees g_ba + 1 / (R_bf + R_fa) = 0.025 + 0.4 = 0.425 W/K: tau = 6 / 0.425 = 14.1176 s,
    // film gain 0.8 / 0.425 = 1.882353 K/W.
    const tinyFilm: ThermalParams = { ...SIM_THERMAL, filmJPerK: 1e-6 }
    // block capacity 1e-6 J/K: the film sees g_fa + g_bf g_ba / (g_bf + g_ba) = 0.5 + 0.05 / 2.025
    // = 0.524691 W/K: tau = 4 / 0.524691 = 7.62353 s; gain (2 / 2.025) / 0.524691 = 1.882353 K/W.
    const tinyBlock: ThermalParams = { ...SIM_THERMAL, blockJPerK: 1e-6 }
    test.each([
        ["film", tinyFilm, 6 / 0.425, 1.882353],
        ["block", tinyBlock, 4 / (0.5 + 0.05 / 2.025), 1.882353],
    ])("negligible %s capacity: heating at 50 W is 1 - e^(-t/tau)", (_n, p, tauS, gainKPerW) => {
        for (const k of [0.25, 1, 2, 5]) {
            const m = new ThermalModel(p)
            run(m, k * tauS * 1000, 10, 50)
            expect(Math.abs(m.filmC() - (22 + 50 * gainKPerW * (1 - Math.exp(-k))))).toBeLessThan(1e-3)
        }
    })

    test("negligible film capacity: cooling from 70 °C is 22 + 48 e^(-t/tau), 50 °C at tau ln(48/28)", () => {
        const tauS = 6 / 0.425
        const m = new ThermalModel(tinyFilm)
        m.setTemperatures(22 + 48 / 0.8, 70, 22) // block 82 °C: the divider's state for a 70 °C film
        let crossedMs = -1
        for (let t = 10; t <= 20_000; t += 10) {
            m.step(10, 0, false)
            if (crossedMs < 0 && m.filmC() <= 50) crossedMs = t
            if (t % 5000 === 0) expect(Math.abs(m.filmC() - (22 + 48 * Math.exp(-t / 1000 / tauS)))).toBeLessThan(1e-3)
        }
        // tau ln(48 / 28) = 14.1176 x 0.538997 = 7.6093 s; sampled every 10 ms
        expect(Math.abs(crossedMs - tauS * Math.log(48 / 28) * 1000)).toBeLessThanOrEqual(10)
    })

    test("two-node cooling tail decays with the slow time constant of the characteristic polynomial", () => {
        const { l2 } = eigen(SIM_THERMAL)
        const { m } = heldAt(SIM_THERMAL, 70)
        run(m, 20_000, 10, 0)
        const x20 = m.filmC() - 22
        run(m, 10_000, 10, 0)
        const x30 = m.filmC() - 22
        expect(Math.abs(x30 / x20 / Math.exp(l2 * 10) - 1)).toBeLessThan(1e-4)
    })
})

describe("contact tip", () => {
    // weighted means of what the tip touches, weights 1/R:
    // contact, 70 °C film: (70/36 + 37/3) / (1/36 + 1/3) = 14.277778 / 0.361111 = 39.538462 °C
    // contact, 95 °C film: (95/36 + 37/3) / 0.361111 = 14.972222 / 0.361111 = 41.461538 °C (< 42)
    // open, 70 °C film: (70/36 + 22/8) / (1/36 + 1/8) = 4.694444 / 0.152778 = 30.727273 °C
    test.each([
        ["in contact, film 70 °C", 70, true, 39.538462],
        ["in contact, film 95 °C (film limit)", 95, true, 41.461538],
        ["in contact, film 37 °C", 37, true, 37],
        ["out of contact, film 70 °C", 70, false, 30.727273],
        ["out of contact, film 22 °C", 22, false, 22],
    ])("%s: settles at %s", (_n, filmC, contact, tipC) => {
        const { m, watts } = heldAt(SIM_THERMAL, filmC)
        run(m, 60_000, 10, watts, contact)
        expect(m.filmC()).toBeCloseTo(filmC, 6)
        expect(m.tipC()).toBeCloseTo(tipC, 5)
    })

    test("the tip stays below the 42.0 °C contact limit even at the 95.0 °C film limit", () => {
        for (const p of [SIM_THERMAL, REAL_THERMAL]) {
            const { m, watts } = heldAt(p, 95)
            run(m, 600_000, 50, watts, true)
            expect(m.tipC()).toBeLessThan(42)
        }
    })

    test("first-order approach in contact: u + (22 - u) e^(-t/tau), tau = C_t / (g_tf + g_tp) = 1.6615 s", () => {
        const u = 14.277778 / 0.361111 // (70/36 + 37/3) / (1/36 + 1/3)
        const tauS = 0.6 / (1 / 36 + 1 / 3)
        for (const tS of [0.5, tauS, 3, 8]) {
            const { m, watts } = heldAt(SIM_THERMAL, 70, 22)
            run(m, tS * 1000, 5, watts, true)
            expect(Math.abs(m.tipC() - (u + (22 - u) * Math.exp(-tS / tauS)))).toBeLessThan(1e-4)
        }
    })
})

describe("SIM sizing for a one-minute cycle", () => {
    test("full power from 22 °C reaches 70 °C in 8..11 s (the closed form's crossing, within one step)", () => {
        const m = new ThermalModel(SIM_THERMAL)
        let tMs = 0
        while (m.filmC() < 70 && tMs < 60_000) {
            m.step(10, m.heaterFullW(), false)
            tMs += 10
        }
        let lo = 0
        let hi = 60
        for (let i = 0; i < 60; i++) {
            const mid = (lo + hi) / 2
            if (filmStepC(SIM_THERMAL, 80, mid) < 70) lo = mid
            else hi = mid
        }
        expect(Math.abs(tMs - hi * 1000)).toBeLessThanOrEqual(10)
        expect(tMs).toBeGreaterThanOrEqual(8000)
        expect(tMs).toBeLessThanOrEqual(11000)
    })

    test("a film held at 70 °C cools to 50 °C, heater off and press open, in 10..15 s", () => {
        const { m } = heldAt(SIM_THERMAL, 70)
        let tMs = 0
        while (m.filmC() > 50 && tMs < 120_000) {
            m.step(10, 0, false)
            tMs += 10
        }
        expect(tMs).toBeGreaterThanOrEqual(10_000)
        expect(tMs).toBeLessThanOrEqual(15_000)
    })

    test("time constants: REAL 40..90 s (a real plate), SIM several times faster", () => {
        const real = -1 / eigen(REAL_THERMAL).l2
        const sim = -1 / eigen(SIM_THERMAL).l2
        expect(real).toBeGreaterThan(40)
        expect(real).toBeLessThan(90)
        expect(sim).toBeLessThan(real / 3)
        const [fast, slow] = new ThermalModel(SIM_THERMAL).timeConstantsS()
        expect(slow).toBeCloseTo(sim, 9)
        expect(fast).toBeCloseTo(-1 / eigen(SIM_THERMAL).l1, 9)
    })

    test("heater lost 0.2 s into preheat: the film rises < 1.6 K (16 J into 10 J/K), so the 2 °C/8 s runaway check trips", () => {
        const m = new ThermalModel(SIM_THERMAL)
        m.step(200, m.heaterFullW(), false)
        let maxC = m.filmC()
        for (let t = 0; t < 8000; t += 10) {
            m.step(10, 0, false)
            maxC = Math.max(maxC, m.filmC())
        }
        expect(maxC - 22).toBeLessThan(80 * 0.2 / (6 + 4))
    })
})

describe("parameters", () => {
    test.each([
        ["an unknown key", { ...SIM_THERMAL, heaterWatts: 80 }],
        ["a negative capacity", { ...SIM_THERMAL, filmJPerK: -1 }],
        ["a missing key", (({ heaterW: _h, ...rest }) => rest)(SIM_THERMAL)],
        ["NaN", { ...SIM_THERMAL, ambientC: NaN }],
    ])("%s is rejected", (_n, p) => {
        expect(() => new ThermalModel(p as ThermalParams)).toThrow(RangeError)
    })

    test("a negative step or power is rejected; a zero step changes nothing", () => {
        const m = new ThermalModel(SIM_THERMAL)
        expect(() => m.step(-1, 0, false)).toThrow(RangeError)
        expect(() => m.step(10, -5, false)).toThrow(RangeError)
        m.step(0, 80, true)
        expect([m.blockC(), m.filmC(), m.tipC()]).toEqual([22, 22, 22])
    })
})

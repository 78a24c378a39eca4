// sim/models/press-driver.ts: the press driver's enable behind its one-shot (issue 14, item 5).
// Times and distances are worked by hand from control.pressOneShotMs (200 ms) and SIM_PRESS
// (12.5 mm/s at full command, speed lag tau = 80 ms).
import { describe, expect, test } from "vitest"
import { PressDriver } from "../../sim/models/press-driver"
import { PressModel, SIM_PRESS } from "../../sim/models/press"
import { Rng } from "../../sim/models/rng"

describe("PressDriver", () => {
    // window 200 ms, speed +0.4 written at t = 1000 ms: driven on [1000, 1200)
    test.each([
        [999, 0], // before the write (a clock that went backwards counts as no write)
        [1000, 0.4],
        [1199, 0.4], // window - 1 ms
        [1200, 0], // the window's end: the driver sleeps, whatever the speed register says
        [5000, 0],
    ])("at %s ms: drive %s", (t, drive) => {
        const d = new PressDriver(200)
        d.write(1000, 0.4)
        expect(d.drive(t)).toBe(drive)
        expect(d.enabled(t)).toBe(drive !== 0)
    })

    test("never written: not driven", () => {
        expect(new PressDriver(200).drive(0)).toBe(0)
    })

    test("a write every 50 ms (a healthy firmware, one per tick) keeps it driven; it sleeps one window after the last", () => {
        const d = new PressDriver(200)
        for (let t = 0; t <= 1000; t += 50) {
            d.write(t, -0.5)
            expect(d.drive(t + 49)).toBe(-0.5)
        }
        // three ticks missed (150 ms, the overrun bound) still drive; the fourth does not
        expect(d.drive(1000 + 150)).toBe(-0.5)
        expect(d.drive(1000 + 199)).toBe(-0.5)
        expect(d.drive(1000 + 200)).toBe(0)
    })

    test("a written stop is a stop at once", () => {
        const d = new PressDriver(200)
        d.write(0, 0.4)
        d.write(50, 0)
        expect(d.drive(60)).toBe(0)
    })
})

describe("the press after its firmware dies mid-approach", () => {
    // Writes of +0.4 every 50 ms for 2 s, then none (the firmware killed just after t = 2000).
    // After 2 s the speed is 0.4 x 12.5 = 5 mm/s (its lag term has decayed by e^-25). The drive
    // holds for the window, 5 mm/s x 0.2 s = 1.000 mm; then the motor coasts with the speed lag:
    // v tau (1 - e^(-t/tau)) = 0.400 mm (1 - e^(-t/tau)), 0.2528 mm after one tau, 0.400 mm at rest.
    function run(lastWriteMs: number, untilMs: number): { at: (t: number) => number } {
        const d = new PressDriver(200)
        const m = new PressModel(SIM_PRESS, new Rng(1))
        const pos = new Map<number, number>()
        for (let t = 0; t < untilMs; t += 5) {
            if (t % 50 === 0 && t <= lastWriteMs) d.write(t, 0.4)
            pos.set(t, m.positionM() * 1000)
            m.step(5, d.drive(t)) // the command at the step's start, held over the step
        }
        pos.set(untilMs, m.positionM() * 1000)
        return { at: t => pos.get(t)! }
    }

    test("it travels 1.000 mm in the window, 0.253 mm more in one tau, 0.400 mm coasting in all", () => {
        const r = run(2000, 4000)
        expect(r.at(2200) - r.at(2000)).toBeCloseTo(1.0, 6)
        expect(r.at(2280) - r.at(2000)).toBeCloseTo(1.0 + 0.4 * (1 - Math.exp(-1)), 6)
        expect(r.at(4000) - r.at(2000)).toBeCloseTo(1.4, 6)
        // and stops there: nothing more after 2 s at rest
        expect(r.at(4000) - r.at(3900)).toBeCloseTo(0, 9)
    })
})

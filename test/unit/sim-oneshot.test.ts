// sim/models/heater-oneshot.ts (the retriggerable monostable on the heater) and switches.ts.
import { describe, expect, test } from "vitest"
import { HeaterOneShot } from "../../sim/models/heater-oneshot"
import { Switch, doorSwitch, button } from "../../sim/models/switches"

describe("HeaterOneShot", () => {
    // window 200 ms (control.heaterOneShotMs), kicked at t = 1000 ms: high on [1000, 1200)
    test.each([
        [999, false], // before the kick (a clock that went backwards counts as no kick)
        [1000, true],
        [1100, true],
        [1199, true], // window - 1 ms
        [1200, false], // the window's end
        [1201, false], // window + 1 ms
        [5000, false],
    ])("at %s ms: powered %s", (t, on) => {
        const o = new HeaterOneShot(200)
        o.kick(1000)
        expect(o.powered(t)).toBe(on)
    })

    test("never kicked: unpowered", () => {
        expect(new HeaterOneShot(200).powered(0)).toBe(false)
    })

    test("kicks every 50 ms (a healthy firmware) keep it powered; it drops one window after the last", () => {
        const o = new HeaterOneShot(200)
        for (let t = 0; t <= 1000; t += 50) {
            o.kick(t)
            expect(o.powered(t + 49)).toBe(true)
        }
        expect(o.powered(1000 + 199)).toBe(true)
        expect(o.powered(1000 + 201)).toBe(false)
    })

    test("reset forgets the kick (board power cycle)", () => {
        const o = new HeaterOneShot(200)
        o.kick(0)
        o.reset()
        expect(o.powered(10)).toBe(false)
    })

    test.each([0, -5, NaN])("window %s ms is rejected", w => {
        expect(() => new HeaterOneShot(w)).toThrow(RangeError)
    })
})

describe("switches", () => {
    test("door starts closed, buttons released", () => {
        expect(doorSwitch().isOn(0)).toBe(true)
        expect(button().isOn(0)).toBe(false)
    })

    test("a timed press is on for [from, from + hold)", () => {
        const b = button()
        b.pressFor(1000, 300)
        expect([999, 1000, 1299, 1300].map(t => b.isOn(t))).toEqual([false, true, true, false])
    })

    test("set() holds a level and cancels a pending press", () => {
        const s = new Switch(false)
        s.pressFor(100, 100)
        s.set(false)
        expect(s.isOn(150)).toBe(false)
        s.set(true)
        expect(s.isOn(0)).toBe(true)
        expect(() => s.pressFor(0, 0)).toThrow(RangeError)
    })
})

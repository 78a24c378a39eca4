// TimeProportioner against hand calculations. Per window: want = duty x ticks + carry,
// on = floor((want + 500) / 1000) ticks at the start of the window, carry = want - 1000 on.
import { describe, expect, test } from "vitest"
import { TimeProportioner } from "../../src/core/heater/time-proportion"

/** On-ticks of each of `windows` windows at a constant duty; checks they lead the window. */
function onPerWindow(tp: TimeProportioner, ticks: number, duty: number, windows: number): number[] {
    const out: number[] = []
    for (let w = 0; w < windows; w++) {
        const pattern: boolean[] = []
        for (let i = 0; i < ticks; i++) pattern.push(tp.step(duty))
        const on = pattern.filter(Boolean).length
        expect(pattern).toEqual(pattern.map((_p, i) => i < on))
        out.push(on)
    }
    return out
}

describe("on-ticks per window", () => {
    test.each([
        // window ticks, duty permille, expected on-ticks in successive windows
        [20, 1000, [20, 20, 20]],
        [20, 500, [10, 10, 10]],
        [20, 50, [1, 1, 1]], // 50 x 20 = 1000: exactly one tick
        [20, 25, [1, 0, 1, 0]], // 500 -> 1 (carry -500), 0 -> 0 (carry 0)
        [20, 333, [7, 6, 7, 7, 6, 7]], // 6660->7 (-340), 6320->6 (+320), 6980->7 (-20), 6640->7 (-360), 6300->6 (+300), 6960->7
        [20, 975, [20, 19, 20, 19]], // 19500 -> 20 (-500), 19000 -> 19 (0)
        [10, 125, [1, 2, 1, 1]], // 1250->1 (+250), 1500->2 (-500), 750->1 (-250), 1000->1 (0)
        [2, 500, [1, 1, 1]], // the shortest window: 1000 -> 1
        [4, 100, [0, 1, 0, 1, 0]], // 400->0 (+400), 800->1 (-200), 200->0 (+200), 600->1 (-400), 0->0 (0)
    ])("window %i ticks at %i permille", (ticks, duty, want) => {
        expect(onPerWindow(new TimeProportioner(ticks), ticks, duty, want.length)).toEqual(want)
    })
})

describe("long-run mean", () => {
    // Over N windows the on-ticks total (duty x ticks x N - final carry) / 1000 with the carry in
    // [-500, 500). With ticks x N = 1000 x M the total duty x M is an integer, so the carry ends
    // at 0 and the on-time equals the duty exactly.
    test.each([1, 7, 50, 123, 333, 499, 500, 501, 777, 999, 1000])("%i permille over 20 x 1000 ticks is exactly duty x 20 ticks on", duty => {
        const tp = new TimeProportioner(20)
        let on = 0
        for (let i = 0; i < 20000; i++) if (tp.step(duty)) on++
        expect(on).toBe(duty * 20)
    })

    test.each([3, 7, 13])("any window (%i ticks): mean duty within half a tick", ticks => {
        // 1000 windows at 421 permille: ideal 0.421 x ticks x 1000 = 421 x ticks on-ticks
        const tp = new TimeProportioner(ticks)
        let on = 0
        for (let i = 0; i < ticks * 1000; i++) if (tp.step(421)) on++
        expect(on).toBe(421 * ticks)
    })
})

describe("duty changes", () => {
    test("zero switches off at once, mid-window", () => {
        const tp = new TimeProportioner(20)
        const got: boolean[] = []
        for (let i = 0; i < 5; i++) got.push(tp.step(1000))
        got.push(tp.step(0))
        expect(got).toEqual([true, true, true, true, true, false])
    })

    test("zero drops the carry and restarts the window", () => {
        // 2.5 %: window 1 want 500 -> 1 tick, carry -500. Kept, the next window would want
        // 0 -> no tick; after a zero the carry is gone, so the fresh window wants 500 -> 1 tick
        const tp = new TimeProportioner(20)
        expect(onPerWindow(tp, 20, 25, 1)).toEqual([1])
        for (let i = 0; i < 3; i++) expect(tp.step(25)).toBe(false)
        expect(tp.step(0)).toBe(false)
        expect(onPerWindow(tp, 20, 25, 2)).toEqual([1, 0])
    })

    test("a nonzero change waits for the window boundary", () => {
        // 50 % window (10 on): switching to 100 % at tick 12 stays off until tick 20
        const tp = new TimeProportioner(20)
        const got: boolean[] = []
        for (let i = 0; i < 12; i++) got.push(tp.step(500))
        for (let i = 12; i < 24; i++) got.push(tp.step(1000))
        expect(got.map(b => (b ? 1 : 0)).join("")).toBe("111111111100000000001111")
    })

    test("a duty above 100 % counts as 100 % and leaves no carry behind", () => {
        // before the fix the 200-permille excess piled up (4000 per window) and kept the
        // heater on for extra windows: 20,20,20,20,12,10 instead of 20,20,20,10,10,10
        const tp = new TimeProportioner(20)
        expect([...onPerWindow(tp, 20, 1200, 3), ...onPerWindow(tp, 20, 500, 3)]).toEqual([20, 20, 20, 10, 10, 10])
    })

    test("negative duty is off", () => {
        const tp = new TimeProportioner(20)
        expect(onPerWindow(tp, 20, -5, 2)).toEqual([0, 0])
    })

    test.each([0, 1, -3])("a window of %i ticks is refused", ticks => {
        expect(() => new TimeProportioner(ticks)).toThrow(RangeError)
    })
})

// sim/models/faults.ts: each fault's readings for a known input sequence.
import { describe, expect, test } from "vitest"
import { applyFault, newFaultState, type SensorFault, OPEN_READING_C, SHORT_READING_C, LOAD_CELL_RAIL_KG } from "../../sim/models/faults"

const TRUE_VALUES = [20, 21, 22, 23, 24]

describe("applyFault", () => {
    test.each<[string, SensorFault | null, number[]]>([
        ["healthy", null, [20, 21, 22, 23, 24]],
        ["thermistor open", { kind: "open" }, [-273, -273, -273, -273, -273]],
        ["thermistor shorted", { kind: "short" }, [999, 999, 999, 999, 999]],
        ["stuck at 55", { kind: "stuck", value: 55 }, [55, 55, 55, 55, 55]],
        ["stuck where it was", { kind: "stuck-here" }, [20, 20, 20, 20, 20]],
        ["reading 25 high", { kind: "offset", by: 25 }, [45, 46, 47, 48, 49]],
        ["reading 2 low", { kind: "offset", by: -2 }, [18, 19, 20, 21, 22]],
        ["gain 1.5", { kind: "scale", by: 1.5 }, [30, 31.5, 33, 34.5, 36]],
        ["load cell disconnected", { kind: "rail" }, [1000, 1000, 1000, 1000, 1000]],
        ["one-sample spike", { kind: "spike", value: 7.1, samples: 1 }, [7.1, 21, 22, 23, 24]],
        ["three-sample spike", { kind: "spike", value: 7.1, samples: 3 }, [7.1, 7.1, 7.1, 23, 24]],
    ])("%s", (_n, fault, want) => {
        const st = newFaultState()
        expect(TRUE_VALUES.map(v => applyFault(v, fault, st))).toEqual(want)
    })

    test("a drifting zero: perS per second from the moment it is applied", () => {
        const st = newFaultState()
        const f: SensorFault = { kind: "drift", perS: -0.8 }
        // applied at 1000 ms; readings at 1000, 1500, 2000, 3500 ms: -0.8 x 0, 0.5, 1, 2.5 s
        expect([[2, 1000], [2, 1500], [2, 2000], [2, 3500]].map(([v, t]) => applyFault(v, f, st, t))).toEqual([2, 1.6, 1.2, 0])
    })

    test("a saturating reading clips at its value", () => {
        const st = newFaultState()
        expect([1, 1.5, 1.53, 2, 9].map(v => applyFault(v, { kind: "saturate", at: 1.53 }, st))).toEqual([1, 1.5, 1.53, 1.53, 1.53])
    })

    test("the reported constants are what the board drivers report", () => {
        expect([OPEN_READING_C, SHORT_READING_C, LOAD_CELL_RAIL_KG]).toEqual([-273, 999, 1000])
    })

    test("a new fault object re-arms: stuck-here freezes at the new value, a spike fires again", () => {
        const st = newFaultState()
        const stuck: SensorFault = { kind: "stuck-here" }
        expect([10, 11].map(v => applyFault(v, stuck, st))).toEqual([10, 10])
        expect(applyFault(12, null, st)).toBe(12) // cleared
        const again: SensorFault = { kind: "stuck-here" }
        expect([13, 14].map(v => applyFault(v, again, st))).toEqual([13, 13])
        const spike: SensorFault = { kind: "spike", value: 99, samples: 1 }
        expect([1, 2].map(v => applyFault(v, spike, st))).toEqual([99, 2])
        const spike2: SensorFault = { kind: "spike", value: 99, samples: 1 }
        expect([3, 4].map(v => applyFault(v, spike2, st))).toEqual([99, 4])
    })

    test("each sensor keeps its own state", () => {
        const a = newFaultState()
        const b = newFaultState()
        const f: SensorFault = { kind: "stuck-here" }
        expect(applyFault(30, f, a)).toBe(30)
        expect(applyFault(40, f, b)).toBe(40)
        expect(applyFault(31, f, a)).toBe(30)
    })
})

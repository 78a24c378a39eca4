// The target-speed arithmetic (sim/target-speed.ts) and the rule that calls a fault the host's
// doing (sim/runner.ts stallExplains). Expected values are worked by hand in the comments.
import { describe, expect, it } from "vitest"
import { TARGETS, slowdownFactor, parseTarget, nextRuntimeNs, fitRuntimeNs, processFactor, chipMs, RESERVATION_PERIOD_NS, MIN_RUNTIME_NS } from "../../sim/target-speed"
import { stallExplains } from "../../sim/runner"
import { readManifest } from "../../tools/manifest-node"

describe("slow-down factor from CoreMark", () => {
    it("ESP32-C3: 33,822 / 1.55 / 407.22 = 53.58", () => {
        // 33822 / 1.55 = 21820.65; / 407.22 = 53.584
        expect(slowdownFactor(TARGETS.esp32c3, 33822, 1.55)).toBeCloseTo(53.584, 2)
    })
    it("ESP32-S3: 33,822 / 1.55 / 613.86 = 35.55", () => {
        // 21820.65 / 613.86 = 35.547
        expect(slowdownFactor(TARGETS.esp32s3, 33822, 1.55)).toBeCloseTo(35.547, 2)
    })
    it("a faster host means a larger factor, in proportion", () => {
        expect(slowdownFactor(TARGETS.esp32c3, 2 * 33822, 1.55) / slowdownFactor(TARGETS.esp32c3, 33822, 1.55)).toBeCloseTo(2, 9)
    })
    it("refuses a host figure that is not positive, and an unknown chip", () => {
        expect(() => slowdownFactor(TARGETS.esp32c3, 0)).toThrow(RangeError)
        expect(() => slowdownFactor(TARGETS.esp32c3, 33822, -1)).toThrow(RangeError)
        expect(() => parseTarget("esp8266")).toThrow(/unknown target 'esp8266'/)
        expect(parseTarget("esp32s3").coremark).toBe(613.86)
    })
})

describe("the CPU reservation for a factor", () => {
    it("one measurement: the per-period overhead it reveals is added to period/factor", () => {
        // 19,000 ns gave 67.8x: useful work 1e6/67.8 = 14,749.26 ns, overhead 4,250.74 ns;
        // for 53.5x: 1e6/53.5 = 18,691.59 + 4,250.74 = 22,942.33
        expect(nextRuntimeNs(19000, 67.8, 53.5)).toBe(22942)
    })
    it("a loop that ran faster than its runtime allows: the runtime scaled down by the slow-down still missing", () => {
        // 48,885 ns of 1 ms would give at most 20.46x, yet the loop ran only 16.7x slower (it got
        // ~6 % of the CPU, not 4.9 %): 48,885 x 16.7 / 20.5 = 39,823.4 ns. Before, the negative
        // overhead was clamped to 0 and the same 48,885 ns was asked for again, six times over.
        expect(nextRuntimeNs(48885, 16.7, 20.5)).toBe(39823)
        // two measurements at one runtime give no line: the last one scaled, 48,885 x 16.1 / 20.5 = 38,392.6
        expect(fitRuntimeNs([[48885, 16.7], [48885, 16.1]], 20.5)).toBe(38393)
    })
    it("two exact points of slow-down = period / (runtime - 4,000 ns) give the runtime for 50x: 24,000 ns", () => {
        // r = 20,000: 1e6/16,000 = 62.5x; r = 30,000: 1e6/26,000 = 38.4615x; 50x needs 1e6/50 + 4,000
        expect(fitRuntimeNs([[20000, 62.5], [30000, 1e6 / 26000]], 50)).toBe(24000)
    })
    it("noisy points straddling the answer average out", () => {
        // the same model, each measured slow-down off by +-5 % in turn
        const pts: [number, number][] = [[18000, (1e6 / 14000) * 1.05], [22000, (1e6 / 18000) * 0.95], [26000, (1e6 / 22000) * 1.05], [30000, (1e6 / 26000) * 0.95]]
        const r = fitRuntimeNs(pts, 50)
        expect(Math.abs(r - 24000)).toBeLessThan(1000)
    })
    it("stays within what the kernel accepts: at most the period, at least 1,024 ns", () => {
        // factor 0.5 would ask for 2 ms of every 1 ms
        expect(fitRuntimeNs([], 0.5)).toBe(RESERVATION_PERIOD_NS)
        // 900,000 ns gave 1.2x (overhead 900,000 - 833,333 = 66,667 ns): 0.5x would need 2,066,667 ns
        expect(nextRuntimeNs(900000, 1.2, 0.5)).toBe(RESERVATION_PERIOD_NS)
        // no overhead (500 ns gave 2,000x) and 1e6x wanted: 1 ns
        expect(nextRuntimeNs(500, 2000, 1e6)).toBe(MIN_RUNTIME_NS)
    })
    it("no measurement: period / factor", () => {
        expect(fitRuntimeNs([], 50)).toBe(20000)
    })
})

describe("the VM process's factor: its interpreter share slowed, its Node glue not", () => {
    it("37 % interpreter at 53.6x: 0.37 x 53.6 + 0.63 = 20.46x", () => {
        expect(processFactor(53.6, 0.37)).toBeCloseTo(20.462, 3)
    })
    it("all interpreter: the chip's factor itself", () => {
        expect(processFactor(53.6, 1)).toBe(53.6)
    })
    it("a 100 ms run without a yield at 20.46x is 100 x 53.6 / 20.462 = 261.9 ms on the chip", () => {
        expect(chipMs(100, 53.6, 0.37)).toBeCloseTo(261.95, 1)
    })
    it("refuses a share outside (0, 1]", () => {
        expect(() => processFactor(50, 0)).toThrow(RangeError)
        expect(() => processFactor(50, 1.2)).toThrow(RangeError)
    })
})

describe("a fault the host explains", () => {
    const m = readManifest()
    // staleTicks 3 x period 50 ms = 150 ms without a reading; the sensors report every 50 ms,
    // so a pause of 100 ms or more in the simulator's own reports can leave a reading that old
    it("E31 after a 110 ms pause in the simulator's reports is a stall", () => {
        expect(stallExplains(31, 10_000, [{ t: 9_900, gapMs: 110 }], [], m)).toMatch(/110 ms pause.*host stalled the simulator/)
    })
    it("E31 after a 90 ms pause is not: the firmware saw a reading at most 140 ms old", () => {
        expect(stallExplains(31, 10_000, [{ t: 9_900, gapMs: 90 }], [], m)).toBeNull()
    })
    it("E31 after the VM waited 110 ms for a CPU is a stall; 90 ms is not", () => {
        expect(stallExplains(31, 10_000, [], [{ who: "vm", t: 10_050, waitMs: 110 }], m)).toMatch(/VM waiting 110 ms/)
        expect(stallExplains(31, 10_000, [], [{ who: "vm", t: 10_050, waitMs: 90 }], m)).toBeNull()
    })
    it("a pause long before the fault, or another fault code, explains nothing", () => {
        expect(stallExplains(31, 10_000, [{ t: 9_400, gapMs: 200 }], [], m)).toBeNull()
        expect(stallExplains(12, 10_000, [{ t: 9_950, gapMs: 200 }], [], m)).toBeNull()
    })
    it("E60 after the VM waited 100 ms for a CPU (overrun 150 less one period) is a stall; the simulator's wait is not", () => {
        expect(stallExplains(60, 10_000, [], [{ who: "vm", t: 9_800, waitMs: 100 }], m)).toMatch(/VM waiting 100 ms/)
        expect(stallExplains(60, 10_000, [], [{ who: "vm", t: 9_800, waitMs: 99 }], m)).toBeNull()
        expect(stallExplains(60, 10_000, [], [{ who: "sim", t: 9_800, waitMs: 300 }], m)).toBeNull()
    })
})

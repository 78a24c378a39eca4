// StallWatch keeps each interval's CPU time only when asked (a benchmark): a clinic's session
// (npm start) samples every 100 ms for hours, and the list would only grow.
import { describe, it, expect } from "vitest"
import { StallWatch } from "../../sim/host-sched"

function busy(ms: number) {
    const end = performance.now() + ms
    while (performance.now() < end) { /* spin */ }
}

describe("StallWatch's CPU record", () => {
    it("keeps nothing by default, and one interval a sample after the first when recordCpu is set", () => {
        const quiet = new StallWatch(() => ({ sim: process.pid }), () => 0)
        const kept = new StallWatch(() => ({ sim: process.pid }), () => 0)
        kept.recordCpu = true
        for (let i = 0; i < 4; i++) {
            busy(5)
            quiet.sample()
            kept.sample()
        }
        expect(quiet.cpu).toEqual({})
        expect(kept.cpu["sim"]).toHaveLength(3)
        // this process spun 5 ms between samples: CPU time was counted (schedstat's figure is
        // brought up to date at the scheduler's tick, so one interval alone may show more or less
        // than its wall time; their sum lags the wall time by at most about a tick)
        const wall = kept.cpu["sim"].reduce((a, c) => a + c[1], 0)
        const cpu = kept.cpu["sim"].reduce((a, c) => a + c[2], 0)
        expect(cpu).toBeGreaterThan(0)
        expect(cpu).toBeLessThanOrEqual(wall + 10)
    })
})

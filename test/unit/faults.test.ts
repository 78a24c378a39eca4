import { describe, it, expect } from "vitest"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../../tools/manifest-node"
import { FaultCode, SensorId, faultName, faultLabel, makeFault } from "../../src/core/faults"

// The codes are a published contract (logged, sent to the hub, printed in the manual):
// this table is written out by hand so that a renumbering fails here.
const STABLE: [string, number][] = [
    ["FilmOverTemp", 10], ["ContactOverTemp", 11], ["OverForce", 12], ["ForceImplausible", 13], ["ThermalRunaway", 20],
    ["HeaterUncommandedRise", 21], ["HoldDeviation", 22], ["HeaterRelayWelded", 23], ["FilmBelowContact", 24], ["SensorImplausible", 30], ["SensorStale", 31],
    ["SensorStuck", 32], ["ActuatorLost", 33], ["PressStall", 40], ["PressNoContact", 41], ["PhaseTimeout", 42],
    ["DoorOpen", 50], ["Abort", 51], ["TickOverrun", 60], ["ControlError", 61], ["PowerLost", 62], ["AutotuneRejected", 70],
]

describe("fault codes", () => {
    const codes = Object.entries(FaultCode).filter(([k, v]) => typeof v === "number" && v !== 0) as [string, number][]

    it("are stable", () => {
        expect(codes).toEqual(STABLE)
    })

    it("each has a name and a row in docs/faults.md", () => {
        const doc = readFileSync(join(ROOT, "docs/faults.md"), "utf8")
        for (const [, c] of codes) {
            expect(faultName(c)).not.toBe("unknown fault")
            expect(doc).toContain(`| E${c} | ${faultName(c)} |`)
        }
    })

    it("label for the display fits 16 characters", () => {
        const f = makeFault(FaultCode.SensorImplausible, SensorId.Position, -123456, 0, 0)
        expect(faultLabel(f)).toBe("E30 S4 v=-123456")
        expect(faultLabel(f).length).toBeLessThanOrEqual(16)
    })
})

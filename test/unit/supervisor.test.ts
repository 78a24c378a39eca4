import { describe, it, expect } from "vitest"
import { readManifest } from "../../tools/manifest-node"
import { SUPERVISOR_VECTORS, runSupervisorVector, nominal } from "../vectors/supervisor"
import { Supervisor } from "../../src/core/safety/supervisor"
import { FaultCode, isLatching } from "../../src/core/faults"

const m = readManifest()

describe("safety supervisor (shared vectors)", () => {
    it.each(SUPERVISOR_VECTORS.map(v => [v.name, v] as const))("%s", async (_name, v) => {
        const r = await runSupervisorVector(v, m)
        expect(r.code).toBe(v.code)
        expect(r.sensor).toBe(v.sensor)
        expect(r.tick).toBe(v.tripTick(m))
    })
})

describe("safety supervisor", () => {
    it("a hard-limit breach trips on the very tick of the first sample beyond it", async () => {
        // every hard-limit vector has its event and trip on the same tick
        const hard = SUPERVISOR_VECTORS.filter(v =>
            [FaultCode.FilmOverTemp, FaultCode.ContactOverTemp, FaultCode.OverForce].includes(v.code))
        expect(hard.length).toBe(5)
        for (const v of hard) expect((await runSupervisorVector(v, m)).tick - v.eventTick).toBe(0)
    })

    it("a lost sensor trips within 4 ticks of its last sample", async () => {
        // stale once older than staleTicks (3) periods: at the latest the 4th tick after it
        const lost = SUPERVISOR_VECTORS.filter(v => v.code === FaultCode.SensorStale)
        expect(lost.length).toBe(3)
        for (const v of lost) expect((await runSupervisorVector(v, m)).tick - v.eventTick).toBeLessThanOrEqual(4)
    })

    it("abort and door do not latch; hardware faults do", () => {
        expect(isLatching(FaultCode.Abort)).toBe(false)
        expect(isLatching(FaultCode.DoorOpen)).toBe(false)
        for (const c of [FaultCode.FilmOverTemp, FaultCode.ContactOverTemp, FaultCode.OverForce, FaultCode.ThermalRunaway,
            FaultCode.HeaterUncommandedRise, FaultCode.HoldDeviation, FaultCode.SensorImplausible, FaultCode.SensorStale,
            FaultCode.SensorStuck, FaultCode.PressStall, FaultCode.TickOverrun, FaultCode.ControlError])
            expect(isLatching(c)).toBe(true)
    })

    it("hard limits apply when idle too", () => {
        const sup = new Supervisor(m)
        const i = nominal(1, 50, m)
        i.active = false
        i.cycleActive = false
        i.film.value = m.limits.filmMaxDeciC + 1
        expect(sup.check(i)?.code).toBe(FaultCode.FilmOverTemp)
    })

    it("a reading exactly at the limit is allowed; one step above is not", () => {
        const sup = new Supervisor(m)
        const i = nominal(1, 50, m)
        i.contact.value = m.limits.contactMaxDeciC
        expect(sup.check(i)).toBeNull()
        i.contact.value = m.limits.contactMaxDeciC + 1
        expect(sup.check(i)?.code).toBe(FaultCode.ContactOverTemp)
    })

    it("reports the offending value and the limit as integers", () => {
        const sup = new Supervisor(m)
        const i = nominal(1, 50, m)
        i.force.value = 70123
        const f = sup.check(i)!
        expect(f.value).toBe(70123)
        expect(f.limit).toBe(m.limits.forceMaxMilliN)
        expect(f.atMs).toBe(50)
    })
})

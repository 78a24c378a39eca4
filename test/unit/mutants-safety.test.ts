// Safety cases that issue 14's mutation run found untested (docs/mutation.md): each names the
// change to src/core/safety it catches. Expected ticks are hand calculations from the manifest's
// documented defaults (docs/manifest.md), which the first test pins, at the 50 ms control period.
import { describe, it, expect } from "vitest"
import { readManifest } from "../../tools/manifest-node"
import { nominal } from "../vectors/supervisor"
import { Supervisor, type SupervisorInputs } from "../../src/core/safety/supervisor"
import { isImplausible, isStale, peakOf, StuckDetector } from "../../src/core/safety/sensor-checks"
import { StallDetector } from "../../src/core/safety/stall"
import { OffRiseDetector, HoldBandDetector, RunawayDetector } from "../../src/core/safety/thermal-checks"
import { FaultCode, SensorId } from "../../src/core/faults"

const m = readManifest()
const P = 50 // ms, control.periodMs

/** runs the supervisor tick by tick from t = 0; returns the first fault and the tick it came on */
function run(ticks: number, edit: (i: SupervisorInputs, k: number) => void) {
    const sup = new Supervisor(m)
    for (let k = 0; k < ticks; k++) {
        const i = nominal(k, k * P, m)
        edit(i, k)
        const f = sup.check(i)
        if (f) return { code: f.code, sensor: f.sensor, tick: k, value: f.value, limit: f.limit }
    }
    return { code: FaultCode.None, sensor: SensorId.None, tick: -1, value: 0, limit: 0 }
}

describe("the manifest defaults these hand calculations use", () => {
    it("are the documented ones", () => {
        expect(m.control.periodMs).toBe(P)
        expect([m.safety.staleTicks, m.safety.stuckWindowMs, m.safety.stuckMinDutyPermille]).toEqual([3, 5000, 300])
        expect([m.safety.offRiseWindowMs, m.safety.offRiseMaxDeciC]).toEqual([10000, 50])
        expect([m.safety.stallWindowMs, m.safety.stallMinProgressUm, m.safety.stallMinSpeedPermille]).toEqual([1000, 200, 150])
        expect([m.limits.positionMinUm, m.limits.positionMaxUm]).toEqual([-2000, 60000])
    })
})

describe("readings that cannot be trusted", () => {
    it("a NaN film reading is implausible on its first tick (E30, film)", () => {
        const r = run(20, (i, k) => { if (k >= 5) i.film.value = NaN })
        expect([r.code, r.sensor, r.tick]).toEqual([FaultCode.SensorImplausible, SensorId.FilmTemp, 5])
    })

    it("a NaN reading counts as implausible in isImplausible itself", () => {
        expect(isImplausible({ value: NaN, atMs: 0 }, -200, 2000)).toBe(true)
        expect(isImplausible({ value: 0, atMs: 0 }, -200, 2000)).toBe(false)
        // no reading yet is stale, not implausible
        expect(isImplausible({ value: NaN, atMs: -1 }, -200, 2000)).toBe(false)
    })

    it("a position reading below -2,000 µm or above 60,000 µm is a failed position sensor (E30, position)", () => {
        expect(run(20, (i, k) => { if (k >= 3) i.position.value = -2001 })).toMatchObject({ code: FaultCode.SensorImplausible, sensor: SensorId.Position, tick: 3, limit: -2000 })
        expect(run(20, (i, k) => { if (k >= 3) i.position.value = 60001 })).toMatchObject({ code: FaultCode.SensorImplausible, sensor: SensorId.Position, tick: 3, limit: 60000 })
        expect(run(20, (i, k) => { i.position.value = k % 2 ? -2000 : 60000 }).code).toBe(FaultCode.None)
    })

    it("a lost position sensor trips E31 once its reading is older than 3 ticks (150 ms)", () => {
        // last reading at tick 10 (500 ms); stale when now - 500 > 150: tick 14 (700 ms), age 200 ms
        const r = run(40, (i, k) => { if (k > 10) i.position.atMs = 10 * P })
        expect(r).toMatchObject({ code: FaultCode.SensorStale, sensor: SensorId.Position, tick: 14, value: 200, limit: 150 })
    })

    it("a sensor that never reported is stale, and reported as age -1", () => {
        expect(isStale({ value: 0, atMs: -1 }, 1000, P, 2)).toBe(true)
        expect(run(5, i => { i.position.atMs = -1 })).toMatchObject({ code: FaultCode.SensorStale, sensor: SensorId.Position, tick: 0, value: -1 })
    })

    it("a reading exactly 2 ticks old is fresh; one ms older is stale", () => {
        expect(isStale({ value: 0, atMs: 1000 }, 1100, P, 2)).toBe(false)
        expect(isStale({ value: 0, atMs: 1000 }, 1101, P, 2)).toBe(true)
    })
})

describe("film cools, then the relay sticks (E11, uncommanded rise)", () => {
    it("the rise counts from the window's lowest film, not its first", () => {
        // heater off from t = 0: the film falls 70.0 -> 65.0 °C by 2 s (1 0.1 °C a tick), holds, then the
        // relay sticks at 3 s and it climbs 1 a tick: 65.0 + 5.1 = 70.1 °C, 5.1 °C over the window's
        // minimum, at tick 60 + 51 = 111 (5.55 s, inside the first 10 s window). Measured from the
        // window's first reading (70.0 °C) it would have risen only 0.1 °C.
        const film = (k: number) => (k <= 50 ? 700 - k : k <= 60 ? 650 : 650 + (k - 60))
        const r = run(300, (i, k) => {
            i.heaterDutyPermille = 0
            i.filmTargetDeciC = -1
            i.film.value = film(k)
        })
        expect(r).toMatchObject({ code: FaultCode.HeaterUncommandedRise, sensor: SensorId.FilmTemp, tick: 111, value: 51, limit: 50 })
    })

    it("a rise of exactly 5.0 °C over the minimum does not trip", () => {
        const d = new OffRiseDetector(10000, 50)
        expect(d.update(0, 600, true)).toBe(false)
        expect(d.update(1000, 650, true)).toBe(false)
        expect(d.update(2000, 651, true)).toBe(true)
        expect(d.value).toBe(51)
    })

    it("a new window starts from the reading at its start: 10 s after the first", () => {
        const d = new OffRiseDetector(10000, 50)
        d.update(0, 600, true)
        // at 10 s the window restarts at 700: 700 is not a rise over the old minimum 600
        expect(d.update(10000, 700, true)).toBe(false)
        expect(d.update(10050, 750, true)).toBe(false)
        expect(d.update(10100, 751, true)).toBe(true)
    })

    it("the heater switched on forgets the window", () => {
        const d = new OffRiseDetector(10000, 50)
        d.update(0, 600, true)
        d.update(50, 600, false)
        // restarted at 700 after the heater was on: no trip for 700 -> 740
        expect(d.update(100, 700, true)).toBe(false)
        expect(d.update(150, 740, true)).toBe(false)
    })
})

describe("press stall (E40)", () => {
    const moving = (speed: number, umPerTick: number) => (i: SupervisorInputs, k: number) => {
        i.pressSpeedPermille = speed
        i.pressFreeMotion = true
        i.position.value = 5000 + k * umPerTick
    }

    it("a slow creep of 180 µm per second (9 µm a tick) trips one window after motion starts", () => {
        // positions from t = 0; the first full 1,000 ms window ends at tick 20 with 180 µm < 200 µm
        expect(run(100, moving(400, 9))).toMatchObject({ code: FaultCode.PressStall, sensor: SensorId.Position, tick: 20, value: 180, limit: 200 })
    })

    it("200 µm per window is progress, not a stall", () => {
        expect(run(200, moving(400, 10)).code).toBe(FaultCode.None)
    })

    it("backing off (negative speed and travel) creeping is a stall too", () => {
        expect(run(100, moving(-500, -9))).toMatchObject({ code: FaultCode.PressStall, tick: 20, value: 180 })
        expect(run(200, moving(-500, -10)).code).toBe(FaultCode.None)
    })

    it("a command just below 150 ‰ expects no progress; 150 ‰ does", () => {
        expect(run(100, moving(149, 0)).code).toBe(FaultCode.None)
        expect(run(100, moving(-149, 0)).code).toBe(FaultCode.None)
        expect(run(100, moving(150, 0))).toMatchObject({ code: FaultCode.PressStall, tick: 20 })
        expect(run(100, moving(-150, 0))).toMatchObject({ code: FaultCode.PressStall, tick: 20 })
    })

    it("the window slides: a jam after 1.5 s of good motion trips 1 s after it", () => {
        // 20 µm a tick for 30 ticks (to 1,500 ms), then stopped. The window ending at tick k spans
        // k-20..k: travel 20 x (30 - (k - 20)) µm, under 200 µm from k = 41 (180 µm).
        const r = run(200, (i, k) => {
            i.pressSpeedPermille = 400
            i.pressFreeMotion = true
            i.position.value = 5000 + Math.min(k, 30) * 20
        })
        expect(r).toMatchObject({ code: FaultCode.PressStall, tick: 41, value: 180 })
    })

    it("StallDetector: stopping the command forgets the window", () => {
        const d = new StallDetector(1000, 200, 150)
        for (let t = 0; t < 1000; t += 50) expect(d.update(t, 0, 400, true)).toBe(false)
        expect(d.update(1000, 0, 0, true)).toBe(false)
        // a new window from 1,050 ms: no trip before 2,050 ms
        for (let t = 1050; t < 2050; t += 50) expect(d.update(t, 0, 400, true)).toBe(false)
        expect(d.update(2050, 0, 400, true)).toBe(true)
    })
})

describe("a frozen force reading (E32, force)", () => {
    const frozen = (speed: number) => (i: SupervisorInputs) => {
        i.pressInContact = true
        i.pressSpeedPermille = speed
        i.force.value = 20000
    }

    it("while backing off in contact (speed -300 ‰): stuck 5 s after the first tick, tick 100", () => {
        expect(run(300, frozen(-300))).toMatchObject({ code: FaultCode.SensorStuck, sensor: SensorId.Force, tick: 100, value: 20000, limit: 5000 })
    })

    it("while pushing in (speed +300 ‰) the same", () => {
        expect(run(300, frozen(300))).toMatchObject({ code: FaultCode.SensorStuck, sensor: SensorId.Force, tick: 100 })
    })

    it("a press held still (below 150 ‰ either way) may read a steady force", () => {
        expect(run(300, frozen(149)).code).toBe(FaultCode.None)
        expect(run(300, frozen(-149)).code).toBe(FaultCode.None)
    })

    it("StuckDetector: any change restarts the window; exactly the window trips", () => {
        const d = new StuckDetector(5000)
        expect(d.update(0, 7, true)).toBe(false)
        expect(d.update(4999, 7, true)).toBe(false)
        expect(d.update(5000, 7, true)).toBe(true)
        expect(d.update(5050, 8, true)).toBe(false)
        expect(d.update(10049, 8, true)).toBe(false)
        expect(d.update(10050, 8, false)).toBe(false)
        expect(d.update(20000, 8, true)).toBe(false)
    })
})

describe("thermal detectors at their edges", () => {
    it("HoldBandDetector: 5.0 °C off target is inside the band; outside it trips after more than the window", () => {
        const d = new HoldBandDetector(50, 10000)
        expect(d.update(0, 750, 700, true)).toBe(false)
        expect(d.update(0, 650, 700, true)).toBe(false)
        expect(d.update(100, 649, 700, true)).toBe(false)
        expect(d.update(10100, 649, 700, true)).toBe(false)
        expect(d.update(10101, 649, 700, true)).toBe(true)
        expect(d.value).toBe(-51)
    })

    it("RunawayDetector: a rise of exactly 2.0 °C over the 8 s window passes; 1.9 °C trips", () => {
        const ok = new RunawayDetector(8000, 20)
        const bad = new RunawayDetector(8000, 20)
        for (let t = 0; t <= 8000; t += 1000) {
            expect(ok.update(t, 500 + (t / 1000) * 2.5, true)).toBe(false)
        }
        let tripped = -1
        for (let t = 0; t <= 8000 && tripped < 0; t += 1000) if (bad.update(t, 500 + (t === 8000 ? 19 : 0), true)) tripped = t
        expect(tripped).toBe(8000)
        expect(bad.value).toBe(19)
    })
})

// Second pass: survivors of `npm run mutate -- --mutate 'src/core/safety/**/*.ts'` after the
// tests above (docs/mutation.md lists the ones judged equivalent).
describe("edges of the plausibility ranges and what a fault reports", () => {
    it("readings exactly at a sensor's range ends are plausible", () => {
        expect(isImplausible({ value: -200, atMs: 0 }, -200, 2000)).toBe(false)
        expect(isImplausible({ value: 2000, atMs: 0 }, -200, 2000)).toBe(false)
        expect(isImplausible({ value: -201, atMs: 0 }, -200, 2000)).toBe(true)
        expect(isImplausible({ value: 0, atMs: 0, peak: 2001 }, -200, 2000)).toBe(true)
    })

    it("a peak below the reading does not replace it", () => {
        expect(peakOf({ value: 100, atMs: 0, peak: 50 })).toBe(100)
        expect(peakOf({ value: 100, atMs: 0, peak: 150 })).toBe(150)
        expect(peakOf({ value: 100, atMs: 0 })).toBe(100)
    })

    it("E30 reports the film's reading (not its peak) and the range end it crossed", () => {
        // film: range -20.0 .. 200.0 °C; a peak of 200.1 °C with a reading of 190.0 °C
        expect(run(5, i => { i.film.value = 1900; i.film.peak = 2001 })).toMatchObject({ code: FaultCode.SensorImplausible, sensor: SensorId.FilmTemp, value: 1900, limit: 2000 })
        expect(run(5, i => { i.film.value = -201 })).toMatchObject({ code: FaultCode.SensorImplausible, sensor: SensorId.FilmTemp, value: -201, limit: -200 })
        expect(run(5, i => { i.contact.value = 1001 })).toMatchObject({ code: FaultCode.SensorImplausible, sensor: SensorId.ContactTemp, value: 1001, limit: 1000 })
    })

    it("E30 reports the force's peak when the peak crossed (load cell range -5 .. 100 N)", () => {
        expect(run(5, i => { i.force.value = 90000; i.force.peak = 100001 })).toMatchObject({ code: FaultCode.SensorImplausible, sensor: SensorId.Force, value: 100001, limit: 100000 })
        expect(run(5, i => { i.force.value = -5001 })).toMatchObject({ code: FaultCode.SensorImplausible, sensor: SensorId.Force, value: -5001, limit: -5000 })
    })

    it("a template contact limit above the device's 42.0 °C does not raise it", () => {
        expect(run(5, i => { i.contactMaxDeciC = 450; i.contact.value = 421 })).toMatchObject({ code: FaultCode.ContactOverTemp, limit: 420 })
        expect(run(5, i => { i.contactMaxDeciC = 400; i.contact.value = 401 })).toMatchObject({ code: FaultCode.ContactOverTemp, limit: 400 })
        expect(run(5, i => { i.contactMaxDeciC = 400; i.contact.value = 400 }).code).toBe(FaultCode.None)
    })
})

describe("which checks apply when", () => {
    it("idle: a long tick gap is no fault (timing applies only to a cycle or autotune)", () => {
        expect(run(5, (i, k) => { i.active = false; i.cycleActive = false; i.tickGapMs = k === 0 ? 0 : 1000 }).code).toBe(FaultCode.None)
    })

    it("gaps of exactly two periods (100 ms) are not late, however many", () => {
        expect(run(300, (i, k) => { i.tickGapMs = k === 0 ? 0 : 100 }).code).toBe(FaultCode.None)
        // 101 ms: late; the 11th late tick in the window trips (maxLateTicks 10)
        expect(run(300, (i, k) => { i.tickGapMs = k === 0 ? 0 : 101 })).toMatchObject({ code: FaultCode.TickOverrun, tick: 11, value: 11, limit: 10 })
    })

    it("runaway: heating hard means duty of 600 ‰ or more and the film more than 3.0 °C below target", () => {
        // target 70.0 °C; the film shows 0.1 °C of noise (so it is not stuck) but does not rise.
        // Runaway samples once a second from t = 0 (even ticks): the 8 s window is full at tick 160.
        const flat = (duty: number, film: number) => (i: SupervisorInputs, k: number) => {
            i.heaterDutyPermille = duty
            i.film.value = film - (k % 2)
            i.holdActive = false
        }
        expect(run(400, flat(600, 500))).toMatchObject({ code: FaultCode.ThermalRunaway, tick: 160, value: 0, limit: 20 })
        expect(run(400, flat(599, 500)).code).toBe(FaultCode.None)
        // 67.0 °C on every even tick is exactly 3.0 °C below: not heating hard then, so no full window
        expect(run(400, flat(700, 670)).code).toBe(FaultCode.None)
        expect(run(400, flat(700, 669))).toMatchObject({ code: FaultCode.ThermalRunaway, tick: 160 })
    })

    it("idle: no runaway, hold or stuck check, whatever the target and duty", () => {
        expect(run(400, i => {
            i.active = false
            i.cycleActive = false
            i.heaterDutyPermille = 1000
            i.film.value = 500
        }).code).toBe(FaultCode.None)
    })

    it("hold: only while holding (holdActive); in preheat the film may be far off target", () => {
        expect(run(400, (i, k) => { i.holdActive = false; i.film.value = 500 + (k % 2) }).code).toBe(FaultCode.None)
        expect(run(400, (i, k) => { i.holdActive = true; i.film.value = 751 + (k % 2) })).toMatchObject({ code: FaultCode.HoldDeviation, tick: 201 })
    })

    it("stuck film: a duty of exactly 300 ‰ drives it", () => {
        expect(run(200, i => { i.heaterDutyPermille = 300; i.film.value = 700 })).toMatchObject({ code: FaultCode.SensorStuck, sensor: SensorId.FilmTemp, tick: 100 })
        expect(run(200, i => { i.heaterDutyPermille = 299; i.film.value = 700 }).code).toBe(FaultCode.None)
    })
})

describe("detector history after a reset", () => {
    it("Supervisor.reset(): a frozen force gets a full 5 s again", () => {
        const sup = new Supervisor(m)
        const frozen = (k: number) => {
            const i = nominal(k, k * P, m)
            i.pressInContact = true
            i.pressSpeedPermille = 300
            i.force.value = 20000
            return i
        }
        for (let k = 0; k < 80; k++) expect(sup.check(frozen(k))).toBeNull()
        sup.reset()
        // from tick 80 (4,000 ms) a new window: trips at 9,000 ms, tick 180
        let trip = -1
        for (let k = 80; k < 300 && trip < 0; k++) if (sup.check(frozen(k))) trip = k
        expect(trip).toBe(180)
    })

    it("Supervisor.reset(): the relay-stuck window starts again", () => {
        const sup = new Supervisor(m)
        const off = (k: number, film: number) => {
            const i = nominal(k, k * P, m)
            i.heaterDutyPermille = 0
            i.filmTargetDeciC = -1
            i.film.value = film
            return i
        }
        expect(sup.check(off(0, 600))).toBeNull()
        sup.reset()
        // after the reset the window starts at 700: 700 and 740 are no rise over it
        expect(sup.check(off(1, 700))).toBeNull()
        expect(sup.check(off(2, 740))).toBeNull()
    })

    it("a fresh StuckDetector has no history: a first frozen reading long after boot does not trip", () => {
        const d = new StuckDetector(5000)
        expect(d.update(60000, 0, true)).toBe(false)
        expect(d.update(60050, 0, true)).toBe(false)
    })

    it("a fresh HoldBandDetector has no history either", () => {
        const d = new HoldBandDetector(50, 10000)
        expect(d.update(60000, 800, 700, true)).toBe(false)
        expect(d.update(60050, 800, 700, true)).toBe(false)
    })

    it("HoldBandDetector: above the band too; out from t = 0, it trips on the first tick past 10 s", () => {
        const d = new HoldBandDetector(50, 10000)
        let trip = -1
        for (let t = 0; t <= 20000 && trip < 0; t += 50) if (d.update(t, 751, 700, true)) trip = t
        expect(trip).toBe(10050)
        expect(d.value).toBe(51)
    })

    it("RunawayDetector after a pause in heating hard: a flat film trips one window after it resumes", () => {
        const d = new RunawayDetector(8000, 20)
        expect(d.update(0, 500, false)).toBe(false)
        let trip = -1
        for (let t = 1000; t <= 20000 && trip < 0; t += 1000) if (d.update(t, 500, true)) trip = t
        expect(trip).toBe(9000)
    })
})

// Third pass: survivors of the second run that are not equivalent (docs/mutation.md)
describe("third pass", () => {
    it("E30 reports the contact's and the position's reading, not their peak", () => {
        expect(run(5, i => { i.contact.value = 900; i.contact.peak = 1001 })).toMatchObject({ code: FaultCode.SensorImplausible, sensor: SensorId.ContactTemp, value: 900, limit: 1000 })
        expect(run(5, i => { i.position.value = 50000; i.position.peak = 60001 })).toMatchObject({ code: FaultCode.SensorImplausible, sensor: SensorId.Position, value: 50000, limit: 60000 })
    })

    it("E30 for a force below its range reports the reading and the lower end, whatever the peak", () => {
        expect(run(5, i => { i.force.value = -5001; i.force.peak = 0 })).toMatchObject({ value: -5001, limit: -5000 })
        expect(run(5, i => { i.force.value = -5001; i.force.peak = 100000 })).toMatchObject({ value: -5001, limit: -5000 })
        // at the lower end exactly, with the peak over the upper end: the upper end is the one crossed
        expect(run(5, i => { i.force.value = -5000; i.force.peak = 100001 })).toMatchObject({ code: FaultCode.SensorImplausible, value: 100001, limit: 100000 })
    })

    it("a press commanded at exactly ±150 ‰ is moving: a frozen force in contact is stuck", () => {
        for (const speed of [150, -150]) {
            expect(run(300, i => { i.pressInContact = true; i.pressSpeedPermille = speed; i.force.value = 20000 })).toMatchObject({ code: FaultCode.SensorStuck, sensor: SensorId.Force, tick: 100 })
        }
    })

    it("idle before the film's first reading: its arrival is no uncommanded rise", () => {
        // no reading yet (atMs -1, value 0) for 5 ticks, then 25.0 °C: heater off throughout
        expect(run(100, (i, k) => {
            i.active = false
            i.cycleActive = false
            i.heaterDutyPermille = 0
            i.filmTargetDeciC = -1
            i.film = k < 5 ? { value: 0, atMs: -1 } : { value: 250, atMs: k * P }
        }).code).toBe(FaultCode.None)
    })

    it("Supervisor.reset(): a frozen film while heating gets a full 5 s again", () => {
        const sup = new Supervisor(m)
        const frozen = (k: number) => {
            const i = nominal(k, k * P, m)
            i.film.value = 700
            return i
        }
        for (let k = 0; k < 80; k++) expect(sup.check(frozen(k))).toBeNull()
        sup.reset()
        let trip = -1
        for (let k = 80; k < 300 && trip < 0; k++) if (sup.check(frozen(k))) trip = k
        expect(trip).toBe(180)
    })

    it("Supervisor.reset(): a film off the hold band gets a full 10 s again", () => {
        const sup = new Supervisor(m)
        const off = (k: number) => {
            const i = nominal(k, k * P, m)
            i.film.value = 760 + (k % 2)
            return i
        }
        // out of the band from tick 0 to 160 (8 s), reset, still out: trips after more than 10 s
        // more, on tick 160 + 201 = 361
        for (let k = 0; k < 160; k++) expect(sup.check(off(k))).toBeNull()
        sup.reset()
        let trip = -1
        for (let k = 160; k < 600 && trip < 0; k++) if (sup.check(off(k))) trip = k
        expect(trip).toBe(361)
    })

    it("HoldBandDetector: exactly 5.0 °C above target for 20 s is inside the band", () => {
        const d = new HoldBandDetector(50, 10000)
        for (let t = 0; t <= 20000; t += 50) expect(d.update(t, 750, 700, true)).toBe(false)
    })
})

describe("what E23 and E13 report, and when E13 applies (issue 14, round 2 survivors)", () => {
    it("the manifest's press and E13/E23 defaults these use", () => {
        expect([m.safety.heaterSenseSettleTicks, m.safety.forceShortfallMaxMilliN]).toEqual([3, 2000])
        expect([m.press.stiffnessMinMilliNPerMm, m.press.stiffenUm]).toEqual([3000, 10000])
    })

    it("E23 reports how long the relay has been off against the settling time, both in ms", () => {
        // on until tick 10; off from tick 11 (1 tick off), live sense: 4 ticks off > 3 at tick 14
        const r = run(40, (i, k) => { i.heaterWasOn = k <= 10; i.heaterSenseLive = true })
        expect(r).toMatchObject({ code: FaultCode.HeaterRelayWelded, tick: 14, value: 4 * P, limit: 3 * P })
    })

    // pushing 5,000 µm past a contact point at 0 µm: the softest film and arch give at least
    // 3,000 mN/mm x 5 mm x (1 + 5,000 / 10,000) = 22,500 mN; a reading of 10,000 mN is more than
    // 2,000 mN short of it
    const pushing = (contactUm: number) => (i: SupervisorInputs) => {
        i.pressInContact = true
        i.pressSpeedPermille = 100
        i.contactUm = contactUm
        i.position.value = 5000
        i.force.value = 10000
    }

    it("a press whose contact point is exactly 0 µm is still checked (E13 on the first tick)", () => {
        expect(run(20, pushing(0))).toMatchObject({ code: FaultCode.ForceImplausible, sensor: SensorId.Force, tick: 0, value: 10000, limit: 22500 })
    })

    it("with no contact point (-1) there is no penetration to judge the force by: no E13", () => {
        expect(run(20, pushing(-1)).code).toBe(FaultCode.None)
    })
})

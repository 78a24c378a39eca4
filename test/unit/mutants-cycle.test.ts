// Cycle, phase statistics, process checks and press control: the cases issue 14's mutation run
// of src/core/cycle and src/core/press left untested (docs/mutation.md, "Survivors left"). The
// Cycle is driven directly with a real PressController, stepped in the controller's order
// (cycle.step, then press.step). Expected values are hand calculations from the manifest's
// documented defaults (docs/manifest.md) and TEST_PROCESS, both pinned in the first test.
import { describe, it, expect } from "vitest"
import { readManifest } from "../../tools/manifest-node"
import { Cycle, CycleReadings } from "../../src/core/cycle/cycle"
import { PhaseStats } from "../../src/core/cycle/phase-stats"
import { ProcessParams, checkProcess } from "../../src/core/cycle/process"
import { PressController, PressMode } from "../../src/core/press/press-control"
import { Phase, PreflightReason, EventKind, Outcome } from "../../src/core/cycle/events"
import { FaultCode, SensorId, makeFault } from "../../src/core/faults"
import { TEST_PROCESS } from "../vectors/cycle-runs"

const m = readManifest()
const P = 50 // ms, control.periodMs

describe("the manifest defaults and the test process these hand calculations use", () => {
    it("are the documented ones", () => {
        expect(m.control.periodMs).toBe(P)
        expect(m.cycle).toMatchObject({ atTargetBandDeciC: 10, atTargetStableMs: 3000, approachMaxMs: 30000, releaseMaxMs: 30000, coolMaxMs: 600000 })
        expect(m.press).toMatchObject({ approachSpeedPermille: 400, releaseSpeedPermille: 500, maxSpeedPermille: 300, contactForceMilliN: 800, forceGainPermillePerN: 40, homeToleranceUm: 300, travelMaxUm: 50000 })
        expect([m.limits.filmMaxDeciC, m.limits.contactMaxDeciC, m.limits.forceMaxMilliN]).toEqual([950, 420, 60000])
        expect(TEST_PROCESS).toMatchObject({ filmDeciC: 700, soakMs: 2000, forceMilliN: 20000, rampMs: 4000, cureDeciC: 680, cureMs: 8000, coolDeciC: 500 })
    })
})

function rd(over: Partial<CycleReadings> = {}): CycleReadings {
    return { filmDeciC: 700, contactDeciC: 250, forceMilliN: 0, positionUm: 0, positionValid: true, home: true, doorClosed: true, sensorsReady: true, logHasRoom: true, ...over }
}

/** One tick in the controller's order; returns the cycle's targets and the press speed. */
function tick(cy: Cycle, t: number, r: CycleReadings) {
    const tg = cy.step(t, r)
    const speed = cy.press.step(t, r)
    return { ...tg, speed }
}

/**
 * A cycle brought to the start of `until` (Approach, Press, Cure, Release or Cool) with the film
 * at its target. Each tick's readings follow the phase before the tick. Hand-worked times:
 * preheat at target from 0 needs max(soak 2 s, stable 3 s), so the approach starts at 3,000 ms;
 * the press sees the contact force (800 mN) at 3,050 and the press phase starts at 3,100; with
 * 20,000 mN held the ramp (4 s) is done and cure starts at 7,100; cure (8 s) ends and release
 * starts at 15,100; the press is home by position at once: cool at 15,150 ms.
 */
function cycleAt(until: Phase): { cy: Cycle; t: number } {
    const cy = new Cycle(m, new PressController(m.press, m.cycle))
    expect(cy.begin(0, TEST_PROCESS, rd({ filmDeciC: 250 }))).toBe(PreflightReason.Ok)
    let t = 0
    const force = () => (cy.phase === Phase.Approach ? 800 : cy.phase >= Phase.Press && cy.phase <= Phase.Cure ? 20000 : 0)
    const away = () => cy.phase >= Phase.Approach && cy.phase <= Phase.Cure
    for (; cy.phase !== until && t < 100000; t += P) {
        const cure = cy.phase === Phase.Cure
        tick(cy, t, rd({ filmDeciC: cure ? 680 : 700, forceMilliN: force(), positionUm: away() ? 10000 : 0, home: !away() && cy.phase !== Phase.Release }))
    }
    expect(cy.phase).toBe(until)
    return { cy, t }
}

describe("the cycle's timeline (cycleAt's hand-worked times)", () => {
    it("approach at 3,000 ms, press at 3,100, cure at 7,100, release at 15,100, cool at 15,150", () => {
        // each t is the first tick after the phase began
        expect(cycleAt(Phase.Approach).t).toBe(3050)
        expect(cycleAt(Phase.Press).t).toBe(3150)
        expect(cycleAt(Phase.Cure).t).toBe(7150)
        expect(cycleAt(Phase.Release).t).toBe(15150)
        expect(cycleAt(Phase.Cool).t).toBe(15200)
    })
})

describe("the press phase ends in cure when the ramp is done and the force is within 5 %", () => {
    // press phase from 3,100 ms: rampMs 4,000 is reached at 7,100 ms; 5 % of 20,000 mN = 1,000 mN
    function cureStartsAt(forceMilliN: number): number {
        const { cy, t: t0 } = cycleAt(Phase.Press)
        for (let t = t0; t <= 12000; t += P) {
            tick(cy, t, rd({ forceMilliN, positionUm: 10000, home: false }))
            if (cy.phase === Phase.Cure) return t
        }
        return -1
    }

    // kills: `inPhase >= p.rampMs` made `>` (cure at 7,150) or `true` (cure at 3,150), `tol = forceMilliN / 20` made `* 20`,
    // `forceMilliN - tol` / `+ tol` swapped, and each `>=` / `<=` of the force band made strict
    it.each([[19000, 7100], [21000, 7100], [20000, 7100], [18999, -1], [21001, -1]])("force %i mN: cure at %i ms", (force, at) => {
        expect(cureStartsAt(force)).toBe(at)
    })

    it("in cure the press holds the process force (hold, not a continuing ramp)", () => {
        const { cy, t } = cycleAt(Phase.Cure)
        expect(cy.press.mode).toBe(PressMode.Hold)
        // 1,000 mN short: 1 N x 40 permille/N = 40 permille toward the patient
        expect(tick(cy, t, rd({ filmDeciC: 680, forceMilliN: 19000, positionUm: 10000, home: false })).speed).toBe(40)
    })

    it("a force that never comes within 5 %: E42 on the first tick past rampMs + approachMaxMs (34 s)", () => {
        const { cy, t: t0 } = cycleAt(Phase.Press)
        // press phase began at 3,100 ms: 34,000 ms in at 37,100, the first tick past it at 37,150
        let t = t0
        for (; t <= 37100; t += P) {
            tick(cy, t, rd({ forceMilliN: 10000, positionUm: 10000, home: false }))
            expect(cy.fault).toBe(FaultCode.None)
        }
        tick(cy, t, rd({ forceMilliN: 10000, positionUm: 10000, home: false }))
        expect([cy.fault, cy.faultValue, cy.faultLimit]).toEqual([FaultCode.PhaseTimeout, 34050, 34000])
    })
})

describe("release and cool", () => {
    it("a press that never gets home: E42 on the first tick past releaseMaxMs (30 s)", () => {
        const { cy, t: t0 } = cycleAt(Phase.Release)
        // release began at 15,100 ms; 30,000 ms later is 45,100; the first tick past it 45,150
        let t = t0
        for (; t <= 45100; t += P) {
            // 5 mm out: not home by position (tolerance 0.3 mm) nor by the end stop; the press retracts at 500 permille
            expect(tick(cy, t, rd({ filmDeciC: 600, positionUm: 5000, home: false })).speed).toBe(-500)
            expect(cy.fault).toBe(FaultCode.None)
        }
        tick(cy, t, rd({ filmDeciC: 600, positionUm: 5000, home: false }))
        expect([cy.fault, cy.faultValue, cy.faultLimit]).toEqual([FaultCode.PhaseTimeout, 30050, 30000])
    })

    it("home by position within 0.3 mm ends the release: the press stops, cool begins", () => {
        const { cy, t } = cycleAt(Phase.Release)
        tick(cy, t, rd({ filmDeciC: 600, positionUm: 301, home: false }))
        expect(cy.phase).toBe(Phase.Release)
        tick(cy, t + P, rd({ filmDeciC: 600, positionUm: 300, home: false }))
        expect(cy.phase).toBe(Phase.Cool)
        expect(cy.press.mode).toBe(PressMode.Stop)
    })

    // kills `r.filmDeciC <= p.coolDeciC` made `<` or `>`
    it.each([[501, false], [500, true], [499, true]] as const)("cool: film %i (coolDeciC 500) completes: %s", (film, done) => {
        const { cy, t } = cycleAt(Phase.Cool)
        cy.events = []
        tick(cy, t, rd({ filmDeciC: film }))
        expect(cy.phase).toBe(done ? Phase.Complete : Phase.Cool)
        expect(cy.events.filter(e => e.kind === EventKind.Outcome).map(e => e.code)).toEqual(done ? [Outcome.Complete] : [])
    })

    it("cool ends at coolMaxMs (600 s) even with the film still warm", () => {
        const { cy, t: t0 } = cycleAt(Phase.Cool)
        // cool began at 15,150 ms: complete on the tick at 615,150, not before (kills `>=` made `>`, and `||` made `&&`)
        let t = t0
        for (; t < 615150; t += P) tick(cy, t, rd({ filmDeciC: 600 }))
        expect(cy.phase).toBe(Phase.Cool)
        tick(cy, t, rd({ filmDeciC: 600 }))
        expect(cy.phase).toBe(Phase.Complete)
        expect(cy.fault).toBe(FaultCode.None)
    })
})

describe("the hold flag across the target change to cure (Cycle.targets)", () => {
    it("entering cure (680, from 700) resets 'reached': the film still at 700 is 2 °C off, no hold until it comes within 1 °C", () => {
        const { cy, t } = cycleAt(Phase.Cure)
        // kills removing `this.holdReached = false` on a target change, and `target !== lastTarget` made `false`
        expect(cy.step(t, rd({ filmDeciC: 700, forceMilliN: 20000, home: false }))).toEqual({ filmTargetDeciC: 680, holdActive: false })
        expect(cy.step(t + P, rd({ filmDeciC: 691, forceMilliN: 20000, home: false }))).toEqual({ filmTargetDeciC: 680, holdActive: false })
        expect(cy.step(t + 2 * P, rd({ filmDeciC: 690, forceMilliN: 20000, home: false }))).toEqual({ filmTargetDeciC: 680, holdActive: true })
    })

    // the band's own edges in targets(): 680 +/- 10 (kills each `>=` / `<=` made strict, `-` / `+` swapped)
    it.each([[669, false], [670, true], [690, true], [691, false]] as const)("cure, film %i: hold %s", (film, hold) => {
        const { cy, t } = cycleAt(Phase.Cure)
        expect(cy.step(t, rd({ filmDeciC: film, forceMilliN: 20000, home: false })).holdActive).toBe(hold)
    })

    it("release and cool have no target and no hold", () => {
        const { cy, t } = cycleAt(Phase.Release)
        expect(cy.step(t, rd({ filmDeciC: 500, positionUm: 5000, home: false }))).toEqual({ filmTargetDeciC: -1, holdActive: false })
    })
})

describe("begin()", () => {
    it("while a cycle runs: refused Busy, the running cycle untouched", () => {
        const { cy } = cycleAt(Phase.Approach)
        cy.events = []
        expect(cy.begin(9999, TEST_PROCESS, rd())).toBe(PreflightReason.Busy)
        expect(cy.phase).toBe(Phase.Approach)
        expect(cy.events.map(e => [e.kind, e.code])).toEqual([[EventKind.PreflightFailed, PreflightReason.Busy]])
    })

    it("after a completed cycle, a new one may begin (Complete is not running)", () => {
        const { cy, t } = cycleAt(Phase.Cool)
        tick(cy, t, rd({ filmDeciC: 500 }))
        expect(cy.phase).toBe(Phase.Complete)
        expect(cy.begin(t + P, TEST_PROCESS, rd())).toBe(PreflightReason.Ok)
        expect(cy.phase).toBe(Phase.Preheat)
    })
})

describe("the per-phase summary (PhaseStats)", () => {
    it("minimum, maximum and mean of each quantity, the first sample included", () => {
        const s = new PhaseStats()
        s.begin(Phase.Cure, 1000)
        // film 650, 640, 660 (all above 0: a minimum left at its initial 0 shows); contact -50,
        // -40, -60 (all below 0: a maximum left at 0 shows); force 30, 10, 20
        s.add(650, -50, 30)
        s.add(640, -40, 10)
        s.add(660, -60, 20)
        const sum = s.end(1150)
        // film mean 1,950 / 3 = 650; force mean 60 / 3 = 20
        expect(sum).toEqual({
            phase: Phase.Cure, durationMs: 150, samples: 3,
            filmMinDeciC: 640, filmMaxDeciC: 660, filmMeanDeciC: 650, contactMaxDeciC: -40,
            forceMinMilliN: 10, forceMaxMilliN: 30, forceMeanMilliN: 20,
        })
    })

    it("the extremes are not the first or last sample (each comparison matters)", () => {
        const s = new PhaseStats()
        s.begin(Phase.Press, 0)
        s.add(700, 300, 5000)
        s.add(720, 320, 9000) // film and force maximum, contact maximum
        s.add(690, 310, 1000) // minima
        s.add(705, 305, 4000)
        expect(s.end(200)).toMatchObject({ filmMinDeciC: 690, filmMaxDeciC: 720, contactMaxDeciC: 320, forceMinMilliN: 1000, forceMaxMilliN: 9000 })
    })

    // means round half away from zero: 7 / 2 = 3.5 -> 4; -7 / 2 -> -4; 5 / 3 = 1.67 -> 2; 4 / 3 = 1.33 -> 1; -4 / 3 -> -1
    it.each([[[3, 4], 4], [[-3, -4], -4], [[1, 2, 2], 2], [[1, 1, 2], 1], [[-1, -1, -2], -1]] as const)("forces %j: mean %i", (forces, mean) => {
        const s = new PhaseStats()
        s.begin(Phase.Cure, 0)
        for (const f of forces) s.add(0, 0, f)
        expect(s.end(0).forceMeanMilliN).toBe(mean)
    })

    it("a phase with no sample: zeros, not NaN", () => {
        const s = new PhaseStats()
        s.begin(Phase.Cool, 10)
        expect(s.end(10)).toMatchObject({ samples: 0, filmMeanDeciC: 0, forceMeanMilliN: 0 })
    })
})

describe("checkProcess: each field's range from the device limits", () => {
    // film and cure at most filmMax - 5 °C = 900; cool at most min(cure, film); force from
    // 2 x contact force (1,600 mN) to forceMax - 10 % (54,000 mN); contact limit at most the device's 420
    const edges: [keyof ProcessParams, number, number][] = [
        ["filmDeciC", 300, 900], ["cureDeciC", 200, 900], ["coolDeciC", 150, 680],
        ["forceMilliN", 1600, 54000], ["contactMaxDeciC", 300, 420],
        ["soakMs", 0, 600000], ["rampMs", 0, 120000], ["cureMs", 1000, 1800000],
    ]
    // cure 680 is checked against 900 with a film of 700 (a higher cure keeps the cool limit below it)
    // the base cools to 15.0 °C, so a low film or cure temperature does not make the cool limit fail first
    const base = { ...TEST_PROCESS, coolDeciC: 150 }
    it.each(edges)("%s: %i..%i accepted, one past each end refused with the range in words", (field, lo, hi) => {
        for (const v of [lo, hi]) expect(checkProcess({ ...base, [field]: v }, m)).toBeNull()
        for (const v of [lo - 1, hi + 1]) expect(checkProcess({ ...base, [field]: v }, m)).toEqual({ field, reason: `${v} outside ${lo}..${hi}` })
    })

    it("the cool limit is the lower of cure and film temperature", () => {
        // cure above film: the film's 700 is the limit
        expect(checkProcess({ ...TEST_PROCESS, cureDeciC: 720, coolDeciC: 700 }, m)).toBeNull()
        expect(checkProcess({ ...TEST_PROCESS, cureDeciC: 720, coolDeciC: 701 }, m)).toEqual({ field: "coolDeciC", reason: "701 outside 150..700" })
    })

    it("a missing process, a bad template id, a non-integer field", () => {
        expect(checkProcess(null as unknown as ProcessParams, m)).toEqual({ field: "(process)", reason: "missing" })
        expect(checkProcess("x" as unknown as ProcessParams, m)).toEqual({ field: "(process)", reason: "missing" })
        const idErr = { field: "templateId", reason: "must be a 1-64 character string" }
        expect(checkProcess({ ...TEST_PROCESS, templateId: "" }, m)).toEqual(idErr)
        expect(checkProcess({ ...TEST_PROCESS, templateId: "a".repeat(65) }, m)).toEqual(idErr)
        expect(checkProcess({ ...TEST_PROCESS, templateId: 7 as unknown as string }, m)).toEqual(idErr)
        expect(checkProcess({ ...TEST_PROCESS, templateId: "a".repeat(64) }, m)).toBeNull()
        expect(checkProcess({ ...TEST_PROCESS, templateId: "a" }, m)).toBeNull()
        expect(checkProcess({ ...TEST_PROCESS, soakMs: 100.5 }, m)).toEqual({ field: "soakMs", reason: "must be an integer" })
        expect(checkProcess({ ...TEST_PROCESS, rampMs: "4000" as unknown as number }, m)).toEqual({ field: "rampMs", reason: "must be an integer" })
    })
})

describe("press control", () => {
    const reading = (over: Partial<CycleReadings> = {}) => rd({ home: false, positionUm: 10000, ...over })

    it("a new approach forgets the last contact point", () => {
        const p = new PressController(m.press, m.cycle)
        p.go(PressMode.Approach, 0)
        p.step(0, reading({ forceMilliN: 800, positionUm: 12000 }))
        expect(p.contactUm).toBe(12000)
        // a later contact within the same approach keeps the first point
        p.step(P, reading({ forceMilliN: 900, positionUm: 12500 }))
        expect(p.contactUm).toBe(12000)
        // kills removing `this.contactUm = -1` from go(Approach), or its condition made false
        p.go(PressMode.Approach, 2 * P)
        expect(p.contactUm).toBe(-1)
        // only an approach forgets it (kills the condition made true)
        p.go(PressMode.Approach, 3 * P)
        p.step(3 * P, reading({ forceMilliN: 800, positionUm: 11000 }))
        p.go(PressMode.Release, 4 * P)
        expect(p.contactUm).toBe(11000)
    })

    it("contact at exactly the contact force (800 mN), not 1 mN below", () => {
        const p = new PressController(m.press, m.cycle)
        p.go(PressMode.Approach, 0)
        expect(p.step(0, reading({ forceMilliN: 799 }))).toBe(400)
        expect(p.contactUm).toBe(-1)
        expect(p.step(P, reading({ forceMilliN: 800 }))).toBe(0)
        expect(p.contactUm).toBe(10000)
    })

    it("travel exactly at travelMaxUm (50 mm) still approaches; 1 µm past it is E-no-contact", () => {
        const p = new PressController(m.press, m.cycle)
        p.go(PressMode.Approach, 0)
        expect(p.step(0, reading({ positionUm: 50000 }))).toBe(400)
        expect(p.fault).toBe(FaultCode.None)
        expect(p.step(P, reading({ positionUm: 50001 }))).toBe(0)
        expect(p.fault).toBe(FaultCode.PressNoContact)
        // an invalid position never says "too far" (only a valid reading counts)
        expect(p.step(2 * P, reading({ positionUm: 50001, positionValid: false }))).toBe(400)
        expect(p.fault).toBe(FaultCode.None)
    })

    it("the ramp's set-point: linear from the start force, the target from rampMs on", () => {
        const p = new PressController(m.press, m.cycle)
        p.ramp(1000, 2000, 10000, 4000)
        // 1 s of 4: 2,000 + 8,000 / 4 = 4,000; 3 s: 8,000; 4 s and after: 10,000
        expect([p.setpointMilliN(1000), p.setpointMilliN(2000), p.setpointMilliN(4000), p.setpointMilliN(5000), p.setpointMilliN(9000)]).toEqual([2000, 4000, 8000, 10000, 10000])
        // rounding: 1 ms of 3,000 ms from 0 to 1,000: 0.33 -> 0; 2 ms: 0.67 -> 1
        p.ramp(0, 0, 1000, 3000)
        expect([p.setpointMilliN(1), p.setpointMilliN(2)]).toEqual([0, 1])
        // a zero-length ramp is the target at once
        p.ramp(0, 0, 5000, 0)
        expect(p.setpointMilliN(0)).toBe(5000)
        // other modes have no set-point except hold
        p.hold(0, 7000)
        expect(p.setpointMilliN(100)).toBe(7000)
        p.go(PressMode.Release, 0)
        expect(p.setpointMilliN(100)).toBe(0)
    })

    it("the force loop: proportional (40 permille per N), clamped to +/- maxSpeed (300)", () => {
        const p = new PressController(m.press, m.cycle)
        p.hold(0, 10000)
        // 2.5 N short: 100 permille; 2.5 N over: -100; 10 N short: 400 -> 300; 10 N over: -300
        expect([2500, -2500, 10000, -10000].map(d => p.step(0, reading({ forceMilliN: 10000 - d })))).toEqual([100, -100, 300, -300])
    })

    it("release: 500 permille home-ward until home, then 0; retract gives up after releaseMaxMs", () => {
        const p = new PressController(m.press, m.cycle)
        p.go(PressMode.Release, 0)
        expect(p.step(0, reading())).toBe(-500)
        expect(p.step(P, reading({ home: true }))).toBe(0)
        p.go(PressMode.Retract, 1000)
        // a second retract request does not restart its clock (kills the early return removed)
        p.go(PressMode.Retract, 20000)
        // 30,000 ms after 1,000: still retracting at 31,000, stopped at 31,001
        expect(p.step(31000, reading())).toBe(-500)
        expect(p.mode).toBe(PressMode.Retract)
        expect(p.step(31001, reading())).toBe(0)
        expect(p.mode).toBe(PressMode.Stop)
    })

    it("home: the end stop, or a valid position within 0.3 mm", () => {
        const p = new PressController(m.press, m.cycle)
        expect(p.isHome(reading({ home: true, positionUm: 40000 }))).toBe(true)
        expect(p.isHome(reading({ positionUm: 300 }))).toBe(true)
        expect(p.isHome(reading({ positionUm: 301 }))).toBe(false)
        expect(p.isHome(reading({ positionUm: 0, positionValid: false }))).toBe(false)
    })
})

// ---- the second pass: survivors of the cycle/press run with the tests above (docs/mutation.md)

describe("a cycle's edges, second pass", () => {
    const fresh = () => new Cycle(m, new PressController(m.press, m.cycle))

    it("a new cycle has no events; stepping or stopping it while idle does nothing", () => {
        const cy = fresh()
        // kills the event list's initial [] made non-empty
        expect(cy.events).toEqual([])
        // kills the idle step's result made {}, its -1 made +1, its hold made true
        expect(cy.step(0, rd())).toEqual({ filmTargetDeciC: -1, holdActive: false })
        // kills stop()'s `!this.running()` made false (it would report an outcome for no cycle)
        cy.stop(0, makeFault(FaultCode.Abort, SensorId.None, 0, 0, 0))
        expect([cy.phase, cy.events]).toEqual([Phase.Idle, []])
    })

    it("begin() reports preflight's start and end and preheat's start, nothing for the idle time before", () => {
        const cy = fresh()
        cy.begin(100, TEST_PROCESS, rd())
        // kills enter()'s `this.running()` made true (an end for the idle "phase" first)
        expect(cy.events.map(e => [e.kind, e.phase])).toEqual([[EventKind.PhaseStart, Phase.Preflight], [EventKind.PhaseEnd, Phase.Preflight], [EventKind.PhaseStart, Phase.Preheat]])
    })

    it("a soak longer than the 3 s stability time decides: 5 s soak, approach at 5,000 ms", () => {
        const cy = fresh()
        cy.begin(0, { ...TEST_PROCESS, soakMs: 5000 }, rd())
        let t = 0
        for (; cy.phase === Phase.Preheat && t < 10000; t += P) cy.step(t, rd())
        // kills `soakMs > atTargetStableMs ? soak : stable` made always the stability time
        expect(t - P).toBe(5000)
    })

    it("at target from 1,000 ms: approach 3 s later, at 4,000 ms", () => {
        const cy = fresh()
        cy.begin(0, TEST_PROCESS, rd())
        let t = 0
        for (; cy.phase === Phase.Preheat && t < 10000; t += P) cy.step(t, rd({ filmDeciC: t < 1000 ? 600 : 700 }))
        // kills `nowMs - atTargetSinceMs` made `+` (that would be at 2,000 ms)
        expect(t - P).toBe(4000)
    })

    it("contact found at position 0 (the arch at home) still starts the press phase", () => {
        const { cy, t } = cycleAt(Phase.Approach)
        tick(cy, t, rd({ forceMilliN: 800, positionUm: 0 }))
        expect(cy.press.contactUm).toBe(0)
        tick(cy, t + P, rd({ forceMilliN: 800, positionUm: 0 }))
        // kills `contactUm >= 0` made `> 0`
        expect(cy.phase).toBe(Phase.Press)
    })

    it("no contact within travelMaxUm: the cycle raises the press's E41 with the position", () => {
        const { cy, t } = cycleAt(Phase.Approach)
        tick(cy, t, rd({ positionUm: 50001, home: false }))
        tick(cy, t + P, rd({ positionUm: 50001, home: false }))
        // kills the press-fault branch emptied or made false
        expect([cy.fault, cy.faultValue, cy.faultLimit]).toEqual([FaultCode.PressNoContact, 50001, 50000])
    })

    it("the tick that ends cure and the cool phase ask for no heat (-1)", () => {
        const { cy, t: t0 } = cycleAt(Phase.Cure)
        // cure began at 7,100 ms: the tick at 15,100 ends it (kills that tick's -1 made +1)
        let t = t0
        for (; t < 15100; t += P) cy.step(t, rd({ filmDeciC: 680, forceMilliN: 20000, home: false }))
        expect(cy.step(t, rd({ filmDeciC: 680, forceMilliN: 20000, home: false }))).toEqual({ filmTargetDeciC: -1, holdActive: false })
        expect(cy.phase).toBe(Phase.Release)
        const c2 = cycleAt(Phase.Cool)
        // kills cool's -1 made +1
        expect(c2.cy.step(c2.t, rd({ filmDeciC: 600 }))).toEqual({ filmTargetDeciC: -1, holdActive: false })
    })

    it("a fresh PhaseStats summarises an empty phase 0 (its constructor begins one)", () => {
        // kills the constructor's body emptied (end() would read an undefined summary)
        expect(new PhaseStats().end(0)).toEqual({
            phase: 0, durationMs: 0, samples: 0, filmMinDeciC: 0, filmMaxDeciC: 0, filmMeanDeciC: 0,
            contactMaxDeciC: 0, forceMinMilliN: 0, forceMaxMilliN: 0, forceMeanMilliN: 0,
        })
    })
})

describe("press control, second pass", () => {
    it("no contact point before any approach (-1)", () => {
        // kills contactUm's initial -1 made +1
        expect(new PressController(m.press, m.cycle).contactUm).toBe(-1)
    })

    it("a contact point at 0 µm is kept: a later contact in the same approach does not replace it", () => {
        const p = new PressController(m.press, m.cycle)
        p.go(PressMode.Approach, 0)
        p.step(0, rd({ forceMilliN: 800, positionUm: 0 }))
        p.step(P, rd({ forceMilliN: 900, positionUm: 500, home: false }))
        // kills `contactUm < 0` made `<= 0`
        expect(p.contactUm).toBe(0)
    })

    it("release has no time limit of its own (the cycle's E42 ends it), unlike the retract", () => {
        const p = new PressController(m.press, m.cycle)
        p.go(PressMode.Release, 0)
        // kills release falling through into the retract's case (it would stop after 30 s)
        expect(p.step(40000, rd({ positionUm: 5000, home: false }))).toBe(-500)
        expect(p.mode).toBe(PressMode.Release)
    })
})

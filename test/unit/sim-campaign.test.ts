// The fault campaign's draw generator (sim/campaign.ts): deterministic per seed and per draw,
// every kind, sensor fault and phase reachable, every parameter in its stated range; the
// invariant margins recomputed with the models; the invariant check on hand-made runs.
import { describe, expect, it } from "vitest"
import {
    KINDS, PHASES, RANGES, SENSORS, SENSOR_KINDS, MAX_DELAY_MS, MARGINS, checkInvariants, drawAt, drawCampaign, drawScenario, drawSeed,
    type Draw,
} from "../../sim/campaign"
import { ThermalModel, SIM_THERMAL } from "../../sim/models/thermal"
import { PressModel, SIM_PRESS, seatedPress } from "../../sim/models/press"
import { Rng } from "../../sim/models/rng"
import { readManifest } from "../../tools/manifest-node"

const inRange = (v: number, r: readonly [number, number] | readonly number[]) => v >= r[0] && v <= r[1]

describe("campaign draws", () => {
    it("are deterministic per seed and per draw index, and differ between seeds", () => {
        expect(drawCampaign(7, 50)).toEqual(drawCampaign(7, 50))
        // draw k does not depend on the draws before it: --draw K replays it alone
        expect(drawAt(7, 31)).toEqual(drawCampaign(7, 40)[31])
        expect(drawCampaign(7, 10, 31)[0]).toEqual(drawAt(7, 31))
        expect(drawCampaign(8, 20).map(d => d.label)).not.toEqual(drawCampaign(7, 20).map(d => d.label))
        const seeds = new Set(Array.from({ length: 1000 }, (_, i) => drawSeed(3, i)))
        expect(seeds.size).toBe(1000)
    })

    it("reach every kind, every allowed sensor fault on every sensor, every phase, over 3,000 draws", () => {
        const ds = drawCampaign(1, 3000)
        for (const k of KINDS) expect(ds.some(d => d.kind === k), k).toBe(true)
        for (const p of PHASES) expect(ds.some(d => d.phase === p), p).toBe(true)
        for (const s of SENSORS) {
            for (const f of SENSOR_KINDS[s]) expect(ds.some(d => d.sensor === s && d.fault?.kind === f), `${s} ${f}`).toBe(true)
            expect(ds.some(d => d.kind === "silence" && d.sensor === s), `silence ${s}`).toBe(true)
        }
        // door openings and ABORT holds shorter than a tick, down to 10 ms
        expect(ds.some(d => d.kind === "door" && d.durationMs! < 50)).toBe(true)
        expect(ds.some(d => d.kind === "abort" && d.durationMs! < 20)).toBe(true)
    })

    it("keep every parameter in range, and draw no fault the firmware is not documented to find", () => {
        for (const d of drawCampaign(2, 3000)) {
            expect(d.delayMs).toBeGreaterThanOrEqual(0)
            expect(d.delayMs).toBeLessThanOrEqual(MAX_DELAY_MS[d.phase])
            expect(inRange(d.plant.ambientC, RANGES.ambientC)).toBe(true)
            expect(inRange(d.plant.archMm, RANGES.archMm)).toBe(true)
            expect(inRange(d.plant.stiffnessNPerM, RANGES.stiffnessNPerM)).toBe(true)
            if (d.kind === "door") expect(inRange(d.durationMs!, RANGES.doorMs)).toBe(true)
            if (d.kind === "abort") expect(inRange(d.durationMs!, RANGES.abortMs)).toBe(true)
            if (d.kind === "crash") expect(inRange(d.durationMs!, RANGES.crashOffMs)).toBe(true)
            const f = d.fault
            if (!f) continue
            expect(SENSOR_KINDS[d.sensor!]).toContain(f.kind)
            if (f.kind === "offset") {
                const r = d.sensor === "filmTemp" ? RANGES.filmOffsetC : d.sensor === "contactTemp" ? RANGES.contactOffsetC : RANGES.forceOffsetKg
                expect(inRange(f.by, r)).toBe(true)
                // never a film sensor or a load cell reading low (docs/simulator.md "What is not drawn")
                if (d.sensor !== "contactTemp") expect(f.by).toBeGreaterThan(0)
            }
            if (f.kind === "scale") {
                const r = d.sensor === "filmTemp" ? RANGES.filmScale : d.sensor === "contactTemp" ? RANGES.contactScale : RANGES.forceScale
                expect(inRange(f.by, r)).toBe(true)
                if (d.sensor !== "contactTemp") expect(f.by).toBeGreaterThan(1)
            }
            if (f.kind === "spike") {
                expect(inRange(f.samples, RANGES.spikeSamples)).toBe(true)
                expect(Number.isInteger(f.samples)).toBe(true)
            }
        }
    })

    it("become scenarios with START first and the fault at its onset", () => {
        for (const d of drawCampaign(4, 200)) {
            const sc = drawScenario(d)
            expect(sc.steps[0].do).toEqual({ kind: "press", button: "start" })
            expect(sc.steps[1].when).toEqual({ phase: d.phase, afterMs: d.delayMs })
            expect(sc.steps[1].inject).toBe(true)
            if (d.kind === "crash") expect(sc.expect.recordFault).toBe(62)
        }
    })
})

describe("campaign margins, recomputed with the models", () => {
    it("film and contact: heating at full power from the warmest room, 350 ms more after 95 °C", () => {
        for (const ambientC of [RANGES.ambientC[0], RANGES.ambientC[1]]) for (const contact of [false, true]) {
            const t = new ThermalModel({ ...SIM_THERMAL, ambientC })
            while (t.filmC() < 95) t.step(5, t.heaterFullW(), contact)
            for (let i = 0; i < 350; i += 5) t.step(5, t.heaterFullW(), contact)
            let film = 0
            let tip = 0
            for (let i = 0; i < 60_000; i += 5) {
                t.step(5, 0, contact)
                film = Math.max(film, t.filmC())
                tip = Math.max(tip, t.tipC())
            }
            expect(film).toBeLessThan(95 + MARGINS.filmC)
            expect(tip).toBeLessThan(42 + MARGINS.contactC)
        }
    })

    it("force: the stiffest film at the force control's top speed, 300 ms more after 60 N", () => {
        const p = new PressModel({ ...seatedPress(SIM_PRESS), stiffnessNPerM: RANGES.stiffnessNPerM[1], loadCellNoiseN: 0 }, new Rng(1))
        p.setPosition(0.049)
        while (p.forceN() < 60) p.step(5, 0.3)
        for (let i = 0; i < 300; i += 5) p.step(5, 0.3)
        let peak = p.forceN()
        for (let i = 0; i < 2000; i += 5) {
            p.step(5, -0.5)
            peak = Math.max(peak, p.forceN())
        }
        expect(peak).toBeGreaterThan(60)
        expect(peak).toBeLessThan(60 + MARGINS.forceN)
    })
})

describe("checkInvariants", () => {
    const m = readManifest()
    const draw: Draw = { ...drawAt(1, 0), kind: "abort" }
    const base = (over: Partial<Parameters<typeof checkInvariants>[0]> = {}) => checkInvariants({
        draw, manifest: m, injectedAt: 1000, now: 5000, firmwareLog: ["ready"],
        events: [{ t: 1020, kind: "fault", value: "E51" }],
        engine: {
            powerEdges: [{ t: 500, on: true }, { t: 1100, on: false }],
            pressWrites: [],
            unpoweredAfter: (t: number) => (t >= 1100 ? t : 1100),
            heaterPowered: () => false,
            trace: [{ t: 1000, filmC: 70, tipC: 39, forceN: 20, positionMm: 49, heaterPowered: false, phase: "cure" }],
        },
        ...over,
    })

    it("passes a safe run", () => expect(base()).toEqual([]))

    it("fails a heater powered past the one-shot bound after the report, or powered again", () => {
        const late = base({ engine: { powerEdges: [{ t: 1400, on: false }], pressWrites: [], unpoweredAfter: () => 1400, heaterPowered: () => false, trace: [] } })
        expect(late.join()).toMatch(/heater still powered 380 ms after the E51 report/)
        const again = base({ engine: { powerEdges: [{ t: 1100, on: false }, { t: 3000, on: true }], pressWrites: [], unpoweredAfter: () => 1100, heaterPowered: () => false, trace: [] } })
        expect(again.join()).toMatch(/heater powered again/)
    })

    it("fails true values past the margins, and a panic", () => {
        const tr = [{ t: 1, filmC: 98.5, tipC: 43.5, forceN: 76, positionMm: 49, heaterPowered: false, phase: "cure" }]
        const f = base({ engine: { powerEdges: [], pressWrites: [], unpoweredAfter: t => t, heaterPowered: () => false, trace: tr }, firmwareLog: ["PANIC 60005"] })
        expect(f.length).toBe(4)
    })
})

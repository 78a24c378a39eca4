import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { readManifest } from "../../tools/manifest-node"
import { BUILDER_CHECKS } from "../vectors/builder-checks"
import { Controller } from "../../src/core/controller"
import { Plant, NOMINAL_PLANT } from "../vectors/plant"
import { TEST_PROCESS } from "../vectors/cycle-runs"
import { CycleRecordBuilder } from "../../src/core/records/builder"
import { RecordQueue, readRecord } from "../../src/core/records/queue"
import { verifyRecords } from "../../src/core/records/verify"
import { MemoryKv } from "../../src/core/store/kv"
import { Outcome, Phase } from "../../src/core/cycle/events"
import { ComplianceRecord } from "../../src/core/records/types"
import { GOLDEN_KEY, GOLDEN_DEVICE, GOLDEN_TEMPLATE_HASH, GOLDEN_TEMPLATE_ID } from "../vectors/golden"

const m = readManifest()

describe("record builder (shared checks)", () => {
    it.each(BUILDER_CHECKS.map(v => [v.name, v] as const))("%s", (_n, v) => {
        expect(v.run()).toBe("ok")
    })
})

/** Runs the real controller against the plant until the cycle's record is built. */
function cycleRecord(): { record: ComplianceRecord; ticks: number } {
    const period = m.control.periodMs
    const plant = new Plant(NOMINAL_PLANT)
    const ctrl = new Controller(m, { kpMicroPerDegC: m.control.kpMicroPerDegC, kiMicroPerDegCSec: m.control.kiMicroPerDegCSec, kdMicroSecPerDegC: m.control.kdMicroSecPerDegC })
    expect(ctrl.arm(TEST_PROCESS)).toBeNull()
    const b = new CycleRecordBuilder(1)
    b.prepare({ operatorId: "op-7", templateId: GOLDEN_TEMPLATE_ID, templateHash: GOLDEN_TEMPLATE_HASH, bundleVersion: 7, calibrationIds: ["cal-1"],
        fit: { rmsUm: 40, worstUm: 90, coveragePermille: 950, scalePpm: 1000000, offsetXUm: 0, offsetYUm: 0, rotationMicroRad: 0, accepted: 1 } })
    let heaterOn = false
    let speed = 0
    for (let k = 0; k < 20000; k++) {
        const now = k * period
        if (k > 0) plant.step(period, heaterOn, speed)
        const out = ctrl.tick({
            nowMs: now, film: { value: plant.filmDeciC(), atMs: now }, contact: { value: plant.tipDeciC(), atMs: now },
            force: { value: Math.round(plant.forceMilliN()), atMs: now }, position: { value: plant.positionRoundedUm(), atMs: now },
            home: plant.home(), doorClosed: true, startPressed: k >= 5 && k < 9, abortPressed: false, logHasRoom: true, outputsBound: true,
        })
        heaterOn = out.heaterOn
        speed = out.pressSpeedPermille
        for (const e of ctrl.drainEvents()) {
            const r = b.add(e, { unixS: 1750000000, atUptimeMs: 0 })
            if (r) return { record: r, ticks: k }
        }
    }
    throw new Error("no record")
}

describe("record builder on the real controller", () => {
    it("a complete cycle gives a record of its seven phases, durable and verifiable through the queue", async () => {
        const { record } = cycleRecord()
        expect(record.outcome).toBe(Outcome.Complete)
        expect(record.phases.map(p => p.phase)).toEqual([Phase.Preflight, Phase.Preheat, Phase.Approach, Phase.Press, Phase.Cure, Phase.Release, Phase.Cool])
        const cure = record.phases[4]
        // the cure phase lasts the template's cure time (8 s) to within a tick, at its force
        expect(Math.abs(cure.durationMs - TEST_PROCESS.cureMs)).toBeLessThanOrEqual(m.control.periodMs)
        expect(Math.abs(cure.forceMeanMilliN - TEST_PROCESS.forceMilliN)).toBeLessThan(TEST_PROCESS.forceMilliN / 20)
        const q = await RecordQueue.open(new MemoryKv(), nodeCrypto, 16, GOLDEN_DEVICE, GOLDEN_KEY)
        const a = await q.append(record)
        const sealed = (await readRecord(q, a.seq))!
        expect(verifyRecords([sealed], GOLDEN_KEY, nodeCrypto, { lastSeq: 1 }).ok).toBe(true)
        console.log(`full cycle record: ${sealed.length} bytes sealed (body ${sealed.length - 32} + MAC 32)`)
    })
})

// The record builder fed the controller's event stream, shared by vitest and the VM: phases in
// order with their summaries, the fault that ended a cycle, the outcome, the context prepared
// at arm time, and a fault-clear record. Events written by hand in the order cycle.ts emits them.

import { ControlEvent, EventKind, Phase, Outcome, event } from "../../src/core/cycle/events"
import { PhaseSummary } from "../../src/core/cycle/phase-stats"
import { FaultCode, SensorId, makeFault } from "../../src/core/faults"
import { CycleRecordBuilder, NO_VALUE } from "../../src/core/records/builder"
import { encodeRecord } from "../../src/core/records/codec"
import { validationErrorOf } from "../../src/core/codec/errors"
import { RecordKind, ComplianceRecord } from "../../src/core/records/types"
import { ZERO_HASH } from "../../src/core/codec/ints"
import { GOLDEN_TEMPLATE_ID, GOLDEN_TEMPLATE_HASH } from "./golden"

function summary(phase: Phase, durationMs: number): PhaseSummary {
    return {
        phase: phase, durationMs: durationMs, samples: durationMs / 50, filmMinDeciC: 600, filmMaxDeciC: 700, filmMeanDeciC: 650,
        contactMaxDeciC: 380, forceMinMilliN: 0, forceMaxMilliN: 100, forceMeanMilliN: 50,
    }
}

function phaseEvents(out: ControlEvent[], phase: Phase, startMs: number, endMs: number) {
    out.push(event(EventKind.PhaseStart, startMs, phase, 0))
    const e = event(EventKind.PhaseEnd, endMs, phase, 0)
    e.summary = summary(phase, endMs - startMs)
    out.push(e)
}

/** preflight .. cure, then a fault in cure (over force) */
function faultedCycle(): ControlEvent[] {
    const out: ControlEvent[] = []
    phaseEvents(out, Phase.Preflight, 1000, 1000)
    phaseEvents(out, Phase.Preheat, 1000, 61000)
    phaseEvents(out, Phase.Approach, 61000, 65000)
    phaseEvents(out, Phase.Press, 65000, 69000)
    phaseEvents(out, Phase.Cure, 69000, 72000)
    const f = event(EventKind.Fault, 72000, Phase.Cure, FaultCode.OverForce)
    f.fault = makeFault(FaultCode.OverForce, SensorId.Force, 61234, 60000, 72000)
    out.push(f)
    out.push(event(EventKind.Outcome, 72000, Phase.Cure, Outcome.Faulted))
    return out
}

export interface BuilderCheck { name: string; run: () => string }

function feed(b: CycleRecordBuilder, evs: ControlEvent[]): ComplianceRecord[] {
    const out: ComplianceRecord[] = []
    for (const e of evs) {
        // the clock was synced at uptime 500 ms to 1750000000 s
        const r = b.add(e, { unixS: 1750000000, atUptimeMs: 500 })
        if (r) out.push(r)
    }
    return out
}

export const BUILDER_CHECKS: BuilderCheck[] = [
    { name: "a faulted cycle: five phases, the fault, outcome 3, the armed context", run: () => {
        const b = new CycleRecordBuilder(5)
        b.prepare({ operatorId: "op-7", templateId: GOLDEN_TEMPLATE_ID, templateHash: GOLDEN_TEMPLATE_HASH, bundleVersion: 7,
            calibrationIds: ["cal-force-3"], fit: null })
        const rs = feed(b, faultedCycle())
        if (rs.length !== 1) return rs.length + " records"
        const r = rs[0]
        const phases = r.phases.map(p => p.phase + ":" + p.durationMs).join(",")
        const got = [r.kind, r.outcome, r.bootId, r.uptimeMs, r.wallUnixS, r.operatorId, r.bundleVersion, r.templateHash === GOLDEN_TEMPLATE_HASH,
            phases, r.faults.length, r.faults[0].code, r.faults[0].value].join(" ")
        // wall clock: 1750000000 + floor((72000 - 500) / 1000) = 1750000071
        const want = "1 3 5 72000 1750000071 op-7 7 true 1:0,2:60000,3:4000,4:4000,5:3000 1 12 61234"
        return got === want ? "ok" : "got " + got
    } },
    { name: "events outside a cycle (autotune) make no record; the next cycle starts clean", run: () => {
        const b = new CycleRecordBuilder(1)
        const evs: ControlEvent[] = []
        phaseEvents(evs, Phase.Autotune, 0, 100000)
        evs.push(event(EventKind.GainsTuned, 100000, Phase.Autotune, 0))
        const first = faultedCycle()
        for (const e of first) evs.push(e)
        for (const e of faultedCycle()) evs.push(e)
        const rs = feed(b, evs)
        return rs.length === 2 && rs[1].phases.length === 5 && rs[1].faults.length === 1 && rs[0].templateId === ZERO_HASH /* never prepared: no template named */
            ? "ok" : rs.length + " records, " + (rs.length > 1 ? rs[1].phases.length : 0) + " phases"
    } },
    { name: "a cleared latched fault makes a fault-clear record naming it", run: () => {
        const b = new CycleRecordBuilder(2)
        const e = event(EventKind.FaultCleared, 90000, Phase.Faulted, FaultCode.ThermalRunaway)
        e.fault = makeFault(FaultCode.ThermalRunaway, SensorId.FilmTemp, 640, 660, 30000)
        const rs = feed(b, [e])
        if (rs.length !== 1) return rs.length + " records"
        const r = rs[0]
        return r.kind === RecordKind.FaultClear && r.faults.length === 1 && r.faults[0].code === FaultCode.ThermalRunaway && r.outcome === 0 &&
            r.uptimeMs === 90000 ? "ok" : "wrong record"
    } },
    { name: "a sensor that gave NaN is recorded as NO_VALUE, and the record still encodes", run: () => {
        const b = new CycleRecordBuilder(4)
        const evs = faultedCycle()
        evs[evs.length - 2].fault = makeFault(FaultCode.SensorImplausible, SensorId.FilmTemp, 0 / 0, 2000, 72000)
        const s1 = evs[1].summary as PhaseSummary
        s1.filmMaxDeciC = 0 / 0
        const rs = feed(b, evs)
        const r = rs[0]
        r.deviceId = "SFA1-000042" // as the queue fills it in
        r.seq = 1
        const ok = r.faults[0].value === NO_VALUE && r.phases[0].filmMaxDeciC === NO_VALUE && encodeRecord(r).length > 0
        return ok ? "ok" : "value " + r.faults[0].value
    } },
    { name: "a context a record could not carry fails at arming, not at the record", run: () => {
        const b = new CycleRecordBuilder(1)
        const bad: any = { operatorId: "an operator id that is far too long for a record", templateId: GOLDEN_TEMPLATE_ID,
            templateHash: GOLDEN_TEMPLATE_HASH, bundleVersion: 7, calibrationIds: [], fit: null }
        const e = validationErrorOf(() => b.prepare(bad))
        return e && e.code === "bad_string" && e.field === "operatorId" ? "ok" : "prepared: " + (e ? e.code : "no error")
    } },
    { name: "without a clock sync the record says 0 (unknown)", run: () => {
        const b = new CycleRecordBuilder(3)
        let wall = -1
        for (const e of faultedCycle()) {
            const r = b.add(e, null)
            if (r) wall = r.wallUnixS
        }
        return wall === 0 ? "ok" : "wall " + wall
    } },
]

// Turns the controller's events into record drafts. The glue calls prepare() when it arms a
// template (who, which template and bundle, calibration, fit) and feeds every drained event to
// add(); add() returns a draft when an event ends something worth recording:
//   Outcome       -> a Cycle record: the phases (PhaseEnd summaries) and faults since preflight
//   FaultCleared  -> a FaultClear record naming the cleared fault
// The queue fills deviceId, seq and prevHash on append. Pure: times come in with the events.
// A record must never fail to encode once the cycle ran, so the context is checked when it is
// prepared (arming fails instead), and measured values are made integers here: one that is not
// a finite number (a sensor that returned NaN) is recorded as NO_VALUE.

import { ControlEvent, EventKind, Phase } from "../cycle/events"
import { PhaseSummary } from "../cycle/phase-stats"
import { Fault } from "../faults"
import { ZERO_HASH, INT_MAX_ABS, checkText, checkHash, checkArray, checkInt, join } from "../codec/ints"
import { ValidationError } from "../codec/errors"
import { ClockAnchor, wallUnixS } from "../wall-clock"
import { FitSummary } from "../fitting/fit-result"
import { ComplianceRecord, RecordKind } from "./types"
import { PHASES_MAX, FAULTS_MAX, FIT_FIELDS, PHASE_FIELDS, CALIBRATION_IDS_MAX, CALIBRATION_ID_MAX_CHARS } from "./codec"

/** recorded for a measured value that was not a finite number: -(2^48 - 1) */
export const NO_VALUE = -INT_MAX_ABS

function safeInt(v: any): number {
    if (typeof v !== "number" || v !== v || v === 1 / 0 || v === -1 / 0) return NO_VALUE
    const r = Math.round(v)
    return r > INT_MAX_ABS ? INT_MAX_ABS : r < -INT_MAX_ABS ? -INT_MAX_ABS : r
}

function safeSummary(s: PhaseSummary): PhaseSummary {
    // every field after `phase` is a measured value (PHASE_FIELDS is the record's order)
    const o: any = { phase: s.phase }
    for (let k = 1; k < PHASE_FIELDS.length; k++) o[PHASE_FIELDS[k][0]] = safeInt((s as any)[PHASE_FIELDS[k][0]])
    return o as PhaseSummary
}

function safeFault(f: Fault): Fault {
    return { code: f.code, sensor: f.sensor, value: safeInt(f.value), limit: safeInt(f.limit), atMs: safeInt(f.atMs) }
}

/** Throws ValidationError unless every field of the context fits a record (arming fails, not the record). */
export function checkCycleContext(c: CycleContext) {
    if (!c || typeof c !== "object") throw new ValidationError("type", "(context)", "must be an object")
    checkText(c.operatorId, 0, 32, "operatorId")
    checkHash(c.templateId, "templateId")
    checkHash(c.templateHash, "templateHash")
    checkInt(c.bundleVersion, 0, 1099511627775, "bundleVersion")
    const ids = checkArray(c.calibrationIds, 0, CALIBRATION_IDS_MAX, "calibrationIds")
    for (let i = 0; i < ids.length; i++) checkText(ids[i], 1, CALIBRATION_ID_MAX_CHARS, "calibrationIds[" + i + "]")
    if (c.fit) for (const f of FIT_FIELDS) checkInt((c.fit as any)[f[0]], f[2], f[3], join("fit", f[0]))
}

export interface CycleContext {
    operatorId: string
    /** template id and hash (hex), as decideRun/validateTemplate returned them */
    templateId: string
    templateHash: string
    bundleVersion: number
    calibrationIds: string[]
    fit: FitSummary | null
}

/** An empty draft of any kind: the glue fills what the kind needs (docs/records.md, "Kinds"). */
export function draftRecord(kind: RecordKind, bootId: number, uptimeMs: number, unixS: number): ComplianceRecord {
    return {
        kind: kind, deviceId: "", seq: 0, prevHash: ZERO_HASH, bootId: bootId, uptimeMs: uptimeMs, wallUnixS: unixS,
        operatorId: "", templateId: ZERO_HASH, templateHash: ZERO_HASH, bundleVersion: 0, calibrationIds: [], fit: null,
        phases: [], faults: [], outcome: 0,
    }
}

export class CycleRecordBuilder {
    /** the context the next cycle's record will carry (null before the first prepare) */
    ctx: CycleContext | null = null
    private active = false
    private phases: PhaseSummary[] = []
    private faults: Fault[] = []

    constructor(readonly bootId: number) {}

    /** The context of the next cycle(s), kept until replaced (a template stays armed); throws
     *  ValidationError for a context a record could not carry: call it when arming. */
    prepare(ctx: CycleContext) {
        checkCycleContext(ctx)
        this.ctx = ctx
    }

    /** Feeds one event; returns a finished draft, or null. */
    add(e: ControlEvent, anchor: ClockAnchor | null): ComplianceRecord | null {
        if (e.kind === EventKind.PhaseStart && e.phase === Phase.Preflight) {
            this.active = true
            this.phases = []
            this.faults = []
            return null
        }
        if (e.kind === EventKind.FaultCleared) {
            const r = draftRecord(RecordKind.FaultClear, this.bootId, e.atMs, wallUnixS(anchor, e.atMs))
            if (e.fault) r.faults = [safeFault(e.fault)]
            return r
        }
        if (!this.active) return null
        // a cycle has at most 7 phases and stops at its first fault: the caps never bite
        if (e.kind === EventKind.PhaseEnd && e.summary && this.phases.length < PHASES_MAX) this.phases.push(safeSummary(e.summary))
        else if (e.kind === EventKind.Fault && e.fault && this.faults.length < FAULTS_MAX) this.faults.push(safeFault(e.fault))
        else if (e.kind === EventKind.Outcome) {
            this.active = false
            const r = draftRecord(RecordKind.Cycle, this.bootId, e.atMs, wallUnixS(anchor, e.atMs))
            // operatorId, templateId, templateHash, bundleVersion, calibrationIds, fit
            if (this.ctx) Object.assign(r, this.ctx)
            r.phases = this.phases
            r.faults = this.faults
            r.outcome = e.code
            this.phases = []
            this.faults = []
            return r
        }
        return null
    }
}

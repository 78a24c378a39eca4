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
import { ZERO_HASH, INT_MAX_ABS } from "../codec/ints"
import { ValidationError } from "../codec/errors"
import { ClockAnchor, wallUnixS } from "../wall-clock"
import { FitSummary } from "../fitting/fit-result"
import { ComplianceRecord, RecordKind } from "./types"
import { PHASES_MAX, FAULTS_MAX, RecordTable, recordFields, checkRecord } from "./codec"

/** recorded for a measured value that was not a finite number: -(2^48 - 1) */
export const NO_VALUE = -INT_MAX_ABS

function safeInt(v: any): number {
    if (typeof v !== "number" || v !== v || v === 1 / 0 || v === -1 / 0) return NO_VALUE
    const r = Math.round(v)
    return r > INT_MAX_ABS ? INT_MAX_ABS : r < -INT_MAX_ABS ? -INT_MAX_ABS : r
}

/**
 * A copy of a phase summary or a fault with the record's fields (in the record's order), the
 * first `exact` as they are, the others measured values made safe integers. Parses the one
 * table it needs (a few times a cycle, after a phase or a fault: not every tick).
 */
function safeCopy(o: any, table: RecordTable, exact: number): any {
    const fields = recordFields(table)
    const out: any = {}
    for (let k = 0; k < fields.length; k++) out[fields[k][0]] = k < exact ? o[fields[k][0]] : safeInt(o[fields[k][0]])
    return out
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
        if (!ctx || typeof ctx !== "object") throw new ValidationError("type", "(context)", "must be an object")
        // a record carrying the context is encoded, so the record's own field checks (codec.ts) judge it
        const r = Object.assign(draftRecord(RecordKind.Cycle, 0, 0, 0), ctx)
        r.deviceId = "-" // what the queue fills in on append
        r.seq = 1
        checkRecord(r)
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
            if (e.fault) r.faults = [safeCopy(e.fault, RecordTable.Faults, 2)] // code and sensor as they are
            return r
        }
        if (!this.active) return null
        // a cycle has at most 7 phases and stops at its first fault: the caps never bite
        if (e.kind === EventKind.PhaseEnd && e.summary && this.phases.length < PHASES_MAX) this.phases.push(safeCopy(e.summary, RecordTable.Phases, 1)) // phase as it is
        else if (e.kind === EventKind.Fault && e.fault && this.faults.length < FAULTS_MAX) this.faults.push(safeCopy(e.fault, RecordTable.Faults, 2))
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

// A compliance record: one per cycle, and one per calibration, template install or revoke,
// and fault clear. Integers in the unit each name carries; hashes as 64 hex digits (all zero
// where a kind has none). Records chain by hash and carry a MAC (codec.ts, docs/records.md).

import { PhaseSummary } from "../cycle/phase-stats"
import { Fault } from "../faults"
import { FitSummary } from "../fitting/fit-result"

export enum RecordKind {
    Cycle = 1,
    Calibration = 2,
    TemplateInstall = 3,
    TemplateRevoke = 4,
    FaultClear = 5,
}

export interface ComplianceRecord {
    kind: RecordKind
    deviceId: string
    /** 1, 2, 3, ... per device, never reused, no gaps */
    seq: number
    /** SHA-256 (hex) of the previous record's body; all zero for seq 1 */
    prevHash: string
    /** the device's boot counter (boot.ts) */
    bootId: number
    /** uptime when the record was made */
    uptimeMs: number
    /** wall clock when the record was made, 0 = not synced */
    wallUnixS: number
    /** who ran it (operator, or technician for calibration and fault clear); may be empty */
    operatorId: string
    /** template id (design hash) and hash (approved template), zeros when none */
    templateId: string
    templateHash: string
    /** approval bundle the template ran under, 0 when none */
    bundleVersion: number
    /** calibrations in force (cycle) or made (calibration record) */
    calibrationIds: string[]
    /** the arch fit before the cycle (src/core/fitting/fit-result.ts), null when none */
    fit: FitSummary | null
    /** one per phase, in order (cycle records) */
    phases: PhaseSummary[]
    /** faults of the cycle, or the fault cleared (fault-clear record) */
    faults: Fault[]
    /** cycle Outcome (1 complete, 2 aborted, 3 faulted); 0 for other kinds */
    outcome: number
}

export const RECORD_TAG = 0x52 // 'R'
export const RECORD_FORMAT_VERSION = 1
/** sequence numbers stay below 10^10, so a record's settings keys stay within 13 characters */
export const SEQ_MAX = 9999999999

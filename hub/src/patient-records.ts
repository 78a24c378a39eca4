// Which compliance record belongs to which console session, for the staff who may see patient
// references (operators): a record's session (its patient reference) and a patient's cycles.
//
// A record does not carry its session: the firmware seals the same bytes with or without one.
// The link is derived, and exact under the hub's own rules: a device has at most one open session
// (device_sessions_one_open), a session runs at most one cycle, and the device seals that cycle's
// record before it reports the session ended (the record is durable before the cycle is reported
// complete). So a session's record is the cycle record of the same device, operator
// (operatorId = the session's preparer) and approved template whose wall time lies between the
// session's start and its end report, widened by CLOCK_SLACK_S for the device clock's error
// against the hub's (the device sets its clock from the hub's).
import type { HubContext } from "./context"
import { notFound } from "./errors"
import { recordDetail, type RecordRow } from "./records-query"
import { view, type SessionView } from "./device-sessions"
import type { DeviceSessionRow } from "./db/migrations/0003_device_sessions"
import { RecordKind } from "../../src/core/records/types"

/** how far a device's wall clock may differ from the hub's when matching a record to a session */
export const CLOCK_SLACK_S = 5

/** The cycle record a started session produced, or null (not started, or not uploaded yet). */
export async function recordOfSession(ctx: HubContext, s: DeviceSessionRow): Promise<RecordRow | null> {
    if (s.started_at_ms === null) return null
    let q = ctx.db.db.selectFrom("records").select("seq")
        .where("device_id", "=", s.device_id).where("kind", "=", RecordKind.Cycle)
        .where("operator_id", "=", s.prepared_by).where("template_hash", "=", s.template_hash)
        .where("wall_unix_s", ">=", Math.floor(Number(s.started_at_ms) / 1000) - CLOCK_SLACK_S)
    if (s.ended_at_ms !== null) q = q.where("wall_unix_s", "<=", Math.ceil(Number(s.ended_at_ms) / 1000) + CLOCK_SLACK_S)
    const r = await q.orderBy("seq").limit(1).executeTakeFirst()
    return r ? recordDetail(ctx, s.device_id, Number(r.seq)) : null
}

/** The session a stored record was made in; 404 when it ran without one (a START on the device alone). */
export async function sessionOfRecord(ctx: HubContext, deviceId: string, seq: number): Promise<SessionView> {
    const rec = await recordDetail(ctx, deviceId, seq)
    const r = rec.record
    const atMs = r.wallUnixS * 1000
    const candidates = r.kind !== RecordKind.Cycle || r.operatorId === "" ? [] : await ctx.db.db.selectFrom("device_sessions").selectAll()
        .where("device_id", "=", deviceId).where("prepared_by", "=", r.operatorId).where("template_hash", "=", r.templateHash)
        .where("started_at_ms", "is not", null).where("started_at_ms", "<=", atMs + CLOCK_SLACK_S * 1000)
        .orderBy("started_at_ms", "desc").limit(1).execute()
    const s = candidates[0]
    const mine = s ? await recordOfSession(ctx, s) : null
    if (!s || !mine || mine.seq !== seq) throw notFound("record " + seq + " of device " + deviceId + " was not made in a console session")
    return view(s)
}

export interface PatientCycle {
    session: SessionView
    /** the cycle's record, null when the session did not run a cycle or its record is not at the hub yet */
    record: RecordRow | null
}

/** Every session prepared for a patient reference (exact match), newest first, each with its record. */
export async function patientCycles(ctx: HubContext, patientRef: string, limit = 100): Promise<PatientCycle[]> {
    const rows = await ctx.db.db.selectFrom("device_sessions").selectAll().where("patient_ref", "=", patientRef)
        .orderBy("created_at_ms", "desc").limit(limit).execute()
    const out: PatientCycle[] = []
    for (const s of rows) out.push({ session: view(s), record: await recordOfSession(ctx, s) })
    return out
}

// Sessions an operator prepares on the console: an approved template and a patient reference
// for one device. The device fetches the open session (GET /api/device/v1/session), shows it,
// and waits for its own START button: nothing here can start a cycle. The console may ask for
// an abort, which the device receives in its next session (or telemetry) answer. The device
// reports when the cycle started and ended (POST /api/device/v1/session/state); an ended
// session is closed and the device is free for the next one. One open session per device.
import { randomBytes } from "node:crypto"
import type { HubContext } from "./context"
import type { DeviceSessionRow } from "./db/migrations/0003_device_sessions"
import { withRetry } from "./db/index"
import { HubError, badRequest, conflict, notFound } from "./errors"
import { approvedTemplate } from "./library/approvals"
import { getDevice } from "./devices"

/** a clinic's patient reference: short, no spaces, not a name (nothing identifying is stored) */
export const PATIENT_REF_PATTERN = /^[A-Za-z0-9._-]{1,24}$/
export const SESSION_ID_PATTERN = /^[0-9a-f]{32}$/
export const SESSION_STATES = ["started", "ended"] as const

export type SessionStatus = "prepared" | "delivered" | "running" | "abort_requested" | "ended"

export interface SessionView {
    sessionId: string
    deviceId: string
    templateHash: string
    templateId: string
    templateName: string
    patientRef: string
    preparedBy: string
    createdAtMs: number
    deliveredAtMs: number | null
    abortRequestedAtMs: number | null
    abortRequestedBy: string | null
    abortDeliveredAtMs: number | null
    startedAtMs: number | null
    endedAtMs: number | null
    outcome: number | null
    cycle: number | null
    status: SessionStatus
}

/** What the device receives: small, everything it needs to show the session and tag its record. */
export interface DeviceSessionAnswer {
    sessionId: string
    templateHash: string
    patientRef: string
    operatorId: string
    abort: boolean
}

export async function prepareSession(ctx: HubContext, deviceId: string, by: string, o: { templateHash: string; patientRef: string }): Promise<SessionView> {
    await getDevice(ctx, deviceId)
    if (!PATIENT_REF_PATTERN.test(o.patientRef))
        throw badRequest("bad_patient_ref", "patientRef must be 1-24 of A-Z a-z 0-9 . _ - (the clinic's reference, not a name)")
    const t = await approvedTemplate(ctx, o.templateHash)
    if (!t) throw new HubError(409, "template_not_approved", "templateHash " + o.templateHash + " is not an approved, unrevoked template")
    const row = await ctx.db.db.selectFrom("library_templates").select(["template_id", "name"]).where("approved_hash", "=", o.templateHash).executeTakeFirst()
    const now = ctx.nowMs()
    const session: DeviceSessionRow = {
        device_id: deviceId, session_id: randomBytes(16).toString("hex"), template_hash: o.templateHash,
        template_id: row?.template_id ?? "", template_name: row?.name ?? "", patient_ref: o.patientRef, prepared_by: by,
        created_at_ms: now, delivered_at_ms: null, abort_requested_at_ms: null, abort_requested_by: null, abort_delivered_at_ms: null,
        started_at_ms: null, ended_at_ms: null, outcome: null, cycle: null,
    }
    await withRetry(ctx.db, async trx => {
        const open = await trx.selectFrom("device_sessions").select("session_id").where("device_id", "=", deviceId).where("ended_at_ms", "is", null).executeTakeFirst()
        if (open) throw conflict("session_open", "device " + deviceId + " has an open session " + open.session_id + ": abort it or let it end first")
        await trx.insertInto("device_sessions").values(session).execute()
    })
    ctx.log?.info("session prepared", { deviceId, sessionId: session.session_id, by })
    return view(session)
}

export async function requestAbort(ctx: HubContext, deviceId: string, by: string): Promise<SessionView> {
    await getDevice(ctx, deviceId)
    const now = ctx.nowMs()
    const row = await withRetry(ctx.db, async trx => {
        const open = await trx.selectFrom("device_sessions").selectAll().where("device_id", "=", deviceId).where("ended_at_ms", "is", null).executeTakeFirst()
        if (!open) throw conflict("no_open_session", "device " + deviceId + " has no open session to abort")
        if (open.abort_requested_at_ms !== null) return open
        // not yet seen by the device: nothing can have started, so the session simply ends
        const ended = open.delivered_at_ms === null
        const set = { abort_requested_at_ms: now, abort_requested_by: by, ...(ended ? { ended_at_ms: now, outcome: 0 } : {}) }
        await trx.updateTable("device_sessions").set(set).where("device_id", "=", deviceId).where("session_id", "=", open.session_id).execute()
        return { ...open, ...set }
    })
    ctx.log?.info("session abort requested", { deviceId, sessionId: row.session_id, by })
    return view(row)
}

/** The device's fetch: the open session (marking it delivered, and its abort delivered), or null. */
export async function sessionForDevice(ctx: HubContext, deviceId: string): Promise<DeviceSessionAnswer | null> {
    const open = await openSession(ctx, deviceId)
    if (!open) return null
    const now = ctx.nowMs()
    if (open.delivered_at_ms === null)
        await ctx.db.db.updateTable("device_sessions").set({ delivered_at_ms: now })
            .where("device_id", "=", deviceId).where("session_id", "=", open.session_id).where("delivered_at_ms", "is", null).execute()
    if (open.abort_requested_at_ms !== null && open.abort_delivered_at_ms === null)
        await ctx.db.db.updateTable("device_sessions").set({ abort_delivered_at_ms: now })
            .where("device_id", "=", deviceId).where("session_id", "=", open.session_id).where("abort_delivered_at_ms", "is", null).execute()
    return {
        sessionId: open.session_id, templateHash: open.template_hash, patientRef: open.patient_ref,
        operatorId: open.prepared_by, abort: open.abort_requested_at_ms !== null,
    }
}

/** True when the device's open session has an abort pending (the telemetry answer carries it). */
export async function abortPending(ctx: HubContext, deviceId: string): Promise<boolean> {
    const open = await openSession(ctx, deviceId)
    return !!open && open.abort_requested_at_ms !== null
}

export interface SessionStateBody {
    sessionId: string
    state: (typeof SESSION_STATES)[number]
    /** started: the cycle number its telemetry carries */
    cycle?: number
    /** ended: 0 not run (declined, aborted before start), 1 complete, 2 aborted, 3 faulted */
    outcome?: number
}

export async function reportSessionState(ctx: HubContext, deviceId: string, b: SessionStateBody): Promise<void> {
    if (b.state === "started" && b.cycle === undefined) throw badRequest("missing_cycle", "cycle is required when state is started")
    if (b.state === "ended" && b.outcome === undefined) throw badRequest("missing_outcome", "outcome is required when state is ended")
    const now = ctx.nowMs()
    await withRetry(ctx.db, async trx => {
        const s = await trx.selectFrom("device_sessions").selectAll().where("device_id", "=", deviceId).where("session_id", "=", b.sessionId).executeTakeFirst()
        if (!s) throw notFound("no session " + b.sessionId + " for device " + deviceId)
        // a repeated report (the answer was lost and the device sends it again) changes nothing
        if (s.ended_at_ms !== null) return
        if (b.state === "started") {
            if (s.started_at_ms !== null) return
            await trx.updateTable("device_sessions").set({ started_at_ms: now, cycle: b.cycle ?? null })
                .where("device_id", "=", deviceId).where("session_id", "=", b.sessionId).execute()
        } else {
            await trx.updateTable("device_sessions").set({ ended_at_ms: now, outcome: b.outcome ?? 0 })
                .where("device_id", "=", deviceId).where("session_id", "=", b.sessionId).execute()
        }
    })
}

export async function listSessions(ctx: HubContext, deviceId: string, limit = 20): Promise<SessionView[]> {
    await getDevice(ctx, deviceId)
    const rows = await ctx.db.db.selectFrom("device_sessions").selectAll().where("device_id", "=", deviceId)
        .orderBy("created_at_ms", "desc").orderBy("session_id").limit(limit).execute()
    return rows.map(view)
}

async function openSession(ctx: HubContext, deviceId: string): Promise<DeviceSessionRow | undefined> {
    return ctx.db.db.selectFrom("device_sessions").selectAll().where("device_id", "=", deviceId).where("ended_at_ms", "is", null).executeTakeFirst()
}

function n(v: unknown): number | null {
    return v === null || v === undefined ? null : Number(v)
}

export function view(r: DeviceSessionRow): SessionView {
    const status: SessionStatus = r.ended_at_ms !== null ? "ended" : r.abort_requested_at_ms !== null ? "abort_requested"
        : r.started_at_ms !== null ? "running" : r.delivered_at_ms !== null ? "delivered" : "prepared"
    return {
        sessionId: r.session_id, deviceId: r.device_id, templateHash: r.template_hash, templateId: r.template_id, templateName: r.template_name,
        patientRef: r.patient_ref, preparedBy: r.prepared_by, createdAtMs: Number(r.created_at_ms), deliveredAtMs: n(r.delivered_at_ms),
        abortRequestedAtMs: n(r.abort_requested_at_ms), abortRequestedBy: r.abort_requested_by, abortDeliveredAtMs: n(r.abort_delivered_at_ms),
        startedAtMs: n(r.started_at_ms), endedAtMs: n(r.ended_at_ms), outcome: n(r.outcome), cycle: n(r.cycle), status,
    }
}

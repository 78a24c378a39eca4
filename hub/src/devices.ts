// The device registry: provisioning (id and key, the key shown once), status as the device
// reports it, and the views staff read.
import { randomBytes } from "node:crypto"
import { envLocalOf, newKeyHex } from "./lifecycle"
import type { HubContext } from "./context"
import { badRequest, conflict, notFound } from "./errors"
import { isRetryable, isUniqueViolation, type HubDb } from "./db/index"
import { Batcher, groupWrite } from "./db/group-commit"
import { fixedWrite, pgText } from "./db/hot-path"
import { RETRY_ATTEMPTS, retryPause } from "./db/record-tx"
import type pg from "pg"
import { currentHead } from "./ingest"
import type { StatusBody } from "./routes/device"
import { phaseName } from "../../src/core/cycle/events"

export const DEVICE_ID_PATTERN = /^[A-Za-z0-9-]{1,32}$/
/** new ids: model prefix and 40 random bits (no global counter: several hubs may provision at once) */
export const DEVICE_ID_PREFIX = "SFA1-"

export interface ProvisionedDevice {
    deviceId: string
    /** the device key (the controller's: record MACs, sealed bundles, the hub's MACs) */
    keyHex: string
    /** the transport key (the link's: request signatures) */
    transportKeyHex: string
    envLocal: string
}

export interface DeviceView {
    deviceId: string
    label: string
    createdAtMs: number
    lastSeenMs: number | null
    state: string | null
    phase: number | null
    pending: number | null
    latchedFault: number | null
    /** the record head the device last reported */
    reportedHead: { seq: number; hash: string } | null
    statusAtMs: number | null
    /** the last record stored here */
    head: { seq: number; hash: string }
    /** set once decommissioned: its requests are refused, its records stay */
    decommissionedAtMs: number | null
    /** the device key's generation (1 until the first rotation) */
    keyGeneration: number
    /** whether the hub holds a transport key for it (devices provisioned before transport keys have none) */
    hasTransportKey: boolean
}

export async function provisionDevice(ctx: HubContext, o: { deviceId?: string; label?: string; createdBy: string; hubUrl: string }): Promise<ProvisionedDevice> {
    const deviceId = o.deviceId ?? DEVICE_ID_PREFIX + randomBytes(5).toString("hex").toUpperCase()
    if (!DEVICE_ID_PATTERN.test(deviceId)) throw badRequest("bad_device_id", "deviceId must be 1-32 of A-Z a-z 0-9 -")
    const keyHex = newKeyHex()
    const transportKeyHex = newKeyHex()
    try {
        await ctx.db.db.insertInto("devices")
            .values({ id: deviceId, key_hex: keyHex, transport_key_hex: transportKeyHex, label: o.label ?? "", created_at_ms: ctx.nowMs(), created_by: o.createdBy })
            .execute()
    } catch (e) {
        if (isUniqueViolation(e)) throw conflict("device_exists", "device " + deviceId + " is already registered; its key is not shown again")
        throw e
    }
    const envLocal = envLocalOf({ deviceId, deviceKey: keyHex, linkKey: transportKeyHex, hubUrl: o.hubUrl, why: "was provisioned" })
    return { deviceId, keyHex, transportKeyHex, envLocal }
}

export async function recordStatus(ctx: HubContext, deviceId: string, s: StatusBody): Promise<void> {
    const now = ctx.nowMs()
    const values = {
        last_seen_ms: now, state: s.state, phase: s.phase, pending: s.pending, latched_fault: s.latchedFault,
        reported_head_seq: s.head.seq, reported_head_hash: s.head.hash, status_at_ms: now,
    }
    const row = [deviceId, values.last_seen_ms, values.state, values.phase, values.pending,
        values.latched_fault, values.reported_head_seq, values.reported_head_hash, values.status_at_ms]
    if (ctx.db.sqlite) return fixedWrite(ctx.db, "status", STATUS_SQL, STATUS_PG, row)
    await pgStatusBatcher(ctx.db).add(row)
}

const pgStatusBatchers = new WeakMap<HubDb, Batcher<unknown[], void>>()

/**
 * PostgreSQL: the statuses that arrive together are one statement (one commit): rows in device
 * order (as the nonce claims lock them), a device's last report in the batch winning, as if the
 * reports had been written one after the other.
 */
function pgStatusBatcher(hub: HubDb): Batcher<unknown[], void> {
    let b = pgStatusBatchers.get(hub)
    if (b) return b
    const pool = hub.pgPool as pg.Pool
    b = new Batcher<unknown[], void>(async rows => {
        const last = new Map<string, unknown[]>()
        for (const r of rows) last.set(r[0] as string, r)
        const unique = [...last.values()].sort((x, y) => (x[0] as string) < (y[0] as string) ? -1 : 1)
        const cols = STATUS_PG_TYPES.map((_, i) => unique.map(r => r[i]))
        for (let attempt = 1; ; attempt++) {
            try {
                await pool.query({ name: "hot_status_batch", text: STATUS_PG_BATCH, values: cols })
                return rows.map(() => ({ status: "fulfilled", value: undefined }))
            } catch (e) {
                if (attempt >= RETRY_ATTEMPTS || !isRetryable(e)) {
                    // one row the database refuses fails alone: each written on its own
                    return Promise.allSettled(rows.map(r => pool.query({ name: "hot_status", text: STATUS_PG, values: r }).then(() => undefined)))
                }
                await retryPause(attempt)
            }
        }
    }, 1000)
    pgStatusBatchers.set(hub, b)
    return b
}

const STATUS_COLUMNS = ["last_seen_ms", "state", "phase", "pending", "latched_fault", "reported_head_seq", "reported_head_hash", "status_at_ms"]
const STATUS_SQL = "INSERT INTO device_status (device_id, " + STATUS_COLUMNS.join(", ") + ") VALUES (?, " + STATUS_COLUMNS.map(() => "?").join(", ") + ") " +
    "ON CONFLICT (device_id) DO UPDATE SET " + STATUS_COLUMNS.map(c => c + " = excluded." + c).join(", ")
const STATUS_PG = pgText(STATUS_SQL)
const STATUS_PG_TYPES = ["text", "bigint", "text", "integer", "integer", "integer", "bigint", "text", "bigint"]
const STATUS_PG_BATCH = "INSERT INTO device_status (device_id, " + STATUS_COLUMNS.join(", ") + ") SELECT * FROM unnest(" +
    STATUS_PG_TYPES.map((t, i) => "$" + (i + 1) + "::" + t + "[]").join(", ") + ") " +
    "ON CONFLICT (device_id) DO UPDATE SET " + STATUS_COLUMNS.map(c => c + " = excluded." + c).join(", ")

/**
 * A telemetry batch says the device is alive and which phase it is in: during a cycle the
 * device sends no status (its sync waits for the cycle to end), so the fleet and device pages
 * would show the phase it had before. Updates a status the device has already reported; the
 * status it reports after the cycle replaces this one.
 */
export async function recordLivePhase(ctx: HubContext, deviceId: string, phase: number): Promise<void> {
    await groupWrite(ctx.db, ctx.db.db.updateTable("device_status").set({ last_seen_ms: ctx.nowMs(), state: phaseName(phase) || String(phase), phase })
        .where("device_id", "=", deviceId).compile())
}

export async function getDevice(ctx: HubContext, deviceId: string): Promise<DeviceView> {
    const row = await ctx.db.db.selectFrom("devices")
        .leftJoin("device_status", "device_status.device_id", "devices.id")
        .select([
            "devices.id as id", "devices.label as label", "devices.created_at_ms as created_at_ms",
            "device_status.last_seen_ms as last_seen_ms", "device_status.state as state", "device_status.phase as phase",
            "device_status.pending as pending", "device_status.latched_fault as latched_fault",
            "device_status.reported_head_seq as reported_head_seq", "device_status.reported_head_hash as reported_head_hash",
            "device_status.status_at_ms as status_at_ms",
            "devices.decommissioned_at_ms as decommissioned_at_ms", "devices.key_generation as key_generation",
            "devices.transport_key_hex as transport_key_hex",
        ])
        .where("devices.id", "=", deviceId).executeTakeFirst()
    if (!row) throw notFound("no device " + deviceId)
    return {
        deviceId: row.id, label: row.label, createdAtMs: Number(row.created_at_ms),
        lastSeenMs: numOrNull(row.last_seen_ms), state: row.state ?? null, phase: numOrNull(row.phase),
        pending: numOrNull(row.pending), latchedFault: numOrNull(row.latched_fault),
        reportedHead: row.reported_head_seq == null ? null : { seq: Number(row.reported_head_seq), hash: row.reported_head_hash ?? "" },
        statusAtMs: numOrNull(row.status_at_ms),
        head: await currentHead(ctx.db.db, deviceId),
        decommissionedAtMs: numOrNull(row.decommissioned_at_ms), keyGeneration: Number(row.key_generation),
        hasTransportKey: row.transport_key_hex !== null,
    }
}

/** One page of devices in id order; pass the last id seen as `after` for the next. */
export async function listDevices(ctx: HubContext, o: { after?: string; limit: number }): Promise<DeviceView[]> {
    let q = ctx.db.db.selectFrom("devices").select("id").orderBy("id").limit(o.limit)
    if (o.after !== undefined) q = q.where("id", ">", o.after)
    const ids = await q.execute()
    const out: DeviceView[] = []
    for (const r of ids) out.push(await getDevice(ctx, r.id))
    return out
}

export async function listAlerts(ctx: HubContext, deviceId: string) {
    const rows = await ctx.db.db.selectFrom("alerts").selectAll().where("device_id", "=", deviceId).orderBy("created_at_ms").orderBy("seq").execute()
    return rows.map(r => ({ id: r.id, kind: r.kind, seq: Number(r.seq), detail: r.detail, createdAtMs: Number(r.created_at_ms) }))
}

function numOrNull(v: unknown): number | null {
    return v === null || v === undefined ? null : Number(v)
}

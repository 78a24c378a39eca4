// Record views for the console: a filtered list across devices (device, template, date,
// outcome), one record's detail, and a device's chain verification (src/core's verifier over
// every stored record, under the device key, as an auditor's independent check would run it).
import type { HubContext } from "./context"
import { notFound } from "./errors"
import { getDevice } from "./devices"
import { decodeRecord } from "../../src/core/records/codec"
import { verifyRecords } from "../../src/core/records/verify"
import { nodeCrypto } from "../../src/node/crypto-node"
import type { ComplianceRecord } from "../../src/core/records/types"

export interface RecordFilter {
    device?: string
    template?: string
    outcome?: number
    kind?: number
    /** wall clock range, unix seconds, inclusive */
    fromUnixS?: number
    toUnixS?: number
    limit: number
    offset: number
}

export interface RecordRow {
    deviceId: string
    seq: number
    hash: string
    prevHash: string
    receivedAtMs: number
    record: ComplianceRecord
}

function decodeSealed(hex: string): ComplianceRecord {
    const sealed = Array.from(Buffer.from(hex, "hex"))
    return decodeRecord(sealed.slice(0, sealed.length - 32))
}

/** Newest first (wall clock, then device and seq); total counts every match. */
export async function queryRecords(ctx: HubContext, f: RecordFilter): Promise<{ total: number; records: RecordRow[] }> {
    let q = ctx.db.db.selectFrom("records")
    if (f.device !== undefined) q = q.where("device_id", "=", f.device)
    if (f.template !== undefined) q = q.where("template_hash", "=", f.template)
    if (f.outcome !== undefined) q = q.where("outcome", "=", f.outcome)
    if (f.kind !== undefined) q = q.where("kind", "=", f.kind)
    if (f.fromUnixS !== undefined) q = q.where("wall_unix_s", ">=", f.fromUnixS)
    if (f.toUnixS !== undefined) q = q.where("wall_unix_s", "<=", f.toUnixS)
    const count = await q.select(eb => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()
    const rows = await q.select(["device_id", "seq", "hash", "prev_hash", "received_at_ms", "sealed_hex"])
        .orderBy("wall_unix_s", "desc").orderBy("device_id").orderBy("seq", "desc").limit(f.limit).offset(f.offset).execute()
    return {
        total: Number(count.n),
        records: rows.map(r => ({
            deviceId: r.device_id, seq: Number(r.seq), hash: r.hash, prevHash: r.prev_hash, receivedAtMs: Number(r.received_at_ms),
            record: decodeSealed(r.sealed_hex),
        })),
    }
}

export async function recordDetail(ctx: HubContext, deviceId: string, seq: number): Promise<RecordRow & { sealedHex: string }> {
    const r = await ctx.db.db.selectFrom("records").select(["device_id", "seq", "hash", "prev_hash", "received_at_ms", "sealed_hex"])
        .where("device_id", "=", deviceId).where("seq", "=", seq).executeTakeFirst()
    if (!r) throw notFound("no record " + seq + " of device " + deviceId)
    return {
        deviceId: r.device_id, seq: Number(r.seq), hash: r.hash, prevHash: r.prev_hash, receivedAtMs: Number(r.received_at_ms),
        sealedHex: r.sealed_hex, record: decodeSealed(r.sealed_hex),
    }
}

export interface ChainStatus {
    deviceId: string
    ok: boolean
    records: number
    head: { seq: number; hash: string }
    /** records the device reported holding that the hub does not have yet (not a fault: the queue drains) */
    pendingOnDevice: number
    findings: { code: string; seq: number; detail: string }[]
    alerts: number
    checkedAtMs: number
}

const PAGE = 1000
const FINDINGS_SHOWN = 20

export async function chainStatus(ctx: HubContext, deviceId: string): Promise<ChainStatus> {
    const d = await getDevice(ctx, deviceId)
    const key = await ctx.db.db.selectFrom("devices").select("key_hex").where("id", "=", deviceId).executeTakeFirstOrThrow()
    const sealed: number[][] = []
    for (let after = 0; ; ) {
        const rows = await ctx.db.db.selectFrom("records").select(["seq", "sealed_hex"]).where("device_id", "=", deviceId)
            .where("seq", ">", after).orderBy("seq").limit(PAGE).execute()
        for (const r of rows) sealed.push(Array.from(Buffer.from(r.sealed_hex, "hex")))
        if (rows.length < PAGE) break
        after = Number(rows[rows.length - 1].seq)
    }
    const report = verifyRecords(sealed, key.key_hex, nodeCrypto, { deviceId })
    const alerts = await ctx.db.db.selectFrom("alerts").select(eb => eb.fn.countAll<number>().as("n")).where("device_id", "=", deviceId).executeTakeFirstOrThrow()
    return {
        deviceId, ok: report.ok, records: sealed.length, head: d.head,
        pendingOnDevice: d.reportedHead ? Math.max(0, d.reportedHead.seq - d.head.seq) : 0,
        findings: report.findings.slice(0, FINDINGS_SHOWN).map(x => ({ code: x.code, seq: x.seq, detail: x.detail })),
        alerts: Number(alerts.n), checkedAtMs: ctx.nowMs(),
    }
}

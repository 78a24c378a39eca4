// Record views for the console: a filtered list across devices (device, template, date,
// outcome), one record's detail, and a device's chain verification (src/core's verifier over
// the stored records, under the device key, as an auditor's independent check would run it;
// incremental from the last verified head, a page at a time).
import type { HubContext } from "./context"
import { notFound } from "./errors"
import { getDevice } from "./devices"
import { decodeRecord } from "../../src/core/records/codec"
import { ChainVerifier, type Finding } from "../../src/core/records/verify"
import { ZERO_HASH } from "../../src/core/codec/ints"
import type { HubDb } from "./db/index"
import { yieldToLoop } from "./event-loop"
import { nodeCrypto } from "../../src/node/crypto-node"
import type { ComplianceRecord } from "../../src/core/records/types"
import { retiredKeys, runsByKey } from "./device-keys"

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
    /** the first FINDINGS_SHOWN findings, by seq */
    findings: { code: string; seq: number; detail: string }[]
    findingsTotal: number
    alerts: number
    checkedAtMs: number
    /** this run verified the records after this seq (the verified head it started from; 0 = from the first record) */
    verifiedFrom: number
    /** records this run read and verified */
    recordsRead: number
    /** the stored verified head after this run: every record up to it verified with no finding */
    verifiedHead: { seq: number; hash: string }
}

/** records verified per step; the event loop serves other requests between steps */
export const VERIFY_PAGE = 200
const FINDINGS_SHOWN = 20
const running = new WeakMap<HubDb, Map<string, Promise<ChainStatus>>>()

/**
 * Verifies a device's chain at the hub with src/core's verifier, under the device key.
 * Incremental: the last head verified with no finding is kept in the database (chain_verified),
 * so a run reads only the records after it (and re-hashes the one at it: an edit there shows);
 * `full` starts from seq 1, and a finding it makes clears the kept head. Callers asking for the
 * same device at once share one run.
 */
export function chainStatus(ctx: HubContext, deviceId: string, opts: { full?: boolean } = {}): Promise<ChainStatus> {
    let byDevice = running.get(ctx.db)
    if (!byDevice) running.set(ctx.db, byDevice = new Map())
    const key = (opts.full ? "full\n" : "\n") + deviceId
    let p = byDevice.get(key)
    if (!p) {
        const m = byDevice
        p = verifyChain(ctx, deviceId, opts.full === true).finally(() => m.delete(key))
        byDevice.set(key, p)
    }
    return p
}

async function verifyChain(ctx: HubContext, deviceId: string, full: boolean): Promise<ChainStatus> {
    const db = ctx.db.db
    const d = await getDevice(ctx, deviceId)
    const key = await db.selectFrom("devices").select(["key_hex", "key_generation"]).where("id", "=", deviceId).executeTakeFirstOrThrow()
    const retired = Number(key.key_generation) > 1 ? await retiredKeys(db, deviceId) : []
    const kept = full ? undefined : await db.selectFrom("chain_verified").select(["seq", "hash"]).where("device_id", "=", deviceId).executeTakeFirst()
    const from = kept ? { seq: Number(kept.seq), hash: kept.hash } : { seq: 0, hash: ZERO_HASH }
    const findings: Finding[] = []
    if (kept) {
        const at = await db.selectFrom("records").select("sealed_hex").where("device_id", "=", deviceId).where("seq", "=", from.seq).executeTakeFirst()
        const now = at ? nodeCrypto.sha256Hex(Array.from(bodyOf(at.sealed_hex))) : "(no record)"
        if (now !== from.hash)
            findings.push({ code: "verified_head_changed", seq: from.seq, index: -1, detail: "record " + from.seq + " was verified with hash " + from.hash + ", it now hashes to " + now })
    }
    let prev = from
    let clean: { seq: number; hash: string } | null = findings.length === 0 ? from : null
    let read = 0
    for (let after = from.seq; ; ) {
        const rows = await db.selectFrom("records").select(["seq", "sealed_hex"]).where("device_id", "=", deviceId)
            .where("seq", ">", after).orderBy("seq").limit(VERIFY_PAGE).execute()
        if (rows.length === 0) break
        // a rotated device's records: one verifier per run sealed under one key (device-keys.ts)
        for (const run of runsByKey(rows, r => Buffer.from(r.sealed_hex, "hex"), key.key_hex, retired)) {
            const v = new ChainVerifier(run.keyHex, nodeCrypto, { deviceId, anchorSeq: prev.seq, anchorHash: prev.hash })
            for (const r of run.items) v.add(Array.from(Buffer.from(r.sealed_hex, "hex")))
            const rep = v.finish()
            findings.push(...rep.findings)
            prev = { seq: rep.lastSeq, hash: rep.lastHash }
            clean = clean && rep.ok ? prev : null
        }
        read += rows.length
        after = Number(rows[rows.length - 1].seq)
        if (rows.length < VERIFY_PAGE) break
        await yieldToLoop()
    }
    const verifiedHead = await keepVerified(ctx, deviceId, from, clean, full && findings.length > 0)
    const alerts = await db.selectFrom("alerts").select(eb => eb.fn.countAll<number>().as("n")).where("device_id", "=", deviceId).executeTakeFirstOrThrow()
    findings.sort((a, b) => a.seq - b.seq)
    return {
        deviceId, ok: findings.length === 0, records: d.head.seq, head: d.head,
        pendingOnDevice: d.reportedHead ? Math.max(0, d.reportedHead.seq - d.head.seq) : 0,
        findings: findings.slice(0, FINDINGS_SHOWN).map(x => ({ code: x.code, seq: x.seq, detail: x.detail })), findingsTotal: findings.length,
        alerts: Number(alerts.n), checkedAtMs: ctx.nowMs(), verifiedFrom: from.seq, recordsRead: read, verifiedHead,
    }
}

function bodyOf(sealedHex: string): Buffer {
    const b = Buffer.from(sealedHex, "hex")
    return b.subarray(0, Math.max(0, b.length - 32))
}

/** moves the kept head forward only (another process may have gone further); a full run's finding clears it */
async function keepVerified(ctx: HubContext, deviceId: string, from: { seq: number; hash: string }, clean: { seq: number; hash: string } | null, clear: boolean) {
    const db = ctx.db.db
    if (clear) await db.deleteFrom("chain_verified").where("device_id", "=", deviceId).execute()
    else if (clean && clean.seq > from.seq) {
        const row = { device_id: deviceId, seq: clean.seq, hash: clean.hash, verified_at_ms: ctx.nowMs() }
        await db.insertInto("chain_verified").values(row)
            .onConflict(oc => oc.column("device_id").doUpdateSet({ seq: clean.seq, hash: clean.hash, verified_at_ms: row.verified_at_ms })
                .where("chain_verified.seq", "<", clean.seq)).execute()
    }
    const now = await db.selectFrom("chain_verified").select(["seq", "hash"]).where("device_id", "=", deviceId).executeTakeFirst()
    return now ? { seq: Number(now.seq), hash: now.hash } : { seq: 0, hash: ZERO_HASH }
}

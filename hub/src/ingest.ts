// Record ingest: a device uploads a contiguous batch of sealed records; each is stored exactly
// once, in one transaction, and the answer is sent only after it commits.
//   outside the transaction (no lock held): decode, MAC, device id, contiguity, and the chain
//   inside the batch, by src/core's rules (record-open.ts is their Node fast path); a record
//   that does not decode or a batch that is not contiguous is bad input (400, nothing stored);
//   inside: the stored head (seq H, hash h) decides each record: seq <= H is a duplicate if
//   its hash matches the stored one, else a fork (refused, alert); seq H+1 chaining onto h is
//   stored, and so on; anything after a refusal is a gap (the answer names expectedSeq).
// Two hub processes may ingest the same batch at once: the (device_id, seq) primary key lets
// only one insert land; the other's transaction fails and is re-run, and then sees duplicates.
// The transaction itself is db/record-tx*.ts (prepared statements on each driver).
import { createHash } from "node:crypto"
import type { Kysely } from "kysely"
import { openRecord } from "../../src/core/records/codec"
import { ValidationError } from "../../src/core/codec/errors"
import { ZERO_HASH } from "../../src/core/codec/ints"
import { nodeCrypto } from "../../src/node/crypto-node"
import type { HubContext } from "./context"
import type { HubSchema } from "./db/schema"
import { recordTransaction, type Head } from "./db/record-tx"
import { badRequest } from "./errors"
import type { DeviceIdentity } from "./auth/device-hmac"
import { openerFor, type OpenedHead, type RecordHead } from "./record-open"
import { closeRetiredKeys, retiredKeyFor, retiredKeys } from "./device-keys"

export const BATCH_MAX = 32

export type RecordStatus = "stored" | "duplicate" | "rejected"
export interface RecordResult {
    seq: number
    status: RecordStatus
    /** rejected only: fork, bad_mac, wrong_device, broken_chain, gap */
    reason?: string
}
export interface IngestResult {
    results: RecordResult[]
    /** the next sequence number the hub will store for this device */
    expectedSeq: number
    head: { seq: number; hash: string }
}

export interface Checked {
    record: RecordHead
    hash: string
    sealedHex: string
    /** a finding of the batch-local checks (bad_mac, wrong_device, broken_chain), if any */
    problem: string | null
    /** the generation of the device key it verified under, when that is a retired one */
    retiredGeneration?: number
}

// a record that fails these is refused and raised: someone holds bytes they should not
const ALERTED = new Set(["fork", "bad_mac", "wrong_device", "broken_chain"])

/**
 * Decodes and checks a batch without the database; throws 400 for bad input. The verdicts are
 * src/core's ChainVerifier's (bad_mac, then wrong_device, then broken_chain: the first finding
 * of a record is its problem), reached by record-open.ts's fast path; test/hub/record-open.test.ts
 * holds the two to the same answers.
 */
export function checkBatch(device: DeviceIdentity, sealedHex: string[], maxBatch = BATCH_MAX): Checked[] {
    if (!Array.isArray(sealedHex) || sealedHex.length < 1 || sealedHex.length > maxBatch)
        throw badRequest("bad_batch", "records must hold 1 to " + maxBatch + " sealed records")
    const opener = openerFor(device.keyHex)
    const out: Checked[] = []
    for (let i = 0; i < sealedHex.length; i++) {
        const hex = sealedHex[i]
        const opened = typeof hex === "string" ? opener.openHex(hex) : "not_hex"
        if (opened === "not_hex") throw badRequest("bad_record", "records[" + i + "] must be lowercase hex of even length")
        const o = opened ?? openWithCore(device, Buffer.from(hex, "hex"), i)
        const problem = !o.macOk ? "bad_mac" : o.head.deviceId !== device.deviceId ? "wrong_device" : null
        out.push({ record: o.head, hash: o.hash, sealedHex: hex, problem })
    }
    for (let i = 1; i < out.length; i++) {
        const want = out[0].record.seq + i
        if (out[i].record.seq !== want)
            throw badRequest("not_contiguous", "records must be contiguous: records[" + i + "] has seq " + out[i].record.seq + ", expected " + want)
    }
    checkChain(out)
    return out
}

/** the chain inside the batch; record 1 chains onto nothing; the first record of a later batch
 *  is checked against the stored head in the transaction */
function checkChain(out: Checked[]) {
    for (let i = 0; i < out.length; i++) {
        const want = i > 0 ? out[i - 1].hash : out[i].record.seq === 1 ? ZERO_HASH : null
        if (want !== null && out[i].record.prevHash !== want && !out[i].problem) out[i].problem = "broken_chain"
    }
}

/**
 * A rotated device (device-keys.ts): a record whose MAC fails under the current key may be one
 * it sealed under a retired key; key generations never go down along the batch.
 */
async function checkRetiredKeys(db: Kysely<HubSchema>, device: DeviceIdentity, batch: Checked[]): Promise<void> {
    if (!batch.some(c => c.problem === "bad_mac")) return
    const retired = await retiredKeys(db, device.deviceId)
    let newest = 0
    for (const c of batch) {
        if (c.problem !== "bad_mac") {
            newest = Number.MAX_SAFE_INTEGER // its MAC verified under the current key
            continue
        }
        const k = retiredKeyFor(Buffer.from(c.sealedHex, "hex"), c.record.seq, retired)
        if (!k || k.generation < newest) continue
        newest = k.generation
        c.retiredGeneration = k.generation
        c.problem = c.record.deviceId !== device.deviceId ? "wrong_device" : null
    }
    checkChain(batch)
}

/** The fast path found no record in these bytes: src/core says why (or, should it disagree, decides). */
function openWithCore(device: DeviceIdentity, bytes: Buffer, i: number): OpenedHead {
    try {
        const o = openRecord(byteArray(bytes), device.keyHex, nodeCrypto)
        return { head: o.record, hash: o.hash, macOk: o.macOk }
    } catch (e) {
        if (!(e instanceof ValidationError)) throw e
        throw badRequest("bad_record", "records[" + i + "] is not a sealed record: " + e.message)
    }
}

/** Buffer -> number[] for src/core; a plain loop is ~10x faster than Array.from on a Buffer */
function byteArray(b: Buffer): number[] {
    const a = new Array<number>(b.length)
    for (let i = 0; i < b.length; i++) a[i] = b[i]
    return a
}

export async function currentHead(db: Kysely<HubSchema>, deviceId: string): Promise<{ seq: number; hash: string }> {
    const row = await db.selectFrom("records").select(["seq", "hash"]).where("device_id", "=", deviceId)
        .orderBy("seq", "desc").limit(1).executeTakeFirst()
    return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: ZERO_HASH }
}

function alertId(deviceId: string, kind: string, seq: number, hash: string): string {
    return createHash("sha256").update(deviceId + "\n" + kind + "\n" + seq + "\n" + hash).digest("hex")
}

/** opts.maxBatch: the device route allows BATCH_MAX; bulk callers (benchmarks, imports) may pass more */
export async function ingestRecords(ctx: HubContext, device: DeviceIdentity, sealedHex: string[], opts: { maxBatch?: number } = {}): Promise<IngestResult> {
    const batch = checkBatch(device, sealedHex, opts.maxBatch ?? BATCH_MAX)
    const rotated = (device.keyGeneration ?? 1) > 1
    if (rotated) await checkRetiredKeys(ctx.db.db, device, batch)
    const first = batch[0].record.seq
    const last = batch[batch.length - 1].record.seq
    const presumed = { seq: first - 1, hash: batch[0].record.prevHash }
    const d = await recordTransaction(ctx.db, device.deviceId, first, last, presumed, (head, stored) => decide(device.deviceId, batch, head, stored, ctx.nowMs()))
    for (const a of d.alerts) ctx.log?.warn("record refused: " + a.kind, { deviceId: a.device_id, seq: a.seq, detail: a.detail })
    if (rotated) {
        const firstSeq = new Map<number, number>()
        d.answer.results.forEach((r, i) => {
            const gen = batch[i].retiredGeneration ?? (device.keyGeneration as number)
            if (r.status === "stored" && !firstSeq.has(gen)) firstSeq.set(gen, r.seq)
        })
        await closeRetiredKeys(ctx.db.db, device.deviceId, firstSeq)
    }
    return d.answer
}

/**
 * The answer to each record of a checked batch, given the stored head and the hashes held for
 * the batch's seqs, and the rows and alerts that answer writes. Runs inside the transaction.
 */
function decide(deviceId: string, batch: Checked[], head: Head, stored: Map<number, string>, nowMs: number) {
    const results: RecordResult[] = []
    const rows: HubSchema["records"][] = []
    const alerts: HubSchema["alerts"][] = []
    let expected = head.seq + 1
    let prev = head.hash
    for (const c of batch) {
        const seq = c.record.seq
        let reason: string | null = null
        if (seq <= head.seq) {
            const have = stored.get(seq)
            if (have === c.hash) {
                results.push({ seq, status: "duplicate" })
                continue
            }
            reason = "fork"
            alerts.push({
                id: alertId(deviceId, reason, seq, c.hash), device_id: deviceId, kind: reason, seq,
                detail: "seq " + seq + " uploaded with hash " + c.hash + " but the hub holds " + (have ?? "(none)"), created_at_ms: nowMs,
            })
        } else if (seq !== expected) reason = "gap"
        else if (c.problem) reason = c.problem
        else if (c.record.prevHash !== prev) reason = "broken_chain"
        if (reason) {
            if (reason !== "fork" && ALERTED.has(reason))
                alerts.push({
                    id: alertId(deviceId, reason, seq, c.hash), device_id: deviceId, kind: reason, seq,
                    detail: "seq " + seq + " refused: " + reason, created_at_ms: nowMs,
                })
            results.push({ seq, status: "rejected", reason })
            continue
        }
        rows.push({
            device_id: deviceId, seq, hash: c.hash, prev_hash: c.record.prevHash, kind: c.record.kind,
            wall_unix_s: c.record.wallUnixS, outcome: c.record.outcome, template_hash: c.record.templateHash,
            operator_id: c.record.operatorId, sealed_hex: c.sealedHex, received_at_ms: nowMs,
        })
        results.push({ seq, status: "stored" })
        expected = seq + 1
        prev = c.hash
    }
    const answer: IngestResult = { results, expectedSeq: expected, head: { seq: expected - 1, hash: prev } }
    return { rows, alerts, answer }
}

// Shared helpers of the record checks (record-chain-checks.ts, record-queue-checks.ts): drafts,
// a queue on MemoryKv, a chain made through it, and the verifier fed one record at a time.

import { Crypto } from "../../src/core/crypto"
import { ValidationError } from "../../src/core/codec/errors"
import { MemoryKv } from "../../src/core/store/kv"
import { RecordQueue, readRecord } from "../../src/core/records/queue"
import { sealRecord, openRecord } from "../../src/core/records/codec"
import { ChainVerifier, VerifyOptions, VerifyReport } from "../../src/core/records/verify"
import { ComplianceRecord } from "../../src/core/records/types"
import { goldenRecord, GOLDEN_KEY, GOLDEN_DEVICE, rep } from "./golden"

export interface RecordCheck { name: string; run: (c: Crypto, pause: () => Promise<void>) => Promise<string> }

export const OTHER_KEY = rep("42", 32)

/** the k-th cycle's draft (the queue fills device, seq and prevHash) */
export function draft(k: number): ComplianceRecord {
    const r = goldenRecord()
    r.uptimeMs = 1000000 + k * 600000
    r.wallUnixS = 1750003600 + k * 600
    r.phases[4].forceMeanMilliN = 20000 + k
    return r
}

export async function openQueue(kv: MemoryKv, c: Crypto, capacity: number): Promise<RecordQueue> {
    return await RecordQueue.open(kv, c, capacity, GOLDEN_DEVICE, GOLDEN_KEY)
}

/** n sealed records 1..n of one device, made through the queue */
export async function chain(c: Crypto, n: number, pause: () => Promise<void>): Promise<number[][]> {
    const q = await openQueue(new MemoryKv(), c, 64)
    const out: number[][] = []
    for (let k = 1; k <= n; k++) {
        await pause()
        const a = await q.append(draft(k))
        await pause()
        out.push((await readRecord(q, a.seq)) as number[])
    }
    return out
}

/** the verifier, yielding between records (a decode is ~30K VM opcodes; a fiber gets ~128K) */
export async function verify(list: number[][], c: Crypto, key: string, opts: VerifyOptions, pause: () => Promise<void>): Promise<VerifyReport> {
    const v = new ChainVerifier(key, c, opts)
    for (const s of list) {
        await pause()
        v.add(s)
    }
    return v.finish()
}

/** findings as "code@seq" in order, or "ok" */
export async function findings(list: number[][], c: Crypto, opts: VerifyOptions, pause: () => Promise<void>): Promise<string> {
    const r = await verify(list, c, GOLDEN_KEY, opts, pause)
    if (r.ok) return "ok"
    return r.findings.map(f => f.code + "@" + f.seq).join(",")
}

export function expectStr(got: string, want: string): string {
    return got === want ? "ok" : "got " + got + ", expected " + want
}

/** record with one field changed, re-sealed under `key` (the device key = an insider's edit) */
export function reseal(sealed: number[], c: Crypto, key: string, edit: (r: ComplianceRecord) => void): number[] {
    const r = openRecord(sealed, GOLDEN_KEY, c).record
    edit(r)
    return sealRecord(r, key, c).sealed
}

export async function tamper(c: Crypto, pause: () => Promise<void>, fn: (l: number[][]) => number[][], opts: VerifyOptions, want: string): Promise<string> {
    const l = await chain(c, 6, pause)
    await pause()
    const t = fn(l)
    return expectStr(await findings(t, c, opts, pause), want)
}

export async function codeOf(fn: () => Promise<any>): Promise<string> {
    try {
        await fn()
        return "none"
    } catch (e) {
        return e instanceof ValidationError ? e.code : "threw " + e
    }
}


/** What the queue must store for draft d as record seq after prev: sealed by the array path (sealRecord). */
export function sealedAs(d: ComplianceRecord, seq: number, prev: string, c: Crypto): number[] {
    const r: ComplianceRecord = Object.assign({}, d)
    r.deviceId = GOLDEN_DEVICE
    r.seq = seq
    r.prevHash = prev
    return sealRecord(r, GOLDEN_KEY, c).sealed
}

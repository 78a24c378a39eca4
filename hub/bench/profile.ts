// Where an ingested record's CPU time goes, outside the database: microseconds per record for
// checkBatch as a whole and for the pieces it is made of (record-open.ts's opener: hex into its
// scratch with the exactness check, decode, body hash and MAC in place; for comparison the old
// way's hex to Buffer round trip and an Hmac object per record), src/core's openRecord over
// number[] for comparison (what checkBatch paid per record before the fast path), plus the
// route's JSON.parse, which ingestRecords itself does not pay.
import { createHash, createHmac } from "node:crypto"
import { checkBatch } from "../src/ingest"
import { SealedOpener } from "../src/record-open"
import { openRecord } from "../../src/core/records/codec"
import { nodeCrypto } from "../../src/node/crypto-node"
import type { BenchDevice, SealedEntry } from "./records"
import { r2 } from "./stats"
/** runs fn over the sample repeatedly for at least minMs; microseconds per record */
function usPer(records: number, minMs: number, fn: () => void): number {
    fn() // warm
    let reps = 0
    const t0 = performance.now()
    let ms = 0
    do {
        fn()
        reps++
        ms = performance.now() - t0
    } while (ms < minMs)
    return r2((ms * 1000) / (reps * records))
}

function toArray(b: Buffer): number[] {
    const a = new Array<number>(b.length)
    for (let i = 0; i < b.length; i++) a[i] = b[i]
    return a
}

/** sample: distinct records (the same few records over and over would sit in caches) */
export function profileCpu(device: BenchDevice, chain: SealedEntry[], batch: number, sampleN: number, minMs: number): Record<string, number> {
    const sample = chain.slice(0, Math.max(batch, sampleN - sampleN % batch))
    const hex = sample.map(e => e.sealedHex)
    const batches: string[][] = []
    for (let i = 0; i < hex.length; i += batch) batches.push(hex.slice(i, i + batch))
    const bufs = hex.map(h => Buffer.from(h, "hex"))
    const arrays = bufs.map(toArray)
    const json = batches.map(b => JSON.stringify({ records: b }))
    const n = sample.length
    const key = Buffer.from(device.keyHex, "hex")
    let sink = 0
    const out: Record<string, number> = {
        sampleRecords: n,
        bytesPerRecord: Math.round(bufs.reduce((s, b) => s + b.length, 0) / n),
        checkBatch: usPer(n, minMs, () => { for (const b of batches) sink += checkBatch(device, b, batch).length }),
        jsonParseBody: usPer(n, minMs, () => { for (const j of json) sink += (JSON.parse(j) as { records: string[] }).records.length }),
        hexToBufferExact: usPer(n, minMs, () => { for (const h of hex) if (Buffer.from(h, "hex").toString("hex") === h) sink++ }),
        // what checkBatch does per record: hex into the opener's scratch, decode, HMAC and hash in place
        openHex: usPer(n, minMs, () => { const o = new SealedOpener(key); for (const h of hex) { const r = o.openHex(h); sink += r && r !== "not_hex" ? r.head.seq : 0 } }),
        hmacOverBuffer: usPer(n, minMs, () => { for (const b of bufs) sink += createHmac("sha256", key).update(b.subarray(0, b.length - 32)).digest().length }),
        sha256OverBuffer: usPer(n, minMs, () => { for (const b of bufs) sink += createHash("sha256").update(b.subarray(0, b.length - 32)).digest("hex").length }),
        coreOpenRecordOverArray: usPer(n, minMs, () => { for (const a of arrays) sink += openRecord(a, device.keyHex, nodeCrypto).record.seq }),
    }
    if (sink === -1) out["never"] = 0 // keeps the work observable
    return out
}

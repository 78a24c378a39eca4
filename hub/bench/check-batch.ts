// tsx hub/bench/check-batch.ts
// checkBatch alone, warm, in a tight loop (no database): µs per record for one record opened
// (SealedOpener.openHex) and for batches of 1, 10 and 100 (checkBatch, which adds the opener's
// set-up, the contiguity and the chain checks per batch). The best of 9 passes over 1,000
// sealed records of one device. The ingest benchmark (bench:hub --only ingest) measures the
// same code between database commits, where the caches are cold and it costs more.
import { benchDevices, sealedChain } from "./records"
import { checkBatch } from "../src/ingest"
import { SealedOpener } from "../src/record-open"

const d = benchDevices(1)[0]
const hexes = sealedChain(d, 1, 1000).map(e => e.sealedHex)
const opener = new SealedOpener(Buffer.from(d.keyHex, "hex"))
const PASSES = 30

function best(run: () => void, records: number): string {
    let min = Infinity
    for (let i = 0; i < 9; i++) {
        const t0 = performance.now()
        run()
        min = Math.min(min, ((performance.now() - t0) * 1000) / records)
    }
    return min.toFixed(2)
}

const out: Record<string, string> = {}
out["openHex"] = best(() => {
    for (let k = 0; k < PASSES; k++) for (const h of hexes) opener.openHex(h)
}, PASSES * hexes.length)
for (const size of [1, 10, 100]) {
    const batches: string[][] = []
    for (let i = 0; i + size <= hexes.length; i += size) batches.push(hexes.slice(i, i + size))
    out["checkBatch " + size] = best(() => {
        for (let k = 0; k < PASSES; k++) for (const b of batches) checkBatch(d, b, 100)
    }, PASSES * batches.length * size)
}
console.log("us per record, best of 9: " + Object.entries(out).map(([k, v]) => `${k} ${v}`).join(", "))

// tsx [--cpu-prof] hub/bench/ingest-cpu.ts [--batch N] [--n N] [--pg URL] [--side hub|ceiling]
// One side of the ingest benchmark alone (no alternation), for a CPU profile of where an
// ingested record's time goes: e.g.
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx hub/bench/ingest-cpu.ts --batch 100
//   npx tsx hub/bench/profile-summary.ts /tmp/prof/*.cpuprofile
import { benchDevices, recordRow, sealedChain } from "./records"
import { ingestRecords } from "../src/ingest"
import { pgStore, rawPg, rawSqlite, RECORD_COLUMNS, sqliteStore, type BenchStore } from "./stores"
import type { HubContext } from "../src/context"

function arg(name: string, dflt: string): string {
    const i = process.argv.indexOf("--" + name)
    return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt
}

async function main() {
    const batch = Number(arg("batch", "100"))
    const n = Number(arg("n", "30000"))
    const pgUrl = arg("pg", "")
    const side = arg("side", "hub")
    const devices = benchDevices(4)
    const per = Math.ceil(n / devices.length / batch) * batch
    const chains = devices.map(d => sealedChain(d, 1, per))
    const store: BenchStore = pgUrl ? await pgStore(pgUrl) : await sqliteStore()
    const hub = await store.openHub()
    await hub.db.insertInto("devices").values(devices.map(d => ({ id: d.deviceId, key_hex: d.keyHex, label: "b", created_at_ms: 0, created_by: "b" }))).execute()
    const ctx: HubContext = { db: hub, nowMs: () => Date.now() }
    const raw = side === "ceiling" ? (pgUrl ? await rawPg(store.location) : rawSqlite(store.location)) : null
    const t0 = performance.now()
    let done = 0
    for (let off = 0; off < per; off += batch)
        for (let d = 0; d < devices.length; d++) {
            const entries = chains[d].slice(off, off + batch)
            if (raw) await raw.insertBatch(entries.map(e => { const r = recordRow(devices[d].deviceId, e, Date.now()) as unknown as Record<string, unknown>; return RECORD_COLUMNS.map(c => r[c]) }))
            else await ingestRecords(ctx, devices[d], entries.map(e => e.sealedHex), { maxBatch: batch })
            done += entries.length
        }
    const ms = performance.now() - t0
    console.log(`${side} batch ${batch}: ${done} records in ${Math.round(ms)} ms, ${Math.round(done / (ms / 1000))}/s, ${(ms * 1000 / done).toFixed(2)} us/record`)
    await raw?.close()
    await hub.close()
    await store.drop()
}

main().catch(e => { console.error(e); process.exit(1) })

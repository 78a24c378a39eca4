// The hub benchmarks (issue 5, "Benchmarks"): ingest throughput against the raw-insert ceiling
// on SQLite and PostgreSQL, where ingest CPU time goes, and sync latency with many devices.
// runHubBench returns one JSON-able object; `npm run bench` stores it under "hub".
import os from "node:os"
import { dirname } from "node:path"
import { findPgBin, startPg, type PgServer } from "../../tools/pg-server"
import { benchDevices, sealedChain, type SealedEntry } from "./records"
import { ingestPoint, perDeviceNeed, type IngestPlan, type IngestPoint } from "./ingest"
import { profileCpu } from "./profile"
import { runSync, type SyncPlan, type SyncResult } from "./sync"
import { pgStore, sqliteStore } from "./stores"
import { r2 } from "./stats"
import { runExportBench } from "./export"

export interface HubBenchOptions {
    /** a smoke run: small n, one burst of sync rounds */
    quick?: boolean
    log?: (s: string) => void
    /** false skips PostgreSQL; default: run it when its programs are installed */
    pg?: boolean
    /** simulated devices for the sync benchmark (default 1000; 250 with quick) */
    clients?: number
    /** false skips the export benchmark (export.ts); "only" runs nothing else */
    export?: boolean | "only"
}

/** the goal, per backend at each batch size */
export const GOAL = { minRatio: 0.5, minRecordsPerS: 20_000 }

const DEVICES = 8

function plans(quick: boolean): IngestPlan[] {
    return quick
        ? [{ batch: 1, n: 150, warmup: 20 }, { batch: 10, n: 1000, warmup: 100 }, { batch: 100, n: 3000, warmup: 500 }]
        : [{ batch: 1, n: 2000, warmup: 200 }, { batch: 10, n: 20_000, warmup: 1000 }, { batch: 100, n: 60_000, warmup: 5000 }]
}

function syncPlan(quick: boolean, clients: number): SyncPlan {
    return quick ? { clients, periodS: 0, durationS: 0 } : { clients, periodS: 10, durationS: 60 }
}

function goalOf(points: IngestPoint[]) {
    return points.map(p => ({
        batch: p.batch, recordsPerS: p.hub.recordsPerS, ratio: p.ratio,
        met: p.ratio >= GOAL.minRatio && p.hub.recordsPerS > GOAL.minRecordsPerS,
    }))
}

export async function runHubBench(opts: HubBenchOptions = {}): Promise<Record<string, unknown>> {
    const log = opts.log ?? (() => {})
    const quick = opts.quick === true
    const wall0 = performance.now()
    const ps = plans(quick)
    const out: Record<string, unknown> = {
        mode: quick ? "quick" : "full",
        machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "", node: process.version, tmpdir: os.tmpdir() },
        goal: GOAL,
    }
    if (opts.export === "only") {
        out["export"] = await runExportBench({ quick, log })
        out["wallS"] = r2((performance.now() - wall0) / 1000)
        return out
    }

    // records are sealed once (as the devices would) and reused by every point: each point
    // writes into fresh databases, so the same chains are new there
    const s0 = performance.now()
    const devices = benchDevices(DEVICES)
    const need = Math.max(...ps.map(p => perDeviceNeed(p, DEVICES)))
    const chains: SealedEntry[][] = devices.map(d => sealedChain(d, 1, need))
    log(`ingest: sealed ${need * DEVICES} records for ${DEVICES} devices in ${r2((performance.now() - s0) / 1000)} s (${chains[0][0].sealedHex.length / 2} bytes each)`)

    const ingest: Record<string, unknown> = {
        devices: DEVICES,
        model: "one batch at a time (single writer), batches round-robin over the devices; hub = ingestRecords (decode, MAC, chain, head lookup, insert, one transaction per batch; PostgreSQL: the head check and insert in one statement when the batch continues the head); ceiling = raw inserts of the same rows, one transaction per batch; timed part in 4 chunks alternating hub/ceiling (ABBA)",
    }
    const sqlitePoints: IngestPoint[] = []
    for (const p of ps) {
        const pt = await ingestPoint(sqliteStore, devices, chains, p)
        sqlitePoints.push(pt)
        log(`ingest sqlite batch ${p.batch}: hub ${pt.hub.recordsPerS}/s, ceiling ${pt.ceiling.recordsPerS}/s, ratio ${pt.ratio}`)
    }
    ingest["sqlite"] = { durability: "WAL, synchronous=FULL (the hub's openDb)", points: sqlitePoints, goal: goalOf(sqlitePoints) }

    let pgServer: PgServer | null = null
    let pgSkip: string | null = null
    if (opts.pg === false) pgSkip = "skipped (pg: false)"
    else {
        try {
            findPgBin()
        } catch (e) {
            pgSkip = "skipped: " + (e as Error).message
        }
    }
    try {
        if (!pgSkip) {
            pgServer = await startPg({ fsync: true })
            log(`ingest: PostgreSQL started in ${pgServer.startMs} ms (fsync on)`)
            const url = pgServer.url
            const points: IngestPoint[] = []
            for (const p of ps) {
                const pt = await ingestPoint(() => pgStore(url), devices, chains, p)
                points.push(pt)
                log(`ingest postgres batch ${p.batch}: hub ${pt.hub.recordsPerS}/s, ceiling ${pt.ceiling.recordsPerS}/s, ratio ${pt.ratio}`)
            }
            ingest["postgres"] = { durability: "fsync on, synchronous_commit on (server defaults)", points, goal: goalOf(points) }
        } else ingest["postgres"] = pgSkip
        out["ingest"] = ingest

        // CPU outside the database, per record, and what is left for the transaction
        const prof = profileCpu(devices[0], chains[0], 100, quick ? 500 : 2000, quick ? 100 : 500)
        const b100 = sqlitePoints.find(p => p.batch === 100)
        if (b100) {
            prof["sqliteHubUsPerRecordBatch100"] = b100.hub.usPerRecord
            prof["sqliteCeilingUsPerRecordBatch100"] = b100.ceiling.usPerRecord
            prof["sqliteHubMinusCheckBatch"] = r2(b100.hub.usPerRecord - (prof["checkBatch"] ?? 0))
        }
        out["ingestProfileUs"] = prof
        log(`ingest profile (us/record): checkBatch ${prof["checkBatch"]}, of which openSealed ${prof["openSealed"]} (src/core's openRecord: ${prof["coreOpenRecordOverArray"]})`)

        const clients = opts.clients ?? (quick ? 250 : 1000)
        const sync: Record<string, SyncResult | string> = {}
        const sq = await sqliteStore()
        try {
            sync["sqlite"] = await runSync(sq, dirname(sq.location), syncPlan(quick, clients), log)
        } finally {
            await sq.drop()
        }
        if (pgServer && !quick) {
            const pgs = await pgStore(pgServer.url)
            try {
                sync["postgres"] = await runSync(pgs, "", syncPlan(quick, clients), log)
            } finally {
                await pgs.drop()
            }
        } else sync["postgres"] = pgSkip ?? "skipped in --quick"
        out["sync"] = sync
    } finally {
        await pgServer?.stop()
    }
    if (opts.export !== false) out["export"] = await runExportBench({ quick, log })
    out["wallS"] = r2((performance.now() - wall0) / 1000)
    return out
}

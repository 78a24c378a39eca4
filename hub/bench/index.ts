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
    /** a burst-only run with this many devices as well (default 5000; none with quick; 0: none) */
    bigBurst?: number
    /** run only one of the two benchmarks */
    only?: "ingest" | "sync"
    /** false: the sync benchmark runs its bursts only (no steady phase) */
    steady?: boolean
}

/** issue 16's goals: ingest at each batch size against the ceiling measured in the same run, per
 *  backend; a burst of 1,000 devices answered with p99 at most 500 ms and no errors */
export const GOAL = { minRatioByBatch: { 1: 0.8, 10: 0.8, 100: 0.7 } as Record<number, number>, burst1000P99Ms: 500 }

export function ingestGoalMet(p: IngestPoint): boolean {
    return p.ratio >= (GOAL.minRatioByBatch[p.batch] ?? 0.7)
}

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
        met: ingestGoalMet(p),
    }))
}

export async function runHubBench(opts: HubBenchOptions = {}): Promise<Record<string, unknown>> {
    const log = opts.log ?? (() => {})
    const quick = opts.quick === true
    const wall0 = performance.now()
    const out: Record<string, unknown> = {
        mode: quick ? "quick" : "full",
        machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "", node: process.version, tmpdir: os.tmpdir(), loadAvg1m: r2(os.loadavg()[0]) },
        goal: GOAL,
    }
    if (opts.export === "only") {
        out["export"] = await runExportBench({ quick, log })
        out["wallS"] = r2((performance.now() - wall0) / 1000)
        return out
    }
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
            log(`PostgreSQL started in ${pgServer.startMs} ms (fsync on)`)
        }
        if (opts.only !== "sync") Object.assign(out, await ingestBench(quick, pgServer?.url ?? null, pgSkip, log))
        if (opts.only !== "ingest") out["sync"] = await syncBench(opts, pgServer?.url ?? null, pgSkip, log)
    } finally {
        await pgServer?.stop()
    }
    if (opts.export !== false) out["export"] = await runExportBench({ quick, log })
    out["machine"] = { ...(out["machine"] as object), loadAvg1mAtEnd: r2(os.loadavg()[0]) }
    out["wallS"] = r2((performance.now() - wall0) / 1000)
    return out
}

async function ingestBench(quick: boolean, pgUrl: string | null, pgSkip: string | null, log: (s: string) => void): Promise<Record<string, unknown>> {
    const ps = plans(quick)
    // records are sealed once (as the devices would) and reused by every point: each point
    // writes into fresh databases, so the same chains are new there
    const s0 = performance.now()
    const devices = benchDevices(DEVICES)
    const need = Math.max(...ps.map(p => perDeviceNeed(p, DEVICES)))
    const chains: SealedEntry[][] = devices.map(d => sealedChain(d, 1, need))
    log(`ingest: sealed ${need * DEVICES} records for ${DEVICES} devices in ${r2((performance.now() - s0) / 1000)} s (${chains[0][0].sealedHex.length / 2} bytes each)`)

    const ingest: Record<string, unknown> = {
        devices: DEVICES,
        model: "one batch at a time (single writer), batches round-robin over the devices; hub = ingestRecords (decode, MAC, chain, head lookup, insert, one transaction per batch; PostgreSQL: the head check and insert in one statement when the batch continues the head); ceiling = raw inserts of the same rows, one transaction per batch; timed part in 16 chunks alternating hub/ceiling (ABBA, four times)",
    }
    const sqlitePoints: IngestPoint[] = []
    for (const p of ps) {
        const pt = await ingestPoint(sqliteStore, devices, chains, p)
        sqlitePoints.push(pt)
        log(`ingest sqlite batch ${p.batch}: hub ${pt.hub.recordsPerS}/s, ceiling ${pt.ceiling.recordsPerS}/s, ratio ${pt.ratio}`)
    }
    ingest["sqlite"] = { durability: "WAL, synchronous=FULL (the hub's openDb)", points: sqlitePoints, goal: goalOf(sqlitePoints) }
    if (pgUrl) {
        const points: IngestPoint[] = []
        for (const p of ps) {
            const pt = await ingestPoint(() => pgStore(pgUrl), devices, chains, p)
            points.push(pt)
            log(`ingest postgres batch ${p.batch}: hub ${pt.hub.recordsPerS}/s, ceiling ${pt.ceiling.recordsPerS}/s, ratio ${pt.ratio}`)
        }
        ingest["postgres"] = { durability: "fsync on, synchronous_commit on (server defaults)", points, goal: goalOf(points) }
    } else ingest["postgres"] = pgSkip

    // CPU outside the database, per record, and what is left for the transaction
    const prof = profileCpu(devices[0], chains[0], 100, quick ? 500 : 2000, quick ? 100 : 500)
    const b100 = sqlitePoints.find(p => p.batch === 100)
    if (b100) {
        prof["sqliteHubUsPerRecordBatch100"] = b100.hub.usPerRecord
        prof["sqliteCeilingUsPerRecordBatch100"] = b100.ceiling.usPerRecord
        prof["sqliteHubMinusCheckBatch"] = r2(b100.hub.usPerRecord - (prof["checkBatch"] ?? 0))
    }
    log(`ingest profile (us/record): checkBatch ${prof["checkBatch"]}, of which the opener (hex, decode, HMAC, hash) ${prof["openHex"]} (src/core's openRecord: ${prof["coreOpenRecordOverArray"]})`)
    return { ingest, ingestProfileUs: prof }
}

/**
 * Per backend: a burst of `clients` devices followed by the steady phase on the same hub, then
 * (full mode) a burst-only run of bigBurst devices on a fresh database and hub process: each
 * burst is what a hub meets when every device reconnects at once.
 */
async function syncBench(opts: HubBenchOptions, pgUrl: string | null, pgSkip: string | null, log: (s: string) => void): Promise<Record<string, SyncResult | string>> {
    const quick = opts.quick === true
    const clients = opts.clients ?? (quick ? 250 : 1000)
    const bigBurst = opts.bigBurst ?? (quick ? 0 : 5000)
    const sync: Record<string, SyncResult | string> = {}
    const runs: [string, SyncPlan][] = [["", opts.steady === false ? { clients, periodS: 0, durationS: 0 } : syncPlan(quick, clients)]]
    if (bigBurst > 0) runs.push([", " + bigBurst + " devices", { clients: bigBurst, periodS: 0, durationS: 0 }])
    for (const [suffix, plan] of runs) {
        const sq = await sqliteStore()
        try {
            sync["sqlite" + suffix] = await runSync(sq, dirname(sq.location), plan, log)
        } finally {
            await sq.drop()
        }
        if (pgUrl && !quick) {
            const pgs = await pgStore(pgUrl)
            try {
                sync["postgres" + suffix] = await runSync(pgs, "", plan, log)
            } finally {
                await pgs.drop()
            }
        } else sync["postgres" + suffix] = pgSkip ?? "skipped in --quick"
    }
    return sync
}

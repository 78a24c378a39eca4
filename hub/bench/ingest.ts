// Ingest throughput: the hub's ingestRecords (decode, MAC and chain checks, head lookup, one
// transaction per batch) against the ceiling, raw inserts of the same rows into the same table
// with the same durability, one transaction per batch of the same size.
// Both run in the same process, one batch at a time (a single writer: SQLite serialises
// writers anyway, and the PostgreSQL ceiling is one connection too). To cancel drift from
// other load on the machine the timed part is cut into chunks run alternately, ABBA.
import { PerformanceObserver } from "node:perf_hooks"
import type { HubContext } from "../src/context"
import type { HubDb } from "../src/db/index"
import { ingestRecords } from "../src/ingest"
import { type BenchDevice, type SealedEntry, recordRow } from "./records"
import { type BenchStore, type RawInserter, RECORD_COLUMNS, rawPg, rawSqlite } from "./stores"
import { r0, r2 } from "./stats"

export interface IngestPlan {
    batch: number
    /** records timed, per side */
    n: number
    /** records stored before timing starts, per side */
    warmup: number
}

export interface SideResult {
    recordsPerS: number
    seconds: number
    /** microseconds per record */
    usPerRecord: number
    /** share of the side's time spent in garbage collection (this process) */
    gcShare: number
}

export interface IngestPoint {
    backend: string
    batch: number
    n: number
    warmup: number
    devices: number
    hub: SideResult
    ceiling: SideResult
    /** hub / ceiling */
    ratio: number
    /** records counted in each database afterwards (warm-up + timed) */
    storedHub: number
    storedCeiling: number
}

/** ABBA four times over: on a machine shared with other work, load comes and goes within seconds */
const CHUNKS = 16

// garbage collections of this process, to say how much of each side's time they take
const gcs: { start: number; end: number }[] = []
let gcObserver: PerformanceObserver | null = null
function watchGc() {
    if (gcObserver) return
    gcObserver = new PerformanceObserver(list => {
        for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration })
    })
    gcObserver.observe({ entryTypes: ["gc"] })
}

async function gcMsWithin(spans: [number, number][]): Promise<number> {
    await new Promise(r => setTimeout(r, 10)) // entries are delivered asynchronously
    let ms = 0
    for (const g of gcs) for (const [a, b] of spans) ms += Math.max(0, Math.min(b, g.end) - Math.max(a, g.start))
    return ms
}

/** Batches of `size` records, round-robin over the devices, each device's chain in order. */
export function batchesOf(chains: SealedEntry[][], size: number, total: number, skipPerDevice: number[]): { device: number; entries: SealedEntry[] }[] {
    const out: { device: number; entries: SealedEntry[] }[] = []
    const next = skipPerDevice.slice()
    let d = 0
    let left = total
    while (left > 0) {
        const take = Math.min(size, left)
        const c = chains[d]
        if (next[d] + take > c.length) throw new Error("bench: chain of device " + d + " too short (" + c.length + ") for this plan")
        out.push({ device: d, entries: c.slice(next[d], next[d] + take) })
        next[d] += take
        left -= take
        d = (d + 1) % chains.length
    }
    return out
}

/** records each device needs for a plan (warm-up and timed), so chains are sealed once */
export function perDeviceNeed(p: IngestPlan, devices: number): number {
    const batches = Math.ceil(p.warmup / p.batch) + Math.ceil(p.n / p.batch)
    return Math.ceil(batches / devices) * p.batch + p.batch
}

async function insertDevices(db: HubDb, devices: BenchDevice[], nowMs: number) {
    await db.db.insertInto("devices")
        .values(devices.map(d => ({ id: d.deviceId, key_hex: d.keyHex, label: "bench", created_at_ms: nowMs, created_by: "bench" })))
        .execute()
}

export async function ingestPoint(store: () => Promise<BenchStore>, devices: BenchDevice[], chains: SealedEntry[][], plan: IngestPlan): Promise<IngestPoint> {
    const hubStore = await store()
    const rawStore = await store()
    let hub: HubDb | null = null
    let raw: RawInserter | null = null
    try {
        hub = await hubStore.openHub()
        const h = hub
        const ctx: HubContext = { db: h, nowMs: () => Date.now() }
        await insertDevices(h, devices, Date.now())
        // the ceiling's table is made by the same migrations, then written without the hub
        const schemaOnly = await rawStore.openHub()
        await insertDevices(schemaOnly, devices, Date.now())
        await schemaOnly.close()
        raw = hubStore.backend === "sqlite" ? rawSqlite(rawStore.location) : await rawPg(rawStore.location)
        const r = raw

        const start = devices.map(() => 0)
        const warm = batchesOf(chains, plan.batch, plan.warmup, start)
        const after = start.slice()
        for (const b of warm) after[b.device] += b.entries.length
        const timed = batchesOf(chains, plan.batch, plan.n, after)
        const hexes = (b: { entries: SealedEntry[] }) => b.entries.map(e => e.sealedHex)
        const now = Date.now()
        const rowsOf = (b: { device: number; entries: SealedEntry[] }) =>
            b.entries.map(e => {
                const row = recordRow(devices[b.device].deviceId, e, now) as unknown as Record<string, unknown>
                return RECORD_COLUMNS.map(c => row[c])
            })
        const hubBatch = async (b: { device: number; entries: SealedEntry[] }, hx: string[]) => {
            const res = await ingestRecords(ctx, devices[b.device], hx, { maxBatch: plan.batch })
            for (const x of res.results) if (x.status !== "stored") throw new Error("bench: hub answered " + x.status + " " + (x.reason ?? "") + " for seq " + x.seq)
        }

        for (const b of warm) {
            await hubBatch(b, hexes(b))
            await r.insertBatch(rowsOf(b))
        }
        // the inputs of each side are prepared before its clock starts: hex strings for the hub
        // (what the route hands it after JSON.parse), parameter arrays for the ceiling
        const hubIn = timed.map(hexes)
        const rawIn = timed.map(rowsOf)
        watchGc()
        let hubMs = 0
        let rawMs = 0
        const hubSpans: [number, number][] = []
        const rawSpans: [number, number][] = []
        const per = Math.ceil(timed.length / CHUNKS)
        for (let k = 0; k < CHUNKS; k++) {
            const lo = k * per
            const hi = Math.min(timed.length, lo + per)
            const runHub = async () => {
                const t0 = performance.now()
                for (let i = lo; i < hi; i++) await hubBatch(timed[i], hubIn[i])
                const t1 = performance.now()
                hubMs += t1 - t0
                hubSpans.push([t0, t1])
            }
            const runRaw = async () => {
                const t0 = performance.now()
                for (let i = lo; i < hi; i++) await r.insertBatch(rawIn[i])
                const t1 = performance.now()
                rawMs += t1 - t0
                rawSpans.push([t0, t1])
            }
            if (k % 4 === 0 || k % 4 === 3) {
                await runHub()
                await runRaw()
            } else {
                await runRaw()
                await runHub()
            }
        }
        const storedHub = Number((await h.db.selectFrom("records").select(eb => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n)
        const storedCeiling = await r.count()
        const side = (ms: number, gcMs: number): SideResult =>
            ({ recordsPerS: r0(plan.n / (ms / 1000)), seconds: r2(ms / 1000), usPerRecord: r2((ms * 1000) / plan.n), gcShare: r2(gcMs / ms) })
        const hubSide = side(hubMs, await gcMsWithin(hubSpans))
        const ceilSide = side(rawMs, await gcMsWithin(rawSpans))
        return {
            backend: hubStore.backend, batch: plan.batch, n: plan.n, warmup: plan.warmup, devices: devices.length,
            hub: hubSide, ceiling: ceilSide, ratio: r2(hubSide.recordsPerS / ceilSide.recordsPerS),
            storedHub, storedCeiling,
        }
    } finally {
        await raw?.close()
        await hub?.close()
        await hubStore.drop()
        await rawStore.drop()
    }
}

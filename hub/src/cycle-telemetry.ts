// Past cycles' telemetry, kept in the database per device and cycle so the console can plot a
// finished cycle (the in-memory ring, telemetry.ts, serves the live plot). Every batch the hub
// keeps is also written here (one row, through the group commit on SQLite). Retention, per
// device: the CYCLES_KEPT most recent cycles, none older than RETENTION_DAYS; older ones are
// deleted when a device's next cycle starts.
import type { HubContext } from "./context"
import type { KeptSample } from "./telemetry"
import { groupWrite } from "./db/group-commit"

export const CYCLES_KEPT = 20
export const RETENTION_DAYS = 30
const RETENTION_MS = RETENTION_DAYS * 86_400_000

/** per context: the cycle each device last wrote, so pruning runs once per new cycle */
const lastCycle = new WeakMap<HubContext, Map<string, number>>()

export async function keepCycleTelemetry(ctx: HubContext, deviceId: string, cycle: number, kept: KeptSample[]): Promise<void> {
    if (kept.length === 0) return
    const now = ctx.nowMs()
    const seen = lastCycle.get(ctx) ?? new Map<string, number>()
    lastCycle.set(ctx, seen)
    if (seen.get(deviceId) !== cycle) {
        seen.set(deviceId, cycle)
        await pruneCycleTelemetry(ctx, deviceId, now)
    }
    const samples = kept.map(k => [k[2], k[3], k[4], k[5], k[6]])
    await groupWrite(ctx.db, ctx.db.db.insertInto("cycle_telemetry")
        .values({ device_id: deviceId, cycle, first_uptime_ms: kept[0][2], samples_json: JSON.stringify(samples), received_at_ms: now })
        .onConflict(oc => oc.columns(["device_id", "cycle", "first_uptime_ms"]).doNothing()).compile())
}

/** Before a device's new cycle is written: deletes its cycles older than RETENTION_DAYS and all but the CYCLES_KEPT - 1 newest. */
export async function pruneCycleTelemetry(ctx: HubContext, deviceId: string, nowMs: number): Promise<void> {
    await ctx.db.db.deleteFrom("cycle_telemetry").where("device_id", "=", deviceId)
        .where(eb => eb.or([
            eb("received_at_ms", "<", nowMs - RETENTION_MS),
            eb("cycle", "not in", eb.selectFrom("cycle_telemetry").select("cycle").where("device_id", "=", deviceId)
                .groupBy("cycle").orderBy(eb.fn.max("received_at_ms"), "desc").limit(CYCLES_KEPT - 1)),
        ])).execute()
}

export interface StoredCycle {
    cycle: number
    samples: number
    firstAtMs: number
    lastAtMs: number
}

/** The cycles a device has telemetry stored for, newest first. */
export async function storedCycles(ctx: HubContext, deviceId: string): Promise<StoredCycle[]> {
    const rows = await ctx.db.db.selectFrom("cycle_telemetry").select(["cycle", "samples_json", "received_at_ms"])
        .where("device_id", "=", deviceId).orderBy("cycle").orderBy("first_uptime_ms").execute()
    const by = new Map<number, StoredCycle>()
    for (const r of rows) {
        const c = Number(r.cycle)
        const at = Number(r.received_at_ms)
        const n = (JSON.parse(r.samples_json) as unknown[]).length
        const s = by.get(c)
        if (s) {
            s.samples += n
            s.firstAtMs = Math.min(s.firstAtMs, at)
            s.lastAtMs = Math.max(s.lastAtMs, at)
        } else by.set(c, { cycle: c, samples: n, firstAtMs: at, lastAtMs: at })
    }
    return [...by.values()].sort((a, b) => b.lastAtMs - a.lastAtMs)
}

/** One stored cycle's samples in order: [uptimeMs, phase, filmDeciC, contactDeciC, forceMilliN]. */
export async function cycleSamples(ctx: HubContext, deviceId: string, cycle: number): Promise<number[][]> {
    const rows = await ctx.db.db.selectFrom("cycle_telemetry").select("samples_json")
        .where("device_id", "=", deviceId).where("cycle", "=", cycle).orderBy("first_uptime_ms").execute()
    return rows.flatMap(r => JSON.parse(r.samples_json) as number[][])
}

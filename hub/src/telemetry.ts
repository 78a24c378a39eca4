// Live telemetry: what a device samples during a cycle, kept in memory only (a bounded ring
// per device), for the console's live plot. Not evidence: the compliance record (per-phase
// summaries, sealed on the device) is. A hub restart forgets it; a device posting to another
// hub process is seen by the consoles of that process (at city scale, route a device's
// requests and its console viewers to one process, or replace this store with a shared one).
//
// A sample is [uptimeMs, phase, filmDeciC, contactDeciC, forceMilliN] (integers, the device's
// units). The hub numbers every sample it keeps (per device, from 1) so a reader can ask for
// what came after the last one it has, and labels it with the device's cycle number.
import type { HubContext } from "./context"
import { badRequest } from "./errors"
import { hubManifest } from "./library/manifest"
import { PHASE_COUNT } from "../../src/core/cycle/events"

/** samples one request may carry: ~2 s of a 50 ms control loop at every other tick, in ~1.5 KB of JSON */
export const TELEMETRY_BATCH_MAX = 64
/** samples kept per device: ~4 min at 16 samples/s, ~140 KB per device */
export const TELEMETRY_RING = 4096
/** cycle numbers are the device's own counter (boot-persistent), below 2^32 */
export const CYCLE_MAX = 4294967295
/** uptime in ms: 2^40 ms is ~35 years */
export const UPTIME_MAX_MS = 2 ** 40

export type Sample = [number, number, number, number, number]
/** a kept sample: [n, cycle, uptimeMs, phase, filmDeciC, contactDeciC, forceMilliN] */
export type KeptSample = [number, number, number, number, number, number, number]

const FIELDS = ["uptimeMs", "phase", "filmDeciC", "contactDeciC", "forceMilliN"]

/** [min, max] of each sample field: the sensors' physical ranges from the manifest. */
export function sampleRanges(): [number, number][] {
    const l = hubManifest().limits
    return [
        [0, UPTIME_MAX_MS], [0, PHASE_COUNT - 1],
        [l.filmSensorMinDeciC, l.filmSensorMaxDeciC], [l.contactSensorMinDeciC, l.contactSensorMaxDeciC],
        [l.forceSensorMinMilliN, l.forceSensorMaxMilliN],
    ]
}

/** Checks a telemetry body's content (its shape is checked by the route's schema); throws 400 naming the field. */
export function checkSamples(samples: number[][]): Sample[] {
    const ranges = sampleRanges()
    for (let i = 0; i < samples.length; i++) {
        const s = samples[i]
        for (let k = 0; k < FIELDS.length; k++) {
            const [lo, hi] = ranges[k]
            if (s[k] < lo || s[k] > hi)
                throw badRequest("bad_sample", "samples[" + i + "][" + k + "] (" + FIELDS[k] + ") " + s[k] + " is outside " + lo + ".." + hi)
        }
        if (i > 0 && s[0] <= samples[i - 1][0])
            throw badRequest("bad_sample", "samples[" + i + "][0] (uptimeMs) must be after samples[" + (i - 1) + "][0]: samples go in time order")
    }
    return samples as Sample[]
}

type Listener = (kept: KeptSample[]) => void

class DeviceRing {
    readonly buf: KeptSample[] = []
    next = 1
    lastUptimeMs = -1
    lastCycle = -1
    /** when (hub clock, ms) the last sample was kept */
    lastAtMs = 0
    readonly listeners = new Set<Listener>()
}

export class TelemetryStore {
    private readonly rings = new Map<string, DeviceRing>()

    constructor(readonly capacity = TELEMETRY_RING) {}

    private ring(deviceId: string): DeviceRing {
        let r = this.rings.get(deviceId)
        if (!r) {
            r = new DeviceRing()
            this.rings.set(deviceId, r)
        }
        return r
    }

    /** Keeps checked samples; a batch the ring already has (a retried post) is kept once. Returns what was kept. */
    add(deviceId: string, cycle: number, samples: Sample[], atMs = Date.now()): KeptSample[] {
        const r = this.ring(deviceId)
        const kept: KeptSample[] = []
        for (const s of samples) {
            // within one cycle uptime only goes forward: an older sample is a retried post
            if (cycle === r.lastCycle && s[0] <= r.lastUptimeMs) continue
            const k: KeptSample = [r.next++, cycle, s[0], s[1], s[2], s[3], s[4]]
            r.buf.push(k)
            r.lastCycle = cycle
            r.lastUptimeMs = s[0]
            kept.push(k)
        }
        if (r.buf.length > this.capacity) r.buf.splice(0, r.buf.length - this.capacity)
        if (kept.length > 0) r.lastAtMs = atMs
        if (kept.length > 0) for (const l of r.listeners) l(kept)
        return kept
    }

    /** Samples after number `after` (at most `limit`), and the latest cycle seen. */
    read(deviceId: string, after: number, limit = this.capacity): { cycle: number | null; last: number; samples: KeptSample[] } {
        const r = this.rings.get(deviceId)
        if (!r) return { cycle: null, last: 0, samples: [] }
        // numbers are contiguous in the buffer: index of n is n - first
        const first = r.buf.length > 0 ? r.buf[0][0] : r.next
        const from = Math.max(0, after + 1 - first)
        const samples = r.buf.slice(from, from + limit)
        return { cycle: r.lastCycle >= 0 ? r.lastCycle : null, last: r.next - 1, samples }
    }

    /** Every device's latest kept sample and when it was kept (the fleet's live values). */
    latest(): { deviceId: string; atMs: number; sample: KeptSample }[] {
        const out: { deviceId: string; atMs: number; sample: KeptSample }[] = []
        for (const [deviceId, r] of this.rings) if (r.buf.length > 0) out.push({ deviceId, atMs: r.lastAtMs, sample: r.buf[r.buf.length - 1] })
        return out
    }

    /** The number just before the latest cycle's first kept sample (0 when nothing is kept). */
    cycleStart(deviceId: string): number {
        const r = this.rings.get(deviceId)
        if (!r || r.buf.length === 0) return 0
        let i = r.buf.length - 1
        while (i > 0 && r.buf[i - 1][1] === r.lastCycle) i--
        return r.buf[i][0] - 1
    }

    subscribe(deviceId: string, l: Listener): () => void {
        const r = this.ring(deviceId)
        r.listeners.add(l)
        return () => r.listeners.delete(l)
    }
}

const stores = new WeakMap<HubContext, TelemetryStore>()

/** The hub's telemetry store (one per context: tests get a fresh one with each hub). */
export function telemetryOf(ctx: HubContext): TelemetryStore {
    let s = stores.get(ctx)
    if (!s) {
        s = new TelemetryStore()
        stores.set(ctx, s)
    }
    return s
}

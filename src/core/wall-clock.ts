// Wall-clock time on a device that only has uptime (ds.millis()): the hub's sync gives an
// anchor (Unix seconds at a known uptime) and the time is derived from it. No anchor = not
// synced = 0, which every consumer treats as "unknown" (bundle expiry fails closed on it).

export interface ClockAnchor {
    /** Unix seconds the hub reported */
    unixS: number
    /** uptime (ms) when it was received */
    atUptimeMs: number
}

/** Unix seconds at uptime nowMs, or 0 when the clock was never synced since boot. */
export function wallUnixS(anchor: ClockAnchor | null, nowMs: number): number {
    if (!anchor || anchor.unixS <= 0) return 0
    return anchor.unixS + Math.floor((nowMs - anchor.atUptimeMs) / 1000)
}

// Small numeric helpers shared by the hub benchmarks.

/** nearest-rank percentile of an ascending list */
export function pct(sorted: number[], p: number): number {
    if (sorted.length === 0) return NaN
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

export interface LatencyStats {
    n: number
    p50: number
    p90: number
    p99: number
    max: number
    mean: number
}

export function latency(ms: number[]): LatencyStats {
    const s = ms.slice().sort((a, b) => a - b)
    const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)
    return { n: s.length, p50: r2(pct(s, 50)), p90: r2(pct(s, 90)), p99: r2(pct(s, 99)), max: r2(s.length ? s[s.length - 1] : NaN), mean: r2(mean) }
}

export function r2(x: number): number {
    return Math.round(x * 100) / 100
}

export function r0(x: number): number {
    return Math.round(x)
}

export function median(v: number[]): number {
    const s = v.slice().sort((a, b) => a - b)
    if (s.length === 0) return NaN
    const m = s.length >> 1
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** fixed-width table: first column left-aligned, the rest right-aligned */
export function table(head: string[], rows: (string | number)[][]): string {
    const all = [head, ...rows.map(r => r.map(c => String(c)))]
    const w = head.map((_, i) => Math.max(...all.map(r => (r[i] ?? "").length)))
    return all.map(r => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ")).join("\n")
}

// SVG plot of a scenario: film and contact temperature (left axis, °C) and force (right axis,
// N) over time, phases shaded and labelled, the injected fault marked. No dependencies.
import type { TracePoint } from "./engine"

const W = 900
const H = 360
const PAD = { l: 56, r: 56, t: 28, b: 40 }
const PHASE_FILL: { [p: string]: string } = {
    preheat: "#fde8d7", approach: "#e3eefc", press: "#d9ecd9", cure: "#efe2f7", release: "#e8f4f4", cool: "#eef0f2",
    faulted: "#f8d0d0", aborted: "#f3e0c0",
}

function esc(s: string) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;")
}

export function plotSvg(title: string, trace: TracePoint[], marks: { t: number; label: string }[]): string {
    if (trace.length < 2) return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="80"><text x="10" y="40">${esc(title)}: no data</text></svg>`
    const t0 = trace[0].t
    const t1 = trace[trace.length - 1].t
    const tMax = Math.max(...trace.map(p => Math.max(p.filmC, p.tipC)))
    const fMax = Math.max(5, ...trace.map(p => p.forceN))
    const yT = (c: number) => PAD.t + (H - PAD.t - PAD.b) * (1 - c / (Math.ceil(tMax / 10) * 10 + 10))
    const yF = (n: number) => PAD.t + (H - PAD.t - PAD.b) * (1 - n / (Math.ceil(fMax / 10) * 10 + 5))
    const x = (t: number) => PAD.l + (W - PAD.l - PAD.r) * ((t - t0) / Math.max(1, t1 - t0))
    const line = (f: (p: TracePoint) => number, y: (v: number) => number) =>
        trace.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(f(p)).toFixed(1)}`).join("")
    const out: string[] = []
    out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`)
    out.push(`<rect width="${W}" height="${H}" fill="white"/>`)
    // phase bands
    let start = 0
    for (let i = 1; i <= trace.length; i++) {
        if (i < trace.length && trace[i].phase === trace[start].phase) continue
        const ph = trace[start].phase
        const fill = PHASE_FILL[ph]
        if (fill) {
            const xa = x(trace[start].t)
            const xb = x(trace[i - 1].t)
            out.push(`<rect x="${xa.toFixed(1)}" y="${PAD.t}" width="${Math.max(1, xb - xa).toFixed(1)}" height="${H - PAD.t - PAD.b}" fill="${fill}"/>`)
            out.push(`<text x="${(xa + 3).toFixed(1)}" y="${PAD.t + 12}" fill="#555">${esc(ph)}</text>`)
        }
        start = i
    }
    // axes and grid
    const tTop = Math.ceil(tMax / 10) * 10 + 10
    for (let c = 0; c <= tTop; c += 10) {
        out.push(`<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${yT(c).toFixed(1)}" y2="${yT(c).toFixed(1)}" stroke="#ddd"/>`)
        out.push(`<text x="${PAD.l - 6}" y="${(yT(c) + 4).toFixed(1)}" text-anchor="end">${c}</text>`)
    }
    const fTop = Math.ceil(fMax / 10) * 10 + 5
    for (let n = 0; n <= fTop; n += 10) out.push(`<text x="${W - PAD.r + 6}" y="${(yF(n) + 4).toFixed(1)}" fill="#2a7">${n}</text>`)
    for (let s = 0; s <= (t1 - t0) / 1000; s += 10)
        out.push(`<text x="${x(t0 + s * 1000).toFixed(1)}" y="${H - PAD.b + 16}" text-anchor="middle">${s}</text>`)
    out.push(`<text x="${W / 2}" y="${H - 6}" text-anchor="middle">time, s</text>`)
    out.push(`<text x="14" y="${H / 2}" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">temperature, °C</text>`)
    out.push(`<text x="${W - 12}" y="${H / 2}" transform="rotate(90 ${W - 12} ${H / 2})" text-anchor="middle" fill="#2a7">force, N</text>`)
    out.push(`<path d="${line(p => p.filmC, yT)}" fill="none" stroke="#d33" stroke-width="1.6"/>`)
    out.push(`<path d="${line(p => p.tipC, yT)}" fill="none" stroke="#f90" stroke-width="1.6"/>`)
    out.push(`<path d="${line(p => p.forceN, yF)}" fill="none" stroke="#2a7" stroke-width="1.6"/>`)
    for (const mk of marks) {
        const xm = x(mk.t)
        out.push(`<line x1="${xm.toFixed(1)}" x2="${xm.toFixed(1)}" y1="${PAD.t}" y2="${H - PAD.b}" stroke="#000" stroke-dasharray="4 3"/>`)
        out.push(`<text x="${(xm + 3).toFixed(1)}" y="${H - PAD.b - 6}">${esc(mk.label)}</text>`)
    }
    out.push(`<text x="${PAD.l}" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`)
    out.push(`<text x="${W - PAD.r}" y="18" text-anchor="end"><tspan fill="#d33">film</tspan>  <tspan fill="#f90">contact</tspan>  <tspan fill="#2a7">force</tspan></text>`)
    out.push("</svg>")
    return out.join("\n")
}

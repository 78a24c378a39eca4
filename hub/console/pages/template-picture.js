// @ts-check
// A template drawn: the arch it is shaped for (archPointsUm, µm, seen from above) and its
// process (film temperature and press force through the cycle's phases, with the contact
// limit). Soak, press ramp and cure are drawn to scale; preheat, approach, release and cooling
// last as long as the device needs, so they get a fixed width (said under the picture).
import { degC, newton } from "../api.js"

const NS = "http://www.w3.org/2000/svg"

/** @param {string} tag @param {Record<string, string | number>} attrs @param {...(Element | string)} children */
function s(tag, attrs, ...children) {
    const el = document.createElementNS(NS, tag)
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v))
    for (const c of children) el.append(c)
    return el
}

/** @param {number} v */
const r1 = v => Math.round(v * 10) / 10

/** The arch seen from above, in mm, scaled to fit. @param {number[][]} points */
export function archSvg(points) {
    const W = 320, H = 200, M = 28
    const xs = points.map(p => p[0]), ys = points.map(p => p[1])
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]
    const k = Math.min((W - 2 * M) / Math.max(1, x1 - x0), (H - 2 * M) / Math.max(1, y1 - y0))
    const px = (/** @type {number} */ x) => r1(M + (x - x0) * k + ((W - 2 * M) - (x1 - x0) * k) / 2)
    const py = (/** @type {number} */ y) => r1(H - M - (y - y0) * k)
    const mm = (/** @type {number} */ um) => (um / 1000).toFixed(1) + " mm"
    const svg = s("svg", { id: "tpl-arch", viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
        "aria-label": "Arch: " + points.length + " points, " + mm(x1 - x0) + " wide, " + mm(y1 - y0) + " deep" })
    svg.append(
        s("line", { x1: M, y1: H - M, x2: W - M, y2: H - M, stroke: "#6b7280" }),
        s("text", { x: W / 2, y: H - 6, "text-anchor": "middle", "font-size": 11, fill: "#111827" }, "width " + mm(x1 - x0)),
        s("text", { x: 4, y: 14, "font-size": 11, fill: "#111827" }, "depth " + mm(y1 - y0)),
        s("polyline", { points: points.map(p => px(p[0]) + "," + py(p[1])).join(" "), fill: "none", stroke: "#7c3aed", "stroke-width": 3, "stroke-linejoin": "round" }),
        ...points.map(p => s("circle", { cx: px(p[0]), cy: py(p[1]), r: 3, fill: "#7c3aed" })))
    return svg
}

/**
 * The process through the phases: film temperature (left axis) and force (right axis).
 * @param {{ filmDeciC: number, soakMs: number, forceMilliN: number, rampMs: number, cureDeciC: number, cureMs: number, coolDeciC: number, contactMaxDeciC: number }} p
 */
export function processSvg(p) {
    const W = 520, H = 240, L = 48, R = 48, T = 16, B = 52
    const room = 250 // 25.0 °C, where a cold device starts
    const fixed = 48
    const timed = [p.soakMs, p.rampMs, p.cureMs]
    const total = timed.reduce((a, b) => a + b, 0) || 1
    const free = W - L - R - 4 * fixed
    // each timed phase to scale, at least 36 px so its label fits
    const widths = timed.map(ms => Math.max(36, (ms / total) * (free - 3 * 36) + 0))
    const scale = free / widths.reduce((a, b) => a + b, 0)
    const [soakW, rampW, cureW] = widths.map(w => w * scale)
    /** [label, width, to scale] */
    const phases = /** @type {[string, number, boolean][]} */ ([["preheat", fixed, false], ["soak", soakW, true], ["approach", fixed, false], ["press", rampW, true], ["cure", cureW, true], ["release", fixed, false], ["cool", fixed, false]])
    const edges = [L]
    for (const ph of phases) edges.push(edges[edges.length - 1] + ph[1])
    const tMax = Math.max(p.filmDeciC, p.cureDeciC, p.contactMaxDeciC) * 1.15
    const fMax = p.forceMilliN * 1.25
    const yT = (/** @type {number} */ d) => r1(T + (H - T - B) * (1 - d / tMax))
    const yF = (/** @type {number} */ mn) => r1(T + (H - T - B) * (1 - mn / fMax))
    const [e0, e1, e2, e3, e4, e5, e6, e7] = edges
    const film = [[e0, room], [e1, p.filmDeciC], [e4, p.filmDeciC], [e4, p.cureDeciC], [e6, p.cureDeciC], [e7, p.coolDeciC]]
    const force = [[e0, 0], [e3, 0], [e4, p.forceMilliN], [e5, p.forceMilliN], [e6, 0], [e7, 0]]
    const desc = "Process: film heated to " + degC(p.filmDeciC) + ", soak " + p.soakMs / 1000 + " s, press to " + newton(p.forceMilliN) +
        " over " + p.rampMs / 1000 + " s, cure at " + degC(p.cureDeciC) + " for " + p.cureMs / 1000 + " s, release, cool to " + degC(p.coolDeciC) +
        "; patient contact limit " + degC(p.contactMaxDeciC)
    const svg = s("svg", { id: "tpl-process", viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img", "aria-label": desc })
    const text = (/** @type {number} */ x, /** @type {number} */ y, /** @type {string} */ t, /** @type {Record<string, string | number>} */ a = {}) =>
        s("text", { x: r1(x), y: r1(y), "font-size": 11, fill: "#111827", ...a }, t)
    phases.forEach((ph, i) => {
        const [x0, x1] = [edges[i], edges[i + 1]]
        if (!ph[2]) svg.append(s("rect", { x: r1(x0), y: T, width: r1(x1 - x0), height: H - T - B, fill: "#f1f5f9" }))
        svg.append(s("line", { x1: r1(x0), y1: T, x2: r1(x0), y2: H - B, stroke: "#d1d5db" }))
        // labels alternate between two rows, so neighbours never overlap
        svg.append(text((x0 + x1) / 2, H - B + 14 + (i % 2) * 13, ph[0], { "text-anchor": "middle", class: "phase-label" }))
    })
    svg.append(
        s("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#6b7280" }),
        s("line", { x1: L, y1: yT(p.contactMaxDeciC), x2: W - R, y2: yT(p.contactMaxDeciC), stroke: "#1d4ed8", "stroke-dasharray": "5 4" }),
        // under the line in the cure phase, clear of the cool-to label at the right end
        text(e4 + 4, yT(p.contactMaxDeciC) + 12, "contact limit " + degC(p.contactMaxDeciC), { fill: "#1d4ed8" }),
        s("polyline", { class: "film", points: film.map(([x, d]) => r1(x) + "," + yT(d)).join(" "), fill: "none", stroke: "#c2410c", "stroke-width": 2.5 }),
        s("polyline", { class: "force", points: force.map(([x, f]) => r1(x) + "," + yF(f)).join(" "), fill: "none", stroke: "#15803d", "stroke-width": 2.5 }),
        text(L - 4, yT(p.filmDeciC) + 4, degC(p.filmDeciC), { "text-anchor": "end", fill: "#c2410c" }),
        text(W - R + 4, yF(p.forceMilliN) + 4, newton(p.forceMilliN), { fill: "#15803d" }),
        text(e7 - 2, yT(p.coolDeciC) + 14, "cool to " + degC(p.coolDeciC), { "text-anchor": "end", fill: "#c2410c" }),
        text(L, H - 8, "film °C (left) · force N (right) · shaded phases are not to scale", { fill: "#374151" }))
    return svg
}

/** Both pictures in one figure. @param {any} design */
export function templatePicture(design) {
    const fig = document.createElement("figure")
    fig.className = "tpl-picture"
    const cap = document.createElement("figcaption")
    cap.textContent = "The arch it is shaped for, and its process"
    fig.append(cap, archSvg(design.archPointsUm), processSvg(design.process))
    return fig
}

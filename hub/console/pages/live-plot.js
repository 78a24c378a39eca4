// @ts-check
// The device page's live plot: film and contact temperature (°C, left axis) and force (N,
// right axis) against seconds since the cycle's first sample, with a vertical marker where each
// phase begins and dashed lines at the template's targets. Fed by the hub's Server-Sent Events
// stream (GET /api/devices/:id/telemetry/stream); a new cycle number starts a new plot.
// For tests and the time-to-first-point measurement, the figure carries data-received (samples
// taken), data-drawn (points in the last drawn frame) and data-first-point-ms (ms from
// navigation start to the first frame with a point).
import uPlot from "../vendor/uPlot.esm.js"
import { h, PHASES, fill } from "../api.js"

const COLORS = { film: "#c2410c", contact: "#1d4ed8", force: "#15803d", phase: "#4b5563", fault: "#b91c1c" }
/** the cycle's faulted phase (PHASES): drawn as a red fault marker */
const FAULTED = PHASES.indexOf("faulted")

/** A legend value with its unit, "–" off the data. @param {string} u */
const unit = u => (/** @type {any} */ _u, /** @type {number | null} */ v) => v == null ? "–" : v.toFixed(1) + " " + u

/**
 * A scale's range with headroom: 10 % of the span above the data (at least `pad`), never
 * below `floor`, and up to `atLeast` (a target) when the data stays under it.
 * @param {number} lo @param {number} hi @param {number} floor @param {number} atLeast @param {number} pad
 * @returns {[number, number]}
 */
export function withHeadroom(lo, hi, floor, atLeast, pad) {
    const min = Math.min(lo ?? floor, floor)
    const top = Math.max(hi ?? atLeast, atLeast)
    return [min, top + Math.max(pad, (top - min) * 0.1)]
}

/** @typedef {{ filmDeciC: number, cureDeciC: number, coolDeciC: number, contactMaxDeciC: number, forceMilliN: number }} Targets */

/**
 * The live plot (the device's stream), or with `past` a finished cycle's stored samples
 * (GET …/cycles/:cycle/telemetry: [uptimeMs, phase, filmDeciC, contactDeciC, forceMilliN]).
 * @param {string} deviceId
 * @param {{ cycle: number, samples: number[][], id: string }} [past]
 * @returns {{ el: HTMLElement, setTargets: (t: Targets | null, forCycle?: number | null) => void, setFault: (code: number) => void, stop: () => void }}
 */
export function livePlot(deviceId, past) {
    const figure = h("figure", { class: "plot", id: past ? past.id : "live-plot", dataset: { received: "0", drawn: "0", cycle: "" } })
    const caption = h("figcaption", {}, "Live cycle: waiting for telemetry from " + deviceId + "…")
    const holder = h("div", { class: "plot-holder" })
    const legend = h("ul", { class: "targets", "aria-label": "Template targets" })
    figure.append(caption, holder, legend)

    /** @type {number[][]} x s, film °C, contact °C, force N */
    let data = [[], [], [], []]
    /** @type {{ x: number, phase: number }[]} */
    let markers = []
    /** @type {Targets | null} */
    let targets = null
    /** the cycle the targets belong to (the session's; null before it starts) */
    let targetsCycle = /** @type {number | null} */ (null)
    let legendKey = ""
    let cycle = -1
    let t0 = 0
    let lastN = 0
    let lastPhase = -1
    let received = 0
    /** the device's latched fault code, for the fault marker's label (0 none) */
    let faultCode = 0

    /** @param {uPlot} u */
    function drawOverlay(u) {
        const ctx = u.ctx
        const { left, top, width, height } = u.bbox
        ctx.save()
        const dpr = devicePixelRatio
        ctx.font = Math.round(11 * dpr) + "px system-ui, sans-serif"
        // a label goes on the first row where it clears every label already there: none overlap
        /** @type {number[]} right edge of the last label on each row */
        const rowEnds = []
        /** @type {{ text: string, x: number, row: number, w: number }[]} */
        const boxes = []
        let faultMarks = 0
        for (const m of markers) {
            const x = u.valToPos(m.x, "x", true)
            if (x < left || x > left + width) continue
            const fault = m.phase === FAULTED
            ctx.strokeStyle = fault ? COLORS.fault : COLORS.phase
            ctx.setLineDash([])
            ctx.lineWidth = (fault ? 3 : 1) * dpr
            ctx.beginPath()
            ctx.moveTo(x, top)
            ctx.lineTo(x, top + height)
            ctx.stroke()
            ctx.fillStyle = fault ? COLORS.fault : COLORS.phase
            const text = fault ? "fault" + (faultCode ? " E" + faultCode : "") : PHASES[m.phase] ?? String(m.phase)
            const w = ctx.measureText(text).width
            // right of its line, or left of it where it would run past the plot
            const x0 = x + 3 * dpr + w > left + width ? x - 3 * dpr - w : x + 3 * dpr
            let row = rowEnds.findIndex(end => end + 4 * dpr <= x0)
            if (row < 0) row = rowEnds.length
            rowEnds[row] = x0 + w
            ctx.fillText(text, x0, top + (12 + 13 * row) * dpr)
            boxes.push({ text, x: x0 / dpr, row, w: w / dpr })
            if (fault) faultMarks++
        }
        /** @type {any} */ (figure).labelBoxes = boxes
        figure.dataset["faultMarkers"] = String(faultMarks)
        // a session's targets belong to its cycle: never drawn over another cycle's readings
        const drawTargets = targets !== null && targetsCycle === cycle
        figure.dataset["targetsDrawn"] = String(drawTargets)
        if (targets && drawTargets) {
            ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio])
            /** @type {[number, string, string][]} */
            const lines = [[targets.filmDeciC / 10, "temp", COLORS.film], [targets.cureDeciC / 10, "temp", COLORS.film],
                [targets.contactMaxDeciC / 10, "temp", COLORS.contact], [targets.forceMilliN / 1000, "force", COLORS.force]]
            for (const [v, scale, color] of lines) {
                const y = u.valToPos(v, scale, true)
                if (y < top || y > top + height) continue
                ctx.strokeStyle = color
                ctx.beginPath()
                ctx.moveTo(left, y)
                ctx.lineTo(left + width, y)
                ctx.stroke()
            }
        }
        ctx.restore()
        figure.dataset["tempMax"] = String(u.scales.temp.max)
        figure.dataset["forceMax"] = String(u.scales.force.max)
        const drawn = u.data[0].length
        figure.dataset["drawn"] = String(drawn)
        if (drawn > 0 && !figure.dataset["firstPointMs"]) figure.dataset["firstPointMs"] = String(Math.round(performance.now()))
    }

    const width = () => Math.max(280, holder.clientWidth || 600)
    const u = new uPlot({
        width: width(), height: 320,
        scales: {
            x: { time: false },
            temp: { auto: true, range: (/** @type {any} */ _u, /** @type {number} */ lo, /** @type {number} */ hi) => withHeadroom(lo, hi, 20, targets ? targets.filmDeciC / 10 : 40, 5) },
            force: { auto: true, range: (/** @type {any} */ _u, /** @type {number} */ lo, /** @type {number} */ hi) => withHeadroom(lo, hi, 0, targets ? targets.forceMilliN / 1000 : 5, 1) },
        },
        // the legend shows each series' value at the cursor, with its unit
        legend: { live: true },
        axes: [
            { label: "s since cycle start" },
            { scale: "temp", label: "°C" },
            { scale: "force", label: "N", side: 1, grid: { show: false } },
        ],
        series: [
            { label: "time", value: unit("s") },
            { label: "film", scale: "temp", stroke: COLORS.film, width: 2, value: unit("°C") },
            { label: "contact", scale: "temp", stroke: COLORS.contact, width: 2, value: unit("°C") },
            { label: "force", scale: "force", stroke: COLORS.force, width: 2, value: unit("N") },
        ],
        hooks: { draw: [drawOverlay] },
    }, /** @type {any} */ (data), holder)

    const onResize = () => u.setSize({ width: width(), height: 320 })
    window.addEventListener("resize", onResize)
    requestAnimationFrame(onResize)

    /** @param {number[][]} samples [n, cycle, uptimeMs, phase, filmDeciC, contactDeciC, forceMilliN] */
    function take(samples) {
        let changed = false
        for (const s of samples) {
            if (s[0] <= lastN) continue // a reconnect resends what we have
            lastN = s[0]
            if (s[1] !== cycle) {
                cycle = s[1]
                t0 = s[2]
                data = [[], [], [], []]
                markers = []
                lastPhase = -1
                figure.dataset["cycle"] = String(cycle)
            }
            const x = (s[2] - t0) / 1000
            if (s[3] !== lastPhase) {
                markers.push({ x, phase: s[3] })
                lastPhase = s[3]
            }
            data[0].push(x)
            data[1].push(s[4] / 10)
            data[2].push(s[5] / 10)
            data[3].push(s[6] / 1000)
            received++
            changed = true
        }
        if (!changed) return
        figure.dataset["received"] = String(received)
        const last = data[0].length - 1
        caption.textContent = (past ? "Cycle " : "Live cycle ") + cycle + ": " + (PHASES[lastPhase] ?? lastPhase) + ", film " + data[1][last].toFixed(1) + " °C, contact " +
            data[2][last].toFixed(1) + " °C, force " + data[3][last].toFixed(1) + " N (" + data[0].length + " points)"
        u.setData(/** @type {any} */ (data))
    }

    /** @type {EventSource | null} */
    let source = null
    if (past) {
        take(past.samples.map((s, i) => [i + 1, past.cycle, ...s]))
    } else {
        source = new EventSource("/api/devices/" + encodeURIComponent(deviceId) + "/telemetry/stream")
        source.onmessage = ev => take(JSON.parse(ev.data).samples)
        source.addEventListener("hello", ev => {
            const hello = JSON.parse(/** @type {MessageEvent} */ (ev).data)
            if (hello.cycle === null) caption.textContent = "Live cycle: no telemetry from " + deviceId + " yet (it streams while a cycle runs)."
        })
    }

    return {
        el: figure,
        setTargets(t, forCycle = null) {
            targets = t
            targetsCycle = forCycle
            const key = t ? JSON.stringify(t) + ":" + forCycle + ":" + cycle : "none"
            if (key === legendKey) return
            legendKey = key
            fill(legend, ...(t ? [
                h("li", { class: "t-film" }, "film target " + (t.filmDeciC / 10).toFixed(1) + " °C, cure " + (t.cureDeciC / 10).toFixed(1) + " °C"),
                h("li", { class: "t-contact" }, "contact limit " + (t.contactMaxDeciC / 10).toFixed(1) + " °C"),
                h("li", { class: "t-force" }, "force target " + (t.forceMilliN / 1000).toFixed(1) + " N"),
                forCycle !== cycle ? h("li", { class: "muted", id: "targets-pending" }, "(the session's targets: drawn once its cycle starts)") : null,
            ] : [h("li", {}, "No template targets: no session is open for this device.")]))
            u.redraw(false)
        },
        /** @param {number} code the device's latched fault (0 none): names the fault marker */
        setFault(code) {
            if (code === faultCode) return
            faultCode = code
            u.redraw(false)
        },
        stop() {
            source?.close()
            window.removeEventListener("resize", onResize)
            u.destroy()
        },
    }
}

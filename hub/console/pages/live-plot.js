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

const COLORS = { film: "#c2410c", contact: "#1d4ed8", force: "#15803d", phase: "#6b7280" }

/** @typedef {{ filmDeciC: number, cureDeciC: number, coolDeciC: number, contactMaxDeciC: number, forceMilliN: number }} Targets */

/**
 * @param {string} deviceId
 * @returns {{ el: HTMLElement, setTargets: (t: Targets | null) => void, stop: () => void }}
 */
export function livePlot(deviceId) {
    const figure = h("figure", { class: "plot", id: "live-plot", dataset: { received: "0", drawn: "0", cycle: "" } })
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
    let cycle = -1
    let t0 = 0
    let lastN = 0
    let lastPhase = -1
    let received = 0

    /** @param {uPlot} u */
    function drawOverlay(u) {
        const ctx = u.ctx
        const { left, top, width, height } = u.bbox
        ctx.save()
        ctx.font = Math.round(11 * devicePixelRatio) + "px system-ui, sans-serif"
        for (const m of markers) {
            const x = u.valToPos(m.x, "x", true)
            if (x < left || x > left + width) continue
            ctx.strokeStyle = COLORS.phase
            ctx.setLineDash([])
            ctx.lineWidth = devicePixelRatio
            ctx.beginPath()
            ctx.moveTo(x, top)
            ctx.lineTo(x, top + height)
            ctx.stroke()
            ctx.fillStyle = COLORS.phase
            ctx.fillText(PHASES[m.phase] ?? String(m.phase), x + 3 * devicePixelRatio, top + 12 * devicePixelRatio)
        }
        if (targets) {
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
        const drawn = u.data[0].length
        figure.dataset["drawn"] = String(drawn)
        if (drawn > 0 && !figure.dataset["firstPointMs"]) figure.dataset["firstPointMs"] = String(Math.round(performance.now()))
    }

    const width = () => Math.max(280, holder.clientWidth || 600)
    const u = new uPlot({
        width: width(), height: 320,
        scales: { x: { time: false }, temp: { auto: true, range: (_u, lo, hi) => [Math.min(lo, 20), Math.max(hi, targets ? targets.filmDeciC / 10 + 5 : 40)] }, force: { auto: true, range: (_u, lo, hi) => [Math.min(lo, 0), Math.max(hi, targets ? targets.forceMilliN / 1000 * 1.2 : 5)] } },
        axes: [
            { label: "s since cycle start" },
            { scale: "temp", label: "°C" },
            { scale: "force", label: "N", side: 1, grid: { show: false } },
        ],
        series: [
            { label: "s" },
            { label: "film °C", scale: "temp", stroke: COLORS.film, width: 2 },
            { label: "contact °C", scale: "temp", stroke: COLORS.contact, width: 2 },
            { label: "force N", scale: "force", stroke: COLORS.force, width: 2 },
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
        caption.textContent = "Live cycle " + cycle + ": " + (PHASES[lastPhase] ?? lastPhase) + ", film " + data[1][last].toFixed(1) + " °C, contact " +
            data[2][last].toFixed(1) + " °C, force " + data[3][last].toFixed(1) + " N (" + data[0].length + " points)"
        u.setData(/** @type {any} */ (data))
    }

    const source = new EventSource("/api/devices/" + encodeURIComponent(deviceId) + "/telemetry/stream")
    source.onmessage = ev => take(JSON.parse(ev.data).samples)
    source.addEventListener("hello", ev => {
        const hello = JSON.parse(/** @type {MessageEvent} */ (ev).data)
        if (hello.cycle === null) caption.textContent = "Live cycle: no telemetry from " + deviceId + " yet (it streams while a cycle runs)."
    })

    return {
        el: figure,
        setTargets(t) {
            targets = t
            fill(legend, ...(t ? [
                h("li", { class: "t-film" }, "film target " + (t.filmDeciC / 10).toFixed(1) + " °C, cure " + (t.cureDeciC / 10).toFixed(1) + " °C"),
                h("li", { class: "t-contact" }, "contact limit " + (t.contactMaxDeciC / 10).toFixed(1) + " °C"),
                h("li", { class: "t-force" }, "force target " + (t.forceMilliN / 1000).toFixed(1) + " N"),
            ] : [h("li", {}, "No template targets: no session is open for this device.")]))
            u.redraw(false)
        },
        stop() {
            source.close()
            window.removeEventListener("resize", onResize)
            u.destroy()
        },
    }
}

// @ts-check
// One device: its reported status (refreshed every 2 s; online/offline, a latched fault before
// anything else), the live plot of the running cycle with the session template's targets, the
// session panel (operators; none offered while a fault is latched), the latched fault and alerts
// with what to do, plots of past cycles from the telemetry the hub keeps, the summaries of its
// past cycles from the stored records, and its calibrations and upkeep (first for technicians).
// The record views (cycleSummary, phaseTable, fitFacts) are shared with the records and patient pages.
import { api, h, say, errorText, ago, when, table, degC, newton, PHASES, OUTCOMES, faultTable, fill } from "../api.js"
import { livePlot } from "./live-plot.js"
import { sessionPanel } from "./session.js"
import { simPanel } from "./sim-panel.js"
import { onlineBadge, stateText, phaseText, ONLINE_RULE } from "../device-state.js"

/** @param {HTMLElement} main @param {{ name: string, role: string }} me @param {string} deviceId */
export async function page(main, me, deviceId) {
    const guidance = await faultTable()
    const status = h("section", { class: "card", "aria-labelledby": "status-h" })
    const faults = h("section", { class: "card", "aria-labelledby": "faults-h" })
    const cycles = h("section", { class: "card wide", "aria-labelledby": "cycles-h" })
    const plot = livePlot(deviceId)
    main.append(h("h1", {}, "Device " + deviceId), h("div", { class: "grid" }, status, faults), h("section", { class: "card wide", "aria-label": "Live plot" }, plot.el))
    /** @type {ReturnType<typeof sessionPanel> | null} */
    let panel = null
    /** the simulator panel: only for a device npm start simulates */
    /** @type {Awaited<ReturnType<typeof simPanel>>} */
    let sim = null
    if (me.role === "operator" || me.role === "technician") {
        panel = sessionPanel(deviceId, me.role === "operator", (t, cycle) => plot.setTargets(t, cycle))
        main.append(panel.el)
        sim = await simPanel(deviceId)
        if (sim) main.append(sim.el)
    } else {
        plot.setTargets(null)
    }
    const pastPlots = pastCyclePlots(deviceId)
    main.append(pastPlots.el)
    const upkeep = h("section", { class: "card wide", "aria-labelledby": "upkeep-h", id: "maintenance" })
    // technicians first: their view of the device is its upkeep
    if (me.role === "technician") main.append(upkeep, cycles)
    else main.append(cycles, upkeep)

    /** the hub's last record number when the past cycles were loaded: a new record reloads them */
    let cyclesAtSeq = -1
    /** the device's phase at the last status refresh */
    let seenPhase = /** @type {number | null | undefined} */ (undefined)

    async function refreshStatus() {
        try {
            const d = await api("GET", "/api/devices/" + encodeURIComponent(deviceId))
            if (cyclesAtSeq >= 0 && d.head.seq !== cyclesAtSeq) {
                loadCycles()
                loadUpkeep()
            }
            // a cycle that ended (or began) changes the list of past cycles' plots
            if (seenPhase !== undefined && (d.head.seq !== cyclesAtSeq || d.phase !== seenPhase)) pastPlots.refresh()
            seenPhase = d.phase
            cyclesAtSeq = d.head.seq
            const f = d.latchedFault ? guidance.get(d.latchedFault) : null
            panel?.setFault(d.latchedFault ? stateText(d, guidance) : null)
            plot.setFault(d.latchedFault ?? 0)
            fill(status, h("h2", { id: "status-h" }, "Status"), h("dl", { class: "facts" },
                h("dt", {}, "Connection"), h("dd", { id: "device-online" }, onlineBadge(d), " ", h("small", { class: "muted" }, ONLINE_RULE)),
                h("dt", {}, "State"), h("dd", { id: "device-state", class: f ? "fault" : "" }, stateText(d, guidance)),
                h("dt", {}, "Phase"), h("dd", { id: "device-phase" }, phaseText(d)),
                h("dt", {}, "Last seen"), h("dd", {}, ago(d.lastSeenMs)),
                h("dt", {}, "Records waiting on the device"), h("dd", {}, d.pending ?? "–"),
                h("dt", {}, "Last record at the hub"), h("dd", {}, "seq " + d.head.seq),
                h("dt", {}, "Latched fault"), h("dd", { class: f ? "fault" : "" }, f ? "E" + f.code + " " + f.name : "none")),
                f ? h("p", { class: "guidance", id: "latched-guidance" }, h("strong", {}, "What to do: "), f.action) : null)
        } catch (e) {
            fill(status, h("h2", { id: "status-h" }, "Status"), h("p", { class: "error" }, errorText(e)))
        }
    }

    async function loadAlerts() {
        const alerts = await api("GET", "/api/devices/" + encodeURIComponent(deviceId) + "/alerts").then(r => r.alerts, () => [])
        fill(faults, h("h2", { id: "faults-h" }, "Faults and alerts"),
            alerts.length === 0 ? h("p", {}, "No integrity alerts for this device.") :
                h("ul", {}, alerts.map((/** @type {any} */ a) => h("li", {}, when(a.createdAtMs) + ": " + a.kind + " at seq " + a.seq + " — " + a.detail))),
            h("p", { class: "muted" }, "Faults of past cycles are listed with what to do under Past cycles; the device display shows a fault as E<code>."))
    }

    async function loadCycles() {
        fill(cycles, h("h2", { id: "cycles-h" }, "Past cycles"))
        if (me.role === "technician") {
            cycles.append(h("p", {}, "Cycle records are shown to operators and auditors."))
            return
        }
        try {
            const r = await api("GET", "/api/records?kind=1&limit=10&device=" + encodeURIComponent(deviceId))
            if (r.records.length === 0) return void cycles.append(h("p", {}, "No cycle records stored yet."))
            for (const rec of r.records) cycles.append(cycleSummary(rec, guidance))
        } catch (e) {
            cycles.append(h("p", { class: "error" }, errorText(e)))
        }
    }

    async function loadUpkeep() {
        try {
            fill(upkeep, h("h2", { id: "upkeep-h" }, "Calibration and upkeep"), maintenanceView(await api("GET", "/api/devices/" + encodeURIComponent(deviceId) + "/maintenance"), guidance))
        } catch (e) {
            fill(upkeep, h("h2", { id: "upkeep-h" }, "Calibration and upkeep"), h("p", { class: "error" }, errorText(e)))
        }
    }

    await Promise.all([refreshStatus(), loadAlerts(), loadCycles(), loadUpkeep(), pastPlots.refresh(), panel?.refresh()])
    const timer = setInterval(() => {
        refreshStatus()
        panel?.refresh()
        sim?.refresh()
    }, 2000)
    return () => {
        clearInterval(timer)
        plot.stop()
        pastPlots.stop()
        panel?.stop()
    }
}

/** One stored cycle: outcome, per-phase summary table, faults with what to do. @param {any} rec @param {Map<number, any>} guidance */
export function cycleSummary(rec, guidance) {
    const r = rec.record
    return h("details", { class: "cycle" },
        h("summary", {}, "seq " + rec.seq + " · " + (r.wallUnixS ? new Date(r.wallUnixS * 1000).toLocaleString() : "no wall time") + " · " + OUTCOMES[r.outcome] + (r.operatorId ? " · operator " + r.operatorId : "")),
        phaseTable(rec),
        r.kind !== 1 && r.faults.length === 0 ? null : r.faults.length === 0 ? h("p", {}, "No faults.") : h("ul", { class: "faults" }, r.faults.map((/** @type {any} */ f) => {
            const g = guidance.get(f.code)
            return h("li", {}, h("strong", {}, "E" + f.code + " " + (g ? g.name : "")), " (value " + f.value + ", limit " + f.limit + "). ", g ? g.action : "")
        })))
}

/**
 * The phases a cycle went through: a phase that never ran (no time, no samples) is left out,
 * and a phase without samples shows dashes, not zeros. Null for a record without phases.
 * @param {any} rec
 */
export function phaseTable(rec) {
    const ran = rec.record.phases.filter((/** @type {any} */ p) => p.durationMs > 0 || p.samples > 0)
    if (ran.length === 0) return null
    const v = (/** @type {any} */ p, /** @type {string} */ text) => p.samples > 0 ? text : "–"
    return table("Phases of record " + rec.seq, ["Phase", "Duration", "Film min / mean / max", "Contact max", "Force min / mean / max"],
        ran.map((/** @type {any} */ p) => h("tr", {},
            h("th", { scope: "row" }, PHASES[p.phase] ?? String(p.phase)),
            h("td", { class: "num" }, (p.durationMs / 1000).toFixed(1) + " s"),
            h("td", { class: "num" }, v(p, degC(p.filmMinDeciC) + " / " + degC(p.filmMeanDeciC) + " / " + degC(p.filmMaxDeciC))),
            h("td", { class: "num" }, v(p, degC(p.contactMaxDeciC))),
            h("td", { class: "num" }, v(p, newton(p.forceMinMilliN) + " / " + newton(p.forceMeanMilliN) + " / " + newton(p.forceMaxMilliN))))))
}

/** The arch fit the cycle ran with (src/core/fitting/fit-result.ts FitSummary), in mm, % and degrees. @param {any} fit */
export function fitFacts(fit) {
    if (!fit) return h("p", { class: "fit" }, "No arch fit recorded with this cycle.")
    const mm = (/** @type {number} */ um) => (um / 1000).toFixed(3) + " mm"
    return h("dl", { class: "facts fit" },
        h("dt", {}, "Fit"), h("dd", { class: fit.accepted ? "" : "fault" }, fit.accepted ? "accepted" : "rejected"),
        h("dt", {}, "Fit error (RMS / worst)"), h("dd", {}, mm(fit.rmsUm) + " / " + mm(fit.worstUm)),
        h("dt", {}, "Arch covered by the scan"), h("dd", {}, (fit.coveragePermille / 10).toFixed(1) + " %"),
        h("dt", {}, "Scale"), h("dd", {}, (fit.scalePpm / 1e4).toFixed(2) + " % of the template"),
        h("dt", {}, "Offset (x, y)"), h("dd", {}, mm(fit.offsetXUm) + ", " + mm(fit.offsetYUm)),
        h("dt", {}, "Rotation"), h("dd", {}, (fit.rotationMicroRad / 1e6 * 180 / Math.PI).toFixed(2) + "°"))
}

const CHANNELS = /** @type {Record<string, string>} */ ({ filmTemp: "Film temperature", contactTemp: "Contact temperature", force: "Force" })

/**
 * What the hub knows of a device's upkeep (GET …/maintenance), and what it does not: due dates,
 * firmware build and self-test results stay on the device.
 * @param {any} m @param {Map<number, any>} guidance
 */
export function maintenanceView(m, guidance) {
    const at = (/** @type {number} */ s) => s > 0 ? new Date(s * 1000).toLocaleString() : "device clock not set"
    const g = m.lastFaultClear?.code ? guidance.get(m.lastFaultClear.code) : null
    return h("div", {},
        m.calibrations === null ? h("p", { id: "cal-none" }, "No calibration record from this device yet.") :
            table("Calibrations in force", ["Channel", "Calibration id", "In force since"], m.calibrations.map((/** @type {any} */ c) => h("tr", { dataset: { channel: c.channel } },
                h("th", { scope: "row" }, CHANNELS[c.channel] ?? c.channel),
                h("td", { class: "hash" }, c.id ?? "not calibrated"),
                h("td", {}, c.id ? at(c.notedAtUnixS) + " (record " + c.seq + ")" : "–")))),
        h("p", { id: "last-fault-clear" }, m.lastFaultClear ? "Last fault clear: " + (m.lastFaultClear.code ? "E" + m.lastFaultClear.code + (g ? " " + g.name : "") : "a fault") +
            " by " + (m.lastFaultClear.by || "the device's buttons") + ", " + at(m.lastFaultClear.atUnixS) + "." : "No fault clear recorded."),
        h("p", { class: "muted", id: "not-reported" }, "Calibration due dates, the firmware build and self-test results are kept on the device and not reported to the hub: ",
            h("code", {}, "npm run tech -- self-test"), " at the device shows them."))
}

/**
 * The device's past cycles with stored telemetry (GET …/cycles; the hub keeps the newest 20 per
 * device for 30 days): each opens as a plot, one at a time.
 * @param {string} deviceId
 */
export function pastCyclePlots(deviceId) {
    const el = h("section", { class: "card wide", "aria-labelledby": "past-plots-h", id: "past-plots" })
    const holder = h("div", { id: "past-plot-holder" })
    /** @type {{ stop: () => void } | null} */
    let open = null
    const base = "/api/devices/" + encodeURIComponent(deviceId)
    /** @param {number} cycle */
    async function show(cycle) {
        try {
            const r = await api("GET", base + "/cycles/" + cycle + "/telemetry")
            open?.stop()
            const p = livePlot(deviceId, { cycle, samples: r.samples, id: "past-plot" })
            open = p
            fill(holder, p.el)
        } catch (e) {
            fill(holder, h("p", { class: "error" }, errorText(e)))
        }
    }
    return {
        el,
        async refresh() {
            try {
                const r = await api("GET", base + "/cycles")
                fill(el, h("h2", { id: "past-plots-h" }, "Plots of past cycles"),
                    h("p", { class: "muted" }, "The hub keeps the live readings of a device's newest " + r.retention.cycles + " cycles, for " + r.retention.days + " days."),
                    r.cycles.length === 0 ? h("p", {}, "No stored cycle telemetry for this device.") :
                        h("ul", { class: "buttons past-cycles" }, r.cycles.map((/** @type {any} */ c) => h("li", {},
                            h("button", { type: "button", onclick: () => show(c.cycle), dataset: { cycle: String(c.cycle) } }, "Cycle " + c.cycle + " · " + when(c.lastAtMs) + " · " + c.samples + " readings")))),
                    holder)
            } catch (e) {
                fill(el, h("h2", { id: "past-plots-h" }, "Plots of past cycles"), h("p", { class: "error" }, errorText(e)))
            }
        },
        stop() {
            open?.stop()
        },
    }
}

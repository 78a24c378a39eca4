// @ts-check
// Every device with its connection (online/offline from its last contact), state (a latched
// fault first), phase, live film temperature and force (the latest telemetry sample, while a
// cycle runs and the sample is fresh), last contact, records waiting on the device and latched fault; refreshed every
// 2 s from GET /api/devices and GET /api/telemetry/latest. Rows are updated in place, so a
// refresh never takes the keyboard focus away. A fault that latches or a cycle that ends
// raises an alarm (alarms.js): a line that stays until dismissed, and a tone unless muted.
import { api, h, say, errorText, ago, degC, newton, faultTable, fill, hubTimeS } from "../api.js"
import { isOnline, onlineBadge, stateText, phaseText, ONLINE_RULE, ONLINE_WINDOW_MS } from "../device-state.js"
import { alarmPanel, alarmsFor, RUNNING } from "../alarms.js"

export const FLEET_REFRESH_MS = 2000

const COLUMNS = ["Device", "Latched fault", "Connection", "State", "Phase", "Film", "Force", "Last seen", "Pending records"]

/** @param {HTMLElement} main */
export async function page(main) {
    const body = h("div", { id: "fleet" })
    const stamp = h("p", { class: "muted", id: "fleet-updated" })
    const alarms = alarmPanel()
    main.append(h("h1", {}, "Fleet"), alarms.el, stamp, h("p", { class: "muted" }, ONLINE_RULE + "; film and force are the latest live reading while a cycle runs."), body)
    const guidance = await faultTable()
    let stopped = false
    let failed = false
    /** @type {Map<string, HTMLElement>} */
    const rows = new Map()
    /** @type {Map<string, any>} the previous refresh's view of each device, for the alarms */
    const before = new Map()
    const tbody = h("tbody")
    const tableEl = h("div", { class: "table-wrap fleet-table", tabindex: "0", role: "region", "aria-label": "Devices" },
        h("table", {}, h("caption", {}, "Devices"), h("thead", {}, h("tr", {}, COLUMNS.map(x => h("th", { scope: "col" }, x)))), tbody))

    /** Sets a cell's content only when it changed (a focused link inside stays where it is). @param {Element} cell @param {string} key @param {() => (Node | string)[]} make */
    function put(cell, key, make) {
        if (/** @type {HTMLElement} */ (cell).dataset["k"] === key) return
        ;/** @type {HTMLElement} */ (cell).dataset["k"] = key
        fill(cell, make())
    }

    /** @param {any} d @param {any} live */
    function row(d, live) {
        let tr = rows.get(d.deviceId)
        if (!tr) {
            tr = h("tr", { dataset: { device: d.deviceId } },
                h("th", { scope: "row", "data-label": COLUMNS[0] }, h("a", { href: "#/device/" + encodeURIComponent(d.deviceId) }, d.deviceId), d.label ? h("span", { class: "muted" }, " " + d.label) : null),
                COLUMNS.slice(1).map(c => h("td", { "data-label": c })))
            rows.set(d.deviceId, tr)
        }
        const [, fault, conn, state, phase, film, force, seen, pending] = tr.children
        const f = d.latchedFault ? guidance.get(d.latchedFault) : null
        fault.className = "fault-cell " + (d.latchedFault ? "fault" : "")
        put(fault, String(d.latchedFault), () => [d.latchedFault ? "E" + d.latchedFault + " " + (f ? f.name : "") : "none"])
        const on = isOnline(d)
        put(conn, String(on), () => [onlineBadge(d)])
        state.className = "state" + (d.latchedFault ? " fault" : "")
        const st = d.decommissionedAtMs != null ? "decommissioned" : stateText(d, guidance)
        put(state, st, () => [st])
        put(phase, phaseText(d), () => [phaseText(d)])
        // a reading is live while a cycle runs and it is as fresh as the online rule asks
        const fresh = live && hubTimeS() * 1000 - live.atMs <= ONLINE_WINDOW_MS + 1000 && on && RUNNING.has(d.phase) && !d.latchedFault
        put(film, fresh ? degC(live.sample[4]) : "–", () => [fresh ? degC(live.sample[4]) : "–"])
        put(force, fresh ? newton(live.sample[6]) : "–", () => [fresh ? newton(live.sample[6]) : "–"])
        film.className = force.className = "num live nowrap"
        put(seen, ago(d.lastSeenMs), () => [ago(d.lastSeenMs)])
        put(pending, String(d.pending ?? "–"), () => [String(d.pending ?? "–")])
        pending.className = "num"
        return tr
    }

    async function refresh() {
        try {
            const [{ devices }, latest] = await Promise.all([
                api("GET", "/api/devices?limit=100"),
                api("GET", "/api/telemetry/latest").then(r => r.devices, () => []),
            ])
            const liveOf = new Map(latest.map((/** @type {any} */ x) => [x.deviceId, x]))
            if (devices.length === 0) {
                fill(body, h("p", {}, "No devices yet: a technician provisions them."))
            } else {
                if (!body.contains(tableEl)) fill(body, tableEl)
                const wanted = devices.map((/** @type {any} */ d) => row(d, liveOf.get(d.deviceId)))
                // keep rows in order without moving a row that is already in place
                wanted.forEach((/** @type {HTMLElement} */ tr, /** @type {number} */ i) => {
                    if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] ?? null)
                })
                while (tbody.children.length > wanted.length) tbody.lastElementChild?.remove()
            }
            for (const d of devices) {
                for (const a of alarmsFor(before.get(d.deviceId), d, guidance)) alarms.raise(d.deviceId, a)
                before.set(d.deviceId, d)
            }
            stamp.textContent = "Updated " + new Date().toLocaleTimeString() + " (every " + FLEET_REFRESH_MS / 1000 + " s)"
            // the refresh works again: its error message goes
            if (failed) say("")
            failed = false
        } catch (e) {
            say("Fleet: " + errorText(e), "error")
            failed = true
        }
    }
    await refresh()
    const timer = setInterval(() => {
        if (!stopped) refresh()
    }, FLEET_REFRESH_MS)
    return () => {
        stopped = true
        clearInterval(timer)
    }
}

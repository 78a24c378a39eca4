// @ts-check
// Every device with its reported state, phase, last contact, records waiting on the device and
// latched fault; refreshed every 2 s from GET /api/devices (one cheap read: the hub's tables).
import { api, h, say, errorText, ago, table, PHASES, faultTable, fill } from "../api.js"

export const FLEET_REFRESH_MS = 2000

/** @param {HTMLElement} main */
export async function page(main) {
    const body = h("div", { id: "fleet" })
    const stamp = h("p", { class: "muted", id: "fleet-updated" })
    main.append(h("h1", {}, "Fleet"), stamp, body)
    const guidance = await faultTable()
    let stopped = false

    async function refresh() {
        try {
            const { devices } = await api("GET", "/api/devices?limit=100")
            fill(body, devices.length === 0 ? h("p", {}, "No devices yet: a technician provisions them.") :
                table("Devices", ["Device", "State", "Phase", "Last seen", "Pending records", "Latched fault"],
                    devices.map((/** @type {any} */ d) => {
                        const f = d.latchedFault ? guidance.get(d.latchedFault) : null
                        return h("tr", { dataset: { device: d.deviceId } },
                            h("th", { scope: "row" }, h("a", { href: "#/device/" + encodeURIComponent(d.deviceId) }, d.deviceId), d.label ? h("span", { class: "muted" }, " " + d.label) : null),
                            h("td", { class: "state" }, d.decommissionedAtMs !== null ? "decommissioned" : d.state ?? "unknown"),
                            h("td", { class: "phase" }, d.phase === null ? "–" : PHASES[d.phase] ?? String(d.phase)),
                            h("td", {}, ago(d.lastSeenMs)),
                            h("td", { class: "num" }, d.pending ?? "–"),
                            h("td", { class: d.latchedFault ? "fault" : "" }, d.latchedFault ? "E" + d.latchedFault + " " + (f ? f.name : "") : "none"))
                    })))
            stamp.textContent = "Updated " + new Date().toLocaleTimeString() + " (every " + FLEET_REFRESH_MS / 1000 + " s)"
        } catch (e) {
            say("Fleet: " + errorText(e), "error")
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

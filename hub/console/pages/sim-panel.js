// @ts-check
// The simulator panel (operators and technicians), shown on a device's page only when the hub
// runs with simulated devices (`npm start`) and this device is one of them: the hub answers
// /api/sim/devices/:id only then. It stands in for the person at the bench: the device's own
// START and ABORT buttons, its door, and the simulator's hardware faults (and their repair).
// A real device never has it.
import { api, h, say, errorText, fill } from "../api.js"

/** @param {string} deviceId */
export async function simPanel(deviceId) {
    const base = "/api/sim/devices/" + encodeURIComponent(deviceId)
    /** @type {any} */
    let first
    try {
        first = await api("GET", base)
    } catch {
        return null // not a simulated device (or no simulator): no panel
    }
    const el = h("section", { class: "card wide sim-panel", "aria-labelledby": "sim-h", id: "sim-panel" })
    const screen = h("pre", { class: "sim-display", id: "sim-display", "aria-live": "polite", "aria-label": "The device's display" })
    const state = h("p", { id: "sim-state" })
    const faultSel = h("select", { id: "sim-fault" }, first.faults.map((/** @type {any} */ f) => h("option", { value: f.id }, f.label)))
    /** @param {string} action @param {string} label */
    const button = (action, label, cls = "") => h("button", { type: "button", class: cls, "data-action": action, onclick: () => act(action) }, label)
    const doorBtn = button("door-open", "Open the door")
    el.append(
        h("h2", { id: "sim-h" }, "Simulator panel"),
        h("p", { class: "hint" }, "This device is simulated by npm start. These controls are the hands of a person at the bench: the device's own buttons and door, and hardware faults to practise with. A real device has no such panel."),
        screen, state,
        h("div", { class: "inline-form" }, button("start", "Press START", "primary"), button("abort", "Press ABORT", "danger"), doorBtn),
        h("div", { class: "inline-form" },
            h("div", { class: "field" }, h("label", { for: "sim-fault" }, "Hardware fault"), faultSel),
            h("button", { type: "button", id: "sim-inject", onclick: () => act("fault:" + /** @type {HTMLSelectElement} */ (faultSel).value) }, "Inject fault"),
            button("repair", "Repair the hardware")),
        h("p", { class: "hint" }, "A latched fault stays after the repair until a technician clears it: npm run tech -- clear-fault --technician NAME --bus 127.0.0.1:" + first.device.busPort))
    show(first.device)

    /** @param {any} d */
    function show(d) {
        fill(screen, d.display || "(display blank)")
        const doorTxt = d.doorClosed ? "door closed" : "door OPEN"
        fill(state, (d.up ? "" : "starting… ") + "film " + d.filmC.toFixed(1) + " °C · force " + d.forceN.toFixed(1) + " N · " + (d.pressHome ? "press home" : "press out " + d.pressMm.toFixed(1) + " mm") + " · " + doorTxt +
            (d.faults.length ? " · injected: " + d.faults.join(", ") : ""))
        doorBtn.dataset.action = d.doorClosed ? "door-open" : "door-close"
        doorBtn.textContent = d.doorClosed ? "Open the door" : "Close the door"
    }

    /** @param {string} action */
    async function act(action) {
        if (action.startsWith("door")) action = /** @type {string} */ (doorBtn.dataset.action)
        try {
            const r = await api("POST", base + "/action", { action })
            say(deviceId + ": " + r.done)
            show(r.device)
        } catch (e) {
            say("Simulator: " + errorText(e), "error")
        }
    }

    async function refresh() {
        try {
            show((await api("GET", base)).device)
        } catch {
            // the next refresh tries again; the hub banner says when the hub is down
        }
    }
    return { el, refresh }
}

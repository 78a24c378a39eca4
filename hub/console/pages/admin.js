// @ts-check
// Administration (admin role): staff accounts (disable or enable, set a new password, log out
// everywhere) and the device lifecycle (rotate the device key or the transport key, decommission).
// Every action asks for confirmation, and the hub logs it in the staff action log. A new key is
// shown once, as the .env.local lines to give the device; it is gone when the page is left.
import { api, h, say, errorText, when, table, fill } from "../api.js"

/** @param {HTMLElement} main @param {{ name: string, role: string } | null} me */
export async function page(main, me) {
    const users = h("section", { class: "card wide", "aria-labelledby": "adm-users-h" })
    const devices = h("section", { class: "card wide", "aria-labelledby": "adm-devices-h" })
    const issued = h("section", { class: "card wide", id: "adm-issued", "aria-live": "polite", hidden: true })
    main.append(h("h1", {}, "Administration"), issued, users, devices)

    /** runs an action after confirming it; says what happened and redraws @param {string} question @param {() => Promise<string>} act */
    async function run(question, act) {
        if (!confirm(question)) return
        try {
            say(await act())
        } catch (e) {
            say(errorText(e), "error")
        }
        await Promise.all([drawUsers(), drawDevices()])
    }

    async function drawUsers() {
        const list = (await api("GET", "/api/users")).users
        fill(users, h("h2", { id: "adm-users-h" }, "Staff accounts"),
            table("Staff accounts", ["Name", "Role", "State", "Open sessions", "New password", "Actions"], list.map((/** @type {any} */ u) => {
                const n = encodeURIComponent(u.name)
                const pwId = "adm-pw-" + u.name
                const pw = /** @type {HTMLInputElement} */ (h("input", { id: pwId, type: "password", autocomplete: "new-password", maxlength: 256, "aria-label": "New password for " + u.name }))
                const self = me !== null && u.name === me.name
                return h("tr", { dataset: { user: u.name } },
                    h("th", { scope: "row" }, u.name), h("td", {}, u.role),
                    h("td", { class: "state" }, u.disabledAtMs === null ? "active" : "disabled " + when(u.disabledAtMs)),
                    h("td", { class: "num" }, u.sessions),
                    h("td", {}, pw, " ", h("button", { type: "button", class: "reset", onclick: () => run("Set a new password for " + u.name + "? Their sessions end.", async () => {
                        const r = await api("POST", "/api/users/" + n + "/password", { newPassword: pw.value })
                        return "New password set for " + u.name + "; " + r.sessionsEnded + " session(s) ended."
                    }) }, "Set password")),
                    h("td", {},
                        u.disabledAtMs === null
                            ? h("button", { type: "button", class: "disable", disabled: self, onclick: () => run("Disable " + u.name + "? They are logged out everywhere and cannot log in.", async () => {
                                const r = await api("POST", "/api/users/" + n + "/disable")
                                return u.name + " disabled; " + r.sessionsEnded + " session(s) ended."
                            }) }, "Disable")
                            : h("button", { type: "button", class: "enable", onclick: () => run("Enable " + u.name + " again?", async () => {
                                await api("POST", "/api/users/" + n + "/enable")
                                return u.name + " enabled."
                            }) }, "Enable"),
                        " ",
                        h("button", { type: "button", class: "logout-all", onclick: () => run("End every session of " + u.name + "?", async () => {
                            const r = await api("POST", "/api/users/" + n + "/logout-everywhere")
                            return r.sessionsEnded + " session(s) of " + u.name + " ended."
                        }) }, "Log out everywhere")))
            })),
            h("p", { class: "muted" }, "New accounts are made on the hub machine (npm run hub -- user add). A password needs 12 or more characters and must not be a common one."))
    }

    /** @param {any} r the rotation's answer */
    function showKey(r) {
        issued.hidden = false
        fill(issued, h("h2", { id: "adm-issued-h" }, "New " + r.key + " key for " + r.deviceId),
            h("p", {}, "Shown once: give these lines to the device (its .env.local), then leave this page."),
            h("pre", { class: "hash", id: "adm-env" }, r.envLocal))
    }

    async function drawDevices() {
        const list = (await api("GET", "/api/devices?limit=100")).devices
        fill(devices, h("h2", { id: "adm-devices-h" }, "Devices"),
            table("Devices", ["Device", "State", "Device key", "Transport key", "Reason", "Actions"], list.map((/** @type {any} */ d) => {
                const id = encodeURIComponent(d.deviceId)
                const reason = /** @type {HTMLInputElement} */ (h("input", { id: "adm-reason-" + d.deviceId, maxlength: 200, "aria-label": "Reason to decommission " + d.deviceId }))
                const gone = d.decommissionedAtMs !== null
                const rotate = (/** @type {"device" | "transport"} */ key) => run("Issue a new " + key + " key for " + d.deviceId + "? The old one stops signing requests now.", async () => {
                    const r = await api("POST", "/api/devices/" + id + "/rotate-key", { key })
                    showKey(r)
                    return "New " + key + " key issued for " + d.deviceId + "."
                })
                return h("tr", { dataset: { device: d.deviceId } },
                    h("th", { scope: "row" }, d.deviceId, d.label ? h("span", { class: "muted" }, " " + d.label) : null),
                    h("td", { class: "state" }, gone ? "decommissioned " + when(d.decommissionedAtMs) : "in service"),
                    h("td", {}, "generation " + d.keyGeneration),
                    h("td", {}, d.hasTransportKey ? "issued" : "none (device key signs)"),
                    h("td", {}, gone ? "–" : reason),
                    h("td", {}, gone ? "–" : [
                        h("button", { type: "button", class: "rotate-device", onclick: () => rotate("device") }, "New device key"), " ",
                        h("button", { type: "button", class: "rotate-transport", onclick: () => rotate("transport") }, "New transport key"), " ",
                        h("button", { type: "button", class: "decommission", onclick: () => run("Decommission " + d.deviceId + "? Its requests are refused from now on; its records stay.", async () => {
                            await api("POST", "/api/devices/" + id + "/decommission", { reason: reason.value })
                            return d.deviceId + " decommissioned."
                        }) }, "Decommission"),
                    ]))
            })))
    }

    await Promise.all([drawUsers(), drawDevices()])
}

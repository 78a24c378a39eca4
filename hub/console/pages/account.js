// @ts-check
// Your account (every role): change your password (the current one is needed; the hub's
// password rule applies; your other sessions end) and log out everywhere.
import { api, h, say, errorText } from "../api.js"

/** @param {HTMLElement} main @param {{ name: string, role: string } | null} me */
export async function page(main, me) {
    const err = h("p", { class: "error", id: "pw-error", role: "alert" })
    const input = (/** @type {string} */ id, /** @type {string} */ auto) =>
        /** @type {HTMLInputElement} */ (h("input", { id, type: "password", autocomplete: auto, required: true, maxlength: 256 }))
    const current = input("pw-current", "current-password")
    const next = input("pw-new", "new-password")
    const again = input("pw-again", "new-password")
    const field = (/** @type {string} */ label, /** @type {HTMLInputElement} */ el) => h("div", { class: "field" }, h("label", { for: el.id }, label), el)
    const form = h("form", { class: "card narrow", "aria-labelledby": "pw-h", "aria-describedby": "pw-error" },
        h("h2", { id: "pw-h" }, "Change your password"),
        field("Current password", current), field("New password", next), field("New password again", again),
        h("p", { class: "muted" }, "12 or more characters, not a common password and not your name; a few unrelated words work well."),
        h("button", { type: "submit", class: "primary" }, "Change password"), err)
    form.addEventListener("submit", async ev => {
        ev.preventDefault()
        err.textContent = ""
        if (next.value !== again.value) {
            err.textContent = "The new passwords differ."
            return
        }
        try {
            const r = await api("POST", "/api/auth/password", { currentPassword: current.value, newPassword: next.value })
            ;/** @type {HTMLFormElement} */ (form).reset()
            say("Password changed; " + r.sessionsEnded + " other session(s) ended.")
        } catch (e) {
            err.textContent = errorText(e)
        }
    })
    const everywhere = h("button", { type: "button", id: "logout-everywhere" }, "Log out everywhere")
    everywhere.addEventListener("click", async () => {
        if (!confirm("End every session of yours, this one included?")) return
        try {
            await api("POST", "/api/auth/logout-everywhere")
            say("Logged out everywhere.")
            location.hash = "#/login"
            location.reload()
        } catch (e) {
            say(errorText(e), "error")
        }
    })
    main.append(h("h1", {}, "Your account"), h("p", {}, (me ? me.name + " (" + me.role + ")" : "")), form,
        h("section", { class: "card narrow" }, h("h2", {}, "Sessions"), h("p", {}, "Ends your sessions on every browser and script, this one included."), everywhere))
}

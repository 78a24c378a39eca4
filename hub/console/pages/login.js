// @ts-check
// Log in with a staff name and password (POST /api/auth/login); the hub sets an HttpOnly
// session cookie, so the page never holds the token.
import { api, h, say, errorText } from "../api.js"
import { loggedIn } from "../app.js"

/** @param {HTMLElement} main */
export async function page(main) {
    const err = h("p", { class: "error", id: "login-error", role: "alert" })
    const name = h("input", { id: "login-name", name: "name", autocomplete: "username", required: true, maxlength: 32 })
    const password = h("input", { id: "login-password", name: "password", type: "password", autocomplete: "current-password", required: true, maxlength: 256 })
    const form = h("form", { class: "card narrow", "aria-describedby": "login-error" },
        h("div", { class: "field" }, h("label", { for: "login-name" }, "Name"), name),
        h("div", { class: "field" }, h("label", { for: "login-password" }, "Password"), password),
        h("button", { type: "submit", class: "primary" }, "Log in"), err)
    form.addEventListener("submit", async ev => {
        ev.preventDefault()
        err.textContent = ""
        try {
            const r = await api("POST", "/api/auth/login", { name: /** @type {HTMLInputElement} */ (name).value, password: /** @type {HTMLInputElement} */ (password).value })
            say("Logged in as " + r.name + " (" + r.role + ").", "ok", true)
            await loggedIn({ name: r.name, role: r.role })
        } catch (e) {
            err.textContent = errorText(e)
            ;/** @type {HTMLInputElement} */ (password).select()
        }
    })
    main.append(h("h1", {}, "Log in"), form, h("p", {}, "The ", h("a", { href: "#/transparency" }, "transparency figures"), " and the ", h("a", { href: "#/templates" }, "template library"), " are open to everyone."))
    name.focus()
}

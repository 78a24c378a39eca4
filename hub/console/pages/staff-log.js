// @ts-check
// The staff action log (auditor): who did what to which account or device, and when, newest
// first. The hub keeps it append-only; nothing here (or anywhere) can change it.
import { api, h, errorText, when, table, fill } from "../api.js"

const PAGE = 50

/** @param {HTMLElement} main */
export async function page(main) {
    const body = h("div", { id: "staff-log" })
    const target = /** @type {HTMLInputElement} */ (h("input", { id: "log-target", maxlength: 32 }))
    let offset = 0
    const form = h("form", { class: "inline-form", role: "search" },
        h("div", { class: "field" }, h("label", { for: "log-target" }, "Account or device"), target), h("button", { type: "submit" }, "Show"))
    form.addEventListener("submit", ev => {
        ev.preventDefault()
        offset = 0
        draw()
    })
    main.append(h("h1", {}, "Staff actions"), form, body)

    async function draw() {
        const p = new URLSearchParams({ limit: String(PAGE), offset: String(offset) })
        if (target.value) p.set("target", target.value)
        try {
            const r = await api("GET", "/api/staff-actions?" + p)
            const pager = h("p", {},
                h("span", { id: "log-count" }, r.total + " action" + (r.total === 1 ? "" : "s") + (r.total > 0 ? ", " + (offset + 1) + "-" + (offset + r.actions.length) + " shown" : "")), " ",
                offset > 0 ? h("button", { type: "button", onclick: () => { offset = Math.max(0, offset - PAGE); draw() } }, "Newer") : null, " ",
                offset + r.actions.length < r.total ? h("button", { type: "button", onclick: () => { offset += PAGE; draw() } }, "Older") : null)
            fill(body, pager, r.actions.length === 0 ? h("p", {}, "No staff actions recorded.") :
                table("Staff actions", ["When", "Who", "Role", "Action", "Target", "Detail"], r.actions.map((/** @type {any} */ a) => h("tr", { dataset: { action: a.action } },
                    h("td", {}, when(a.atMs)), h("td", {}, a.actor), h("td", {}, a.actorRole), h("td", { class: "action" }, a.action.replace(/_/g, " ")),
                    h("td", { class: "target" }, a.targetKind + " " + a.target), h("td", {}, a.detail)))))
        } catch (e) {
            fill(body, h("p", { class: "error" }, errorText(e)))
        }
    }
    await draw()
}

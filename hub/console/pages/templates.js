// @ts-check
// The template library, open to everyone: search by name, filter by status; a template's page
// shows its design, its public review history with reasons, and what changed since the
// previous version.
import { api, h, say, errorText, when, table, degC, newton, fill } from "../api.js"
import { templatePicture } from "./template-picture.js"

/** @param {HTMLElement} main @param {any} me @param {string} id */
export async function page(main, me, id) {
    if (id) return detail(main, me, id)
    const q = h("input", { id: "tpl-q", type: "search", maxlength: 32, name: "q" })
    const status = h("select", { id: "tpl-status", name: "status" }, ["", "submitted", "approved", "rejected", "revoked"].map(s => h("option", { value: s }, s || "any")))
    const results = h("div", { id: "tpl-results" })
    const form = h("form", { class: "inline-form", role: "search" },
        h("div", { class: "field" }, h("label", { for: "tpl-q" }, "Name contains"), q),
        h("div", { class: "field" }, h("label", { for: "tpl-status" }, "Status"), status),
        h("button", { type: "submit" }, "Search"))
    async function search() {
        const p = new URLSearchParams()
        const qv = /** @type {HTMLInputElement} */ (q).value.trim()
        const sv = /** @type {HTMLSelectElement} */ (status).value
        if (qv) p.set("q", qv)
        if (sv) p.set("status", sv)
        try {
            const r = await api("GET", "/api/library/templates?" + p)
            fill(results, h("p", {}, r.total + " template" + (r.total === 1 ? "" : "s")), table("Templates", ["Name", "Version", "Designer", "Status", "Submitted"],
                r.templates.map((/** @type {any} */ t) => h("tr", {},
                    h("th", { scope: "row" }, h("a", { href: "#/templates/" + t.templateId }, t.name)),
                    h("td", { class: "num" }, t.version), h("td", {}, t.designer), h("td", {}, h("span", { class: "badge " + t.status }, t.status)), h("td", {}, when(t.submittedAtMs))))))
        } catch (e) {
            fill(results, h("p", { class: "error" }, errorText(e)))
        }
    }
    form.addEventListener("submit", ev => {
        ev.preventDefault()
        search()
    })
    main.append(h("h1", {}, "Templates"), form, results)
    await search()
}

/** @param {HTMLElement} main @param {any} me @param {string} id */
async function detail(main, me, id) {
    const t = await api("GET", "/api/library/templates/" + encodeURIComponent(id))
    fill(main, h("p", {}, h("a", { href: "#/templates" }, "← All templates")), h("h1", {}, t.name + " v" + t.version), designView(t),
        me?.role === "reviewer" ? revokeControl(t, () => detail(main, me, id)) : null)
}

/**
 * For reviewers, on an approved template: revoke it with a public reason
 * (POST /api/library/templates/:id/revocation); every device drops it with its next bundle.
 * @param {any} t @param {() => Promise<void>} done
 */
export function revokeControl(t, done) {
    if (t.status !== "approved") return null
    const reason = h("textarea", { id: "revoke-reason", rows: 2, maxlength: 2000, "aria-required": "true", "aria-describedby": "revoke-help" })
    const form = h("form", { class: "card wide", id: "revoke-form", "aria-labelledby": "revoke-h" },
        h("h2", { id: "revoke-h" }, "Revoke this template"),
        h("div", { class: "field" }, h("label", { for: "revoke-reason" }, "Reason for revoking (public)"), reason,
            h("small", { id: "revoke-help" }, "Published with the revocation. Every device drops the template with its next bundle; records already made keep it.")),
        h("button", { type: "submit", class: "danger" }, "Revoke template"))
    form.addEventListener("submit", async ev => {
        ev.preventDefault()
        const text = /** @type {HTMLTextAreaElement} */ (reason).value.trim()
        if (!text) {
            say("Say why it is revoked: the reason is published.", "error")
            reason.focus()
            return
        }
        try {
            await api("POST", "/api/library/templates/" + encodeURIComponent(t.templateId) + "/revocation", { reason: text })
            say("Revoked " + t.name + " v" + t.version + ": devices drop it with their next bundle.")
            await done()
        } catch (e) {
            say("Revocation refused: " + errorText(e), "error")
        }
    })
    return form
}

/** The design, its history and its changes: shared with the review queue. @param {any} t */
export function designView(t) {
    const d = t.design
    const p = d.process
    const m = d.material
    return h("div", { class: "design" },
        h("p", {}, "By ", h("strong", {}, d.designer), " · status ", h("span", { class: "badge " + t.status }, t.status), " · profile " + t.profileId + " v" + t.profileVersion),
        h("dl", { class: "facts" },
            h("dt", {}, "Film"), h("dd", {}, m.materialId + ", " + m.filmThicknessUm + " µm, softens " + degC(m.softenDeciC) + ", max " + degC(m.materialMaxDeciC)),
            h("dt", {}, "Heat"), h("dd", {}, degC(p.filmDeciC) + ", soak " + p.soakMs / 1000 + " s"),
            h("dt", {}, "Press"), h("dd", {}, newton(p.forceMilliN) + ", ramp " + p.rampMs / 1000 + " s"),
            h("dt", {}, "Cure"), h("dd", {}, degC(p.cureDeciC) + " for " + p.cureMs / 1000 + " s"),
            h("dt", {}, "Cool to"), h("dd", {}, degC(p.coolDeciC)),
            h("dt", {}, "Contact limit"), h("dd", {}, degC(p.contactMaxDeciC)),
            h("dt", {}, "Arch"), h("dd", {}, d.archPointsUm.length + " points"),
            h("dt", {}, "Design id"), h("dd", { class: "hash" }, t.templateId),
            t.approvedHash ? h("dt", {}, "Approved hash") : null, t.approvedHash ? h("dd", { class: "hash" }, t.approvedHash) : null),
        templatePicture(d),
        h("h2", {}, "Changes since the previous version"),
        t.previous === null ? h("p", {}, "First version of this design.") :
            table("Changes since v" + t.previous.version, ["Field", "Was", "Now"], t.changes.map((/** @type {any} */ c) => h("tr", { class: "change" },
                h("th", { scope: "row" }, c.field), h("td", { class: "old" }, JSON.stringify(c.old)), h("td", { class: "new" }, JSON.stringify(c.new))))),
        h("h2", {}, "Review history"),
        t.history.length === 0 ? h("p", {}, "Not reviewed yet.") : h("ul", { class: "history" }, t.history.map((/** @type {any} */ r) =>
            h("li", {}, when(r.atMs) + ": ", h("strong", {}, r.decision), " by " + r.reviewer + (r.reason ? " — " + r.reason : "")))))
}

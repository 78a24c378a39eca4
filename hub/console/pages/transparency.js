// @ts-check
// Public and without login: the council's decisions with their reasons, applications per
// approved template by outcome, and this hub's totals. Aggregate figures only: no patient
// reference, operator, device id or reviewer appears (GET /api/transparency). Also the hub's
// public key and each device's record head signed with it, under the device's public id, so an
// auditor can hold an export against them (docs/records.md §10).
import { api, h, when, table } from "../api.js"

/** @param {HTMLElement} main */
export async function page(main) {
    const t = await api("GET", "/api/transparency")
    const figure = (/** @type {string} */ label, /** @type {number} */ n) => h("div", { class: "figure" }, h("span", { class: "n" }, n), h("span", {}, label))
    main.append(h("h1", {}, "Transparency"),
        h("p", {}, "Figures of " + t.hub + ", " + when(t.generatedAtMs) + ". Aggregate only: nobody is identified."),
        h("section", { class: "figures", "aria-label": "Totals" },
            figure("devices", t.totals.devices), figure("applications", t.totals.applications), figure("complete", t.totals.complete),
            figure("aborted", t.totals.aborted), figure("faulted", t.totals.faulted),
            figure("templates approved", t.templates.approved), figure("rejected", t.templates.rejected), figure("revoked", t.templates.revoked), figure("waiting for review", t.templates.submitted)),
        h("h2", {}, "Applications per template"),
        t.applicationsPerTemplate.length === 0 ? h("p", {}, "No applications recorded yet.") :
            table("Applications per template", ["Template", "Designer", "Applications", "Complete", "Aborted", "Faulted"], t.applicationsPerTemplate.map((/** @type {any} */ a) => h("tr", {},
                h("th", { scope: "row" }, a.templateName ? a.templateName + " v" + a.version : a.templateHash.slice(0, 12) + "…"), h("td", {}, a.designer ?? "–"),
                h("td", { class: "num" }, a.applications), h("td", { class: "num" }, a.complete), h("td", { class: "num" }, a.aborted), h("td", { class: "num" }, a.faulted)))),
        h("h2", {}, "Council decisions"),
        t.decisions.length === 0 ? h("p", {}, "No decisions yet.") :
            table("Council decisions", ["When", "Template", "Decision", "Reason"], t.decisions.map((/** @type {any} */ d) => h("tr", {},
                h("td", {}, when(d.atMs)), h("th", { scope: "row" }, d.templateName + " v" + d.version + " by " + d.designer),
                h("td", {}, h("span", { class: "badge " + (d.decision === "approve" ? "approved" : "rejected") }, d.decision)), h("td", {}, d.reason || "–")))),
        h("h2", {}, "Signed record heads"),
        h("p", {}, "Each device's last record as this hub holds it, signed with the hub key (Ed25519, key id " + t.hubKey.keyId + "). " +
            "npm run audit -- FILE --hub-key checks an export against it."),
        h("pre", { class: "key", "aria-label": "Hub key" }, t.hubKey.publicKeyPem),
        t.checkpoints.length === 0 ? h("p", {}, "No records yet.") :
            table("Signed record heads", ["Device (public id)", "Last record", "Hash", "Signed"], t.checkpoints.map((/** @type {any} */ c) => h("tr", {},
                h("th", { scope: "row" }, c.publicId), h("td", { class: "num" }, c.seq), h("td", { class: "hash" }, c.hash.slice(0, 16) + "…"),
                h("td", {}, when(c.atUnixS * 1000))))))
}

// @ts-check
// A patient's cycles, for operators: every session prepared under the patient reference
// (GET /api/patients/:ref/cycles), each with its compliance record's outcome, arch fit, phases
// and faults. Printable (the browser's Print; style.css hides the console around the report).
import { api, h, when, OUTCOMES, faultTable, fill } from "../api.js"
import { cycleSummary, fitFacts } from "./device.js"

/** @param {HTMLElement} main @param {any} _me @param {string} ref */
export async function page(main, _me, ref) {
    if (!/^[A-Za-z0-9._-]{1,24}$/.test(ref)) {
        fill(main, h("h1", {}, "Patient report"), h("p", { class: "error" }, "A patient reference is 1-24 of letters, digits, . _ -."), h("p", {}, h("a", { href: "#/records" }, "← Records")))
        return
    }
    const guidance = await faultTable()
    const r = await api("GET", "/api/patients/" + encodeURIComponent(ref) + "/cycles")
    const printed = new Date().toLocaleString()
    fill(main,
        h("p", { class: "no-print" }, h("a", { href: "#/records" }, "← Records")),
        h("h1", {}, "Patient " + ref + ": cycle report"),
        h("p", { class: "muted" }, r.cycles.length + " session" + (r.cycles.length === 1 ? "" : "s") + " · as of " + printed + " · patient reference only, no name is stored"),
        h("div", { class: "buttons no-print" }, h("button", { type: "button", class: "primary", onclick: () => window.print() }, "Print report")),
        r.cycles.length === 0 ? h("p", { id: "patient-none" }, "No session was prepared under this reference.") : null,
        r.cycles.map((/** @type {any} */ c) => {
            const s = c.session
            return h("section", { class: "card wide patient-cycle", dataset: { session: s.sessionId } },
                h("h2", {}, when(s.startedAtMs ?? s.createdAtMs) + " · " + s.deviceId + " · " + (s.outcome === null ? s.status : OUTCOMES[s.outcome])),
                h("dl", { class: "facts" },
                    h("dt", {}, "Template"), h("dd", {}, s.templateName || s.templateHash.slice(0, 12)),
                    h("dt", {}, "Prepared by"), h("dd", {}, s.preparedBy + ", " + when(s.createdAtMs)),
                    h("dt", {}, "Record"), h("dd", { class: "rec" }, c.record ? "seq " + c.record.seq + " (hash " + c.record.hash.slice(0, 16) + "…)" :
                        s.startedAtMs === null ? "none: no cycle ran in this session" : "not at the hub yet")),
                c.record ? [h("h3", {}, "Arch fit"), fitFacts(c.record.record.fit), openSummary(c.record, guidance)] : null)
        }))
}

/** @param {any} rec @param {Map<number, any>} guidance */
function openSummary(rec, guidance) {
    const d = cycleSummary(rec, guidance)
    d.setAttribute("open", "")
    return d
}

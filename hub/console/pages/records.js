// @ts-check
// Records for operators and auditors: filter by device, template, date and outcome; open a
// record's detail (phases, faults with guidance, hashes); verify a device's chain at the hub;
// export a device's records as CSV or JSON for the independent audit (npm run audit).
import { api, h, say, errorText, when, table, OUTCOMES, KINDS, faultTable, fill } from "../api.js"
import { cycleSummary, fitFacts } from "./device.js"
import { livePlot } from "./live-plot.js"

/** @param {HTMLElement} main @param {{ name: string, role: string }} me */
export async function page(main, me) {
    const guidance = await faultTable()
    const devices = (await api("GET", "/api/devices?limit=100").catch(() => ({ devices: [] }))).devices
    const templates = (await api("GET", "/api/library/templates?status=approved&limit=100")).templates
    const nameOf = new Map(templates.map((/** @type {any} */ t) => [t.approvedHash, t.name + " v" + t.version]))
    const sel = (/** @type {string} */ id, /** @type {[string, string][]} */ opts) => h("select", { id, name: id }, opts.map(([v, l]) => h("option", { value: v }, l)))
    const dev = sel("rec-device", [["", "all devices"], ...devices.map((/** @type {any} */ d) => /** @type {[string, string]} */ ([d.deviceId, d.deviceId]))])
    const tpl = sel("rec-template", [["", "all templates"], ...templates.map((/** @type {any} */ t) => /** @type {[string, string]} */ ([t.approvedHash, t.name + " v" + t.version]))])
    const outcome = sel("rec-outcome", [["", "any outcome"], ["1", "complete"], ["2", "aborted"], ["3", "faulted"]])
    const from = h("input", { id: "rec-from", type: "date" })
    const to = h("input", { id: "rec-to", type: "date" })
    const results = h("div", { id: "rec-results" })
    const detail = h("section", { class: "card wide", id: "rec-detail", "aria-live": "polite", hidden: true })
    const chainBox = h("section", { class: "card wide", "aria-labelledby": "chain-h" })
    const field = (/** @type {string} */ id, /** @type {string} */ label, /** @type {HTMLElement} */ el) => h("div", { class: "field" }, h("label", { for: id }, label), el)
    const form = h("form", { class: "inline-form", role: "search" },
        field("rec-device", "Device", dev), field("rec-template", "Template", tpl), field("rec-outcome", "Outcome", outcome),
        field("rec-from", "From", from), field("rec-to", "To", to), h("button", { type: "submit" }, "Filter"))
    const val = (/** @type {HTMLElement} */ el) => /** @type {HTMLInputElement} */ (el).value

    async function search() {
        const p = new URLSearchParams()
        for (const [k, el] of /** @type {[string, HTMLElement][]} */ ([["device", dev], ["template", tpl], ["outcome", outcome], ["from", from], ["to", to]])) if (val(el)) p.set(k, val(el))
        try {
            const r = await api("GET", "/api/records?limit=100&" + p)
            fill(results, h("p", { id: "rec-count" }, r.total + " record" + (r.total === 1 ? "" : "s") + (r.total > r.records.length ? " (newest " + r.records.length + " shown)" : "")),
                table("Records", ["Device", "Seq", "When", "Kind", "Outcome", "Template", "Operator", ""], r.records.map((/** @type {any} */ x) => h("tr", {},
                    h("td", {}, x.deviceId), h("td", { class: "num" }, x.seq),
                    h("td", {}, x.record.wallUnixS ? new Date(x.record.wallUnixS * 1000).toLocaleString() : "–"),
                    h("td", {}, KINDS[x.record.kind] ?? String(x.record.kind)), h("td", {}, x.record.kind === 1 ? OUTCOMES[x.record.outcome] : "–"),
                    h("td", {}, nameOf.get(x.record.templateHash) ?? (/^0+$/.test(x.record.templateHash) ? "–" : x.record.templateHash.slice(0, 12) + "…")),
                    h("td", {}, x.record.operatorId || "–"),
                    h("td", {}, h("button", { type: "button", onclick: () => open(x.deviceId, x.seq) }, "Details"))))))
        } catch (e) {
            fill(results, h("p", { class: "error" }, errorText(e)))
        }
    }

    /** @type {ReturnType<typeof livePlot> | null} the open record's cycle plot */
    let recordPlot = null

    /** @param {string} deviceId @param {number} seq */
    async function open(deviceId, seq) {
        const r = await api("GET", "/api/devices/" + encodeURIComponent(deviceId) + "/records/" + seq)
        detail.hidden = false
        const summary = cycleSummary(r, guidance)
        summary.setAttribute("open", "")
        const cycle = r.record.kind === 1
        // the patient reference is the operators' (auditors verify records without it)
        const session = cycle && me.role === "operator" ? await api("GET", "/api/devices/" + encodeURIComponent(deviceId) + "/records/" + seq + "/session").catch(() => null) : undefined
        const patient = session === undefined ? null : session === null ? "none (not started from a console session)" :
            h("a", { href: "#/patient/" + encodeURIComponent(session.patientRef) }, session.patientRef)
        // the cycle's plot, from the telemetry the hub kept for the session's cycle
        const t = cycle ? await api("GET", "/api/devices/" + encodeURIComponent(deviceId) + "/records/" + seq + "/telemetry").catch(() => null) : null
        recordPlot?.stop()
        recordPlot = t ? livePlot(deviceId, { cycle: t.cycle, samples: t.samples, id: "record-plot" }) : null
        const zero = /^0+$/.test(r.record.templateHash)
        fill(detail, h("h2", { id: "rec-detail-h", tabindex: "-1" }, "Record " + deviceId + " #" + seq),
            h("dl", { class: "facts" },
                h("dt", {}, "Kind"), h("dd", {}, KINDS[r.record.kind]),
                patient ? h("dt", {}, "Patient reference") : null, patient ? h("dd", { id: "rec-patient" }, patient) : null,
                h("dt", {}, "Received"), h("dd", {}, when(r.receivedAtMs)),
                zero ? null : h("dt", {}, "Template hash"), zero ? null : h("dd", { class: "hash" }, r.record.templateHash),
                h("dt", {}, "Hash"), h("dd", { class: "hash" }, r.hash),
                h("dt", {}, "Previous hash"), h("dd", { class: "hash" }, r.prevHash),
                h("dt", {}, "Boot / uptime"), h("dd", {}, r.record.bootId + " / " + (r.record.uptimeMs / 1000).toFixed(1) + " s")),
            cycle ? h("h3", {}, "Arch fit") : null, cycle ? fitFacts(r.record.fit) : null,
            recordPlot ? recordPlot.el : null,
            summary)
        ;/** @type {HTMLElement} */ (detail.querySelector("h2")).focus()
    }

    async function chains() {
        fill(chainBox, h("h2", { id: "chain-h" }, "Chain verification and export"),
            devices.length === 0 ? h("p", {}, "No devices.") : table("Devices", ["Device", "Chain", "Export"], devices.map((/** @type {any} */ d) => {
                const cell = h("td", { class: "chain", dataset: { device: d.deviceId } })
                const verify = async () => {
                    cell.textContent = "checking…"
                    try {
                        const c = await api("GET", "/api/devices/" + encodeURIComponent(d.deviceId) + "/chain")
                        fill(cell, h("span", { class: "badge " + (c.ok ? "approved" : "rejected") }, c.ok ? "verified" : "problems"),
                            " " + c.records + " records, head seq " + c.head.seq + (c.pendingOnDevice ? ", " + c.pendingOnDevice + " still on the device" : "") + (c.alerts ? ", " + c.alerts + " alerts" : ""),
                            c.findings.length ? h("ul", {}, c.findings.map((/** @type {any} */ f) => h("li", {}, f.code + " at seq " + f.seq + ": " + f.detail))) : null)
                    } catch (e) {
                        cell.textContent = errorText(e)
                    }
                }
                cell.append(h("button", { type: "button", onclick: verify }, "Verify chain"))
                const exp = (/** @type {string} */ fmt) => h("a", { class: "button", href: "/api/devices/" + encodeURIComponent(d.deviceId) + "/records/export?format=" + fmt, download: d.deviceId + "-records." + fmt }, fmt.toUpperCase())
                return h("tr", {}, h("th", { scope: "row" }, d.deviceId), cell, h("td", {}, exp("csv"), " ", exp("json")))
            })),
            h("p", { class: "muted" }, "An export is verified independently with: npm run audit -- FILE --key-file KEY"))
    }

    form.addEventListener("submit", ev => {
        ev.preventDefault()
        search()
    })
    main.append(h("h1", {}, "Records"), ...(me.role === "operator" ? [patientSearch()] : []), form, results, detail, chainBox)
    await Promise.all([search(), chains()])
    void say
    return () => recordPlot?.stop()
}

/** Operators: find a patient's cycles by the reference typed when the session was prepared (the printable report). */
function patientSearch() {
    const ref = h("input", { id: "rec-patient-ref", name: "patientRef", maxlength: 24, pattern: "[A-Za-z0-9._\\-]{1,24}", required: true, autocomplete: "off" })
    const form = h("form", { class: "inline-form", role: "search", "aria-label": "Patient" },
        h("div", { class: "field" }, h("label", { for: "rec-patient-ref" }, "Patient reference"), ref),
        h("button", { type: "submit" }, "Find patient's cycles"))
    form.addEventListener("submit", ev => {
        ev.preventDefault()
        location.hash = "#/patient/" + encodeURIComponent(/** @type {HTMLInputElement} */ (ref).value.trim())
    })
    return form
}

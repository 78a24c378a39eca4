// @ts-check
// Prepare a session (operators): pick an approved template and enter the clinic's patient
// reference; the device fetches it, shows it, and waits for its own START button. The console
// can abort an open session; it has no way to start a cycle. Technicians see the session only.
import { api, h, say, errorText, when, OUTCOMES, fill } from "../api.js"

/**
 * @param {string} deviceId
 * @param {boolean} canPrepare
 * @param {(t: import("./live-plot.js").Targets | null, cycle: number | null) => void} onTargets the open session's targets and its cycle (null before it starts)
 */
export function sessionPanel(deviceId, canPrepare, onTargets) {
    const el = h("section", { class: "card wide", "aria-labelledby": "session-h", id: "session-panel" })
    const current = h("div", { id: "session-current" })
    const form = h("form", { class: "inline-form", id: "session-form" })
    el.append(h("h2", { id: "session-h" }, "Session"), current)
    if (canPrepare) el.append(form)
    const base = "/api/devices/" + encodeURIComponent(deviceId)
    /** @type {Map<string, any>} */
    const templateCache = new Map()
    let shownKey = ""

    /** The session template's process: its targets for the plot. @param {string} templateId */
    async function targetsOf(templateId) {
        if (!templateCache.has(templateId)) templateCache.set(templateId, await api("GET", "/api/library/templates/" + templateId).then(r => r.design.process, () => null))
        return templateCache.get(templateId)
    }

    async function buildForm() {
        const { templates } = await api("GET", "/api/library/templates?status=approved&limit=100")
        const select = h("select", { id: "session-template", name: "templateHash", required: true },
            templates.map((/** @type {any} */ t) => h("option", { value: t.approvedHash }, t.name + " v" + t.version + " by " + t.designer)))
        const ref = h("input", { id: "session-patient", name: "patientRef", required: true, maxlength: 24, pattern: "[A-Za-z0-9._\\-]{1,24}", autocomplete: "off", "aria-describedby": "session-patient-help" })
        fill(form, 
            h("div", { class: "field" }, h("label", { for: "session-template" }, "Approved template"), select),
            h("div", { class: "field" }, h("label", { for: "session-patient" }, "Patient reference"), ref,
                h("small", { id: "session-patient-help" }, "The clinic's reference (letters, digits . _ -), never a name.")),
            h("button", { type: "submit", class: "primary", disabled: templates.length === 0 }, "Prepare session"),
            templates.length === 0 ? h("p", {}, "No approved template yet.") : null)
        form.onsubmit = async ev => {
            ev.preventDefault()
            try {
                const s = await api("POST", base + "/session", { templateHash: /** @type {HTMLSelectElement} */ (select).value, patientRef: /** @type {HTMLInputElement} */ (ref).value })
                say("Session prepared for " + deviceId + ": the device shows it and waits for its START button.")
                ;/** @type {HTMLInputElement} */ (ref).value = ""
                await refresh()
                void s
            } catch (e) {
                say("Prepare failed: " + errorText(e), "error")
            }
        }
    }

    async function abort() {
        try {
            await api("POST", base + "/abort")
            say("Abort sent to " + deviceId + ": the device receives it on its next request (within about 2 s while a cycle runs).")
            await refresh()
        } catch (e) {
            say("Abort failed: " + errorText(e), "error")
        }
    }

    async function refresh() {
        let sessions
        try {
            sessions = (await api("GET", base + "/sessions")).sessions
        } catch (e) {
            fill(current, h("p", { class: "error" }, errorText(e)))
            return
        }
        const s = sessions[0]
        const open = s && s.status !== "ended"
        const key = s ? s.sessionId + s.status + (s.abortDeliveredAtMs ? ":received" : "") : "none"
        onTargets(open && s.templateId ? await targetsOf(s.templateId) : null, open ? s.cycle ?? null : null)
        if (key === shownKey) return
        shownKey = key
        sessionOpen = !!open
        form.hidden = sessionOpen || !!fault
        if (!s) {
            fill(current, h("p", {}, "No session prepared for this device."))
            return
        }
        const text = {
            prepared: "Prepared: waiting for the device to fetch it.",
            delivered: "On the device: it shows the session and waits for its START button.",
            running: "Running: cycle " + s.cycle + " started on the device.",
            abort_requested: "Abort requested by " + s.abortRequestedBy + (s.abortDeliveredAtMs ? "; the device has received it." : "; waiting for the device to fetch it."),
            ended: "Ended: " + OUTCOMES[s.outcome ?? 0] + ".",
        }[/** @type {string} */ (s.status)]
        fill(current, h("dl", { class: "facts" },
            h("dt", {}, "Status"), h("dd", { id: "session-status", dataset: { status: s.status } }, text),
            h("dt", {}, "Template"), h("dd", {}, s.templateName || s.templateHash.slice(0, 12)),
            h("dt", {}, "Patient reference"), h("dd", {}, s.patientRef),
            h("dt", {}, "Prepared"), h("dd", {}, when(s.createdAtMs) + " by " + s.preparedBy)),
            open && canPrepare ? h("button", { type: "button", class: "danger", id: "session-abort", onclick: abort, disabled: s.status === "abort_requested" }, "Abort session") : null,
            h("p", { class: "muted" }, "The console cannot start a cycle: only the START button on the device does."))
    }

    // a latched fault: no new session is offered until a technician clears it
    const blocked = h("p", { class: "guidance", id: "session-blocked", hidden: true })
    if (canPrepare) el.append(blocked)
    let sessionOpen = false
    let fault = /** @type {string | null} */ (null)

    if (canPrepare) buildForm().catch(e => fill(form, h("p", { class: "error" }, errorText(e))))
    return {
        el, refresh, stop() {},
        /** @param {string | null} f the latched fault's text ("faulted E31 sensor stale"), or null */
        setFault(f) {
            fault = f
            blocked.hidden = !f
            blocked.textContent = f ? "No new session while the device is " + f + ": a technician clears the fault first." : ""
            form.hidden = sessionOpen || !!f
        },
    }
}

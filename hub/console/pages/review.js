// @ts-check
// The council's review queue: submitted templates, each with its design, what changed since
// the previous version and its history. Reject needs a reason; approve signs the template's
// canonical bytes (as the hub will serve them, GET .../approval) with the reviewer's key in
// this page (signing-key.js) and sends only the signature.
import { api, h, say, errorText, when, hubTimeS, fill, ApiError } from "../api.js"
import { designView, revokeControl } from "./templates.js"
import { keyPanel, hasKey, signHex, forgetKey, keyRegistered, REGISTER_FIRST } from "./signing-key.js"

/** @param {HTMLElement} main @param {any} _me @param {string} id */
export async function page(main, _me, id) {
    const list = h("section", { class: "card", "aria-labelledby": "queue-h" })
    const item = h("section", { class: "card wide", "aria-labelledby": "item-h", id: "review-item" })
    /** @type {HTMLButtonElement | null} */
    let approveBtn = null
    const keys = keyPanel(() => {
        if (approveBtn) approveBtn.disabled = !hasKey()
    })
    main.append(h("h1", {}, "Review queue"), h("div", { class: "grid" }, list, keys), item)

    async function loadQueue() {
        const r = await api("GET", "/api/library/templates?status=submitted&limit=100")
        fill(list, h("h2", { id: "queue-h" }, "Waiting for review (" + r.total + ")"),
            r.templates.length === 0 ? h("p", {}, "Nothing waiting.") : h("ul", { class: "queue" }, r.templates.map((/** @type {any} */ t) =>
                h("li", {}, h("a", { href: "#/review/" + t.templateId, "aria-current": t.templateId === id ? "true" : null }, t.name + " v" + t.version), " by " + t.designer + ", " + when(t.submittedAtMs)))))
    }

    async function loadItem() {
        if (!id) {
            fill(item, h("h2", { id: "item-h" }, "Pick a template from the queue"))
            return
        }
        const t = await api("GET", "/api/library/templates/" + encodeURIComponent(id))
        const reason = h("textarea", { id: "review-reason", rows: 3, maxlength: 2000, "aria-describedby": "review-reason-help" })
        approveBtn = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "primary", id: "review-approve", disabled: !hasKey() }, "Approve and sign"))
        const reject = h("button", { type: "button", class: "danger", id: "review-reject" }, "Reject")
        const decided = t.status !== "submitted" && t.status !== "rejected"
        fill(item, h("h2", { id: "item-h" }, t.name + " v" + t.version), designView(t),
            decided ? h("div", {}, h("p", {}, "Already " + t.status + "."), revokeControl(t, loadItem)) : h("div", { class: "decision" },
                h("div", { class: "field" }, h("label", { for: "review-reason" }, "Reason (public)"), reason,
                    h("small", { id: "review-reason-help" }, "Published with the decision on the transparency page. Required to reject.")),
                h("div", { class: "buttons" }, approveBtn, reject)))
        const text = () => /** @type {HTMLTextAreaElement} */ (reason).value.trim()
        reject.addEventListener("click", async () => {
            if (!text()) {
                say("Say why it is rejected: the reason is published.", "error")
                reason.focus()
                return
            }
            await decide({ decision: "reject", reason: text() })
        })
        approveBtn.addEventListener("click", async () => {
            try {
                if (!(await keyRegistered())) {
                    say(REGISTER_FIRST, "error")
                    document.getElementById("key-register")?.focus()
                    return
                }
                const at = hubTimeS()
                const a = await api("GET", "/api/library/templates/" + encodeURIComponent(id) + "/approval?approvedUnixS=" + at)
                const signatureHex = await signHex(a.bytesHex)
                await decide({ decision: "approve", reason: text(), approvedUnixS: at, signatureHex })
            } catch (e) {
                say(e instanceof ApiError && e.code === "no_key" ? REGISTER_FIRST : "Approval failed: " + errorText(e), "error")
            }
        })
    }

    /** @param {object} body */
    async function decide(body) {
        try {
            const r = await api("POST", "/api/library/templates/" + encodeURIComponent(id) + "/reviews", body)
            say("Recorded: " + r.decision + (r.templateHash ? " (approved hash " + r.templateHash.slice(0, 12) + "…)" : "") + ".")
            await Promise.all([loadQueue(), loadItem()])
        } catch (e) {
            say("Decision refused: " + errorText(e), "error")
        }
    }

    await Promise.all([loadQueue(), loadItem()])
    // leaving the review pages is not leaving the session: keep the key until log out or reload
    return () => {
        if (!location.hash.startsWith("#/review")) forgetKey()
    }
}

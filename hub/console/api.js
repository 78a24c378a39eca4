// @ts-check
// The console's HTTP and DOM helpers. Requests go to this hub only, with the session cookie
// (HttpOnly, SameSite=Strict: the page never sees the token). Errors carry the hub's
// { error: { code, field?, message } }.

export class ApiError extends Error {
    /** @param {number} status @param {string} code @param {string} message @param {string | undefined} field */
    constructor(status, code, message, field) {
        super(message)
        this.status = status
        this.code = code
        this.field = field
    }
}

/** the hub's clock (unix s) from the last answer's Date header, for approvals */
export let hubNowS = Math.floor(Date.now() / 1000)
let hubOffsetS = 0

/**
 * @param {string} method
 * @param {string} url
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function api(method, url, body) {
    /** @type {RequestInit} */
    const init = { method, credentials: "same-origin", headers: {} }
    if (body !== undefined) {
        init.headers = { "content-type": "application/json" }
        init.body = JSON.stringify(body)
    }
    /** @type {Response} */
    let r
    try {
        r = await fetch(url, init)
    } catch (e) {
        unreachable(true)
        throw new ApiError(0, "hub_unreachable", "the hub does not answer; check the network or that the hub is running", undefined)
    }
    unreachable(r.status >= 502 && r.status <= 504)
    const date = r.headers.get("date")
    if (date) hubOffsetS = Math.floor(Date.parse(date) / 1000) - Math.floor(Date.now() / 1000)
    if (r.status === 204) return null
    const text = await r.text()
    let data = null
    try {
        data = text ? JSON.parse(text) : null
    } catch {
        data = null
    }
    if (!r.ok) {
        const e = data && data.error ? data.error : { code: "http_" + r.status, message: r.statusText }
        throw new ApiError(r.status, e.code, e.message, e.field)
    }
    return data
}

/** Shows or hides the banner that says the hub does not answer (cleared by the next answer). @param {boolean} down */
function unreachable(down) {
    let b = document.getElementById("hub-unreachable")
    if (!b && !down) return
    if (!b) {
        b = h("div", { id: "hub-unreachable", class: "banner", role: "alert" },
            "Hub unreachable: the hub did not answer. What you see may be out of date; the page keeps trying.")
        document.querySelector("header")?.after(b)
    }
    b.hidden = !down
}

/** the hub's current time, unix seconds (the last Date header, advanced by the local clock) */
export function hubTimeS() {
    hubNowS = Math.floor(Date.now() / 1000) + hubOffsetS
    return hubNowS
}

/**
 * Builds an element. Text is always set as text (never parsed as HTML).
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...(Node | string | number | null | undefined | false | (Node | string)[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag)
    for (const [k, v] of Object.entries(attrs)) {
        if (v === undefined || v === null || v === false) continue
        if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v)
        else if (k === "dataset") Object.assign(el.dataset, v)
        else if (v === true) el.setAttribute(k, "")
        else el.setAttribute(k, String(v))
    }
    append(el, children)
    return el
}

/**
 * Replaces an element's content; null, undefined and false children are left out.
 * @param {Element} el
 * @param {...(Node | string | number | null | undefined | false | (Node | string)[])} children
 */
export function fill(el, ...children) {
    el.replaceChildren()
    append(el, children)
}

/** @param {Element} el @param {any[]} children */
function append(el, children) {
    for (const c of children) {
        if (c === null || c === undefined || c === false) continue
        if (Array.isArray(c)) append(el, c)
        else el.append(typeof c === "number" ? String(c) : c)
    }
}

/** a message said for the page being navigated to (login, logout): kept by the next clearStatus */
let carry = false

/**
 * Tells the user something in the polite live region; it lasts until the next page, unless
 * `forNextPage` (a message about the navigation itself, such as "Logged in").
 * @param {string} text @param {"ok"|"error"} [kind] @param {boolean} [forNextPage]
 */
export function say(text, kind = "ok", forNextPage = false) {
    const s = document.getElementById("status")
    if (!s) return
    s.textContent = text
    s.className = "status " + kind
    carry = forNextPage
}

/** Called on every navigation: the previous page's message goes (one said for this page stays). */
export function clearStatus() {
    if (!carry) say("")
    carry = false
}

/** @param {unknown} e */
export function errorText(e) {
    if (e instanceof ApiError) return e.message + " (" + e.code + ")"
    return String(e instanceof Error ? e.message : e)
}

/** @param {number | null | undefined} ms */
export function when(ms) {
    if (ms === null || ms === undefined) return "never"
    return new Date(ms).toLocaleString()
}

/** @param {number | null | undefined} ms */
export function ago(ms) {
    if (ms === null || ms === undefined) return "never"
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000))
    if (s < 90) return s + " s ago"
    if (s < 5400) return Math.round(s / 60) + " min ago"
    return when(ms)
}

/** 0.1 °C -> "70.0 °C" @param {number} d */
export const degC = d => (d / 10).toFixed(1) + " °C"
/** mN -> "20.0 N" @param {number} mn */
export const newton = mn => (mn / 1000).toFixed(1) + " N"

export const PHASES = ["idle", "preflight", "preheat", "approach", "press", "cure", "release", "cool", "complete", "aborted", "faulted", "autotune", "scan"]
export const OUTCOMES = ["not run", "complete", "aborted", "faulted"]
export const KINDS = ["", "cycle", "calibration", "template install", "template revoke", "fault clear"]

/** A table in a scrolling wrapper (narrow screens scroll the table, not the page). @param {string} caption @param {string[]} head @param {Node[]} rows */
export function table(caption, head, rows) {
    return h("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
        h("table", {}, h("caption", {}, caption), h("thead", {}, h("tr", {}, head.map(x => h("th", { scope: "col" }, x)))), h("tbody", {}, rows)))
}

/** @type {Promise<Map<number, {code:number,name:string,latching:boolean,action:string}>> | null} */
let faults = null
/** The hub's fault guidance table, fetched once. */
export function faultTable() {
    faults ??= api("GET", "/api/faults").then(r => new Map(r.faults.map((/** @type {any} */ f) => [f.code, f])))
    return faults
}

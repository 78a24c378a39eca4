// @ts-check
// The console shell: who is logged in, the navigation their role gets, and a hash router that
// loads one page module per route. Every page renders into <main> and returns an optional
// cleanup (live streams and timers stop when you leave the page).
import { api, h, say, errorText, fill, clearStatus } from "./api.js"

/** @typedef {{ name: string, role: string } | null} Me */
/** @typedef {(main: HTMLElement, me: Me, arg: string) => Promise<(() => void) | void>} Page */

/** [route, label, roles that see it in the navigation ("*" = everyone, "public" = logged out too), module] */
const ROUTES = [
    ["fleet", "Fleet", ["operator", "technician", "auditor"], "./pages/fleet.js"],
    ["device", "", ["operator", "technician", "auditor"], "./pages/device.js"],
    ["review", "Review queue", ["reviewer"], "./pages/review.js"],
    ["editor", "New design", ["designer"], "./pages/editor.js"],
    ["records", "Records", ["operator", "auditor"], "./pages/records.js"],
    ["admin", "Administration", ["admin"], "./pages/admin.js"],
    ["staff-log", "Staff actions", ["auditor"], "./pages/staff-log.js"],
    ["patient", "", ["operator"], "./pages/patient.js"],
    ["templates", "Templates", ["public"], "./pages/templates.js"],
    ["transparency", "Transparency", ["public"], "./pages/transparency.js"],
    ["account", "Account", ["operator", "technician", "reviewer", "auditor", "designer", "admin"], "./pages/account.js"],
    ["login", "", ["public"], "./pages/login.js"],
]

/** @type {Me} */
let me = null
/** @type {(() => void) | void} */
let cleanup

/** @param {Me} who */
function homeOf(who) {
    if (!who) return "transparency"
    return { operator: "fleet", technician: "fleet", auditor: "records", reviewer: "review", designer: "editor", admin: "admin" }[who.role] ?? "templates"
}

/** @param {string} route @param {Me} who */
function allowed(route, who) {
    const r = ROUTES.find(x => x[0] === route)
    if (!r) return false
    const roles = /** @type {string[]} */ (r[2])
    return roles.includes("public") || (who !== null && roles.includes(who.role))
}

function renderNav() {
    const nav = /** @type {HTMLElement} */ (document.getElementById("nav"))
    const current = location.hash.slice(2).split("/")[0]
    fill(nav, h("ul", {}, ROUTES.filter(r => r[1] && allowed(/** @type {string} */ (r[0]), me)).map(r =>
        h("li", {}, h("a", { href: "#/" + r[0], "aria-current": r[0] === current ? "page" : null }, /** @type {string} */ (r[1]))))))
    const who = /** @type {HTMLElement} */ (document.getElementById("who"))
    if (me) {
        fill(who, h("span", { class: "me", dataset: { role: me.role } }, me.name + " (" + me.role + ")"), " ",
            h("button", { type: "button", onclick: logout }, "Log out"))
    } else {
        fill(who, h("a", { href: "#/login", class: "button" }, "Log in"))
    }
}

async function logout() {
    try {
        await api("POST", "/api/auth/logout")
    } catch {
        // an expired session is logged out already
    }
    me = null
    say("Logged out.", "ok", true)
    if (location.hash === "#/transparency") await route()
    else location.hash = "#/transparency"
}

/** Called by the login page. @param {Me} who */
export async function loggedIn(who) {
    me = who
    location.hash = "#/" + homeOf(me)
}

// each navigation gets a number: a page that finishes loading after a newer navigation is dropped
let navigation = 0

async function route() {
    const mine = ++navigation
    const [name, ...rest] = location.hash.slice(2).split("/")
    const target = name || homeOf(me)
    if (cleanup) cleanup()
    cleanup = undefined
    clearStatus()
    renderNav()
    const main = /** @type {HTMLElement} */ (document.getElementById("main"))
    if (!ROUTES.some(x => x[0] === target)) {
        fill(main, h("h1", {}, "Page not found"), h("p", {}, "There is no page #/" + target + " in this console. ", h("a", { href: "#/" + homeOf(me) }, "Go to your start page")))
        document.title = "Page not found · Smile Film hub"
        return
    }
    if (!allowed(target, me)) {
        if (!me) {
            location.hash = "#/login"
            return
        }
        fill(main, h("h1", {}, "Not for your role"), h("p", {}, "Your role (" + me.role + ") cannot open this page."))
        return
    }
    const r = ROUTES.find(x => x[0] === target)
    fill(main, h("p", {}, "Loading…"))
    const view = h("div", { class: "page" })
    try {
        const mod = await import(/** @type {string} */ (r?.[3]))
        if (mine !== navigation) return
        fill(main, view)
        const stop = await /** @type {Page} */ (mod.page)(view, me, decodeURIComponent(rest.join("/")))
        if (mine !== navigation) {
            if (stop) stop()
            return
        }
        cleanup = stop
        const h1 = main.querySelector("h1")
        if (h1) document.title = h1.textContent + " · Smile Film hub"
        // a page that put focus somewhere (the login's name field) keeps it; else focus moves to the new content
        if (!main.contains(document.activeElement)) main.focus({ preventScroll: true })
    } catch (e) {
        if (mine === navigation) fill(main, h("h1", {}, "Could not load this page"), h("p", { class: "error" }, errorText(e)))
    }
}

async function start() {
    try {
        me = await api("GET", "/api/auth/me")
    } catch {
        me = null
    }
    window.addEventListener("hashchange", route)
    await route()
}

start()

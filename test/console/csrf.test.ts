// Issue 13 item 3 in a real browser: a page served from another port of 127.0.0.1 (same site,
// another origin, so the SameSite=Strict cookie goes along) posts text/plain forms to the hub
// while an operator is logged in. Neither the abort nor the logout may happen; the console
// itself (same origin) still prepares and aborts.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { world, approvedTemplate, HAVE_CHROMIUM, SKIP_REASON, DEVICE_ID, type World } from "./fixture"

/** an attacker's page: one form, submitted by its own script as soon as it loads */
function attackPage(action: string): string {
    return `<!doctype html><title>win a prize</title>
<form id="f" method="POST" action="${action}" enctype="text/plain"><input name="x" value="1"></form>
<script>document.getElementById("f").submit()</script>`
}

describe.skipIf(!HAVE_CHROMIUM)("cross-site forms against the console " + SKIP_REASON, () => {
    let w: World
    let evil: Server
    let evilUrl: string
    let hash: string
    beforeAll(async () => {
        w = await world()
        hash = await approvedTemplate(w)
        evil = createServer((req, res) => {
            const target = new URL(req.url ?? "/", "http://x").searchParams.get("to") ?? ""
            res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(attackPage(w.url + target))
        })
        await new Promise<void>(done => evil.listen(0, "127.0.0.1", done))
        evilUrl = "http://127.0.0.1:" + (evil.address() as AddressInfo).port
        await w.login("operator")
    })
    afterAll(async () => {
        evil?.close()
        await w?.close()
    })

    const abortAsked = async () =>
        (await w.db.db.selectFrom("device_sessions").select("abort_requested_at_ms").where("device_id", "=", DEVICE_ID).executeTakeFirstOrThrow()).abort_requested_at_ms !== null

    /** opens the attacker's page, which posts to `path` on the hub; returns the hub's answer to that post */
    async function attack(path: string) {
        const answer = w.page.waitForResponse(r => r.url() === w.url + path && r.request().method() === "POST")
        await w.page.goto(evilUrl + "/?to=" + encodeURIComponent(path))
        const r = await answer
        return { status: r.status(), body: await r.json(), origin: await r.request().headerValue("origin") }
    }

    it("the operator prepares a session in the console", async () => {
        const p = w.page
        await p.goto(w.url + "/console/#/device/" + DEVICE_ID)
        await p.getByLabel("Approved template").selectOption(hash)
        await p.getByLabel("Patient reference").fill("PT-CSRF")
        await p.getByRole("button", { name: "Prepare session" }).click()
        await p.locator("#session-status[data-status=prepared]").waitFor()
    })

    it("a form on another port cannot abort the session", async () => {
        const r = await attack("/api/devices/" + DEVICE_ID + "/abort")
        expect(r.origin).toBe(evilUrl)
        expect([r.status, r.body.error.code]).toEqual([403, "cross_site"])
        expect(await abortAsked()).toBe(false)
    })

    it("nor log the operator out", async () => {
        const r = await attack("/api/auth/logout")
        expect([r.status, r.body.error.code]).toEqual([403, "cross_site"])
        await w.page.goto(w.url + "/console/#/device/" + DEVICE_ID)
        await w.page.locator(".me[data-role=operator]").waitFor()
    })

    it("the console itself still aborts, and logs out", async () => {
        const p = w.page
        await p.getByRole("button", { name: "Abort session" }).click()
        // not yet fetched by the device, so the abort ends it at once (hub/README.md)
        await p.locator("#session-status[data-status=ended]").waitFor()
        expect(await abortAsked()).toBe(true)
        await w.logout()
        const me = await p.evaluate(async () => (await fetch("/api/auth/me")).status)
        expect(me).toBe(401)
    })
})

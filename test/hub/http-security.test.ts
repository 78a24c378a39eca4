// Issue 13 items 3 and 14: cookie-authenticated state changes only from the hub's own pages
// (Origin / Sec-Fetch-Site), the session cookie's flags (Secure over https), the login answer
// keeps the token from page script, and every API answer and export is nosniff and no-store.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { request as httpsRequest } from "node:https"
import { buildHub } from "../../hub/src/app"
import { routeHub, DEVICE_ID, FIXTURE_PASSWORD, type RouteHub } from "./hub-fixture"
import { submitGolden, approve } from "./console-fixture"
import { tempDir } from "./support"

let h: RouteHub
let hash: string
beforeAll(async () => {
    h = await routeHub()
    hash = await approve(h, await submitGolden(h))
})
afterAll(async () => h?.close())

// the console's policy as it was before helmet wrote it (helmet separates directives with ";" alone)
const CONSOLE_CSP = "default-src 'self';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data:;connect-src 'self';frame-ancestors 'none';base-uri 'none';form-action 'self'"
const HOST = "hub.test:8090"
const SELF = "http://" + HOST
const ABORT = "/api/devices/" + DEVICE_ID + "/abort"

async function cookieLogin(role = "operator"): Promise<string> {
    const r = await h.app.inject({ method: "POST", url: "/api/auth/login", headers: { host: HOST, origin: SELF }, payload: { name: "u-" + role, password: FIXTURE_PASSWORD } })
    expect(r.statusCode).toBe(200)
    const c = String(r.headers["set-cookie"])
    return c.slice(0, c.indexOf(";"))
}

describe("the login answer and the session cookie", () => {
    it("a console login sets the HttpOnly, SameSite=Strict cookie and gives page script no token", async () => {
        const r = await h.app.inject({ method: "POST", url: "/api/auth/login", headers: { host: HOST, origin: SELF }, payload: { name: "u-operator", password: FIXTURE_PASSWORD } })
        expect(r.statusCode).toBe(200)
        expect(Object.keys(r.json()).sort()).toEqual(["expiresAtMs", "name", "role"])
        const cookie = String(r.headers["set-cookie"])
        expect(cookie).toMatch(/^hub_session=[0-9a-f]{64}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/)
    })

    it("a script asks for a bearer token with bearer: true and gets no cookie", async () => {
        const r = await h.app.inject({ method: "POST", url: "/api/auth/login", payload: { name: "u-auditor", password: FIXTURE_PASSWORD, bearer: true } })
        expect(r.statusCode).toBe(200)
        expect(r.json()).toMatchObject({ token: expect.stringMatching(/^[0-9a-f]{64}$/), name: "u-auditor", role: "auditor" })
        expect(r.headers["set-cookie"]).toBeUndefined()
        const me = await h.app.inject({ method: "GET", url: "/api/auth/me", headers: { authorization: "Bearer " + r.json().token } })
        expect(me.json()).toMatchObject({ name: "u-auditor" })
    })

    it("over https the cookie is Secure", async () => {
        const t = tempDir("hub-tls-")
        try {
            execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-keyout", join(t.dir, "key.pem"), "-out", join(t.dir, "cert.pem")], { stdio: "ignore" })
            const app = await buildHub(h.ctx, { https: { key: readFileSync(join(t.dir, "key.pem")), cert: readFileSync(join(t.dir, "cert.pem")) } })
            try {
                const url = new URL(await app.listen({ port: 0, host: "127.0.0.1" }))
                const body = JSON.stringify({ name: "u-operator", password: FIXTURE_PASSWORD })
                const setCookie = await new Promise<string>((resolve, reject) => {
                    const req = httpsRequest({ host: "127.0.0.1", port: url.port, method: "POST", path: "/api/auth/login", rejectUnauthorized: false,
                        headers: { "content-type": "application/json", origin: url.origin } }, res => {
                        res.resume()
                        res.on("end", () => (res.statusCode === 200 ? resolve(String(res.headers["set-cookie"])) : reject(new Error("login " + res.statusCode))))
                    })
                    req.on("error", reject)
                    req.end(body)
                })
                expect(setCookie).toMatch(/^hub_session=[0-9a-f]{64}; .*; Secure; SameSite=Strict$/)
            } finally {
                await app.close()
            }
        } finally {
            t.cleanup()
        }
    })
})

describe("security headers", () => {
    it("API answers, errors and both exports: nosniff and Cache-Control no-store", async () => {
        const answers = [
            await h.app.inject({ method: "GET", url: "/api/transparency" }),
            await h.app.inject({ method: "GET", url: "/api/auth/me" }),
            await h.staff("auditor", "GET", "/api/devices/" + DEVICE_ID),
            await h.staff("auditor", "GET", "/api/devices/" + DEVICE_ID + "/records/export?format=json"),
            await h.staff("auditor", "GET", "/api/devices/" + DEVICE_ID + "/records/export?format=csv"),
            await h.app.inject({ method: "GET", url: "/api/nothing-here" }),
        ]
        for (const r of answers) expect([r.statusCode, r.headers["x-content-type-options"], r.headers["cache-control"]]).toEqual([r.statusCode, "nosniff", "no-store"])
        expect(answers.map(r => r.statusCode)).toEqual([200, 401, 200, 200, 200, 404])
    })

    it("the console keeps its Content-Security-Policy, nosniff and no framing", async () => {
        for (const url of ["/console/", "/console/app.js", "/console/vendor/uPlot.esm.js"]) {
            const r = await h.app.inject({ method: "GET", url })
            expect([url, r.statusCode, r.headers["content-security-policy"], r.headers["x-content-type-options"]]).toEqual([url, 200, CONSOLE_CSP, "nosniff"])
            expect(r.headers["x-frame-options"]).toBe("DENY")
        }
    })
})

describe("cross-site requests (CSRF)", () => {
    const openSession = async () => {
        const p = await h.staff("operator", "POST", "/api/devices/" + DEVICE_ID + "/session", { templateHash: hash, patientRef: "PT-CSRF" })
        expect(p.statusCode).toBe(201)
        return p.json().sessionId as string
    }
    const abortAsked = async (id: string) =>
        (await h.db.db.selectFrom("device_sessions").select("abort_requested_at_ms").where("session_id", "=", id).executeTakeFirstOrThrow()).abort_requested_at_ms !== null

    it("a form from another port of the same host cannot abort a session or log the operator out", async () => {
        const id = await openSession()
        const cookie = await cookieLogin()
        const foreign = { host: HOST, cookie, origin: "http://hub.test:9999", "sec-fetch-site": "same-site", "content-type": "text/plain" }
        const a = await h.app.inject({ method: "POST", url: ABORT, headers: foreign, payload: "x=1" })
        expect([a.statusCode, a.json().error.code]).toEqual([403, "cross_site"])
        const out = await h.app.inject({ method: "POST", url: "/api/auth/logout", headers: foreign, payload: "x=1" })
        expect([out.statusCode, out.json().error.code]).toEqual([403, "cross_site"])
        expect(await abortAsked(id)).toBe(false)
        const me = await h.app.inject({ method: "GET", url: "/api/auth/me", headers: { host: HOST, cookie } })
        expect(me.statusCode).toBe(200)
        // the hub's own page may
        const own = await h.app.inject({ method: "POST", url: ABORT, headers: { host: HOST, cookie, origin: SELF, "sec-fetch-site": "same-origin" } })
        expect(own.statusCode).toBe(200)
        expect(await abortAsked(id)).toBe(true)
    })

    it("each signal alone refuses: a foreign Origin, Sec-Fetch-Site cross-site, or a cookie with neither header", async () => {
        const cookie = await cookieLogin()
        const cases: Record<string, string>[] = [
            { origin: "http://evil.test" },
            { origin: "null" },
            { "sec-fetch-site": "cross-site" },
            { "sec-fetch-site": "same-site", origin: SELF },
            {},
        ]
        for (const extra of cases) {
            const r = await h.app.inject({ method: "POST", url: "/api/auth/logout", headers: { host: HOST, cookie, ...extra } })
            expect([JSON.stringify(extra), r.statusCode, r.json().error.code]).toEqual([JSON.stringify(extra), 403, "cross_site"])
        }
        expect((await h.app.inject({ method: "GET", url: "/api/auth/me", headers: { host: HOST, cookie } })).statusCode).toBe(200)
    })

    it("a login posted from another site is refused too (login CSRF)", async () => {
        const r = await h.app.inject({ method: "POST", url: "/api/auth/login", headers: { host: HOST, origin: "http://hub.test:9999" }, payload: { name: "u-operator", password: FIXTURE_PASSWORD } })
        expect([r.statusCode, r.json().error.code]).toEqual([403, "cross_site"])
    })

    it("bearer-token clients (no cookie, no Origin) and the device protocol are unaffected", async () => {
        const id = await openSession()
        const r = await h.staff("operator", "POST", ABORT)
        expect(r.statusCode).toBe(200)
        expect(await abortAsked(id)).toBe(true)
        expect((await h.dev("GET", "session")).statusCode).toBe(204)
    })
})

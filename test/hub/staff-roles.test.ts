// Who may do what on the staff routes: every route against every role and no login.
// 401 = no valid session, 403 = logged in with a role that may not.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { ROLES, SESSION_TTL_MS, type Role } from "../../hub/src/auth/staff"
import { createUser } from "../../hub/src/users"
import { routeHub, DEVICE_ID, type RouteHub } from "./hub-fixture"
import { sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, type Backend } from "./support"

function roles(backend: Backend) {
    let h: RouteHub
    beforeAll(async () => {
        h = await routeHub(backend)
    })
    afterAll(async () => {
        await h.close()
    })

    type Who = Role | null
    const ALL: Who[] = [...ROLES, null]
    const DEV = "/api/devices/" + DEVICE_ID

    /** [method, url, body, roles allowed, success status] */
    const MATRIX: [string, string, unknown, Role[], number][] = [
        ["GET", "/api/auth/me", undefined, [...ROLES], 200],
        ["POST", "/api/devices", {}, ["technician"], 201],
        ["GET", "/api/devices", undefined, ["operator", "technician", "auditor", "admin"], 200],
        ["GET", DEV, undefined, ["operator", "technician", "auditor"], 200],
        ["GET", DEV + "/alerts", undefined, ["operator", "technician", "auditor"], 200],
        ["GET", DEV + "/records", undefined, ["operator", "auditor"], 200],
        ["GET", DEV + "/records/export?format=json", undefined, ["operator", "auditor"], 200],
        ["GET", DEV + "/records/export?format=csv", undefined, ["operator", "auditor"], 200],
    ]

    describe("staff role matrix", () => {
        for (const [method, url, body, allowed, ok] of MATRIX) {
            it(method + " " + url, async () => {
                const got: [string, number][] = []
                const want: [string, number][] = []
                for (const who of ALL) {
                    const r = await h.staff(who, method as "GET" | "POST", url, body)
                    got.push([String(who), r.statusCode])
                    want.push([String(who), who === null ? 401 : allowed.includes(who) ? ok : 403])
                }
                expect(got).toEqual(want)
            })
        }

        it("a device key is shown once: the provisioning answer has it, no later view does", async () => {
            const r = await h.staff("technician", "POST", "/api/devices", { deviceId: "SFA1-NEW0001", label: "bench 3" })
            expect(r.statusCode).toBe(201)
            const { keyHex } = r.json()
            expect(r.headers["cache-control"]).toBe("no-store")
            for (const role of ["operator", "technician", "auditor"] as Role[]) {
                const views = [await h.staff(role, "GET", "/api/devices/SFA1-NEW0001"), await h.staff(role, "GET", "/api/devices")]
                for (const v of views) expect(v.body).not.toContain(keyHex)
            }
            const again = await h.staff("technician", "POST", "/api/devices", { deviceId: "SFA1-NEW0001" })
            expect([again.statusCode, again.json().error.code]).toEqual([409, "device_exists"])
        })

        it("login: right password gives an HttpOnly cookie (no token in the answer) that works; wrong gives 401; logout ends it", async () => {
            await createUser(h.ctx, { name: "op-login", password: "s3cret-lantern-path", role: "operator" })
            const bad = await h.app.inject({ method: "POST", url: "/api/auth/login", payload: { name: "op-login", password: "nope-nope" } })
            expect([bad.statusCode, bad.json().error.code]).toEqual([401, "bad_login"])
            const r = await h.app.inject({ method: "POST", url: "/api/auth/login", payload: { name: "op-login", password: "s3cret-lantern-path" } })
            expect(r.statusCode).toBe(200)
            expect(r.json()).toEqual({ name: "op-login", role: "operator", expiresAtMs: h.clock.ms + SESSION_TTL_MS })
            const cookie = String(r.headers["set-cookie"])
            expect(cookie).toMatch(/^hub_session=[0-9a-f]{64}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/)
            const token = cookie.slice("hub_session=".length, cookie.indexOf(";"))
            const byCookie = await h.app.inject({ method: "GET", url: "/api/auth/me", headers: { cookie: "hub_session=" + token } })
            expect(byCookie.json()).toMatchObject({ name: "op-login", role: "operator" })
            const out = await h.app.inject({ method: "POST", url: "/api/auth/logout", headers: { authorization: "Bearer " + token } })
            expect(out.statusCode).toBe(204)
            const after = await h.app.inject({ method: "GET", url: "/api/auth/me", headers: { authorization: "Bearer " + token } })
            expect([after.statusCode, after.json().error.code]).toEqual([401, "session_invalid"])
            const extra = await h.app.inject({ method: "POST", url: "/api/auth/login", payload: { name: "op-login", password: "s3cret-lantern-path", role: "auditor" } })
            expect([extra.statusCode, extra.json().error.message]).toEqual([400, expect.stringContaining("'role'")])
        })
    })

    describe("provisioning input", () => {
        it("{} gives a generated id; no body, a bad id or an unknown field is a 400 naming it", async () => {
            const gen = await h.staff("technician", "POST", "/api/devices", {})
            expect([gen.statusCode, gen.json().deviceId]).toEqual([201, expect.stringMatching(/^SFA1-[0-9A-F]{10}$/)])
            const none = await h.app.inject({ method: "POST", url: "/api/devices", headers: { authorization: "Bearer " + h.tokens.technician } })
            expect([none.statusCode, none.json().error.message]).toEqual([400, "body must be object"])
            const bad = await h.staff("technician", "POST", "/api/devices", { deviceId: "has space" })
            expect([bad.statusCode, bad.json().error.message]).toEqual([400, expect.stringContaining("deviceId")])
            const extra = await h.staff("technician", "POST", "/api/devices", { keyHex: "00".repeat(32) })
            expect([extra.statusCode, extra.json().error.message]).toEqual([400, expect.stringContaining("'keyHex'")])
        })
    })
}

describe("on SQLite", () => roles(sqliteBackend))
describe.skipIf(!PG_URL)("on PostgreSQL" + (PG_URL ? "" : " — " + PG_SKIP_REASON), () => roles(pgBackend))

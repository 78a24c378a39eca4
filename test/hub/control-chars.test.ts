// Issue 13 item 1: a NUL (or another control character) in any string the hub accepts is a 400
// naming the field, on SQLite and PostgreSQL alike (PostgreSQL refuses U+0000 in text, which
// was a 500 with a stack trace in the log), and nothing is stored.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { routeHub, type RouteHub } from "./hub-fixture"
import { submitGolden } from "./console-fixture"
import { sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, type Backend } from "./support"
import { design } from "./library-fixture"

function suite(backend: Backend) {
    let h: RouteHub
    let templateId: string
    beforeAll(async () => {
        h = await routeHub(backend)
        templateId = await submitGolden(h)
    })
    afterAll(async () => h?.close())

    const CONTROL = "must not contain control characters"

    it("the issue's four public routes: NUL in the login name, reviewer, q and designer", async () => {
        const cases: [string, string, unknown, string][] = [
            ["POST", "/api/auth/login", { name: "\u0000", password: "x" }, "body/name"],
            ["GET", "/api/library/reviewer-keys?reviewer=%00", undefined, "querystring/reviewer"],
            ["GET", "/api/library/templates?q=%00", undefined, "querystring/q"],
            ["GET", "/api/library/templates?designer=%00", undefined, "querystring/designer"],
        ]
        for (const [method, url, payload, field] of cases) {
            const r = await h.app.inject({ method: method as "GET" | "POST", url, payload: payload as any })
            expect([url, r.statusCode, r.json().error.code, r.json().error.message]).toEqual([url, 400, "bad_request", expect.stringContaining(field + " " + CONTROL)])
        }
    })

    it("other control characters too: U+0001, ESC, DEL, U+0085, and a tab in a one-line field", async () => {
        for (const c of ["\u0001", "\u001b", "\u007f", "\u0085", "\t"]) {
            const r = await h.app.inject({ method: "POST", url: "/api/auth/login", payload: { name: "u-operator", password: "fixture" + c + "password" } })
            expect([JSON.stringify(c), r.statusCode, r.json().error.message]).toEqual([JSON.stringify(c), 400, expect.stringContaining("body/password " + CONTROL)])
        }
    })

    it("a reject reason with NUL is a 400 and records no decision; a reason with a line break is fine", async () => {
        const bad = await h.staff("reviewer", "POST", "/api/library/templates/" + templateId + "/reviews", { decision: "reject", reason: "too hot\u0000" })
        expect([bad.statusCode, bad.json().error.message]).toEqual([400, expect.stringContaining("body/reason " + CONTROL)])
        const t = await h.app.inject({ method: "GET", url: "/api/library/templates/" + templateId })
        expect(t.json().history).toEqual([])
        const ok = await h.staff("reviewer", "POST", "/api/library/templates/" + templateId + "/reviews", { decision: "reject", reason: "too hot:\nfilm over 80 °C" })
        expect(ok.statusCode).toBe(201)
    })

    it("inside a free-form body (a design): a NUL in a nested string or key names where", async () => {
        const r = await h.staff("designer", "POST", "/api/library/templates", { template: design(t => { t.name = "Demo\u0000arch" }), profileId: "DRC-2025" })
        expect([r.statusCode, r.json().error.message]).toEqual([400, expect.stringContaining("body/template " + CONTROL + " (U+0000 at /name)")])
        const k = await h.staff("designer", "POST", "/api/library/templates/check", { template: { ["a\u0007"]: 1 }, profileId: "DRC-2025" })
        expect([k.statusCode, k.json().error.message]).toEqual([400, expect.stringContaining("body/template " + CONTROL + " (U+0007 in a key at /)")])
        const n = await h.db.db.selectFrom("library_templates").select(eb => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()
        expect(Number(n.n)).toBe(1)
    })
}

describe("control characters on SQLite", () => suite(sqliteBackend))
describe.skipIf(!PG_URL)("control characters on PostgreSQL" + (PG_URL ? "" : " — " + PG_SKIP_REASON), () => suite(pgBackend))

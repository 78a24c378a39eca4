// Issue 13 item 5: login limits. Per account: 10 failed logins in 15 min, then every attempt
// (the right password too) is a 429 with Retry-After until 15 min pass without one. Per address:
// 20 login attempts a minute. scrypt runs at most 2 at a time with 16 waiting; past that a login
// is a 429 login_busy at once (hub/README.md). Counts only: no test here reads a clock.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { scryptGateOf } from "../../hub/src/auth/login-limits"
import { routeHub, FIXTURE_PASSWORD, type RouteHub } from "./hub-fixture"

let h: RouteHub
beforeAll(async () => {
    h = await routeHub()
})
afterAll(async () => h?.close())

const login = (name: string, password: string, remoteAddress: string) =>
    h.app.inject({ method: "POST", url: "/api/auth/login", remoteAddress, payload: { name, password, bearer: true } })

describe("login limits", () => {
    it("per account: 10 wrong passwords, then the right one is refused with 429 and Retry-After 900", async () => {
        for (let i = 0; i < 10; i++) {
            const r = await login("u-operator", "wrong-password-" + i, "198.51.100." + (i + 1))
            expect([i, r.statusCode]).toEqual([i, 401])
        }
        const r = await login("u-operator", FIXTURE_PASSWORD, "198.51.100.77")
        expect([r.statusCode, r.json().error.code, r.headers["retry-after"]]).toEqual([429, "too_many_logins", "900"])
        // another account is not affected
        expect((await login("u-auditor", FIXTURE_PASSWORD, "198.51.100.78")).statusCode).toBe(200)
    })

    it("a successful login does not count against the account", async () => {
        for (let i = 0; i < 12; i++) expect((await login("u-technician", FIXTURE_PASSWORD, "198.51.100.90")).statusCode).toBe(200)
    })

    it("per address: 20 attempts a minute, the 21st is 429 with Retry-After of at most 60 s", async () => {
        for (let i = 0; i < 20; i++) {
            const r = await login("nobody-" + i, "wrong-password", "203.0.113.5")
            expect([i, r.statusCode]).toEqual([i, 401])
        }
        const r = await login("u-designer", FIXTURE_PASSWORD, "203.0.113.5")
        expect([r.statusCode, r.json().error.code]).toEqual([429, "too_many_logins"])
        expect(Number(r.headers["retry-after"])).toBeGreaterThan(0)
        expect(Number(r.headers["retry-after"])).toBeLessThanOrEqual(60)
        expect((await login("u-designer", FIXTURE_PASSWORD, "203.0.113.6")).statusCode).toBe(200)
    })

    it("scrypt in flight is bounded: with both slots busy, 16 logins wait and the other 24 of 40 are 429 login_busy at once", async () => {
        const gate = scryptGateOf(h.ctx)
        expect([gate.maxRunning, gate.maxWaiting]).toEqual([2, 16])
        const held = [await gate.enter()!, await gate.enter()!]
        const answers = Array.from({ length: 40 }, (_, i) => login("flood-" + i, "wrong-password", "192.0.2." + (i + 1)))
        const busy: number[] = []
        for (const [i, a] of answers.entries()) a.then(r => r.statusCode === 429 && busy.push(i))
        // wait (no time limit) until every login has either queued or been refused
        while (gate.waiting + busy.length < 40) await new Promise(r => setImmediate(r))
        expect([gate.waiting, busy.length]).toEqual([16, 24])
        for (const free of held) free()
        const rs = await Promise.all(answers)
        const count = (s: number) => rs.filter(r => r.statusCode === s).length
        expect([count(401), count(429)]).toEqual([16, 24])
        const refused = rs.find(r => r.statusCode === 429)!
        expect([refused.json().error.code, refused.headers["retry-after"]]).toEqual(["login_busy", "1"])
    })
})

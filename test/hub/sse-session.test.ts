// Issue 13 item 4: a live telemetry stream lives only as long as the session that opened it:
// logging out ends it at once, and the hub re-checks the session of every open stream (every
// `sseCheckMs`), so an expired (or deleted) session ends its stream too.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { request as httpRequest, type IncomingMessage } from "node:http"
import type { FastifyInstance } from "fastify"
import { buildHub } from "../../hub/src/app"
import { SESSION_TTL_MS } from "../../hub/src/auth/staff"
import { createUser } from "../../hub/src/users"
import { routeHub, DEVICE_ID, FIXTURE_PASSWORD, type RouteHub } from "./hub-fixture"

let h: RouteHub
let app: FastifyInstance
let base: string
beforeAll(async () => {
    h = await routeHub()
    // the same hub, listening, with its stream check every 20 ms instead of 15 s
    app = await buildHub(h.ctx, { sseCheckMs: 20 })
    base = await app.listen({ port: 0, host: "127.0.0.1" })
})
afterAll(async () => {
    await app?.close()
    await h?.close()
})

async function token(role = "operator"): Promise<string> {
    const r = await app.inject({ method: "POST", url: "/api/auth/login", payload: { name: "u-" + role, password: FIXTURE_PASSWORD, bearer: true } })
    expect(r.statusCode).toBe(200)
    return r.json().token
}

interface Stream {
    res: IncomingMessage
    events: string[]
    /** resolves with the events seen when the hub ends the stream */
    ended: Promise<string[]>
}

async function open(tok: string, at = base): Promise<Stream> {
    const res = await new Promise<IncomingMessage>((ok, fail) => {
        const req = httpRequest(new URL("/api/devices/" + DEVICE_ID + "/telemetry/stream", at), { headers: { authorization: "Bearer " + tok } }, ok)
        req.on("error", fail)
        req.end()
    })
    expect(res.statusCode).toBe(200)
    const events: string[] = []
    let buf = ""
    res.on("data", (c: Buffer) => {
        buf += c.toString()
        const parts = buf.split("\n\n")
        buf = parts.pop() ?? ""
        events.push(...parts.filter(p => !p.startsWith(":")))
    })
    const ended = new Promise<string[]>(done => res.on("end", () => done(events)))
    return { res, events, ended }
}

describe("telemetry streams end with their session", () => {
    it("logout ends the session's open stream; another session's stream goes on", async () => {
        const [a, b] = [await token(), await token("auditor")]
        const sa = await open(a)
        const sb = await open(b)
        const out = await app.inject({ method: "POST", url: "/api/auth/logout", headers: { authorization: "Bearer " + a } })
        expect(out.statusCode).toBe(204)
        const seen = await sa.ended
        expect(seen[seen.length - 1]).toBe('event: end\ndata: {"reason":"session_ended"}')
        // b still streams: a new batch reaches it
        const more = new Promise<void>(done => sb.res.on("data", (c: Buffer) => c.toString().includes('"samples"') && done()))
        expect((await h.dev("POST", "telemetry", { cycle: 1, samples: [[1000, 2, 250, 240, 0]] })).statusCode).toBe(200)
        await more
        sb.res.destroy()
    })

    it("a session that expires ends its stream at the next check", async () => {
        const t = await token()
        const s = await open(t)
        h.clock.ms += SESSION_TTL_MS
        const seen = await s.ended
        expect(seen[seen.length - 1]).toBe('event: end\ndata: {"reason":"session_ended"}')
        h.clock.ms -= SESSION_TTL_MS
    })

    it("disabling a user, a password reset and log out everywhere end the user's open streams at once", async () => {
        // a hub whose periodic check would not come for 15 s: only the action itself can end the streams in time
        const slow = await buildHub(h.ctx)
        const slowBase = await slow.listen({ port: 0, host: "127.0.0.1" })
        try {
            await createUser(h.ctx, { name: "sse-user", password: FIXTURE_PASSWORD, role: "operator" })
            const login = async () => (await slow.inject({ method: "POST", url: "/api/auth/login", payload: { name: "sse-user", password: FIXTURE_PASSWORD, bearer: true } })).json().token as string
            const admin = (url: string, payload?: unknown) => slow.inject({ method: "POST", url, headers: { authorization: "Bearer " + h.tokens.admin }, payload: payload as any })
            const actions: [string, () => Promise<unknown>][] = [
                ["logout everywhere", () => admin("/api/users/sse-user/logout-everywhere")],
                ["password reset", () => admin("/api/users/sse-user/password", { newPassword: FIXTURE_PASSWORD })],
                ["disable", () => admin("/api/users/sse-user/disable")],
            ]
            for (const [what, act] of actions) {
                const s = await open(await login(), slowBase)
                const t0 = Date.now()
                expect((await act() as { statusCode: number }).statusCode, what).toBe(200)
                const seen = await s.ended
                expect([what, seen[seen.length - 1]]).toEqual([what, 'event: end\ndata: {"reason":"session_ended"}'])
                expect(Date.now() - t0).toBeLessThan(5000)
            }
        } finally {
            await slow.close()
        }
    })
})

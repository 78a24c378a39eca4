// Fuzzes every route the hub registers (app.hubRoutes: staff, public, library, console and the
// device protocol) on SQLite and on PostgreSQL: 20,000 requests per database, built from each
// route's own request schema, half plausible values (real ids, the golden design, signed device
// requests) lightly mutated, half junk (control characters, huge and odd numbers, wrong types,
// deep and long values, broken percent-encoding, odd content types and methods), sent with no
// login, each role's bearer token, its cookie (same-site or not) or a garbage token.
// Nothing may answer 5xx, and every error is { error: { code, message } }.
// The seed is printed; HUB_FUZZ_SEED=N repeats a run (or tries another).
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { randomBytes } from "node:crypto"
import type { HTTPMethods } from "fastify"
import { ROLES, tokenHash, SESSION_TTL_MS, type Role } from "../../hub/src/auth/staff"
import { signDeviceRequest } from "../../hub/src/auth/device-hmac"
import type { HubRoute } from "../../hub/src/app"
import { goldenProfile } from "../vectors/golden"
import { routeHub, DEVICE_ID, KEY, FIXTURE_PASSWORD, type RouteHub } from "./hub-fixture"
import { submitGolden, approve, REVIEWER_KEY } from "./console-fixture"
import { design } from "./library-fixture"
import { sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, chain, freshNonce, type Backend } from "./support"
import { rng, type Rng } from "./fuzz-rng"

/** requests per database */
const REQUESTS = 20_000
/** requests in flight at once (in process: app.inject) */
const PARALLEL = 4
const SEED = Number(process.env["HUB_FUZZ_SEED"] ?? 20261206) >>> 0


const CONTROL = ["\u0000", "\u0001", "\u0007", "\b", "\t", "\n", "\r", "\u001b", "\u007f", "\u0085", "\u009f"]
const ODD_STRINGS = ["", " ", "\u0000", "%00", "null", "undefined", "NaN", "-1", "1e400", "0x10", "../../etc/passwd", "<script>", "'; DROP TABLE users; --",
    "\ud800", "\udfff", "é", "\u202e", "\ufeff", "😀", "a".repeat(5000), "%", "%zz", "%c0%80", "\\u0000", "__proto__", "constructor"]
const ODD_NUMBERS = [0, -0, -1, 1.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 64, 1e21, 1e300, -1e300, Number.MAX_VALUE, Number.MIN_VALUE, 4294967296, 1099511627776]
const CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x", "application/octet-stream", "application/json; charset=utf-16", "application/xml", "application/json, text/plain", "*/*", ""]
const METHODS: HTTPMethods[] = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]

function junkString(r: Rng): string {
    const k = r.int(5)
    if (k === 0) return r.pick(ODD_STRINGS)
    if (k === 1) return "ab" + r.pick(CONTROL) + "cd"
    if (k === 2) return String.fromCharCode(...Array.from({ length: r.int(40) }, () => r.int(0x10000)))
    if (k === 3) return r.pick(CONTROL).repeat(1 + r.int(4))
    return Array.from({ length: 1 + r.int(30) }, () => String.fromCharCode(r.int(128))).join("")
}

/** o[k] = v as an own property, even for k "__proto__" (sent as a key; never the prototype of anything) */
function put(o: Record<string, unknown>, k: string, v: unknown) {
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
}

function junk(r: Rng, depth = 0): unknown {
    const k = r.int(depth > 2 ? 4 : 7)
    if (k === 0) return junkString(r)
    if (k === 1) return r.pick(ODD_NUMBERS) * (r.chance(0.5) ? 1 : -1)
    if (k === 2) return r.pick([null, true, false, 0, "", [], {}])
    if (k === 3) return r.int(2 ** 31) - 2 ** 30
    if (k === 4) return Array.from({ length: r.int(6) }, () => junk(r, depth + 1))
    if (k === 5) {
        let deep: unknown = 1
        for (let i = r.int(200); i > 0; i--) deep = [deep]
        return deep
    }
    const o: Record<string, unknown> = {}
    for (let i = r.int(5); i > 0; i--) put(o, r.chance(0.3) ? junkString(r) : r.pick(["x", "__proto__", "constructor", "id", "name", "records"]), junk(r, depth + 1))
    return o
}

interface World {
    h: RouteHub
    templateId: string
    approvedHash: string
    records: string[]
    sessionId: string
}

/** Plausible values by property name: what a real client would send, so requests get past validation. */
function plausible(r: Rng, w: World, name: string): unknown {
    const hex = (n: number) => randomHex(r, n)
    const table: Record<string, () => unknown> = {
        name: () => r.pick(["u-" + r.pick(ROLES), "nobody", "ana"]),
        password: () => r.pick([FIXTURE_PASSWORD, "wrong-password-1", "correct horse battery"]),
        bearer: () => r.chance(0.5),
        deviceId: () => r.pick([DEVICE_ID, "SFA1-" + hex(10).toUpperCase(), "SFA1-NEW-" + r.int(100)]),
        device: () => r.pick([DEVICE_ID, "SFA1-NOPE"]),
        id: () => r.pick([DEVICE_ID, w.templateId, w.approvedHash]),
        label: () => r.pick(["bench 3", "chair " + r.int(9)]),
        templateHash: () => r.pick([w.approvedHash, w.templateId, hex(64)]),
        template: () => r.chance(0.5) ? r.pick([w.approvedHash, hex(64)]) : design(t => mutateDesign(r, t)),
        hash: () => r.pick([w.approvedHash, w.templateId, hex(64)]),
        patientRef: () => r.pick(["PT-" + r.int(10000), "A", "x".repeat(24)]),
        profile: () => mutateObject(r, goldenProfile()),
        profileId: () => r.pick(["DRC-2025", "LAX-1", "NOPE"]),
        version: () => String(r.pick([1, 3, 99])),
        publicKeyPem: () => r.pick([REVIEWER_KEY.publicPem, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"]),
        decision: () => r.pick(["approve", "reject"]),
        reason: () => r.pick(["within DRC-2025", "too hot:\nfilm over 80 °C", ""]),
        approvedUnixS: () => r.pick([Math.floor(w.h.clock.ms / 1000), 1, 1099511627775]),
        signatureHex: () => hex(128),
        records: () => w.records.slice(r.int(w.records.length), r.int(w.records.length) + 1 + r.int(4)),
        state: () => r.pick(["idle", "armed", "started", "ended"]),
        phase: () => r.int(13),
        pending: () => r.int(10),
        latchedFault: () => r.int(3),
        head: () => ({ seq: r.int(5), hash: hex(64) }),
        seq: () => r.int(5),
        cycle: () => r.int(5),
        samples: () => Array.from({ length: 1 + r.int(5) }, (_, i) => [1000 + i * 100, r.int(13), 250 + r.int(100), 240, r.int(20000)]),
        sessionId: () => r.pick([w.sessionId, hex(32)]),
        outcome: () => r.int(4),
        after: () => String(r.int(20)), afterSeq: () => String(r.int(20)), limit: () => String(1 + r.int(100)), offset: () => String(r.int(50)),
        format: () => r.pick(["json", "csv"]), kind: () => String(1 + r.int(5)),
        from: () => "2025-06-" + String(1 + r.int(28)).padStart(2, "0"), to: () => "2025-06-" + String(1 + r.int(30)).padStart(2, "0"),
        reviewer: () => r.pick(["u-reviewer", "rev-017"]), designer: () => r.pick(["u-designer", "open-smile"]), q: () => r.pick(["demo", "arch", "%"]),
        status: () => r.pick(["submitted", "approved", "rejected", "revoked"]),
        nonce: () => hex(16 + 2 * r.int(24)),
    }
    const f = table[name]
    return f ? f() : junk(r)
}

function randomHex(r: Rng, n: number): string {
    let s = ""
    for (let i = 0; i < n; i++) s += "0123456789abcdef"[r.int(16)]
    return s
}

function mutateObject(r: Rng, o: any): any {
    if (r.chance(0.3)) return o
    const keys = Object.keys(o)
    for (let i = 1 + r.int(3); i > 0; i--) {
        const k = r.chance(0.8) && keys.length ? r.pick(keys) : junkString(r)
        const own = Object.hasOwn(o, k) ? o[k] : undefined
        if (r.chance(0.2)) delete o[k]
        else put(o, k, r.chance(0.5) && own && typeof own === "object" ? mutateObject(r, own) : junk(r))
    }
    return o
}

function mutateDesign(r: Rng, t: any) {
    if (r.chance(0.3)) return
    mutateObject(r, t)
}

/** A value for a schema node: plausible by name, from the schema's own type, or junk. */
function valueFor(r: Rng, w: World, name: string, node: any): unknown {
    if (r.chance(0.3)) return junk(r)
    if (r.chance(0.6)) return plausible(r, w, name)
    if (node?.enum) return r.pick(node.enum)
    if (node?.type === "integer") return r.chance(0.5) ? (node.minimum ?? 0) + r.int(10) : r.pick(ODD_NUMBERS)
    if (node?.type === "boolean") return r.chance(0.5)
    if (node?.type === "array") return Array.from({ length: r.int(4) }, () => valueFor(r, w, name, node.items))
    if (node?.type === "object" && node.properties) return objectFor(r, w, node)
    if (node?.type === "string") return r.chance(0.5) ? junkString(r) : "x".repeat(node.maxLength ? Math.min(node.maxLength + r.int(3), 3000) : r.int(100))
    return junk(r)
}

function objectFor(r: Rng, w: World, schema: any): Record<string, unknown> {
    const o: Record<string, unknown> = {}
    for (const [k, sub] of Object.entries<any>(schema?.properties ?? {})) {
        if ((schema.required ?? []).includes(k) ? r.chance(0.95) : r.chance(0.5)) put(o, k, valueFor(r, w, k, sub))
    }
    if (r.chance(0.1)) put(o, r.pick(["extra", "role", "__proto__", junkString(r)]), junk(r))
    return o
}

/** A query string from the schema's properties (values as a browser would encode them, or not). */
function queryFor(r: Rng, w: World, schema: any): string {
    const parts: string[] = []
    for (const [k, sub] of Object.entries<any>(schema?.properties ?? {})) {
        if (!((schema.required ?? []).includes(k) ? r.chance(0.9) : r.chance(0.4))) continue
        const v = valueFor(r, w, k, sub)
        const s = typeof v === "string" ? v : typeof v === "number" ? String(v) : JSON.stringify(v) ?? ""
        parts.push(k + "=" + (r.chance(0.9) ? encodeURIComponent(s.replace(/[\ud800-\udfff]/g, "")) : r.pick(["%", "%zz", "%00", "%c0%80", "%ff%fe", "a%2", "%E2%82"])))
        if (r.chance(0.05)) parts.push(k + "=" + encodeURIComponent(String(plausible(r, w, k)).replace(/[\ud800-\udfff]/g, "")))
    }
    if (r.chance(0.08)) parts.push(r.pick(["x", "role", "__proto__", "limit[]"]) + "=" + encodeURIComponent(junkString(r).replace(/[\ud800-\udfff]/g, "")))
    return parts.length ? "?" + parts.join("&") : r.chance(0.05) ? "?" : ""
}

function pathFor(r: Rng, w: World, route: HubRoute): string {
    const props = (route.schema?.params as any)?.properties ?? {}
    return route.url.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
        if (route.url.startsWith("/api/library/templates/") && name === "id") name = "template"
        const v = valueFor(r, w, name === "template" ? "hash" : name, props[name])
        const s = typeof v === "string" ? v : JSON.stringify(v) ?? "x"
        return r.chance(0.95) ? encodeURIComponent(s.replace(/[\ud800-\udfff]/g, "")) : r.pick(["%00", "%", "..", "%2e%2e", "a%2fb"])
    }).replace("*", () => r.pick(["", "index.html", "app.js", "pages/login.js", "style.css", "nope.js", "..%2f..%2fpackage.json", "%00", ".hidden", "pages/"]))
}

interface Req {
    route: HubRoute
    method: HTTPMethods
    url: string
    headers: Record<string, string>
    payload?: string | Buffer
    remoteAddress: string
}

function buildRequest(r: Rng, w: World, routes: HubRoute[], tokens: Record<Role, string>): Req {
    const route = r.pick(routes)
    const schema: any = route.schema ?? {}
    let method = route.method as HTTPMethods
    if (r.chance(0.03)) method = r.pick(METHODS)
    const url = pathFor(r, w, route) + queryFor(r, w, schema.querystring)
    let payload: string | Buffer | undefined
    const headers: Record<string, string> = { host: "hub.test" }
    if (method !== "GET" && method !== "HEAD") {
        const k = r.int(10)
        if (k < 6) payload = JSON.stringify(schema.body ? objectFor(r, w, schema.body) : r.chance(0.5) ? {} : junk(r))
        else if (k === 6) payload = JSON.stringify(junk(r))
        else if (k === 7) payload = (JSON.stringify(schema.body ? objectFor(r, w, schema.body) : {}) ?? "").slice(0, r.int(40))
        else if (k === 8) payload = Buffer.from(Array.from({ length: r.int(400) }, () => r.int(256)))
        else payload = r.chance(0.5) ? "" : "x=1&name=" + encodeURIComponent(junkString(r).replace(/[\ud800-\udfff]/g, ""))
        const ct = r.chance(0.75) ? "application/json" : r.pick(CONTENT_TYPES)
        if (ct) headers["content-type"] = ct
    }
    const stream = route.url.endsWith("/telemetry/stream")
    if (route.url.startsWith("/api/device/")) {
        const body = payload ?? ""
        Object.assign(headers, signDeviceRequest({
            deviceId: r.chance(0.95) ? DEVICE_ID : "SFA1-NOPE", keyHex: KEY, method, path: url, body,
            timestampS: Math.floor(w.h.clock.ms / 1000) + (r.chance(0.9) ? 0 : r.pick([-400, 400, -1e6])), nonce: freshNonce(),
        }))
        if (r.chance(0.05)) headers[r.pick(["x-signature", "x-nonce", "x-timestamp", "x-device-id"])] = junkString(r).replace(/[^\x20-\x7e]/g, "")
    } else {
        // a live stream with a valid session never ends: only its refusals are fuzzed here
        const who = stream ? r.pick(["none", "garbage"]) : r.pick(["none", "bearer", "bearer", "bearer", "cookie", "cookie-cross", "garbage"])
        const role = r.pick(ROLES)
        if (who === "bearer") headers["authorization"] = "Bearer " + tokens[role]
        if (who === "cookie" || who === "cookie-cross") headers["cookie"] = "hub_session=" + tokens[role]
        if (who === "cookie") Object.assign(headers, { origin: "http://hub.test", "sec-fetch-site": "same-origin" })
        if (who === "cookie-cross") Object.assign(headers, { origin: "http://hub.test:9999", "sec-fetch-site": "same-site" })
        if (who === "garbage") headers["authorization"] = r.pick(["Bearer ", "Bearer " + junkString(r).replace(/[^\x20-\x7e]/g, ""), "Basic abc", "bearer x"])
    }
    // logins come from a few addresses, so the per-address limit bounds the scrypt work; others from anywhere
    const remoteAddress = route.url === "/api/auth/login" ? "10.9.0." + r.int(8) : "10." + r.int(256) + "." + r.int(256) + "." + r.int(256)
    return { route, method, url, headers, payload, remoteAddress }
}

function fuzz(backend: Backend) {
    let w: World
    beforeAll(async () => {
        const h = await routeHub(backend)
        const templateId = await submitGolden(h)
        const approvedHash = await approve(h, templateId)
        const records = chain(DEVICE_ID, KEY, 1, 12).map(x => x.hex)
        expect((await h.dev("POST", "records", { records: records.slice(0, 4) })).statusCode).toBe(200)
        const s = await h.staff("operator", "POST", "/api/devices/" + DEVICE_ID + "/session", { templateHash: approvedHash, patientRef: "PT-FUZZ" })
        w = { h, templateId, approvedHash, records, sessionId: s.json().sessionId }
    }, 120_000)
    afterAll(async () => w?.h.close())

    it(REQUESTS + " requests over every route: no 5xx, every error in the hub's shape", async () => {
        const { h } = w
        const routes = h.app.hubRoutes
        const statuses = new Map<number, number>()
        const perRoute = new Map<HubRoute, number>()
        const failures: string[] = []
        // a logout ends the token's session: each request gets a fresh session for its role, so every later one still works
        const tokens = {} as Record<Role, string>
        const renew = async () => {
            const users = await h.db.db.selectFrom("users").select(["id", "role"]).where("name", "like", "u-%").execute()
            for (const u of users) {
                const token = randomBytes(32).toString("hex")
                await h.db.db.insertInto("sessions").values({ token_hash: tokenHash(token), user_id: u.id, created_at_ms: h.clock.ms, expires_at_ms: h.clock.ms + SESSION_TTL_MS }).execute()
                tokens[u.role as Role] = token
            }
        }
        await renew()
        // what the hub logs as a failure is a failure too
        h.ctx.log = { info: () => {}, warn: () => {}, error: (m, d) => failures.push("logged: " + m + " " + JSON.stringify(d).slice(0, 1500)) }
        const startedMs = Date.now()
        let next = 0
        const worker = async () => {
            while (next < REQUESTS) {
                const i = next++
                // request i depends only on the seed and i, whatever order the parallel answers come in
                const req = buildRequest(rng((SEED ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0), w, routes, tokens)
                if (req.url === "/api/auth/logout") await renew()
                const { method, url, headers, payload, remoteAddress } = req
                const res = await h.app.inject({ method, url, headers, payload: payload as any, remoteAddress })
                statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
                perRoute.set(req.route, (perRoute.get(req.route) ?? 0) + 1)
                const describe = "#" + i + " " + req.method + " " + req.url.slice(0, 300) + " " + JSON.stringify(req.headers).slice(0, 300) + " body " + String(req.payload ?? "").slice(0, 200)
                if (res.statusCode >= 500) failures.push(res.statusCode + " " + describe + ": " + res.body.slice(0, 300))
                else if (res.statusCode >= 400 && req.method !== "HEAD") {
                    let e: any
                    try {
                        e = JSON.parse(res.body).error
                    } catch {
                        e = null
                    }
                    if (!e || typeof e.code !== "string" || typeof e.message !== "string") failures.push("error shape " + res.statusCode + " " + describe + ": " + res.body.slice(0, 300))
                }
            }
        }
        await Promise.all(Array.from({ length: PARALLEL }, worker))
        const seconds = (Date.now() - startedMs) / 1000
        console.log("hub fuzz on " + backend.name + ": seed " + SEED + " (HUB_FUZZ_SEED), " + REQUESTS + " requests in " + seconds.toFixed(1) + " s; " + routes.length + " routes; status counts " +
            JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0]))))
        if (failures.length) console.log(failures.length + " failures:\n" + failures.slice(0, 12).join("\n"))
        expect(failures.slice(0, 5)).toEqual([])
        expect([...statuses.keys()].filter(s => s >= 500)).toEqual([])
        // the fuzzer left Object.prototype alone (a polluted prototype would be its own bug, not the hub's)
        expect(Object.keys(Object.prototype)).toEqual([])
        // every registered route was tried
        expect(routes.filter(x => !perRoute.has(x)).map(x => x.method + " " + x.url)).toEqual([])
        // and the hub still works
        expect((await h.app.inject({ method: "GET", url: "/api/transparency" })).statusCode).toBe(200)
    }, 600_000)
}

describe("hub fuzz on SQLite", () => fuzz(sqliteBackend))
describe.skipIf(!PG_URL)("hub fuzz on PostgreSQL" + (PG_URL ? "" : " — " + PG_SKIP_REASON), () => fuzz(pgBackend))

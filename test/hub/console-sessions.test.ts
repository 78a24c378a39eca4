// Sessions prepared on the console: an operator prepares (approved template, patient
// reference), the device fetches it and reports start and end, the console may abort (and the
// device hears it in its session and telemetry answers), and nothing can start a cycle. Bad
// bodies are 4xx naming the field and store nothing. SQLite always, PostgreSQL when available.
import { describe, it, expect, beforeEach, afterEach } from "vitest"
import { routeHub, DEVICE_ID, type RouteHub } from "./hub-fixture"
import { submitGolden, approve } from "./console-fixture"
import { sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, type Backend } from "./support"
import { abortMac, sessionMac } from "../../src/core/sync/signing"
import { nodeCrypto } from "../../src/node/crypto-node"

const SESSION = "/api/devices/" + DEVICE_ID + "/session"
const ABORT = "/api/devices/" + DEVICE_ID + "/abort"

function suite(backend: Backend) {
    let h: RouteHub
    let hash: string
    beforeEach(async () => {
        h = await routeHub(backend)
        hash = await approve(h, await submitGolden(h))
    })
    afterEach(async () => h.close())

    const sessionRows = () => h.db.db.selectFrom("device_sessions").selectAll().execute()

    it("prepare -> the device fetches it -> started -> ended; the device is then free", async () => {
        expect((await h.dev("GET", "session")).statusCode).toBe(204)
        const p = await h.staff("operator", "POST", SESSION, { templateHash: hash, patientRef: "PT-2025-0042" })
        expect(p.statusCode).toBe(201)
        const s = p.json()
        expect(s).toMatchObject({ status: "prepared", templateHash: hash, templateName: "Demo arch", patientRef: "PT-2025-0042", preparedBy: "u-operator" })
        const got = await h.dev("GET", "session")
        expect(got.statusCode).toBe(200)
        const offer = got.json()
        // MAC'd under the device key with its issue time, as the controller checks it (src/link-server.ts)
        expect(offer.issuedUnixS).toBe(Math.floor(h.clock.ms / 1000))
        expect(offer).toEqual({
            sessionId: s.sessionId, templateHash: hash, patientRef: "PT-2025-0042", operatorId: "u-operator", abort: false, issuedUnixS: offer.issuedUnixS,
            mac: sessionMac(nodeCrypto, h.device.keyHex, DEVICE_ID, s.sessionId, hash, "u-operator", "PT-2025-0042", offer.issuedUnixS),
        })
        expect(Number(got.headers["content-length"])).toBe(got.body.length)
        expect((await h.dev("POST", "session/state", { sessionId: s.sessionId, state: "started", cycle: 7 })).statusCode).toBe(204)
        let list = (await h.staff("operator", "GET", "/api/devices/" + DEVICE_ID + "/sessions")).json().sessions
        expect(list[0]).toMatchObject({ status: "running", cycle: 7 })
        expect((await h.dev("POST", "session/state", { sessionId: s.sessionId, state: "ended", outcome: 1 })).statusCode).toBe(204)
        // a repeated report changes nothing
        expect((await h.dev("POST", "session/state", { sessionId: s.sessionId, state: "ended", outcome: 3 })).statusCode).toBe(204)
        list = (await h.staff("operator", "GET", "/api/devices/" + DEVICE_ID + "/sessions")).json().sessions
        expect(list[0]).toMatchObject({ status: "ended", outcome: 1 })
        expect((await h.dev("GET", "session")).statusCode).toBe(204)
        expect((await h.staff("operator", "POST", SESSION, { templateHash: hash, patientRef: "PT-2" })).statusCode).toBe(201)
    })

    it("one open session per device: a second prepare is 409 session_open", async () => {
        expect((await h.staff("operator", "POST", SESSION, { templateHash: hash, patientRef: "A" })).statusCode).toBe(201)
        const r = await h.staff("operator", "POST", SESSION, { templateHash: hash, patientRef: "B" })
        expect([r.statusCode, r.json().error.code]).toEqual([409, "session_open"])
        expect(await sessionRows()).toHaveLength(1)
    })

    it("four prepares at once still leave one open session (unique index)", async () => {
        const rs = await Promise.all([0, 1, 2, 3].map(i => h.staff("operator", "POST", SESSION, { templateHash: hash, patientRef: "R" + i })))
        expect(rs.map(r => r.statusCode).sort()).toEqual([201, 409, 409, 409])
        expect(await sessionRows()).toHaveLength(1)
    })

    it("abort after delivery: the device hears it in the session and telemetry answers, then reports the end", async () => {
        const s = (await h.staff("operator", "POST", SESSION, { templateHash: hash, patientRef: "PT-1" })).json()
        await h.dev("GET", "session")
        await h.dev("POST", "session/state", { sessionId: s.sessionId, state: "started", cycle: 3 })
        const t0 = await h.dev("POST", "telemetry", { cycle: 3, samples: [[1000, 2, 300, 250, 0]] })
        expect(t0.json()).toEqual({ kept: 1, abort: false })
        const a = await h.app.inject({ method: "POST", url: ABORT, headers: { authorization: "Bearer " + h.tokens.operator } })
        expect(a.statusCode).toBe(200)
        expect(a.json()).toMatchObject({ status: "abort_requested", abortRequestedBy: "u-operator" })
        // the abort carries the hub's MAC for the cycle the telemetry names (the controller acts on nothing else)
        expect((await h.dev("POST", "telemetry", { cycle: 3, samples: [[1100, 2, 310, 250, 0]] })).json())
            .toEqual({ kept: 1, abort: true, abortMac: abortMac(nodeCrypto, h.device.keyHex, DEVICE_ID, 3) })
        expect(abortMac(nodeCrypto, h.device.keyHex, DEVICE_ID, 3)).not.toBe(abortMac(nodeCrypto, h.device.keyHex, DEVICE_ID, 4))
        expect((await h.dev("GET", "session")).json()).toMatchObject({ sessionId: s.sessionId, abort: true })
        await h.dev("POST", "session/state", { sessionId: s.sessionId, state: "ended", outcome: 2 })
        const list = (await h.staff("operator", "GET", "/api/devices/" + DEVICE_ID + "/sessions")).json().sessions
        expect(list[0]).toMatchObject({ status: "ended", outcome: 2 })
        expect(list[0].abortDeliveredAtMs).not.toBeNull()
        expect((await h.dev("GET", "session")).statusCode).toBe(204)
    })

    it("abort before the device fetched it ends the session at once (nothing can have started)", async () => {
        await h.staff("operator", "POST", SESSION, { templateHash: hash, patientRef: "PT-1" })
        const a = await h.app.inject({ method: "POST", url: ABORT, headers: { authorization: "Bearer " + h.tokens.operator } })
        expect(a.json()).toMatchObject({ status: "ended", outcome: 0 })
        expect((await h.dev("GET", "session")).statusCode).toBe(204)
        const again = await h.app.inject({ method: "POST", url: ABORT, headers: { authorization: "Bearer " + h.tokens.operator } })
        expect([again.statusCode, again.json().error.code]).toEqual([409, "no_open_session"])
    })

    it("there is no route that starts a cycle", async () => {
        for (const url of ["/api/devices/" + DEVICE_ID + "/start", "/api/devices/" + DEVICE_ID + "/session/start", "/api/device/v1/start"]) {
            const r = await h.staff("operator", "POST", url, {})
            expect(r.statusCode).toBe(404)
        }
    })

    const BAD: [string, unknown, number, string][] = [
        ["no body", undefined, 400, ""],
        ["templateHash missing", { patientRef: "A" }, 400, "templateHash"],
        ["templateHash not hex", { templateHash: "zz", patientRef: "A" }, 400, "templateHash"],
        ["patientRef missing", { templateHash: "0".repeat(64) }, 400, "patientRef"],
        ["patientRef with a space (a name)", { templateHash: "0".repeat(64), patientRef: "Ana Lima" }, 400, "patientRef"],
        ["patientRef too long", { templateHash: "0".repeat(64), patientRef: "X".repeat(25) }, 400, "patientRef"],
        ["unknown field", { templateHash: "0".repeat(64), patientRef: "A", start: true }, 400, "start"],
        ["template not approved", { templateHash: "0".repeat(64), patientRef: "A" }, 409, "templateHash"],
    ]
    for (const [name, body, status, field] of BAD) {
        it("prepare refuses " + name + " (" + status + ", names the field) and stores nothing", async () => {
            const r = await h.staff("operator", "POST", SESSION, body)
            expect(r.statusCode).toBe(status)
            expect(r.json().error.message).toContain(field)
            expect(await sessionRows()).toHaveLength(0)
        })
    }

    it("prepare for an unknown device is 404", async () => {
        const r = await h.staff("operator", "POST", "/api/devices/SFA1-NOPE/session", { templateHash: hash, patientRef: "A" })
        expect(r.statusCode).toBe(404)
        expect(await sessionRows()).toHaveLength(0)
    })

    const BAD_STATE: [string, unknown, string][] = [
        ["unknown state", { sessionId: "a".repeat(32), state: "running" }, "state"],
        ["bad session id", { sessionId: "xyz", state: "started", cycle: 1 }, "sessionId"],
        ["started without cycle", { sessionId: "a".repeat(32), state: "started" }, "cycle"],
        ["ended without outcome", { sessionId: "a".repeat(32), state: "ended" }, "outcome"],
        ["outcome out of range", { sessionId: "a".repeat(32), state: "ended", outcome: 4 }, "outcome"],
        ["extra field", { sessionId: "a".repeat(32), state: "ended", outcome: 1, start: 1 }, "start"],
    ]
    for (const [name, body, field] of BAD_STATE) {
        it("session/state refuses " + name + " with 400 naming " + field, async () => {
            const s = (await h.staff("operator", "POST", SESSION, { templateHash: hash, patientRef: "A" })).json()
            await h.dev("GET", "session")
            const b = { ...(body as object), ...(field !== "sessionId" ? { sessionId: s.sessionId } : {}) }
            const r = await h.dev("POST", "session/state", b)
            expect(r.statusCode).toBe(400)
            expect(r.json().error.message).toContain(field)
            const row = (await sessionRows())[0]
            expect([row.started_at_ms, row.ended_at_ms]).toEqual([null, null])
        })
    }

    it("session/state for a session of no such id is 404", async () => {
        const r = await h.dev("POST", "session/state", { sessionId: "b".repeat(32), state: "ended", outcome: 0 })
        expect(r.statusCode).toBe(404)
    })

    it("device session routes need the device's signature", async () => {
        const r = await h.app.inject({ method: "GET", url: "/api/device/v1/session" })
        expect([r.statusCode, r.json().error.code]).toEqual([401, "missing_header"])
    })
}

describe("console sessions (sqlite)", () => suite(sqliteBackend))
describe.skipIf(!PG_URL)("console sessions (postgres) " + (PG_URL ? "" : PG_SKIP_REASON), () => suite(pgBackend))

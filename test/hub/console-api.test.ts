// The console's other routes: who may call what (a matrix over every role and no login),
// records filtered across devices, a record's detail, chain status (ok, then a tampered row
// found), the public transparency figures (aggregate, nothing identifying), the fault guidance
// table (every code), the editor's template check, and the static console with uPlot served
// locally. SQLite always; the storage-backed parts on PostgreSQL too.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { ROLES, type Role } from "../../hub/src/auth/staff"
import { FaultCode } from "../../src/core/faults"
import { routeHub, DEVICE_ID, type RouteHub } from "./hub-fixture"
import { submitGolden, approve } from "./console-fixture"
import { design } from "./library-fixture"
import { draftRecord } from "../../src/core/records/builder"
import { RecordKind, type ComplianceRecord } from "../../src/core/records/types"
import { sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, chain, cycleRecord, seal, type Backend } from "./support"

const DEV = "/api/devices/" + DEVICE_ID
type Who = Role | null

/** A hub with the golden template approved and records 1-3 of the device stored. */
async function hubWithRecords(backend: Backend): Promise<{ h: RouteHub; hash: string }> {
    const h = await routeHub(backend)
    const hash = await approve(h, await submitGolden(h))
    const r = await h.dev("POST", "records", { records: chain(DEVICE_ID, h.device.keyHex, 1, 3).map(x => x.hex) })
    expect(r.statusCode).toBe(200)
    return { h, hash }
}

function suite(backend: Backend) {
    let h: RouteHub
    let hash: string
    beforeAll(async () => {
        ({ h, hash } = await hubWithRecords(backend))
    })
    afterAll(async () => h.close())

    /** [method, url, body, roles allowed, success status] */
    const MATRIX: [string, string, unknown, Role[], number][] = [
        ["GET", DEV + "/telemetry", undefined, ["operator", "technician", "auditor"], 200],
        ["GET", "/api/telemetry/latest", undefined, ["operator", "technician", "auditor"], 200],
        ["GET", "/api/patients/PT-1/cycles", undefined, ["operator"], 200],
        ["GET", DEV + "/records/2/session", undefined, ["operator"], 404],
        ["GET", DEV + "/records/2/telemetry", undefined, ["operator", "auditor"], 404],
        ["GET", DEV + "/maintenance", undefined, ["operator", "technician", "auditor"], 200],
        ["GET", DEV + "/cycles", undefined, ["operator", "technician", "auditor"], 200],
        ["GET", DEV + "/cycles/9/telemetry", undefined, ["operator", "technician", "auditor"], 404],
        ["GET", DEV + "/sessions", undefined, ["operator", "technician"], 200],
        ["POST", DEV + "/abort", undefined, ["operator"], 409],
        ["GET", "/api/records", undefined, ["operator", "auditor"], 200],
        ["GET", DEV + "/records/2", undefined, ["operator", "auditor"], 200],
        ["GET", DEV + "/chain", undefined, ["operator", "auditor"], 200],
        ["POST", "/api/library/templates/check", { template: design(), profileId: "DRC-2025" }, ["designer", "reviewer"], 200],
    ]
    const PUBLIC = ["/api/transparency", "/api/faults", "/api/library/device-limits", "/console/", "/console/app.js", "/console/vendor/uPlot.esm.js"]

    it.each(MATRIX)("%s %s: roles", async (method, url, body, allowed, ok) => {
        const got: [string, number][] = []
        const want: [string, number][] = []
        for (const who of [...ROLES, null] as Who[]) {
            const r = await h.app.inject({ method: method as "GET" | "POST", url, headers: who ? { authorization: "Bearer " + h.tokens[who] } : {}, payload: body as any })
            got.push([String(who), r.statusCode])
            want.push([String(who), who === null ? 401 : allowed.includes(who) ? ok : 403])
        }
        expect(got).toEqual(want)
    })

    it("POST session: operator only (others 403, no login 401), and only the operator's was stored", async () => {
        const got: [string, number][] = []
        for (const who of [...ROLES, null] as Who[]) {
            const r = await h.app.inject({ method: "POST", url: DEV + "/session", headers: who ? { authorization: "Bearer " + h.tokens[who] } : {}, payload: { templateHash: hash, patientRef: "PT-9" } })
            got.push([String(who), r.statusCode])
        }
        expect(got).toEqual([["operator", 201], ["technician", 403], ["reviewer", 403], ["auditor", 403], ["designer", 403], ["admin", 403], ["null", 401]])
        expect(await h.db.db.selectFrom("device_sessions").selectAll().execute()).toHaveLength(1)
        await h.staff("operator", "POST", DEV + "/abort")
    })

    it.each(PUBLIC)("public: %s needs no login", async url => {
        const r = await h.app.inject({ method: "GET", url })
        expect(r.statusCode).toBe(200)
    })

    it("telemetry/latest: each device's latest sample and when the hub kept it (the fleet's live values)", async () => {
        const before = await h.staff("operator", "GET", "/api/telemetry/latest")
        expect(before.json()).toEqual({ devices: [] })
        const r = await h.dev("POST", "telemetry", { cycle: 7, samples: [[1000, 2, 500, 300, 0], [1050, 4, 702, 310, 18500]] })
        expect(r.statusCode).toBe(200)
        const after = (await h.staff("operator", "GET", "/api/telemetry/latest")).json()
        expect(after.devices).toHaveLength(1)
        expect(after.devices[0]).toMatchObject({ deviceId: DEVICE_ID, sample: [2, 7, 1050, 4, 702, 310, 18500] })
        expect(after.devices[0].atMs).toBe(h.ctx.nowMs())
    })

    it("records: filter by device, template, outcome and date; newest first", async () => {
        const all = (await h.staff("auditor", "GET", "/api/records")).json()
        expect(all.total).toBe(3)
        expect(all.records.map((r: any) => r.seq)).toEqual([3, 2, 1])
        expect(all.records[0].record).toMatchObject({ kind: 1, outcome: 1, deviceId: DEVICE_ID })
        const q = (s: string) => h.staff("auditor", "GET", "/api/records?" + s).then(r => r.json().total)
        expect(await q("device=" + DEVICE_ID)).toBe(3)
        expect(await q("device=SFA1-OTHER")).toBe(0)
        expect(await q("template=78c4cce60eece1c0e9c7135ecfc6c240623ffdf5f1d664f6c8f42510bb99dc93")).toBe(3)
        expect(await q("template=" + "1".repeat(64))).toBe(0)
        expect(await q("outcome=1")).toBe(3)
        expect(await q("outcome=3")).toBe(0)
        // records 1..3 carry wall times 1750000060..180 (2025-06-15)
        expect(await q("from=2025-06-15&to=2025-06-15")).toBe(3)
        expect(await q("from=2025-06-16")).toBe(0)
        expect(await q("limit=1&offset=2")).toBe(3)
    })

    it.each([
        ["outcome=5", "outcome"], ["from=2025-13-01", "from"], ["from=2025-02-30", "from"], ["from=2025-06-16&to=2025-06-15", "from"],
        ["device=a%20b", "device"], ["limit=0", "limit"], ["sort=seq", "sort"],
    ])("records refuses %s (400 naming %s)", async (qs, field) => {
        const r = await h.staff("auditor", "GET", "/api/records?" + qs)
        expect(r.statusCode).toBe(400)
        expect(r.json().error.message).toContain(field)
    })

    it("record detail: decoded record with its sealed bytes; an absent seq is 404", async () => {
        const r = (await h.staff("operator", "GET", DEV + "/records/2")).json()
        expect(r).toMatchObject({ deviceId: DEVICE_ID, seq: 2, record: { seq: 2, operatorId: "op-7" } })
        expect(r.sealedHex).toMatch(/^[0-9a-f]+$/)
        expect((await h.staff("operator", "GET", DEV + "/records/9")).statusCode).toBe(404)
    })

    it("transparency: aggregate figures, decisions with reasons, nothing identifying", async () => {
        const t = (await h.app.inject({ method: "GET", url: "/api/transparency" })).json()
        expect(t.totals).toEqual({ devices: 1, applications: 3, complete: 3, aborted: 0, faulted: 0 })
        expect(t.templates).toEqual({ submitted: 0, approved: 1, rejected: 0, revoked: 0 })
        expect(t.decisions).toEqual([expect.objectContaining({ templateName: "Demo arch", designer: "open-smile", decision: "approve", reason: "within DRC-2025" })])
        expect(t.applicationsPerTemplate).toEqual([expect.objectContaining({ templateHash: "78c4cce60eece1c0e9c7135ecfc6c240623ffdf5f1d664f6c8f42510bb99dc93", applications: 3, complete: 3 })])
        const text = JSON.stringify(t)
        for (const secret of [DEVICE_ID, "op-7", "PT-9", "u-reviewer", "u-operator", h.device.keyHex]) expect(text).not.toContain(secret)
    })

    it("fault guidance: every fault code has one sentence of what to do", async () => {
        const f = (await h.app.inject({ method: "GET", url: "/api/faults" })).json().faults
        const codes = Object.values(FaultCode).filter(v => typeof v === "number" && v !== 0)
        expect(f.map((x: any) => x.code)).toEqual(codes)
        for (const x of f) {
            expect(x.action).toMatch(/^[A-Z].*\.$/)
            expect(x.action).not.toMatch(/Unknown fault/)
        }
        expect(f.find((x: any) => x.code === 51)).toMatchObject({ name: "aborted", latching: false })
    })

    it("template check: computes the id, refuses values outside the profile naming the field, stores nothing", async () => {
        const ok = await h.staff("designer", "POST", "/api/library/templates/check", { template: design(t => { t.version = 2; delete t.id }, true), profileId: "DRC-2025" })
        expect(ok.statusCode).toBe(200)
        expect(ok.json().templateId).toMatch(/^[0-9a-f]{64}$/)
        expect(ok.json().profile.filmMaxDeciC).toBe(850)
        const before = await h.db.db.selectFrom("library_templates").selectAll().execute()
        const cases: [(t: any) => void, string, string][] = [
            [t => { t.process.filmDeciC = 860 }, "profile_limit", "process.filmDeciC"],
            [t => { t.process.forceMilliN = 4000 }, "profile_limit", "process.forceMilliN"],
            [t => { t.material.filmThicknessUm = 100 }, "profile_limit", "material.filmThicknessUm"],
            [t => { t.process.contactMaxDeciC = 425 }, "profile_limit", "process.contactMaxDeciC"],
            [t => { t.name = "" }, "", "name"],
            [t => { t.version = "2" }, "", "version"],
            [t => { t.archPointsUm = [[0, 0], [1, 1], [2, 2]] }, "", "archPointsUm"],
        ]
        for (const [edit, code, field] of cases) {
            const r = await h.staff("designer", "POST", "/api/library/templates/check", { template: design(edit), profileId: "DRC-2025" })
            expect(r.statusCode, field).toBe(400)
            if (code) expect(r.json().error.code).toBe(code)
            expect(r.json().error.field).toContain(field)
        }
        const unknown = await h.staff("designer", "POST", "/api/library/templates/check", { template: design(), profileId: "NOPE" })
        expect(unknown.json().error).toMatchObject({ code: "unknown_profile", field: "profileId" })
        expect(await h.db.db.selectFrom("library_templates").selectAll().execute()).toEqual(before)
    })

    it("chain status: ok over the stored records, and an edited row is found by a full verification", async () => {
        const ok = (await h.staff("auditor", "GET", DEV + "/chain")).json()
        expect(ok).toMatchObject({ deviceId: DEVICE_ID, ok: true, records: 3, findings: [], alerts: 0 })
        const row = await h.db.db.selectFrom("records").select("sealed_hex").where("device_id", "=", DEVICE_ID).where("seq", "=", 2).executeTakeFirstOrThrow()
        const flipped = row.sealed_hex.slice(0, 40) + (row.sealed_hex[40] === "0" ? "1" : "0") + row.sealed_hex.slice(41)
        await h.db.db.updateTable("records").set({ sealed_hex: flipped }).where("device_id", "=", DEVICE_ID).where("seq", "=", 2).execute()
        // seq 2 is below the head the first run verified and kept: a quick run does not read it again
        expect((await h.staff("auditor", "GET", DEV + "/chain")).json()).toMatchObject({ ok: true, recordsRead: 0 })
        const bad = (await h.staff("auditor", "GET", DEV + "/chain?full=1")).json()
        expect(bad.ok).toBe(false)
        expect(bad.findings.map((f: any) => f.code)).toContain("bad_mac")
        await h.db.db.updateTable("records").set({ sealed_hex: row.sealed_hex }).where("device_id", "=", DEVICE_ID).where("seq", "=", 2).execute()
    })
}

describe("console API (sqlite)", () => suite(sqliteBackend))
describe.skipIf(!PG_URL)("console API (postgres) " + (PG_URL ? "" : PG_SKIP_REASON), () => suite(pgBackend))

// patient references join sessions and records, and the maintenance view reads calibration and
// fault-clear records: their own hub, so the suite above keeps its record counts
function extras(backend: Backend) {
    let h: RouteHub
    let hash: string
    beforeAll(async () => {
        ({ h, hash } = await hubWithRecords(backend))
    })
    afterAll(async () => h.close())

    it("patients: a session's cycle record is found by its patient reference, and a record names its session", async () => {
        h.clock.advanceS(1000)
        const prep = await h.staff("operator", "POST", DEV + "/session", { templateHash: hash, patientRef: "PT-77" })
        expect(prep.statusCode).toBe(201)
        const sessionId = prep.json().sessionId
        expect((await h.dev("GET", "session")).statusCode).toBe(200)
        h.clock.advanceS(2)
        expect((await h.dev("POST", "session/state", { sessionId, state: "started", cycle: 1 })).statusCode).toBe(204)
        // before its record arrives: the session is listed without one
        let cycles = (await h.staff("operator", "GET", "/api/patients/PT-77/cycles")).json().cycles
        expect(cycles).toHaveLength(1)
        expect(cycles[0].record).toBeNull()
        h.clock.advanceS(30)
        const prev = chain(DEVICE_ID, h.device.keyHex, 1, 3)[2].hash
        const rec = cycleRecord(DEVICE_ID, 4, prev, "u-operator")
        rec.templateHash = hash
        rec.wallUnixS = Math.floor(h.clock.ms / 1000)
        expect((await h.dev("POST", "records", { records: [seal(rec, h.device.keyHex).hex] })).json().results[0].status).toBe("stored")
        expect((await h.dev("POST", "session/state", { sessionId, state: "ended", outcome: 1 })).statusCode).toBe(204)
        cycles = (await h.staff("operator", "GET", "/api/patients/PT-77/cycles")).json().cycles
        expect(cycles.map((c: any) => [c.session.patientRef, c.session.outcome, c.record?.seq])).toEqual([["PT-77", 1, 4]])
        expect((await h.staff("operator", "GET", "/api/patients/PT-78/cycles")).json().cycles).toEqual([])
        const s4 = await h.staff("operator", "GET", DEV + "/records/4/session")
        expect(s4.statusCode).toBe(200)
        expect(s4.json()).toMatchObject({ sessionId, patientRef: "PT-77", preparedBy: "u-operator" })
        // records made without a session (op-7's) have none
        expect((await h.staff("operator", "GET", DEV + "/records/3/session")).statusCode).toBe(404)
        // no telemetry was posted for this cycle: no plot
        expect((await h.staff("auditor", "GET", DEV + "/records/4/telemetry")).statusCode).toBe(404)
        expect((await h.dev("POST", "telemetry", { cycle: 1, samples: [[100, 2, 500, 300, 0]] })).statusCode).toBe(200)
        expect((await h.staff("auditor", "GET", DEV + "/records/4/telemetry")).json()).toEqual({ cycle: 1, samples: [[100, 2, 500, 300, 0]] })
    })

    it("maintenance: each channel's calibration in force and when it was first noted, the last fault clear", async () => {
        expect((await h.staff("technician", "GET", DEV + "/maintenance")).json()).toEqual({ calibrations: null, lastFaultClear: null })
        const prev = (await h.db.db.selectFrom("records").select(["hash", "seq"]).where("device_id", "=", DEVICE_ID).orderBy("seq", "desc").executeTakeFirstOrThrow())
        let seq = Number(prev.seq)
        let prevHash = prev.hash
        const add = async (edit: (r: ComplianceRecord) => void) => {
            seq++
            const r = draftRecord(RecordKind.Calibration, 4, 1000 + seq, 1_760_000_000 + seq * 100)
            r.deviceId = DEVICE_ID
            r.seq = seq
            r.prevHash = prevHash
            edit(r)
            const x = seal(r, h.device.keyHex)
            expect((await h.dev("POST", "records", { records: [x.hex] })).json().results[0].status).toBe("stored")
            prevHash = x.hash
        }
        const [a, b, c, d] = ["a".repeat(16), "b".repeat(16), "c".repeat(16), "d".repeat(16)]
        await add(r => { r.calibrationIds = [a, b, c] })
        const firstA = seq
        await add(r => { r.calibrationIds = [a, b, d] }) // the force channel recalibrated
        await add(r => { r.kind = RecordKind.FaultClear; r.operatorId = "tech-ann"; r.faults = [{ code: 31, sensor: 1, value: 0, limit: 0, atMs: 0 }] })
        const m = (await h.staff("technician", "GET", DEV + "/maintenance")).json()
        expect(m.calibrations).toEqual([
            { channel: "filmTemp", id: a, notedAtUnixS: 1_760_000_000 + firstA * 100, seq: firstA },
            { channel: "contactTemp", id: b, notedAtUnixS: 1_760_000_000 + firstA * 100, seq: firstA },
            { channel: "force", id: d, notedAtUnixS: 1_760_000_000 + (firstA + 1) * 100, seq: firstA + 1 },
        ])
        expect(m.lastFaultClear).toEqual({ seq, atUnixS: 1_760_000_000 + seq * 100, by: "tech-ann", code: 31 })
        expect((await h.staff("technician", "GET", "/api/devices/SFA1-NOPE/maintenance")).statusCode).toBe(404)
    })

    it("past cycles' telemetry: kept per cycle in order, a retried batch once; at most 20 cycles and 30 days", async () => {
        const post = async (cycle: number, samples: number[][]) => expect((await h.dev("POST", "telemetry", { cycle, samples })).statusCode).toBe(200)
        await post(5, [[1000, 2, 500, 300, 0], [1050, 2, 510, 300, 0]])
        await post(5, [[1000, 2, 500, 300, 0], [1050, 2, 510, 300, 0]]) // a retried post
        await post(5, [[1100, 4, 700, 310, 18000]])
        const list = (await h.staff("operator", "GET", DEV + "/cycles")).json()
        expect(list.retention).toEqual({ cycles: 20, days: 30 })
        expect(list.cycles.filter((c: any) => c.cycle === 5).map((c: any) => [c.cycle, c.samples])).toEqual([[5, 3]])
        const one = (await h.staff("technician", "GET", DEV + "/cycles/5/telemetry")).json()
        expect(one).toEqual({ cycle: 5, samples: [[1000, 2, 500, 300, 0], [1050, 2, 510, 300, 0], [1100, 4, 700, 310, 18000]] })
        // 21 more cycles: the oldest (5) goes, 20 stay
        for (let c = 6; c <= 26; c++) {
            h.clock.advanceS(1)
            await post(c, [[2000, 2, 500, 300, 0]])
        }
        const after = (await h.staff("operator", "GET", DEV + "/cycles")).json().cycles.map((c: any) => c.cycle)
        expect(after).toHaveLength(20)
        expect(after[0]).toBe(26)
        expect(after).not.toContain(5)
        expect((await h.staff("operator", "GET", DEV + "/cycles/5/telemetry")).statusCode).toBe(404)
        // a new cycle when the others are 31 days old: everything older than 30 days goes
        await h.db.db.updateTable("cycle_telemetry").set({ received_at_ms: h.clock.ms - 31 * 86_400_000 }).execute()
        await post(27, [[3000, 2, 500, 300, 0]])
        expect((await h.staff("operator", "GET", DEV + "/cycles")).json().cycles.map((c: any) => c.cycle)).toEqual([27])
    })
}
describe("console API: patients, maintenance, past cycles (sqlite)", () => extras(sqliteBackend))
describe.skipIf(!PG_URL)("console API: patients, maintenance, past cycles (postgres) " + (PG_URL ? "" : PG_SKIP_REASON), () => extras(pgBackend))

describe("console static files", () => {
    let h: RouteHub
    beforeAll(async () => {
        h = await routeHub()
    })
    afterAll(async () => h.close())

    it("/ redirects to the console; pages carry a strict CSP; uPlot is served from this hub", async () => {
        const root = await h.app.inject({ method: "GET", url: "/" })
        expect([root.statusCode, root.headers.location]).toEqual([302, "/console/"])
        const page = await h.app.inject({ method: "GET", url: "/console/" })
        expect(page.headers["content-type"]).toContain("text/html")
        expect(page.headers["content-security-policy"]).toContain("script-src 'self'")
        expect(page.body).not.toMatch(/https?:\/\//) // no CDN
        const up = await h.app.inject({ method: "GET", url: "/console/vendor/uPlot.esm.js" })
        expect(up.headers["content-type"]).toContain("javascript")
        expect(up.body).toContain("export { uPlot as default }")
        expect((await h.app.inject({ method: "GET", url: "/console/../src/app.ts" })).statusCode).toBe(404)
    })
})

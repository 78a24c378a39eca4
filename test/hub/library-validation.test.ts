// Template submission: every rejection answers 4xx with src/core's stable code and the field,
// and stores nothing. Expected codes by hand from the golden profile DRC-2025 v3 (film
// 55.0..85.0 °C, force 5..40 N, ramp >= 2 s, cure 5 s..10 min, film 200..1500 µm, >= 5 points)
// and the manifest (film hard limit 95.0 °C less its 5.0 margin = 90.0; force 60 N less 10 % = 54 N).
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { goldenProfile, GOLDEN_TEMPLATE_HASH } from "../vectors/golden"
import { libraryHub, auth, design, staffId, type LibraryHub } from "./library-fixture"

let h: LibraryHub

// a second, lax profile: only the device's hard limits can refuse these
const LAX = { ...goldenProfile(), profileId: "LAX-1", profileVersion: 1, filmMaxDeciC: 1200, cureMaxDeciC: 1200, forceMaxMilliN: 100000, contactMaxDeciC: 450 }

beforeAll(async () => {
    h = await libraryHub()
    for (const p of [goldenProfile(), LAX]) {
        const r = await h.app.inject({ method: "POST", url: "/api/library/profiles", headers: auth(h, "rev-017"), payload: { profile: p } })
        expect(r.statusCode).toBe(201)
    }
})
afterAll(async () => h?.close())

function submit(template: unknown, profileId = "DRC-2025", extra: object = {}) {
    return h.app.inject({ method: "POST", url: "/api/library/templates", headers: auth(h, "des-1"), payload: { template, profileId, ...extra } })
}

const CASES: { name: string; template: any; profileId?: string; status: number; code: string; field: string }[] = [
    { name: "film above the profile's 85.0 °C", template: design(t => { t.process.filmDeciC = 851 }), status: 400, code: "profile_limit", field: "process.filmDeciC" },
    { name: "force above the profile's 40 N", template: design(t => { t.process.forceMilliN = 40001 }), status: 400, code: "profile_limit", field: "process.forceMilliN" },
    { name: "ramp under the profile's 2 s", template: design(t => { t.process.rampMs = 1999 }), status: 400, code: "profile_limit", field: "process.rampMs" },
    { name: "4 arch points, profile needs 5", template: design(t => { t.archPointsUm.pop() }), status: 400, code: "profile_limit", field: "archPointsUm" },
    { name: "film 90.1 °C over the device's 90.0 under a lax profile", profileId: "LAX-1",
        template: design(t => { t.process.filmDeciC = 901; t.material.materialMaxDeciC = 1200 }), status: 400, code: "device_limit", field: "process.filmDeciC" },
    { name: "force 54.001 N over the device's 54 N under a lax profile", profileId: "LAX-1",
        template: design(t => { t.process.forceMilliN = 54001 }), status: 400, code: "device_limit", field: "process.forceMilliN" },
    { name: "film below the material's softening point", template: design(t => { t.material.softenDeciC = 701 }), status: 400, code: "material_limit", field: "process.filmDeciC" },
    { name: "two arch points 50 µm apart", template: design(t => { t.archPointsUm[2] = [-8950, 12000] }), status: 400, code: "geometry", field: "archPointsUm[2]" },
    { name: "an id that is not the design's hash", template: design(t => { t.id = GOLDEN_TEMPLATE_HASH }, true), status: 400, code: "id_mismatch", field: "id" },
    { name: "an edit after the id was computed", template: design(t => { t.process.cureMs = 9000 }, true), status: 400, code: "id_mismatch", field: "id" },
    { name: "a force given as a string", template: design(t => { t.process.forceMilliN = "20000" }), status: 400, code: "type", field: "process.forceMilliN" },
    { name: "a fractional force", template: design(t => { t.process.forceMilliN = 20000.5 }), status: 400, code: "not_int", field: "process.forceMilliN" },
    { name: "a missing cure time", template: design(t => { delete t.process.cureMs }), status: 400, code: "missing", field: "process.cureMs" },
    { name: "an unknown field (typo)", template: design(t => { t.process.cureMS = 8000 }), status: 400, code: "unknown_field", field: "process.cureMS" },
    { name: "a name of 33 characters", template: design(t => { t.name = "123456789012345678901234567890123" }), status: 400, code: "bad_string", field: "name" },
    { name: "an approval given by the designer", template: design(t => { t.approval = goldenProfile() }), status: 400, code: "unknown_field", field: "approval" },
    { name: "a profile nobody published", template: design(), profileId: "DRC-1999", status: 400, code: "unknown_profile", field: "profileId" },
]

describe("template submission is validated by src/core against the profile in force and the device", () => {
    for (const c of CASES) {
        it("refuses " + c.name + " with " + c.code + " at " + c.field, async () => {
            const r = await submit(c.template, c.profileId)
            expect(r.statusCode).toBe(c.status)
            expect(r.json().error.code).toBe(c.code)
            expect(r.json().error.field).toBe(c.field)
            expect(r.json().error.message).toContain(c.field)
        })
    }

    it("refuses a body with an unknown top-level field, and a body that is not JSON", async () => {
        const extra = await submit(design(), "DRC-2025", { note: "hi" })
        expect(extra.statusCode).toBe(400)
        expect(extra.json().error.message).toContain("note")
        const bad = await h.app.inject({ method: "POST", url: "/api/library/templates", headers: { ...auth(h, "des-1"), "content-type": "application/json" }, payload: "{\"template\": " })
        expect(bad.statusCode).toBe(400)
    })

    it("refuses an oversized body with 413", async () => {
        const big = design(t => { t.name = "x".repeat(20000) })
        expect((await submit(big)).statusCode).toBe(413)
    })

    it("stored none of the refused submissions", async () => {
        const r = await h.app.inject({ method: "GET", url: "/api/library/templates" })
        expect(r.json().total).toBe(0)
        expect(await h.db.db.selectFrom("library_templates").selectAll().execute()).toEqual([])
    })

    it("accepts the golden design and stores its design bytes under its id", async () => {
        const r = await submit(design())
        expect(r.statusCode).toBe(201)
        // the id of docs/records.md's golden design
        expect(r.json()).toMatchObject({ templateId: "52d77465f944deb19e1f1896ea4c73a040deea0b29e3a71438c5b737477d9bdc", status: "submitted", profileId: "DRC-2025", profileVersion: 3, submittedBy: await staffId(h, "des-1") })
        const again = await submit(design())
        expect(again.statusCode).toBe(409)
        expect(again.json().error.code).toBe("version_not_newer")
    })

    it("refuses the next version of someone else's design", async () => {
        const r = await h.app.inject({ method: "POST", url: "/api/library/templates", headers: auth(h, "des-2"),
            payload: { template: design(t => { t.version = 2 }), profileId: "DRC-2025" } })
        expect(r.statusCode).toBe(409) // a conflict with the lineage's owner, as for two accounts racing (library-identity.test.ts)
        expect(r.json().error.code).toBe("not_lineage_owner")
    })
})

describe("regulation profiles", () => {
    it("refuses a profile whose minimum exceeds its maximum", async () => {
        const r = await h.app.inject({ method: "POST", url: "/api/library/profiles", headers: auth(h, "rev-017"),
            payload: { profile: { ...goldenProfile(), profileVersion: 9, cureMinMs: 700000 } } })
        expect(r.statusCode).toBe(400)
        expect(r.json().error).toMatchObject({ code: "profile_invalid", field: "cureMinMs" })
    })

    it("never changes a published version and accepts only a higher one", async () => {
        const same = await h.app.inject({ method: "POST", url: "/api/library/profiles", headers: auth(h, "rev-2"), payload: { profile: { ...goldenProfile(), filmMaxDeciC: 800 } } })
        expect(same.statusCode).toBe(409)
        expect(same.json().error.code).toBe("profile_not_newer")
        const older = await h.app.inject({ method: "POST", url: "/api/library/profiles", headers: auth(h, "rev-2"), payload: { profile: { ...goldenProfile(), profileVersion: 2 } } })
        expect(older.statusCode).toBe(409)
        const v3 = await h.app.inject({ method: "GET", url: "/api/library/profiles/DRC-2025/3" })
        expect(v3.json().profile).toEqual(goldenProfile())
    })

    it("puts the newest version in force and validates new submissions against it", async () => {
        const v4 = { ...goldenProfile(), profileVersion: 4, filmMaxDeciC: 690 }
        const r = await h.app.inject({ method: "POST", url: "/api/library/profiles", headers: auth(h, "rev-2"), payload: { profile: v4 } })
        expect(r.statusCode).toBe(201)
        const list = (await h.app.inject({ method: "GET", url: "/api/library/profiles?profileId=DRC-2025" })).json().profiles
        expect(list.map((p: any) => [p.profile.profileVersion, p.inForce])).toEqual([[4, true], [3, false]])
        // the golden film 70.0 °C is now above the profile's 69.0
        const s = await submit(design(t => { t.version = 2 }))
        expect(s.statusCode).toBe(400)
        expect(s.json().error).toMatchObject({ code: "profile_limit", field: "process.filmDeciC" })
        expect(s.json().error.message).toContain("v4")
    })
})

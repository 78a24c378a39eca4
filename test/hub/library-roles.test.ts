// Who may do what in the library: browsing is public (no login); each write belongs to one role
// (docs: designers submit, reviewers publish profiles, register their key, decide, revoke).
// Every other role gets 403 and changes nothing; no login gets 401.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { goldenProfile, GOLDEN_TEMPLATE_ID, GOLDEN_TEMPLATE_HASH } from "../vectors/golden"
import { libraryHub, auth, design, reviewerKeys, USERS, type LibraryHub } from "./library-fixture"

let h: LibraryHub
const T0_S = 1750000000

interface Row {
    method: "GET" | "POST"
    url: string
    body?: object
    allowed: string
    /** what the allowed role gets, by hand from the state the rows before it leave */
    status: number
}

// in order: each allowed call prepares the next (a profile, a key, a submission, ...)
const MATRIX: Row[] = [
    { method: "POST", url: "/api/library/profiles", body: { profile: goldenProfile() }, allowed: "reviewer", status: 201 },
    { method: "POST", url: "/api/library/reviewer-keys", body: { publicKeyPem: reviewerKeys().publicPem }, allowed: "reviewer", status: 201 },
    { method: "POST", url: "/api/library/templates", body: { template: design(), profileId: "DRC-2025" }, allowed: "designer", status: 201 },
    { method: "GET", url: "/api/library/templates/" + GOLDEN_TEMPLATE_ID + "/approval?approvedUnixS=" + T0_S, allowed: "reviewer", status: 200 },
    { method: "POST", url: "/api/library/templates/" + GOLDEN_TEMPLATE_ID + "/reviews", body: { decision: "reject", reason: "arch too narrow" }, allowed: "reviewer", status: 201 },
    // allowed, but only an approved template can be revoked
    { method: "POST", url: "/api/library/templates/" + GOLDEN_TEMPLATE_ID + "/revocation", body: { reason: "recall" }, allowed: "reviewer", status: 409 },
]

const PUBLIC = [
    "/api/library/profiles", "/api/library/profiles/DRC-2025/3", "/api/library/reviewer-keys",
    "/api/library/templates", "/api/library/templates?q=demo&status=rejected", "/api/library/templates/" + GOLDEN_TEMPLATE_ID,
]

beforeAll(async () => {
    h = await libraryHub()
})
afterAll(async () => h?.close())

async function snapshot() {
    const out: unknown[] = []
    for (const t of ["library_profiles", "library_templates", "library_reviews", "library_revocations", "library_reviewer_keys"] as const)
        out.push(await h.db.db.selectFrom(t).selectAll().execute())
    return out
}

describe("library role matrix", () => {
    for (const row of MATRIX) {
        it(row.method + " " + row.url.split("?")[0] + ": only " + row.allowed, async () => {
            const before = await snapshot()
            const anon = await h.app.inject({ method: row.method, url: row.url, payload: row.body })
            expect(anon.statusCode).toBe(401)
            for (const [user, role] of USERS) {
                if (role === row.allowed) continue
                const r = await h.app.inject({ method: row.method, url: row.url, payload: row.body, headers: auth(h, user) })
                expect({ user, status: r.statusCode }).toEqual({ user, status: 403 })
            }
            expect(await snapshot()).toEqual(before)
            const user = USERS.find(u => u[1] === row.allowed)![0]
            const ok = await h.app.inject({ method: row.method, url: row.url, payload: row.body, headers: auth(h, user) })
            expect(ok.statusCode).toBe(row.status)
        })
    }

    it("lets anyone browse and read, without a login", async () => {
        for (const url of PUBLIC) {
            const r = await h.app.inject({ method: "GET", url })
            expect({ url, status: r.statusCode }).toEqual({ url, status: 200 })
            expect(r.headers["content-length"]).toBeDefined()
        }
        const found = (await h.app.inject({ method: "GET", url: "/api/library/templates?q=demo&status=rejected" })).json()
        expect(found.templates.map((t: any) => t.templateId)).toEqual([GOLDEN_TEMPLATE_ID])
        // not approved: the public approved-template route has nothing to serve
        const none = await h.app.inject({ method: "GET", url: "/api/library/approved/" + GOLDEN_TEMPLATE_HASH })
        expect(none.statusCode).toBe(404)
    })

    it("asks for a login before it looks at the body", async () => {
        const r = await h.app.inject({ method: "POST", url: "/api/library/templates", payload: { template: 1, extra: true } })
        expect(r.statusCode).toBe(401)
    })

    it("refuses an expired or unknown session with 401", async () => {
        const r = await h.app.inject({ method: "POST", url: "/api/library/profiles", payload: { profile: goldenProfile() }, headers: { authorization: "Bearer " + "ab".repeat(32) } })
        expect(r.statusCode).toBe(401)
    })
})

// Who is who in the library (issue 13 items 9, 11, 12, 13): staff login names never appear in
// the library's public answers (stable pseudonyms instead); a designer name belongs to one
// account and an account publishes under one name; two accounts racing for one design lineage
// on two hub processes: one wins, the other gets 409; and a reviewer key must be a public key.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import type { FastifyInstance } from "fastify"
import { buildHub } from "../../hub/src/app"
import type { HubDb } from "../../hub/src/db/index"
import { goldenProfile } from "../vectors/golden"
import { libraryHub, auth, design, reviewerKeys, USERS, LIBRARY_PASSWORD, type LibraryHub } from "./library-fixture"
import { sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, ctxOf, type Backend } from "./support"

function suite(backend: Backend) {
    let h: LibraryHub
    beforeAll(async () => {
        h = await libraryHub(backend)
        const p = await h.app.inject({ method: "POST", url: "/api/library/profiles", headers: auth(h, "rev-017"), payload: { profile: goldenProfile() } })
        expect(p.statusCode).toBe(201)
    })
    afterAll(async () => h?.close())

    const submit = (app: FastifyInstance, user: string, template: unknown) =>
        app.inject({ method: "POST", url: "/api/library/templates", headers: auth(h, user), payload: { template, profileId: "DRC-2025" } })

    it("refuses a private key offered as a reviewer key (400 bad_key) and stores nothing", async () => {
        const k = reviewerKeys()
        const r = await h.app.inject({ method: "POST", url: "/api/library/reviewer-keys", headers: auth(h, "rev-017"), payload: { publicKeyPem: k.privatePem } })
        expect(r.statusCode).toBe(400)
        expect(r.json().error).toMatchObject({ code: "bad_key", field: "publicKeyPem" })
        expect(r.json().error.message).toContain("private key")
        expect(await h.db.db.selectFrom("library_reviewer_keys").selectAll().execute()).toEqual([])
        const ok = await h.app.inject({ method: "POST", url: "/api/library/reviewer-keys", headers: auth(h, "rev-017"), payload: { publicKeyPem: k.publicPem } })
        expect(ok.statusCode).toBe(201)
    })

    it("binds a designer name to the account that first submits under it", async () => {
        expect((await submit(h.app, "des-1", design())).statusCode).toBe(201) // "open-smile"
        const taken = await submit(h.app, "des-2", design(t => { t.name = "Other arch" }))
        expect(taken.statusCode).toBe(409)
        expect(taken.json().error).toMatchObject({ code: "designer_taken", field: "designer" })
        const notMine = await submit(h.app, "des-1", design(t => { t.designer = "dr-lee" }))
        expect(notMine.statusCode).toBe(403)
        expect(notMine.json().error).toMatchObject({ code: "designer_not_yours", field: "designer" })
        expect((await h.db.db.selectFrom("library_templates").select("designer").execute()).map(r => r.designer)).toEqual(["open-smile"])
        const nameOf = async (user: string) => (await h.app.inject({ method: "GET", url: "/api/library/designer-name", headers: auth(h, user) })).json().designer
        expect(await nameOf("des-2")).toBeNull()
        expect((await submit(h.app, "des-2", design(t => { t.designer = "dr-lee" }))).statusCode).toBe(201)
        expect([await nameOf("des-1"), await nameOf("des-2")]).toEqual(["open-smile", "dr-lee"])
        expect((await h.app.inject({ method: "GET", url: "/api/library/designer-name", headers: auth(h, "rev-017") })).statusCode).toBe(403)
    })

    it("two accounts on two hub processes submitting into one new lineage at once: one wins, the other gets 409", async () => {
        const second: HubDb = await h.openSecond()
        const appB = await buildHub(ctxOf(second, h.clock))
        try {
            for (let i = 0; i < 10; i++) {
                // designers 3 and 4 are fresh accounts per race, so that each race is a first submission
                const [u1, u2] = ["race-a-" + i, "race-b-" + i]
                for (const u of [u1, u2]) {
                    const { createUser } = await import("../../hub/src/users")
                    await createUser(h.ctx, { name: u, password: LIBRARY_PASSWORD, role: "designer" })
                    // each login from its own address: 20 races' logins would pass the per-address login limit (hub/README.md)
                    const login = await h.app.inject({ method: "POST", url: "/api/auth/login", remoteAddress: "10.1." + i + "." + (u === u1 ? 1 : 2), payload: { name: u, password: LIBRARY_PASSWORD, bearer: true } })
                    expect(login.statusCode).toBe(200)
                    h.tokens[u] = login.json().token
                }
                const lab = "lab-" + i
                const [r1, r2] = await Promise.all([
                    submit(h.app, u1, design(t => { t.designer = lab; t.name = "Race arch" })),
                    submit(appB, u2, design(t => { t.designer = lab; t.name = "Race arch"; t.version = 2 })),
                ])
                expect([r1.statusCode, r2.statusCode].sort()).toEqual([201, 409])
                // the loser finds the winner's design name or lineage taken, whichever check it reached
                expect(["designer_taken", "not_lineage_owner"]).toContain((r1.statusCode === 409 ? r1 : r2).json().error.code)
                const owners = await h.db.db.selectFrom("library_templates").select("submitted_by").where("designer", "=", lab).execute()
                expect(owners).toHaveLength(1)
            }
        } finally {
            await appB.close()
            await second.close()
        }
    })

    it("shows staff by stable pseudonyms, never by login name, on the keys, templates and profiles routes", async () => {
        const id = design().id
        const reject = await h.app.inject({ method: "POST", url: "/api/library/templates/" + id + "/reviews", headers: auth(h, "rev-2"), payload: { decision: "reject", reason: "too warm" } })
        expect(reject.statusCode).toBe(201)
        const urls = ["/api/library/reviewer-keys", "/api/library/templates", "/api/library/templates/" + id, "/api/library/profiles", "/api/library/profiles/DRC-2025/3"]
        const texts: string[] = []
        for (const url of urls) {
            const r = await h.app.inject({ method: "GET", url })
            expect(r.statusCode).toBe(200)
            texts.push(r.body)
        }
        for (const [name] of USERS) for (const t of texts) expect(t).not.toContain("\"" + name + "\"")
        const keys = JSON.parse(texts[0]).keys
        const item = JSON.parse(texts[2])
        const profile = JSON.parse(texts[4])
        const pseudo = { rev017: keys[0].reviewer, des1: item.submittedBy, rev2: item.history[0].reviewer, publisher: profile.publishedBy }
        for (const p of Object.values(pseudo)) expect(p).toMatch(/^staff-[0-9a-f]{16}$/)
        expect(pseudo.publisher).toBe(pseudo.rev017) // rev-017 published the profile and registered the key
        expect(new Set([pseudo.rev017, pseudo.des1, pseudo.rev2]).size).toBe(3)
        // the pseudonym filters the keys, and a login name finds nothing
        const mine = await h.app.inject({ method: "GET", url: "/api/library/reviewer-keys?reviewer=" + pseudo.rev017 })
        expect(mine.json().keys).toHaveLength(1)
        expect((await h.app.inject({ method: "GET", url: "/api/library/reviewer-keys?reviewer=rev-017" })).json().keys).toEqual([])
        // stable: another hub process on the same database shows the same pseudonyms
        const second = await h.openSecond()
        const appB = await buildHub(ctxOf(second, h.clock))
        try {
            expect((await appB.inject({ method: "GET", url: "/api/library/templates/" + id })).json().submittedBy).toBe(pseudo.des1)
        } finally {
            await appB.close()
            await second.close()
        }
    })
}

describe("library identities (sqlite)", () => suite(sqliteBackend))
describe.skipIf(!PG_URL)("library identities (postgres) " + (PG_URL ? "" : PG_SKIP_REASON), () => suite(pgBackend))

// Council review: approvals are Ed25519 signatures over the canonical template bytes, checked
// before they are accepted; history is append-only and public; the review item shows what
// changed since the previous version. The golden approval (rev-017 at 1750000000 under
// DRC-2025 v3) must give docs/records.md's golden template bytes and hash exactly.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { goldenProfile, GOLDEN_TEMPLATE_HASH, GOLDEN_TEMPLATE_HEX, GOLDEN_TEMPLATE_ID } from "../vectors/golden"
import { fromHex } from "../../src/core/crypto"
import { signTemplateApproval } from "../../hub/src/library/signing"
import { approvedTemplate } from "../../hub/src/library/approvals"
import { libraryHub, auth, design, reviewerKeys, staffId, type LibraryHub } from "./library-fixture"
import { sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, type Backend } from "./support"

let h: LibraryHub
const rev017 = reviewerKeys()
const rev2 = reviewerKeys()
const stranger = reviewerKeys()
const GOLDEN_S = 1750000000

function suite(backend: Backend) {
    beforeAll(async () => {
        h = await libraryHub(backend)
        await h.app.inject({ method: "POST", url: "/api/library/profiles", headers: auth(h, "rev-017"), payload: { profile: goldenProfile() } })
        for (const [who, k] of [["rev-017", rev017], ["rev-2", rev2]] as const) {
            const r = await h.app.inject({ method: "POST", url: "/api/library/reviewer-keys", headers: auth(h, who), payload: { publicKeyPem: k.publicPem } })
            expect(r.statusCode).toBe(201)
        }
        expect((await submitAs("des-1", design())).statusCode).toBe(201)
    })
    afterAll(async () => h?.close())

    function submitAs(user: string, template: unknown) {
        return h.app.inject({ method: "POST", url: "/api/library/templates", headers: auth(h, user), payload: { template, profileId: "DRC-2025" } })
    }

    function review(user: string, id: string, body: object) {
        return h.app.inject({ method: "POST", url: "/api/library/templates/" + id + "/reviews", headers: auth(h, user), payload: body })
    }

    async function item(id: string) {
        return (await h.app.inject({ method: "GET", url: "/api/library/templates/" + id })).json()
    }

    describe("approval signatures", () => {
        it("gives the reviewer the golden template bytes to sign", async () => {
            const r = await h.app.inject({ method: "GET", url: "/api/library/templates/" + GOLDEN_TEMPLATE_ID + "/approval?approvedUnixS=" + GOLDEN_S, headers: auth(h, "rev-017") })
            expect(r.statusCode).toBe(200)
            expect(r.json().bytesHex).toBe(GOLDEN_TEMPLATE_HEX)
            expect(r.json().hash).toBe(GOLDEN_TEMPLATE_HASH)
        })

        it("refuses a signature by a key nobody registered", async () => {
            const sig = signTemplateApproval(stranger.privatePem, fromHex(GOLDEN_TEMPLATE_HEX))
            const r = await review("rev-017", GOLDEN_TEMPLATE_ID, { decision: "approve", reason: "", approvedUnixS: GOLDEN_S, signatureHex: sig })
            expect(r.statusCode).toBe(400)
            expect(r.json().error).toMatchObject({ code: "bad_signature", field: "signatureHex" })
        })

        it("refuses another reviewer's valid signature offered as one's own", async () => {
            const sig = signTemplateApproval(rev2.privatePem, fromHex(GOLDEN_TEMPLATE_HEX))
            const r = await review("rev-017", GOLDEN_TEMPLATE_ID, { decision: "approve", reason: "", approvedUnixS: GOLDEN_S, signatureHex: sig })
            expect(r.json().error.code).toBe("bad_signature")
        })

        it("refuses a signature over other bytes (another approval time, an altered process)", async () => {
            const laterBytes = fromHex(GOLDEN_TEMPLATE_HEX)
            const r1 = await review("rev-017", GOLDEN_TEMPLATE_ID, { decision: "approve", reason: "", approvedUnixS: GOLDEN_S + 1, signatureHex: signTemplateApproval(rev017.privatePem, laterBytes) })
            expect(r1.json().error.code).toBe("bad_signature")
            const altered = fromHex(GOLDEN_TEMPLATE_HEX)
            altered[20] ^= 1
            const r2 = await review("rev-017", GOLDEN_TEMPLATE_ID, { decision: "approve", reason: "", approvedUnixS: GOLDEN_S, signatureHex: signTemplateApproval(rev017.privatePem, altered) })
            expect(r2.json().error.code).toBe("bad_signature")
        })

        it("refuses an approval time more than 600 s from the hub's clock", async () => {
            const r = await review("rev-017", GOLDEN_TEMPLATE_ID, { decision: "approve", reason: "", approvedUnixS: GOLDEN_S - 601, signatureHex: "00".repeat(64) })
            expect(r.json().error).toMatchObject({ code: "approval_time", field: "approvedUnixS" })
        })

        it("stored nothing for the refused approvals", async () => {
            const it0 = await item(GOLDEN_TEMPLATE_ID)
            expect(it0.status).toBe("submitted")
            expect(it0.history).toEqual([])
            expect(await approvedTemplate(h.ctx, GOLDEN_TEMPLATE_HASH)).toBeNull()
        })
    })

    describe("history is append-only and public", () => {
        let first: any
        it("records a rejection with its reason", async () => {
            const r = await review("rev-2", GOLDEN_TEMPLATE_ID, { decision: "reject", reason: "contact limit too close to the device's" })
            expect(r.statusCode).toBe(201)
            first = (await item(GOLDEN_TEMPLATE_ID)).history[0]
            expect(first).toMatchObject({ seq: 1, decision: "reject", reviewer: await staffId(h, "rev-2"), reason: "contact limit too close to the device's", templateHash: null })
            const noReason = await review("rev-2", GOLDEN_TEMPLATE_ID, { decision: "reject", reason: " " })
            expect(noReason.json().error).toMatchObject({ code: "missing", field: "reason" })
        })

        it("accepts the golden approval as a new row and keeps the rejection unchanged", async () => {
            const sig = signTemplateApproval(rev017.privatePem, fromHex(GOLDEN_TEMPLATE_HEX))
            const r = await review("rev-017", GOLDEN_TEMPLATE_ID, { decision: "approve", reason: "within DRC-2025 v3", approvedUnixS: GOLDEN_S, signatureHex: sig })
            expect(r.statusCode).toBe(201)
            const it1 = await item(GOLDEN_TEMPLATE_ID)
            expect(it1.status).toBe("approved")
            expect(it1.approvedHash).toBe(GOLDEN_TEMPLATE_HASH)
            expect(it1.history).toHaveLength(2)
            expect(it1.history[0]).toEqual(first)
            expect(it1.history[1]).toMatchObject({ seq: 2, decision: "approve", reviewer: await staffId(h, "rev-017"), templateHash: GOLDEN_TEMPLATE_HASH, signatureHex: sig, profileId: "DRC-2025", profileVersion: 3 })
            expect(await approvedTemplate(h.ctx, GOLDEN_TEMPLATE_HASH)).toEqual({ hash: GOLDEN_TEMPLATE_HASH, bytesHex: GOLDEN_TEMPLATE_HEX })
        })

        it("refuses a second decision on an approved template", async () => {
            const r = await review("rev-2", GOLDEN_TEMPLATE_ID, { decision: "reject", reason: "changed my mind" })
            expect(r.statusCode).toBe(409)
            expect(r.json().error.code).toBe("already_decided")
        })

        it("revokes with a reason as a new entry; nothing can be decided after", async () => {
            const r = await h.app.inject({ method: "POST", url: "/api/library/templates/" + GOLDEN_TEMPLATE_ID + "/revocation", headers: auth(h, "rev-2"), payload: { reason: "film batch recalled" } })
            expect(r.statusCode).toBe(201)
            const it2 = await item(GOLDEN_TEMPLATE_ID)
            expect(it2.status).toBe("revoked")
            expect(it2.history).toHaveLength(3)
            expect(it2.history[0]).toEqual(first)
            expect(it2.history[2]).toMatchObject({ decision: "revoke", reviewer: await staffId(h, "rev-2"), reason: "film batch recalled", templateHash: GOLDEN_TEMPLATE_HASH })
            expect(await approvedTemplate(h.ctx, GOLDEN_TEMPLATE_HASH)).toBeNull()
            const again = await h.app.inject({ method: "POST", url: "/api/library/templates/" + GOLDEN_TEMPLATE_ID + "/revocation", headers: auth(h, "rev-2"), payload: { reason: "twice" } })
            expect(again.json().error.code).toBe("not_approved")
            const approve = await review("rev-017", GOLDEN_TEMPLATE_ID, { decision: "approve", reason: "", approvedUnixS: GOLDEN_S, signatureHex: signTemplateApproval(rev017.privatePem, fromHex(GOLDEN_TEMPLATE_HEX)) })
            expect(approve.statusCode).toBe(409)
        })

        it("has no route that edits or deletes a decision", async () => {
            for (const method of ["PUT", "PATCH", "DELETE"] as const) {
                const r = await h.app.inject({ method, url: "/api/library/templates/" + GOLDEN_TEMPLATE_ID + "/reviews", headers: auth(h, "rev-017"), payload: {} })
                expect(r.statusCode).toBe(404)
            }
        })
    })

    describe("the review item", () => {
        it("lists the fields changed since the previous version, with old and new values", async () => {
            const v2 = design(t => { t.version = 2; t.process.filmDeciC = 720; t.process.cureMs = 9000 })
            expect((await submitAs("des-1", v2)).statusCode).toBe(201)
            const it2 = await item(v2.id)
            expect(it2.previous).toEqual({ templateId: GOLDEN_TEMPLATE_ID, version: 1 })
            expect(it2.changes).toEqual([
                { field: "version", old: 1, new: 2 },
                { field: "process.filmDeciC", old: 700, new: 720 },
                { field: "process.cureMs", old: 8000, new: 9000 },
            ])
            const v3 = design(t => { t.version = 3; t.process.filmDeciC = 720; t.process.cureMs = 9000; t.archPointsUm[0] = [-16000, 100] })
            expect((await submitAs("des-1", v3)).statusCode).toBe(201)
            expect((await item(v3.id)).changes).toEqual([
                { field: "version", old: 2, new: 3 },
                { field: "archPointsUm", old: v2.archPointsUm, new: v3.archPointsUm },
            ])
            expect((await item(GOLDEN_TEMPLATE_ID)).changes).toEqual([])
        })

        it("is found by name (any case), designer and status, without a login", async () => {
            const other = design(t => { t.name = "Wide arch"; t.designer = "dr-lee" })
            expect((await submitAs("des-2", other)).statusCode).toBe(201)
            const get = async (q: string) => (await h.app.inject({ method: "GET", url: "/api/library/templates" + q })).json()
            expect((await get("?q=DEMO")).templates.map((t: any) => t.version)).toEqual([3, 2, 1])
            expect((await get("?designer=dr-lee")).templates.map((t: any) => t.name)).toEqual(["Wide arch"])
            expect((await get("?status=revoked")).templates.map((t: any) => t.templateId)).toEqual([GOLDEN_TEMPLATE_ID])
            expect((await get("?q=%25")).total).toBe(0)
            expect((await get("")).total).toBe(4)
            const bad = await h.app.inject({ method: "GET", url: "/api/library/templates?status=lost" })
            expect(bad.statusCode).toBe(400)
        })
    })

    describe("approval under the profile in force", () => {
        it("re-validates a pending design against a newer profile version before it can be signed", async () => {
            // v4 lowers the film maximum to 71.0 °C: the pending v2 and v3 designs (72.0 °C) no longer fit
            const v4 = { ...goldenProfile(), profileVersion: 4, filmMaxDeciC: 710 }
            expect((await h.app.inject({ method: "POST", url: "/api/library/profiles", headers: auth(h, "rev-2"), payload: { profile: v4 } })).statusCode).toBe(201)
            const v3 = design(t => { t.version = 3; t.process.filmDeciC = 720; t.process.cureMs = 9000; t.archPointsUm[0] = [-16000, 100] })
            const r = await h.app.inject({ method: "GET", url: "/api/library/templates/" + v3.id + "/approval?approvedUnixS=" + GOLDEN_S, headers: auth(h, "rev-017") })
            expect(r.statusCode).toBe(409)
            expect(r.json().error).toMatchObject({ code: "profile_limit", field: "process.filmDeciC" })
            const reject = await review("rev-017", v3.id, { decision: "reject", reason: "above DRC-2025 v4 film maximum" })
            expect(reject.statusCode).toBe(201)
        })
    })
}

describe("library review on SQLite", () => suite(sqliteBackend))
describe.skipIf(!PG_URL)("library review on PostgreSQL" + (PG_URL ? "" : " — " + PG_SKIP_REASON), () => suite(pgBackend))

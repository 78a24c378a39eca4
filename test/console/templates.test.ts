// A template's page: the picture of its arch (one point per archPointsUm, to scale) and its
// process (film temperature and force through the phases, the contact limit) for the public,
// designers and reviewers; the revoke control for reviewers only, with a public reason; the
// revocation reaches the device's next bundle and the transparency page.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { world, approvedTemplate, HAVE_CHROMIUM, SKIP_REASON, type World } from "./fixture"
import { goldenTemplate } from "../vectors/golden"

describe.skipIf(!HAVE_CHROMIUM)("console templates " + SKIP_REASON, () => {
    let w: World
    let id: string
    let hash: string
    beforeAll(async () => {
        w = await world()
        hash = await approvedTemplate(w)
        id = (await w.ctx.db.db.selectFrom("library_templates").select("template_id").executeTakeFirstOrThrow()).template_id
    })
    afterAll(async () => w?.close())

    const arch = goldenTemplate().archPointsUm

    it("public: the arch and the process are drawn; no revoke control", async () => {
        const p = w.page
        await p.goto(w.url + "/console/#/templates/" + id)
        await p.locator("#tpl-arch").waitFor()
        // one vertex per arch point, left to right as in the design (x grows with the design's x)
        const pts = (await p.locator("#tpl-arch polyline").getAttribute("points"))!.split(" ").map(s => s.split(",").map(Number))
        expect(pts).toHaveLength(arch.length)
        for (let i = 1; i < pts.length; i++) expect(Math.sign(pts[i][0] - pts[i - 1][0])).toBe(Math.sign(arch[i][0] - arch[i - 1][0]))
        // y is drawn upwards: the deepest point is highest on screen
        const deepest = arch.reduce((b, q, i) => q[1] > arch[b][1] ? i : b, 0)
        expect(Math.min(...pts.map(q => q[1]))).toBe(pts[deepest][1])
        expect(await p.locator("#tpl-arch").getAttribute("aria-label")).toBe("Arch: 5 points, 32.0 mm wide, 16.0 mm deep")
        const proc = await p.locator("#tpl-process").getAttribute("aria-label")
        expect(proc).toContain("film heated to 70.0 °C")
        expect(proc).toContain("press to 20.0 N over 4 s")
        expect(proc).toContain("cure at 68.0 °C for 8 s")
        expect(proc).toContain("patient contact limit 41.5 °C")
        // the phase labels never overlap
        const boxes = await p.locator("#tpl-process .phase-label").evaluateAll(els => els.map(e => e.getBoundingClientRect()).map(r => [r.left, r.right, r.top, r.bottom]))
        expect(boxes).toHaveLength(7)
        for (let i = 0; i < boxes.length; i++)
            for (let j = i + 1; j < boxes.length; j++) {
                const [a, b] = [boxes[i], boxes[j]]
                const overlap = a[0] < b[1] && b[0] < a[1] && a[2] < b[3] && b[2] < a[3]
                expect(overlap, "labels " + i + " and " + j).toBe(false)
            }
        expect(await p.locator("#revoke-form").count()).toBe(0)
        await w.shot("template-public")
    })

    it("designer: sees the picture, no revoke control", async () => {
        await w.login("designer")
        await w.page.goto(w.url + "/console/#/templates/" + id)
        await w.page.locator("#tpl-process").waitFor()
        expect(await w.page.locator("#revoke-form").count()).toBe(0)
        await w.logout()
    })

    it("reviewer: revokes with a public reason; the device's next bundle lists it revoked; transparency shows it", async () => {
        const p = w.page
        const client = await w.client()
        expect((await client.round()).ok).toBe(true)
        expect(client.approved).toContain(hash)
        await w.login("reviewer")
        await p.goto(w.url + "/console/#/templates/" + id)
        await p.locator("#tpl-arch").waitFor()
        await p.getByRole("button", { name: "Revoke template" }).click()
        await p.getByText("Say why it is revoked").waitFor()
        await p.getByLabel("Reason for revoking (public)").fill("Film batch recalled by the maker")
        await w.shot("template-revoke")
        await p.getByRole("button", { name: "Revoke template" }).click()
        await p.getByText(/Revoked Demo arch v1/).waitFor()
        await p.locator(".badge.revoked").first().waitFor()
        expect(await p.locator("#revoke-form").count()).toBe(0)
        expect(await p.locator(".history").textContent()).toContain("Film batch recalled by the maker")
        const row = await w.db.db.selectFrom("library_templates").select("status").where("template_id", "=", id).executeTakeFirstOrThrow()
        expect(row.status).toBe("revoked")
        expect((await client.round()).ok).toBe(true)
        expect(client.approved).not.toContain(hash)
        await w.logout()
        await p.goto(w.url + "/console/#/transparency")
        await p.locator("td", { hasText: "Film batch recalled by the maker" }).waitFor()
    })
})

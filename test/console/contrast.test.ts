// WCAG AA contrast on every console page, per role, as rendered in chromium (contrast.ts says
// what is measured). The Log in button in the top bar was near-white on white: it is measured
// on its own first, then every page a role can open, with data on them (an approved and a
// submitted template, a device with a latched fault, an editor showing an error, the fleet with
// an alarm, the hub-unreachable banner, a patient report, the not-found page).
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { world, approvedTemplate, HAVE_CHROMIUM, SKIP_REASON, DEVICE_ID, type World } from "./fixture"
import { contrastFailures, type ContrastFailure } from "./contrast"
import { submitTemplate } from "../../hub/src/library/templates"
import { design } from "../hub/library-fixture"
import type { Role } from "../../hub/src/auth/staff"

describe.skipIf(!HAVE_CHROMIUM)("console contrast (WCAG AA) " + SKIP_REASON, () => {
    let w: World
    let approvedId: string
    let submittedId: string
    beforeAll(async () => {
        w = await world()
        await approvedTemplate(w)
        approvedId = (await w.ctx.db.db.selectFrom("library_templates").select("template_id").where("status", "=", "approved").executeTakeFirstOrThrow()).template_id
        submittedId = (await submitTemplate(w.ctx, "u-designer", design(t => { t.version = 2 }), "DRC-2025")).templateId
        const r = await w.dev("POST", "status", { state: "faulted", phase: 10, pending: 0, latchedFault: 31, head: { seq: 0, hash: "0".repeat(64) } })
        expect(r.status).toBe(204)
    })
    afterAll(async () => w?.close())

    /** opens a page, waits for its heading, and returns its failures */
    async function check(hash: string, heading: RegExp | string): Promise<ContrastFailure[]> {
        await w.page.goto(w.url + "/console/#/" + hash)
        await w.page.getByRole("heading", { name: heading, level: 1 }).waitFor()
        await w.page.waitForTimeout(300) // the page's second round of requests (device status, lists)
        return contrastFailures(w.page)
    }

    it("the Log in button in the top bar is readable", async () => {
        await w.page.goto(w.url + "/console/#/transparency")
        const login = w.page.locator("#who a.button")
        await login.waitFor()
        const failures = await contrastFailures(w.page)
        expect(failures.filter(f => f.text === "Log in")).toEqual([])
        await w.shot("login-button-contrast")
    })

    const PAGES: [Role | "public", string, RegExp | string][] = [
        ["public", "transparency", "Transparency"],
        ["public", "templates", "Templates"],
        ["public", "login", "Log in"],
        ["operator", "fleet", "Fleet"],
        ["operator", "device/" + DEVICE_ID, "Device " + DEVICE_ID],
        ["operator", "records", "Records"],
        ["operator", "patient/PT-1", "Patient PT-1: cycle report"],
        ["operator", "no-such-page", "Page not found"],
        ["technician", "fleet", "Fleet"],
        ["technician", "device/" + DEVICE_ID, "Device " + DEVICE_ID],
        ["auditor", "records", "Records"],
        ["reviewer", "review", "Review queue"],
        ["designer", "editor", "New design"],
    ]

    it("every page, per role, meets AA", async () => {
        const all: Record<string, ContrastFailure[]> = {}
        let current: Role | "public" = "public"
        for (const [role, hash, heading] of PAGES) {
            if (role !== current) {
                if (current !== "public") await w.logout()
                if (role !== "public") await w.login(role)
                current = role
            }
            all[role + " " + hash] = await check(hash, heading)
        }
        // pages reached through data: a template's page, a review item, the editor's error,
        // the fleet with an alarm, the hub-unreachable banner
        all["public template"] = await check("templates/" + approvedId, /Demo arch v1/)
        await w.login("operator")
        await check("fleet", "Fleet")
        await w.dev("POST", "status", { state: "press", phase: 4, pending: 0, latchedFault: 31, head: { seq: 0, hash: "0".repeat(64) } })
        await w.page.waitForTimeout(2500)
        await w.dev("POST", "status", { state: "complete", phase: 8, pending: 0, latchedFault: 31, head: { seq: 0, hash: "0".repeat(64) } })
        await w.page.locator("#alarm-list li").first().waitFor({ timeout: 5000 })
        all["operator fleet alarm"] = await contrastFailures(w.page)
        await w.page.route("**/api/**", r => r.abort("connectionrefused"))
        await w.page.locator("#hub-unreachable").waitFor({ timeout: 5000 })
        all["operator hub unreachable"] = await contrastFailures(w.page)
        await w.page.unroute("**/api/**")
        await w.page.locator("#hub-unreachable").waitFor({ state: "hidden", timeout: 5000 })
        await w.logout()
        await w.login("reviewer")
        all["reviewer item"] = await check("review/" + submittedId, "Review queue")
        all["reviewer template"] = await check("templates/" + approvedId, /Demo arch v1/)
        await w.logout()
        await w.login("designer")
        await w.page.goto(w.url + "/console/#/editor")
        await w.page.locator("#ed-verdict.error").waitFor()
        all["designer editor error"] = await contrastFailures(w.page)
        await w.logout()
        const failing = Object.fromEntries(Object.entries(all).filter(([, f]) => f.length > 0))
        expect(failing).toEqual({})
        expect(Object.keys(all).length).toBe(PAGES.length + 6)
    })
})

// Logging in per role through the form (keyboard only for one of them): each role gets its own
// navigation and landing page, and a page outside its role says so. The public pages
// (transparency, template library) need no login.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { world, HAVE_CHROMIUM, SKIP_REASON, PASSWORD, type World } from "./fixture"
import type { Role } from "../../hub/src/auth/staff"

const NAV: Record<Role | "public", string[]> = {
    public: ["Templates", "Transparency"],
    operator: ["Fleet", "Records", "Templates", "Transparency", "Account"],
    technician: ["Fleet", "Templates", "Transparency", "Account"],
    auditor: ["Fleet", "Records", "Staff actions", "Templates", "Transparency", "Account"],
    reviewer: ["Review queue", "Templates", "Transparency", "Account"],
    designer: ["New design", "Templates", "Transparency", "Account"],
    admin: ["Administration", "Templates", "Transparency", "Account"],
}
const LANDING: Record<Role, string> = { operator: "Fleet", technician: "Fleet", auditor: "Records", reviewer: "Review queue", designer: "New design", admin: "Administration" }

describe.skipIf(!HAVE_CHROMIUM)("console roles " + SKIP_REASON, () => {
    let w: World
    beforeAll(async () => {
        w = await world()
    })
    afterAll(async () => w?.close())

    const navOf = () => w.page.locator("#nav a").allTextContents()

    it("logged out: transparency and templates only; staff pages send you to log in", async () => {
        await w.page.goto(w.url + "/")
        await w.page.getByRole("heading", { name: "Transparency" }).waitFor()
        expect(await navOf()).toEqual(NAV.public)
        await w.shot("transparency-public")
        await w.page.goto(w.url + "/console/#/fleet")
        await w.page.getByRole("heading", { name: "Log in" }).waitFor()
        await w.shot("login")
    })

    for (const role of ["operator", "technician", "auditor", "reviewer", "designer", "admin"] as Role[]) {
        it(role + ": lands on " + LANDING[role] + " with its own navigation", async () => {
            await w.login(role)
            await w.page.getByRole("heading", { name: LANDING[role], level: 1 }).waitFor()
            expect(await navOf()).toEqual(NAV[role])
            if (role === "operator") await w.shot("fleet-operator")
            if (role === "technician") {
                await w.page.goto(w.url + "/console/#/records")
                await w.page.getByRole("heading", { name: "Not for your role" }).waitFor()
            }
            await w.logout()
        })
    }

    it("an unknown page says 'not found' (logged out and in), not 'not for your role'", async () => {
        await w.page.goto(w.url + "/console/#/no-such-page")
        await w.page.getByRole("heading", { name: "Page not found", level: 1 }).waitFor()
        await w.login("operator")
        await w.page.goto(w.url + "/console/#/no-such-page")
        await w.page.getByRole("heading", { name: "Page not found", level: 1 }).waitFor()
        expect(await w.page.locator("main").textContent()).not.toContain("Not for your role")
        await w.shot("not-found")
        await w.logout()
    })

    it("a page's status message does not carry over to the next page; 'Logged in' reaches the page it is for", async () => {
        const p = w.page
        await w.login("reviewer")
        expect(await p.locator("#status").textContent()).toBe("Logged in as u-reviewer (reviewer).")
        await p.getByRole("link", { name: "Templates" }).click()
        await p.getByRole("heading", { name: "Templates", level: 1 }).waitFor()
        expect(await p.locator("#status").textContent()).toBe("")
        await p.getByRole("link", { name: "Review queue" }).click()
        await p.getByRole("heading", { name: "Review queue", level: 1 }).waitFor()
        // a message this page gives (a refused key file) ...
        await p.getByLabel("Ed25519 private key (PKCS#8 PEM file)").setInputFiles({ name: "x.pem", mimeType: "text/plain", buffer: Buffer.from("not a key") })
        await expect.poll(() => p.locator("#status").textContent()).not.toBe("")
        // ... is gone on the next page
        await p.getByRole("link", { name: "Transparency" }).click()
        await p.getByRole("heading", { name: "Transparency", level: 1 }).waitFor()
        expect(await p.locator("#status").textContent()).toBe("")
        await w.logout()
        expect(await p.locator("#status").textContent()).toBe("Logged out.")
    })

    it("keyboard only: tab to the fields, type, Enter logs in; focus is visible", async () => {
        const p = w.page
        await p.goto(w.url + "/console/#/login")
        await p.getByRole("heading", { name: "Log in" }).waitFor()
        await p.keyboard.press("Tab") // focus starts in the name field (autofocus); Tab moves on
        await p.keyboard.press("Shift+Tab")
        expect(await p.evaluate(() => document.activeElement?.id)).toBe("login-name")
        await p.keyboard.type("u-auditor")
        await p.keyboard.press("Tab")
        expect(await p.evaluate(() => document.activeElement?.id)).toBe("login-password")
        const outline = await p.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle)
        expect(outline).toBe("solid")
        await p.keyboard.type(PASSWORD)
        await p.keyboard.press("Enter")
        await p.getByRole("heading", { name: "Records", level: 1 }).waitFor()
        await w.logout()
    })

    it("every control on the main pages has an accessible name", async () => {
        await w.login("designer")
        await w.page.locator("#ed-verdict.error").waitFor() // the starter design has no name yet
        await w.page.getByLabel("Name", { exact: true }).fill("Test arch")
        await w.page.locator("#ed-verdict.ok").waitFor()
        const unnamed = await w.page.evaluate(() => [...document.querySelectorAll("input, select, textarea")]
            .filter(el => !(el as HTMLInputElement).labels?.length && !el.getAttribute("aria-label")).map(el => el.id))
        expect(unnamed).toEqual([])
        await w.logout()
    })
})

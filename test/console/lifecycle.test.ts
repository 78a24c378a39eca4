// The account and key lifecycle in chromium: the administrator's page (users: new password,
// disable, enable, log out everywhere; devices: new transport key shown once, decommission), the
// auditor's staff action log, and every user's own password change and "log out everywhere".
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { world, HAVE_CHROMIUM, SKIP_REASON, PASSWORD, DEVICE_ID, type World } from "./fixture"
import { createUser } from "../../hub/src/users"
import { provisionDevice } from "../../hub/src/devices"

const NEW_PW = "amber violin harbour 62"

describe.skipIf(!HAVE_CHROMIUM)("console lifecycle " + SKIP_REASON, () => {
    let w: World
    beforeAll(async () => {
        w = await world()
        await createUser(w.ctx, { name: "kim", password: PASSWORD, role: "operator" })
        await createUser(w.ctx, { name: "lee", password: PASSWORD, role: "technician" })
        await createUser(w.ctx, { name: "pat", password: PASSWORD, role: "operator" })
        await provisionDevice(w.ctx, { deviceId: "SFA1-OLD0001", label: "retired chair", createdBy: "test", hubUrl: w.url })
        // every confirm() of these pages is answered yes
        w.page.on("dialog", d => void d.accept())
    })
    afterAll(async () => w?.close())

    /** a script's session (bearer token) for a user */
    async function bearer(name: string, password: string): Promise<{ status: number; token?: string }> {
        const r = await w.app.inject({ method: "POST", url: "/api/auth/login", payload: { name, password, bearer: true }, remoteAddress: "10.1.0." + Math.floor(Math.random() * 250) })
        return { status: r.statusCode, token: r.statusCode === 200 ? r.json().token : undefined }
    }
    const alive = async (token: string) =>
        (await w.app.inject({ method: "GET", url: "/api/auth/me", headers: { authorization: "Bearer " + token } })).statusCode
    const status = () => w.page.locator("#status").textContent()

    async function loginAs(name: string, password: string) {
        const p = w.page
        await p.goto(w.url + "/console/#/login")
        await p.getByLabel("Name").fill(name)
        await p.getByLabel("Password").fill(password)
        await p.getByRole("button", { name: "Log in" }).click()
    }

    it("the administrator sets a new password, disables, enables and logs a user out everywhere", async () => {
        const kim = (await bearer("kim", PASSWORD)).token!
        await w.login("admin")
        const p = w.page
        await p.getByRole("heading", { name: "Administration", level: 1 }).waitFor()
        const row = p.locator("tr[data-user=kim]")
        expect(await row.locator(".state").textContent()).toBe("active")
        await row.getByLabel("New password for kim").fill("password")
        await row.getByRole("button", { name: "Set password" }).click()
        await p.locator("#status.error").waitFor()
        expect(await status()).toContain("bad_password")
        expect(await alive(kim)).toBe(200)
        await p.locator("tr[data-user=kim]").getByLabel("New password for kim").fill(NEW_PW)
        await p.locator("tr[data-user=kim]").getByRole("button", { name: "Set password" }).click()
        await p.locator("#status.ok").filter({ hasText: "New password set for kim" }).waitFor()
        expect(await alive(kim)).toBe(401)
        expect((await bearer("kim", NEW_PW)).status).toBe(200)

        await p.locator("tr[data-user=lee]").getByRole("button", { name: "Disable" }).click()
        await p.locator("tr[data-user=lee] .state").filter({ hasText: "disabled" }).waitFor()
        expect((await bearer("lee", PASSWORD)).status).toBe(401)
        await p.locator("tr[data-user=lee]").getByRole("button", { name: "Enable" }).click()
        await p.locator("tr[data-user=lee] .state").filter({ hasText: "active" }).waitFor()
        const lee = (await bearer("lee", PASSWORD)).token!
        await p.locator("tr[data-user=lee]").getByRole("button", { name: "Log out everywhere" }).click()
        await p.locator("#status.ok").filter({ hasText: "of lee ended" }).waitFor()
        expect(await alive(lee)).toBe(401)
        // the administrator's own account cannot be disabled from here
        expect(await p.locator("tr[data-user=u-admin]").getByRole("button", { name: "Disable" }).isDisabled()).toBe(true)
        await w.shot("admin-users")
    })

    it("the administrator issues a new transport key (shown once) and decommissions a device", async () => {
        const p = w.page
        await p.goto(w.url + "/console/#/admin")
        const dev = p.locator("tr[data-device='" + DEVICE_ID + "']")
        await dev.getByRole("button", { name: "New transport key" }).click()
        await p.locator("#adm-env").waitFor()
        const env = await p.locator("#adm-env").textContent()
        const key = /LINK_KEY=([0-9a-f]{64})/.exec(env ?? "")?.[1]
        expect(key).toBeTruthy()
        expect(env).toContain("DEVICE_ID=" + DEVICE_ID)
        expect(env).not.toContain("DEVICE_KEY=")
        // the device signs with its new transport key now; the fixture's device key still works (transitional)
        expect((await w.dev("GET", "time?nonce=" + "b".repeat(16))).status).toBe(200)

        const old = p.locator("tr[data-device=SFA1-OLD0001]")
        await old.getByLabel("Reason to decommission SFA1-OLD0001").fill("water damage")
        await old.getByRole("button", { name: "Decommission" }).click()
        await p.locator("tr[data-device=SFA1-OLD0001] .state").filter({ hasText: "decommissioned" }).waitFor()
        expect(await p.locator("tr[data-device=SFA1-OLD0001]").getByRole("button").count()).toBe(0)
        await w.shot("admin-devices")
        // leaving the page drops the key
        await p.goto(w.url + "/console/#/account")
        await p.getByRole("heading", { name: "Your account" }).waitFor()
        expect(await p.content()).not.toContain(key!)
        await w.logout()
    })

    it("the auditor reads the staff action log; other roles cannot open it", async () => {
        await w.login("auditor")
        const p = w.page
        // the fleet shows the decommissioned device as such
        await p.getByRole("link", { name: "Fleet" }).click()
        await p.locator("tr[data-device=SFA1-OLD0001] .state").filter({ hasText: "decommissioned" }).waitFor()
        await p.getByRole("link", { name: "Staff actions" }).click()
        await p.getByRole("heading", { name: "Staff actions", level: 1 }).waitFor()
        await p.locator("tr[data-action]").first().waitFor()
        const actions = await p.locator("tr[data-action]").evaluateAll(rows => rows.map(r => (r as HTMLElement).dataset["action"]))
        expect(new Set(actions)).toEqual(new Set(["password_reset", "user_disable", "user_enable", "logout_everywhere", "transport_key_rotate", "device_decommission"]))
        await p.getByLabel("Account or device").fill("SFA1-OLD0001")
        await p.getByRole("button", { name: "Show" }).click()
        await p.locator("#log-count").filter({ hasText: /^1 action/ }).waitFor()
        const cells = await p.locator("tr[data-action=device_decommission] td").allTextContents()
        expect(cells.slice(1)).toEqual(["u-admin", "admin", "device decommission", "device SFA1-OLD0001", "water damage"])
        await w.shot("staff-log")
        await w.logout()
        await w.login("admin")
        await p.goto(w.url + "/console/#/staff-log")
        await p.getByRole("heading", { name: "Not for your role" }).waitFor()
        await w.logout()
    })

    it("a user changes their own password (current one needed, rule applies) and logs out everywhere", async () => {
        const script = (await bearer("pat", PASSWORD)).token!
        await loginAs("pat", PASSWORD)
        const p = w.page
        await p.locator(".me[data-role=operator]").waitFor()
        await p.getByRole("link", { name: "Account" }).click()
        await p.getByRole("heading", { name: "Your account" }).waitFor()
        const fill = async (current: string, next: string, again = next) => {
            await p.getByLabel("Current password").fill(current)
            await p.getByLabel("New password", { exact: true }).fill(next)
            await p.getByLabel("New password again").fill(again)
            await p.getByRole("button", { name: "Change password" }).click()
        }
        await fill(PASSWORD, NEW_PW, NEW_PW + "x")
        await p.locator("#pw-error").filter({ hasText: "differ" }).waitFor()
        await fill("wrong-password-here", NEW_PW)
        await p.locator("#pw-error").filter({ hasText: "bad_password_current" }).waitFor()
        await fill(PASSWORD, "Password123!")
        await p.locator("#pw-error").filter({ hasText: "bad_password" }).waitFor()
        await fill(PASSWORD, NEW_PW)
        await p.locator("#status.ok").filter({ hasText: "Password changed; 1 other session(s) ended" }).waitFor()
        expect(await alive(script)).toBe(401)
        await w.shot("account-password")
        // this page's session goes on; then log out everywhere ends it too
        const again = (await bearer("pat", NEW_PW)).token!
        await p.getByRole("button", { name: "Log out everywhere" }).click()
        await p.getByRole("heading", { name: "Log in" }).waitFor()
        expect(await alive(again)).toBe(401)
        expect(await p.evaluate(() => fetch("/api/auth/me").then(r => r.status))).toBe(401)
    })
})

// Device state in the console: online/offline from the last contact (device-state.js's 15 s
// rule), the "hub unreachable" banner when the hub does not answer, a faulted device shown as
// "faulted E31 <name>" (not its last phase) with no session offered; the fleet's live values,
// a refresh that keeps the keyboard focus, the latched-fault column on a phone, and alarms
// (visual, and a tone the user can mute) when a fault latches or a cycle ends.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { world, approvedTemplate, HAVE_CHROMIUM, SKIP_REASON, DEVICE_ID, type World } from "./fixture"
import { faultName, FaultCode } from "../../src/core/faults"

const ZERO_HEAD = { seq: 0, hash: "0".repeat(64) }

describe.skipIf(!HAVE_CHROMIUM)("console device state " + SKIP_REASON, () => {
    let w: World
    const status = async (phase: number, latchedFault = 0, state = "armed") => {
        const r = await w.dev("POST", "status", { state, phase, pending: 0, latchedFault, head: ZERO_HEAD })
        expect(r.status).toBe(204)
    }
    const lastSeen = (ms: number) => w.db.db.updateTable("device_status").set({ last_seen_ms: ms }).where("device_id", "=", DEVICE_ID).execute()
    const row = () => w.page.locator("tr[data-device=" + DEVICE_ID + "]")

    beforeAll(async () => {
        w = await world()
        await approvedTemplate(w)
        await status(0)
        await w.login("operator")
    })
    afterAll(async () => w?.close())

    it("online from the last contact, offline once it is older than the stated 15 s", async () => {
        const p = w.page
        await p.goto(w.url + "/console/#/device/" + DEVICE_ID)
        await p.locator("#device-online [data-online=true]").waitFor()
        expect(await p.locator("#device-online").textContent()).toContain("within the last 15 s")
        await lastSeen(Date.now() - 20_000)
        await p.locator("#device-online [data-online=false]").waitFor({ timeout: 5000 })
        expect(await p.locator("#device-online").textContent()).toContain("offline")
        await p.goto(w.url + "/console/#/fleet")
        expect(await row().locator("[data-online]").getAttribute("data-online")).toBe("false")
        await w.shot("fleet-offline")
        await status(0)
        await row().locator("[data-online=true]").waitFor({ timeout: 5000 })
    })

    it("a banner says the hub is unreachable while it does not answer, and goes when it does", async () => {
        const p = w.page
        await p.goto(w.url + "/console/#/fleet")
        await row().waitFor()
        await p.route("**/api/**", r => r.abort("connectionrefused"))
        await p.getByRole("alert").filter({ hasText: "Hub unreachable" }).waitFor({ timeout: 5000 })
        await w.shot("hub-unreachable")
        expect(await p.locator("#status").textContent()).toMatch(/^Fleet: the hub does not answer/)
        await p.unroute("**/api/**")
        await p.locator("#hub-unreachable").waitFor({ state: "hidden", timeout: 5000 })
        // and the fleet's error message goes with it
        await expect.poll(() => p.locator("#status").textContent(), { timeout: 5000 }).toBe("")
    })

    it("a faulted device says 'faulted E31 <name>', not its last phase, and offers no session", async () => {
        const p = w.page
        await status(2, FaultCode.SensorStale, "preheat")
        await p.goto(w.url + "/console/#/device/" + DEVICE_ID)
        const want = "faulted E31 " + faultName(FaultCode.SensorStale)
        await expect.poll(() => p.locator("#device-state").textContent()).toBe(want)
        expect(await p.locator("#device-phase").textContent()).toBe("–")
        await p.locator("#session-blocked").waitFor()
        expect(await p.locator("#session-blocked").textContent()).toContain(want)
        expect(await p.getByRole("button", { name: "Prepare session" }).isVisible()).toBe(false)
        await w.shot("device-faulted")
        await p.goto(w.url + "/console/#/fleet")
        expect(await row().locator("td.state").textContent()).toBe(want)
        expect(await row().locator("td.fault-cell").textContent()).toContain("E31")
        // cleared: the session form is back
        await status(0)
        await p.goto(w.url + "/console/#/device/" + DEVICE_ID)
        await p.getByRole("button", { name: "Prepare session" }).waitFor()
        expect(await p.locator("#session-blocked").isVisible()).toBe(false)
    })

    it("fleet: live film and force during a cycle; a refresh keeps the keyboard focus", async () => {
        const p = w.page
        await status(0)
        await p.goto(w.url + "/console/#/fleet")
        await row().waitFor()
        expect(await row().locator("td[data-label=Film]").textContent()).toBe("–")
        expect((await w.dev("POST", "telemetry", { cycle: 1, samples: [[5000, 4, 702, 310, 18500]] })).status).toBe(200)
        await expect.poll(() => row().locator("td[data-label=Film]").textContent(), { timeout: 5000 }).toBe("70.2 °C")
        expect(await row().locator("td[data-label=Force]").textContent()).toBe("18.5 N")
        expect(await row().locator("td[data-label=Phase]").textContent()).toBe("press")
        await row().getByRole("link", { name: DEVICE_ID }).focus()
        const stamp = await p.locator("#fleet-updated").textContent()
        await expect.poll(() => p.locator("#fleet-updated").textContent(), { timeout: 5000 }).not.toBe(stamp)
        await p.waitForTimeout(2200) // and another refresh
        expect(await p.evaluate(() => document.activeElement?.textContent)).toBe(DEVICE_ID)
    })

    it("fleet alarms: a cycle that ends and a fault that latches, with a tone until muted", async () => {
        const p = w.page
        await p.goto(w.url + "/console/#/fleet")
        await row().waitFor()
        expect(await p.locator("#alarm-list li").count()).toBe(0)
        const tones = () => p.locator(".alarm-panel").getAttribute("data-tones").then(Number)
        const before = await tones()
        await status(8, 0, "complete") // the cycle (press, from the telemetry above) ended
        await p.locator("#alarm-list li[data-kind=cycle]").waitFor({ timeout: 5000 })
        expect(await p.locator("#alarm-list li").first().textContent()).toContain("cycle ended: complete")
        // no cycle runs: no live values
        expect(await row().locator("td[data-label=Film]").textContent()).toBe("–")
        expect(await tones()).toBe(before + 1)
        expect(await p.getByRole("button", { name: "Mute alarm sound" }).getAttribute("aria-pressed")).toBe("false")
        await p.getByRole("button", { name: "Mute alarm sound" }).click()
        expect(await p.locator("#alarm-mute").getAttribute("aria-pressed")).toBe("true")
        await status(10, FaultCode.OverForce, "faulted")
        await p.locator("#alarm-list li[data-kind=fault]").waitFor({ timeout: 5000 })
        expect(await p.locator("#alarm-list li[data-kind=fault]").textContent()).toContain("E" + FaultCode.OverForce + " " + faultName(FaultCode.OverForce))
        expect(await tones()).toBe(before + 1) // muted: no tone
        await w.shot("fleet-alarms")
        // the mute choice stays across pages
        await p.goto(w.url + "/console/#/records")
        await p.goto(w.url + "/console/#/fleet")
        await p.locator("#alarm-mute[aria-pressed=true]").waitFor()
        await p.getByRole("button", { name: "Mute alarm sound" }).click()
        expect(await p.locator("#alarm-mute").getAttribute("aria-pressed")).toBe("false")
    })

    it("on a phone (375 px) the latched-fault column is on screen, nothing scrolls sideways", async () => {
        const p = w.page
        await p.setViewportSize({ width: 375, height: 800 })
        await p.goto(w.url + "/console/#/fleet")
        const cell = row().locator("td.fault-cell")
        await cell.waitFor()
        const box = await cell.boundingBox()
        expect(box).not.toBeNull()
        expect(box!.x).toBeGreaterThanOrEqual(0)
        expect(box!.x + box!.width).toBeLessThanOrEqual(375)
        expect(await cell.textContent()).toContain("E" + FaultCode.OverForce)
        const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
        expect(overflow).toBeLessThanOrEqual(0)
        await w.shot("fleet-phone-375")
        await p.setViewportSize({ width: 1280, height: 900 })
    })
})

// The staff console with the real firmware: the controller and link images in DeviceScript VMs on the
// simulator's bus (port 8082: this project runs one file at a time), provisioned for a real hub
// on 127.0.0.1, and the console in Debian's chromium. An operator prepares a session in the
// browser; the device shows its patient reference and waits; the simulated START button starts
// the cycle; the device page's live plot grows from the firmware's own telemetry; the session
// ends with the cycle, and the record names the operator. Also measures, on this live cycle,
// the time from a page load to the first plotted point (test-output/console/firmware-timings.json).
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { AddressInfo } from "node:net"
import type { FastifyInstance } from "fastify"
import { chromium, type BrowserContext, type Page } from "playwright-core"
import { readManifest } from "../../tools/manifest-node"
import { openDb, type HubDb } from "../../hub/src/db/index"
import { buildHub } from "../../hub/src/app"
import type { HubContext } from "../../hub/src/context"
import { exportDevice } from "../../hub/src/export"
import { listSessions } from "../../hub/src/device-sessions"
import { buildFirmware } from "../../sim/firmware"
import { SimSession, sleep, waitFor } from "../../sim/session"
import { seedLibrary, registerDevice, provisionForHub } from "../../sim/hub-link"
import { simArchPoints } from "../../sim/provision"
import { CHROMIUM, CHROMIUM_FLAGS, HAVE_CHROMIUM, SKIP_REASON, SHOTS } from "../console/fixture"

const PASSWORD = "firmware-console-pw"
const PATIENT = "PT-0777"

let dir = ""
let db: HubDb
let ctx: HubContext
let app: FastifyInstance
let s: SimSession
let browser: BrowserContext
let page: Page
let deviceId = ""
let templateHash = ""

const plot = (attr: string) => page.locator("#live-plot").getAttribute("data-" + attr).then(v => Number(v ?? 0))

describe.skipIf(!HAVE_CHROMIUM)("the console with the firmware in the VM " + SKIP_REASON, () => {
    beforeAll(async () => {
        dir = mkdtempSync(join(tmpdir(), "console-firmware-"))
        db = await openDb({ sqliteFile: join(dir, "hub.db") })
        ctx = { db, nowMs: () => Date.now(), log: { info: () => {}, warn: () => {}, error: () => {} } }
        app = await buildHub(ctx)
        await app.listen({ port: 0, host: "127.0.0.1" })
        const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
        const devs = buildFirmware(join(dir, "firmware"), "device")
        const link = buildFirmware(join(dir, "firmware"), "link")
        s = new SimSession(readManifest(), devs, join(dir, "device"), 3, "device")
        s.withLink(link, join(dir, "link"))
        templateHash = (await seedLibrary(ctx, simArchPoints(s.engine), PASSWORD)).templateHash
        const dev = await registerDevice(ctx, "SFA1-CONSOLE-FW", url)
        deviceId = dev.deviceId
        s.provisioner = bus => provisionForHub(bus, dev, url)
        s.armTimeoutMs = 60_000
        s.fitFirst = false
        await s.open()
        await s.fitArch()
        browser = await chromium.launchPersistentContext(join(dir, "profile"), {
            executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 900 },
        })
        page = browser.pages()[0] ?? await browser.newPage()
        mkdirSync(SHOTS, { recursive: true })
        await page.goto(url + "/console/#/login")
        await page.getByLabel("Name").fill("operator")
        await page.getByLabel("Password").fill(PASSWORD)
        await page.getByRole("button", { name: "Log in" }).click()
        await page.locator(".me[data-role=operator]").waitFor()
        await page.goto(url + "/console/#/device/" + deviceId)
    }, 240_000)

    afterAll(async () => {
        await browser?.close()
        await s?.close()
        await app?.close()
        await db?.close()
        if (dir) rmSync(dir, { recursive: true, force: true })
    })

    it("a session prepared in the browser reaches the device, which shows it and waits for its START button", async () => {
        await page.getByLabel("Approved template").selectOption(templateHash)
        await page.getByLabel("Patient reference").fill(PATIENT)
        await page.getByRole("button", { name: "Prepare session" }).click()
        // the device polls every 3 s while idle
        await waitFor("the device to show the session", () => s.engine.display.includes("PT " + PATIENT), 20_000)
        await page.locator("#session-status[data-status=delivered]").waitFor({ timeout: 20_000 })
        expect(s.engine.display).toContain("READY: PRESS START")
        // nothing started: no cycle phase yet, and the console offers no start
        expect(s.events.filter(e => e.kind === "phase" && e.value === "preflight")).toEqual([])
        expect(await page.getByRole("button", { name: /^start/i }).count()).toBe(0)
        await page.screenshot({ path: join(SHOTS, "firmware-session-delivered.png"), fullPage: true })
    }, 60_000)

    it("START on the device runs the session's cycle; the live plot grows from the firmware's telemetry", async () => {
        const outcomes = () => s.events.filter(e => e.kind === "outcome")
        const before = outcomes().length
        await s.press("start")
        await page.locator("#session-status[data-status=running]").waitFor({ timeout: 20_000 })
        // (a function, not a string: the console's CSP allows no eval)
        await page.waitForFunction(() => Number((globalThis as any).document.getElementById("live-plot")?.dataset.drawn) > 0, undefined, { timeout: 20_000 })
        const first = await plot("drawn")
        await sleep(5000)
        const later = await plot("drawn")
        // 5 samples a second, posted once a second: ~25 more in 5 s (at least 15 allowing for a late post)
        expect(later - first).toBeGreaterThanOrEqual(15)

        // the status panel follows the cycle (the hub takes the phase from the telemetry)
        await page.waitForFunction(() => !["idle", "scan", "–"].includes((globalThis as any).document.getElementById("device-phase")?.textContent),
            undefined, { timeout: 10_000 })
        // a page load during the live cycle: how long until its first point is drawn
        const loads: number[] = []
        for (let i = 0; i < 3; i++) {
            await page.reload()
            await page.waitForFunction(() => (globalThis as any).document.getElementById("live-plot")?.dataset.firstPointMs, undefined, { timeout: 20_000 })
            loads.push(await plot("first-point-ms"))
        }
        await page.screenshot({ path: join(SHOTS, "firmware-live-cycle.png"), fullPage: true })
        writeFileSync(join(SHOTS, "firmware-timings.json"), JSON.stringify({
            what: "device page reloaded during a live cycle of the firmware in the DeviceScript VM, chromium headless, hub on 127.0.0.1",
            loadToFirstPointMs: loads,
        }, null, 2) + "\n")
        console.log("firmware console: page load to first plotted point (ms) " + loads.join(", "))
        await waitFor("the cycle to end", () => outcomes().length > before, 180_000)
        expect(outcomes()[before].value).toBe("complete")
    }, 240_000)

    it("the session ends with the cycle; the record names the session's operator", async () => {
        await page.locator("#session-status[data-status=ended]").waitFor({ timeout: 30_000 })
        const ended = (await listSessions(ctx, deviceId))[0]
        expect(ended).toMatchObject({ status: "ended", outcome: 1, patientRef: PATIENT })
        let ex = await exportDevice(ctx, deviceId)
        for (const until = Date.now() + 30_000; !ex.records.some(r => r.record.kind === 1) && Date.now() < until; ex = await exportDevice(ctx, deviceId))
            await sleep(250)
        const cycle = ex.records.find(r => r.record.kind === 1)!
        expect(cycle.seq).toBe(ended.cycle)
        expect(cycle.record.operatorId).toBe("operator")
        expect(s.vm.lines.filter(l => /^Exception: /.test(l.text)).map(l => l.text)).toEqual([])
        // the open page lists the new cycle once the hub has its record (no reload)
        const summary = page.locator("details.cycle summary", { hasText: "seq " + cycle.seq + " " })
        await summary.waitFor({ timeout: 10_000 })
        expect(await summary.textContent()).toContain("operator operator")
        await page.screenshot({ path: join(SHOTS, "firmware-session-ended.png"), fullPage: true })
    }, 60_000)
})

// `npm start` as a clinic, run twice on one data folder, as a user would: the first run makes the
// clinic (hub, a simulated applicator provisioned and armed) and prints the console address and
// the demo password in its first lines; Ctrl-C stops it. The second run resumes the same device
// from its flash (no new registration), and in chromium an operator works it through the
// console's simulator panel: START scans the arch, a session prepared in the console reaches the
// device, START runs the cycle, the session ends with it and the hub holds the record. Then a
// hardware fault from the panel latches on the device, the console shows it, the panel repairs
// the hardware and the technician command clears the fault over the device's own bus.
// One device (--devices 1), so it fits CI; the default is three.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, statSync, mkdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { chromium, type BrowserContext, type Page } from "playwright-core"
import { openDb } from "../../hub/src/db/index"
import { exportDevice } from "../../hub/src/export"
import { CHROMIUM, CHROMIUM_FLAGS, HAVE_CHROMIUM, SKIP_REASON, SHOTS } from "../console/fixture"
import { sleep } from "../../sim/session"

const ROOT = resolve(import.meta.dirname, "../..")
const PATIENT = "PT-0042"

/** one `npm start` run: its output lines as they come */
class Run {
    readonly lines: string[] = []
    readonly child: ChildProcess
    exit: number | null = null
    constructor(args: string[]) {
        this.child = spawn(process.execPath, ["--import", "tsx", "tools/start.ts", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] })
        let buf = ""
        const take = (c: Buffer) => {
            buf += c.toString()
            let i
            while ((i = buf.indexOf("\n")) >= 0) {
                this.lines.push(buf.slice(0, i))
                buf = buf.slice(i + 1)
            }
        }
        this.child.stdout!.on("data", take)
        this.child.stderr!.on("data", take)
        this.child.on("exit", code => { this.exit = code ?? -1 })
    }
    async line(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
        for (const t0 = Date.now(); Date.now() - t0 < timeoutMs; await sleep(50)) {
            for (const l of this.lines) {
                const m = re.exec(l)
                if (m) return m
            }
            if (this.exit !== null) break
        }
        throw new Error(`no line ${re} (exit ${this.exit}); output:\n${this.lines.join("\n")}`)
    }
    async stop(): Promise<number> {
        this.child.kill("SIGINT")
        for (const t0 = Date.now(); this.exit === null && Date.now() - t0 < 30_000;) await sleep(50)
        if (this.exit === null) this.child.kill("SIGKILL")
        return this.exit ?? -1
    }
}

let dir = ""
let run: Run | null = null
let browser: BrowserContext | null = null

describe.skipIf(!HAVE_CHROMIUM)("npm start: a clinic that keeps running and resumes " + SKIP_REASON, () => {
    beforeAll(() => {
        dir = mkdtempSync(join(tmpdir(), "clinic-"))
    })
    afterAll(async () => {
        await browser?.close()
        if (run && run.exit === null) await run.stop()
        if (dir) rmSync(dir, { recursive: true, force: true })
    })

    let deviceId = ""
    let password = ""

    it("the first run prints the console and the demo password first, arms the device, and stops on Ctrl-C", async () => {
        run = new Run(["--devices", "1", "--port", "0", "--data", dir])
        const url = await run.line(/staff console: (http:\/\/127\.0\.0\.1:\d+)\/console\//, 30_000)
        const pw = await run.line(/all with the password (\S+)$/, 5_000)
        password = pw[1]
        expect(readFileSync(join(dir, "demo-password.txt"), "utf8").trim()).toBe(password)
        // the address and the password come before the minute of building and booting
        const idx = (re: RegExp) => run!.lines.findIndex(l => re.test(l))
        expect(idx(/staff console/)).toBeLessThan(idx(/building the controller/))
        expect(idx(/password/)).toBeLessThan(idx(/building the controller/))
        expect(url[1]).toMatch(/^http/)
        deviceId = (await run.line(/(SFA1-SIM-[0-9A-F]{6}) {2}registered at the hub/, 10_000))[1]
        await run.line(/clinic running: 1 of 1 devices armed/, 180_000)
        // the clinic file holds the device keys: owner-only
        expect(statSync(join(dir, "clinic.json")).mode & 0o077).toBe(0)
        expect(await run.stop()).toBe(0)
        expect(run.lines.some(l => /^Stopped\. `npm start` resumes this clinic/.test(l))).toBe(true)
        expect(run.lines.filter(l => /^\s+at /.test(l))).toEqual([])
    }, 300_000)

    it("the second run resumes the same device; the operator scans, prepares a session and runs its cycle from the console's simulator panel", async () => {
        run = new Run(["--devices", "1", "--port", "0", "--data", dir])
        const url = (await run.line(/staff console: (http:\/\/127\.0\.0\.1:\d+)\/console\//, 30_000))[1]
        await run.line(/resuming the clinic/, 10_000)
        await run.line(new RegExp(deviceId + " {2}booting from its flash \\(resumed\\)"), 60_000)
        await run.line(/clinic running: 1 of 1 devices armed/, 180_000)
        expect(run.lines.some(l => /registered at the hub/.test(l))).toBe(false)
        expect(run.lines.some(l => /all with the password /.test(l) && l.endsWith(password))).toBe(true)

        browser = await chromium.launchPersistentContext(join(dir, "profile"), {
            executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 1000 },
        })
        const page: Page = browser.pages()[0] ?? await browser.newPage()
        mkdirSync(SHOTS, { recursive: true })
        await page.goto(url + "/console/#/login")
        await page.getByLabel("Name").fill("operator")
        await page.getByLabel("Password").fill(password)
        await page.getByRole("button", { name: "Log in" }).click()
        await page.locator(".me[data-role=operator]").waitFor()
        await page.goto(url + "/console/#/device/" + deviceId)
        const screen = page.locator("#sim-display")
        await screen.waitFor({ timeout: 20_000 })
        const shows = (text: string, timeout: number) =>
            page.waitForFunction(t => ((globalThis as any).document.getElementById("sim-display")?.textContent ?? "").includes(t), text, { timeout })
        await shows("SCAN: PRESS START", 30_000)

        // the fitting scan, started from the panel's START (the device's own button)
        await page.getByRole("button", { name: "Press START" }).click()
        await shows("READY: PRESS START", 60_000)
        // the press goes home after the scan; a cycle starts only from home
        await page.waitForFunction(() => /press home/.test((globalThis as any).document.getElementById("sim-state")?.textContent ?? ""), undefined, { timeout: 30_000 })
        await page.getByLabel("Approved template").selectOption({ index: 0 })
        await page.getByLabel("Patient reference").fill(PATIENT)
        await page.getByRole("button", { name: "Prepare session" }).click()
        await shows("PT " + PATIENT, 30_000)
        await page.screenshot({ path: join(SHOTS, "clinic-panel-session.png"), fullPage: true })
        await page.getByRole("button", { name: "Press START" }).click()
        await page.locator("#session-status[data-status=running]").waitFor({ timeout: 30_000 })
        await page.locator("#session-status[data-status=ended]").waitFor({ timeout: 200_000 })
        await run.line(new RegExp(deviceId + " {2}cycle complete"), 5_000)
        await page.screenshot({ path: join(SHOTS, "clinic-panel-ended.png"), fullPage: true })
    }, 420_000)

    it("a fault injected from the panel latches; repaired, the technician command clears it over the device's bus", async () => {
        const page = browser!.pages()[0]
        await page.getByLabel("Hardware fault").selectOption("film-open")
        await page.getByRole("button", { name: "Inject fault" }).click()
        await run!.line(new RegExp(deviceId + " {2}FAULT E30 "), 30_000)
        await page.waitForFunction(() => /faulted E30/.test((globalThis as any).document.getElementById("device-state")?.textContent ?? ""), undefined, { timeout: 20_000 })
        await page.screenshot({ path: join(SHOTS, "clinic-panel-fault.png"), fullPage: true })
        await page.getByRole("button", { name: "Repair the hardware" }).click()
        const bus = (await run!.line(new RegExp(deviceId + " {2}armed: .*; bus (127\\.0\\.0\\.1:\\d+)"), 1_000))[1]
        const r = spawnSync(process.execPath, ["--import", "tsx", "tools/tech/cli.ts", "clear-fault", "--technician", "technician", "--bus", bus],
            { cwd: ROOT, encoding: "utf8", timeout: 120_000 })
        expect(r.status, r.stdout + r.stderr).toBe(0)
        await run!.line(new RegExp(deviceId + " {2}fault cleared E30"), 20_000)
        await page.waitForFunction(() => !/faulted/.test((globalThis as any).document.getElementById("device-state")?.textContent ?? "faulted"), undefined, { timeout: 20_000 })
    }, 240_000)

    it("stopped, the hub holds the device's records from both runs: the first run's calibration, the second run's cycle with its operator", async () => {
        expect(await run!.stop()).toBe(0)
        const db = await openDb({ sqliteFile: join(dir, "hub.db") })
        try {
            const ex = await exportDevice({ db, nowMs: () => Date.now(), log: { info: () => {}, warn: () => {}, error: () => {} } }, deviceId)
            const kinds = ex.records.map(r => r.record.kind)
            // calibration (1st run, kind 2), template install, the cycle (2nd run, kind 1)
            const cycle = ex.records.find(r => r.record.kind === 1)
            expect(cycle?.record.outcome).toBe(1)
            expect(cycle?.record.operatorId).toBe("operator")
            expect(kinds).toContain(2)
        } finally {
            await db.close()
        }
    }, 60_000)
})

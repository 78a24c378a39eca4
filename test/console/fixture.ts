// The browser tests' world: a real hub (SQLite in a temp folder, the real clock) listening on
// 127.0.0.1 at a free port, one staff user per role, one provisioned device driven by the Node
// protocol client (hub/src/device-client.ts: src/core's sync, queue and bundle store over HTTP),
// and Debian's chromium through playwright-core with the flags of shared/ENVIRONMENT.md and a
// fresh profile folder. Without /usr/bin/chromium the suites skip with the reason, except under
// CI=true, where that is a failure (CI installs chromium).
import { existsSync, mkdirSync, mkdtempSync, rmSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { randomBytes } from "node:crypto"
import { chromium, type BrowserContext, type Page } from "playwright-core"
import type { FastifyInstance } from "fastify"
import { buildHub } from "../../hub/src/app"
import { openDb, type HubDb } from "../../hub/src/db/index"
import type { HubContext } from "../../hub/src/context"
import { createUser } from "../../hub/src/users"
import { provisionDevice } from "../../hub/src/devices"
import { signDeviceRequest } from "../../hub/src/auth/device-hmac"
import { DeviceClient, httpCall, type HttpAnswer } from "../../hub/src/device-client"
import { ROLES, type Role } from "../../hub/src/auth/staff"
import { RecordQueue } from "../../src/core/records/queue"
import { MemoryKv } from "../../src/core/store/kv"
import { nodeCrypto } from "../../src/node/crypto-node"
import { publishProfile } from "../../hub/src/library/profiles"
import { goldenProfile } from "../vectors/golden"
import { submitTemplate } from "../../hub/src/library/templates"
import { registerReviewerKey } from "../../hub/src/library/keys"
import { approvalToSign, decide } from "../../hub/src/library/reviews"
import { signTemplateApproval } from "../../hub/src/library/signing"
import { fromHex } from "../../src/core/crypto"
import { design, reviewerKeys } from "../hub/library-fixture"

export const CHROMIUM = "/usr/bin/chromium"
/** shared/ENVIRONMENT.md's flags; the profile folder is added per launch */
export const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"]
export const SHOTS = resolve(import.meta.dirname, "../../test-output/console")
export const PASSWORD = "console-test-pw"
export const DEVICE_ID = "SFA1-CONSOLE1"

export const HAVE_CHROMIUM = existsSync(CHROMIUM)
if (!HAVE_CHROMIUM && process.env["CI"] === "true")
    throw new Error("CI needs " + CHROMIUM + " for the console's browser tests: apt-get install -y chromium")
export const SKIP_REASON = HAVE_CHROMIUM ? "" : "(skipped: " + CHROMIUM + " is missing; apt-get install -y chromium)"

export interface World {
    url: string
    app: FastifyInstance
    ctx: HubContext
    db: HubDb
    device: { deviceId: string; keyHex: string }
    browser: BrowserContext
    page: Page
    /** a signed device request over the socket, as the firmware sends it */
    dev(method: "GET" | "POST", path: string, body?: unknown): Promise<HttpAnswer>
    /** the real device sync client (bundle, time, records) */
    client(): Promise<DeviceClient>
    login(role: Role): Promise<void>
    logout(): Promise<void>
    shot(name: string): Promise<string>
    close(): Promise<void>
}

export async function world(): Promise<World> {
    const dir = mkdtempSync(join(tmpdir(), "console-test-"))
    const db = await openDb({ sqliteFile: join(dir, "hub.db") })
    const ctx: HubContext = { db, nowMs: () => Date.now(), hubName: "Test clinic hub" }
    const app = await buildHub(ctx)
    const url = await app.listen({ port: 0, host: "127.0.0.1" })
    await publishProfile(ctx, "u-reviewer", goldenProfile())
    for (const role of ROLES) await createUser(ctx, { name: "u-" + role, password: PASSWORD, role })
    const p = await provisionDevice(ctx, { deviceId: DEVICE_ID, label: "chair 2", createdBy: "test", hubUrl: url })
    const device = { deviceId: p.deviceId, keyHex: p.keyHex }
    const browser = await chromium.launchPersistentContext(join(dir, "profile"), {
        executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, acceptDownloads: true, viewport: { width: 1280, height: 900 },
    })
    const page = browser.pages()[0] ?? await browser.newPage()
    mkdirSync(SHOTS, { recursive: true })
    const base = new URL(url)
    let client: DeviceClient | null = null
    const w: World = {
        url, app, ctx, db, device, browser, page,
        async dev(method, path, body) {
            const raw = body === undefined ? "" : JSON.stringify(body)
            const full = "/api/device/v1/" + path
            const headers = signDeviceRequest({ ...device, method, path: full, body: raw, timestampS: Math.floor(Date.now() / 1000), nonce: randomBytes(16).toString("hex") })
            return httpCall(base, method, full, headers, raw, 5000)
        },
        async client() {
            client ??= new DeviceClient({
                hubUrl: url, deviceId: device.deviceId, keyHex: device.keyHex,
                queue: await RecordQueue.open(new MemoryKv(), nodeCrypto, 100, device.deviceId, device.keyHex),
            })
            return client
        },
        async login(role) {
            await page.goto(url + "/console/#/login")
            await page.getByLabel("Name").fill("u-" + role)
            await page.getByLabel("Password").fill(PASSWORD)
            await page.getByRole("button", { name: "Log in" }).click()
            await page.locator(".me[data-role=" + role + "]").waitFor()
        },
        async logout() {
            await page.getByRole("button", { name: "Log out", exact: true }).click()
            await page.getByRole("link", { name: "Log in" }).waitFor()
        },
        async shot(name) {
            const file = join(SHOTS, name + ".png")
            await page.screenshot({ path: file, fullPage: true })
            return file
        },
        async close() {
            await browser.close()
            await app.close()
            await db.close()
            rmSync(dir, { recursive: true, force: true })
        },
    }
    return w
}

export function readShot(file: string): Buffer {
    return readFileSync(file)
}

/** Submits the golden design (edited) as u-designer and approves it as u-reviewer, as the routes would; returns its approved hash. */
export async function approvedTemplate(w: World, edit: (t: any) => void = () => {}): Promise<string> {
    const t = await submitTemplate(w.ctx, "u-designer", design(edit), "DRC-2025")
    const keys = reviewerKeys()
    await registerReviewerKey(w.ctx, "u-reviewer", keys.publicPem)
    const at = Math.floor(Date.now() / 1000)
    const a = await approvalToSign(w.ctx, t.templateId, "u-reviewer", at)
    await decide(w.ctx, t.templateId, "u-reviewer", { decision: "approve", reason: "fits DRC-2025", approvedUnixS: at, signatureHex: signTemplateApproval(keys.privatePem, fromHex(a.bytesHex)) })
    return a.hash
}

/** One simulated cycle's samples from uptime t0: 50 ms apart, phases preheat -> approach -> press -> cure. */
export function cycleSamples(t0: number, from: number, n: number): number[][] {
    const out: number[][] = []
    for (let i = from; i < from + n; i++) {
        const phase = i < 30 ? 2 : i < 40 ? 3 : i < 60 ? 4 : 5
        const film = Math.min(700, 250 + i * 15)
        const force = phase < 4 ? 0 : Math.min(20000, (i - 40) * 1000)
        out.push([t0 + i * 50, phase, film, 250 + Math.floor(i / 2), force])
    }
    return out
}

/** An operator (logged in) prepares a session on the device page, as in the browser; returns when the hub holds it. */
export async function prepareInBrowser(w: World, templateHash: string, patientRef: string): Promise<void> {
    const p = w.page
    await p.goto(w.url + "/console/#/device/" + DEVICE_ID)
    await p.getByLabel("Approved template").selectOption(templateHash)
    await p.getByLabel("Patient reference").fill(patientRef)
    await p.getByRole("button", { name: "Prepare session" }).click()
    await p.locator("#session-status[data-status=prepared]").waitFor()
}

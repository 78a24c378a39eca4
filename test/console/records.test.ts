// Records in the browser: the Node protocol device uploads cycle records through the real sync
// client; an auditor filters them, opens one, verifies the device's chain at the hub, and
// downloads the CSV and JSON exports (the JSON is the audit format, with every record).
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { readFileSync } from "node:fs"
import { world, HAVE_CHROMIUM, SKIP_REASON, DEVICE_ID, type World } from "./fixture"
import { cycleDraft } from "../../hub/src/device-client"

describe.skipIf(!HAVE_CHROMIUM)("console records " + SKIP_REASON, () => {
    let w: World
    beforeAll(async () => {
        w = await world()
        const client = await w.client()
        await client.round() // the hub's time first, as a device does
        for (let k = 1; k <= 4; k++) {
            const d = cycleDraft(k, client.nowUnixS())
            if (k === 3) d.outcome = 2
            await client.append(d)
        }
        const round = await client.round()
        expect(round.ok).toBe(true)
        expect(client.stats.stored).toBe(4)
        await w.login("auditor")
    })
    afterAll(async () => w?.close())

    it("filters by outcome and date, and opens a record's detail", async () => {
        const p = w.page
        await p.locator("#rec-count").waitFor()
        expect(await p.locator("#rec-count").textContent()).toBe("4 records")
        await p.getByLabel("Outcome").selectOption("2")
        await p.getByRole("button", { name: "Filter" }).click()
        await expect.poll(() => p.locator("#rec-count").textContent()).toBe("1 record")
        await p.getByLabel("Outcome").selectOption("")
        await p.getByLabel("From").fill("2001-01-01")
        await p.getByLabel("To").fill("2001-01-02")
        await p.getByRole("button", { name: "Filter" }).click()
        await expect.poll(() => p.locator("#rec-count").textContent()).toBe("0 records")
        await p.getByLabel("From").fill("")
        await p.getByLabel("To").fill("")
        await p.getByLabel("Device", { exact: true }).selectOption(DEVICE_ID)
        await p.getByRole("button", { name: "Filter" }).click()
        await expect.poll(() => p.locator("#rec-count").textContent()).toBe("4 records")
        await p.getByRole("button", { name: "Details" }).first().click()
        await p.getByRole("heading", { name: "Record " + DEVICE_ID + " #4" }).waitFor()
        expect(await p.locator("#rec-detail table tbody tr").count()).toBe(7) // seven phases
    })

    it("verifies the chain and exports CSV and JSON", async () => {
        const p = w.page
        await p.getByRole("button", { name: "Verify chain" }).click()
        await p.locator(".chain .badge.approved", { hasText: "verified" }).waitFor()
        expect(await p.locator(".chain").textContent()).toContain("4 records, head seq 4")
        await w.shot("records-auditor")
        for (const fmt of ["csv", "json"]) {
            const [download] = await Promise.all([p.waitForEvent("download"), p.getByRole("link", { name: fmt.toUpperCase() }).click()])
            expect(download.suggestedFilename()).toBe(DEVICE_ID + "-records." + fmt)
            const text = readFileSync(await download.path(), "utf8")
            if (fmt === "csv") {
                expect(text.split("\r\n")[0]).toBe("seq,kind,hash,prev_hash,wall_unix_s,outcome,template_hash,operator_id,received_at_ms,sealed_hex")
                const rows = text.trim().split("\r\n")
                expect(rows).toHaveLength(6) // header, the hub's signed checkpoint, 4 records
                expect(rows[1]).toMatch(new RegExp("^#checkpoint," + DEVICE_ID + ","))
            } else {
                const e = JSON.parse(text)
                expect(e).toMatchObject({ format: "smile-film-record-export", formatVersion: 2, deviceId: DEVICE_ID, head: { seq: 4 }, checkpoint: { deviceId: DEVICE_ID, seq: 4 } })
                expect(e.records.map((r: any) => r.record.outcome)).toEqual([1, 1, 2, 1])
            }
        }
    })

    it("the device page lists past cycles with their phases and outcome", async () => {
        const p = w.page
        await p.goto(w.url + "/console/#/device/" + DEVICE_ID)
        await p.locator("details.cycle").first().waitFor()
        expect(await p.locator("details.cycle summary").allTextContents()).toHaveLength(4)
        expect((await p.locator("details.cycle summary").allTextContents()).some(s => s.includes("aborted"))).toBe(true)
        await p.locator("details.cycle summary").first().click()
        await w.shot("device-past-cycles")
    })
})

// The technician's view of a device: its upkeep first — each channel's calibration in force and
// since when (from the device's calibration records), the last fault clear — and a plain note that
// due dates, the firmware build and self-test results are not reported to the hub (none invented).
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { world, HAVE_CHROMIUM, SKIP_REASON, DEVICE_ID, type World } from "./fixture"
import { draftRecord } from "../../src/core/records/builder"
import { RecordKind } from "../../src/core/records/types"

describe.skipIf(!HAVE_CHROMIUM)("console technician view " + SKIP_REASON, () => {
    let w: World
    beforeAll(async () => {
        w = await world()
        await w.login("technician")
    })
    afterAll(async () => w?.close())

    it("before any calibration record, and after one and a fault clear", async () => {
        const p = w.page
        await p.goto(w.url + "/console/#/device/" + DEVICE_ID)
        await p.locator("#cal-none").waitFor()
        // the upkeep comes before the past cycles for a technician
        expect(await p.locator("section.card.wide").evaluateAll(els => els.map(e => e.id || e.getAttribute("aria-labelledby")))).toContain("maintenance")
        const client = await w.client()
        expect((await client.round()).ok).toBe(true)
        const cal = draftRecord(RecordKind.Calibration, 1, 5000, client.nowUnixS())
        cal.calibrationIds = ["0123456789abcdef", "fedcba9876543210", "00112233aabbccdd"]
        await client.append(cal)
        const clear = draftRecord(RecordKind.FaultClear, 1, 6000, client.nowUnixS())
        clear.operatorId = "tech-ann"
        clear.faults = [{ code: 31, sensor: 1, value: 0, limit: 0, atMs: 6000 }]
        await client.append(clear)
        expect((await client.round()).ok).toBe(true)
        await p.goto(w.url + "/console/#/device/" + DEVICE_ID)
        await p.locator("#maintenance tr[data-channel=force]").waitFor()
        expect(await p.locator("#maintenance tr[data-channel=filmTemp] td.hash").textContent()).toBe("0123456789abcdef")
        expect(await p.locator("#maintenance tr[data-channel=force]").textContent()).toContain("(record 1)")
        expect(await p.locator("#last-fault-clear").textContent()).toMatch(/^Last fault clear: E31 .* by tech-ann, /)
        expect(await p.locator("#not-reported").textContent()).toContain("not reported to the hub")
        const order = await p.locator("main section.card.wide").evaluateAll(els => els.map(e => e.id || e.getAttribute("aria-labelledby") || e.getAttribute("aria-label")))
        expect(order.indexOf("maintenance")).toBeLessThan(order.indexOf("cycles-h"))
        await w.shot("device-technician")
    })
})

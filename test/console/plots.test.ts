// The device page's live plot (uPlot): the y axes leave headroom above the data, phase labels
// never overlap however close the phases are, the legend shows each series' value (with its
// unit) under the cursor, and a fault is drawn as a marker named with the latched fault; a past
// cycle opens as a plot from the telemetry the hub kept; a session's targets are drawn only over
// its own cycle.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { world, approvedTemplate, prepareInBrowser, HAVE_CHROMIUM, SKIP_REASON, DEVICE_ID, type World } from "./fixture"
import { FaultCode } from "../../src/core/faults"

describe.skipIf(!HAVE_CHROMIUM)("console plots " + SKIP_REASON, () => {
    let w: World
    let hash: string
    beforeAll(async () => {
        w = await world()
        hash = await approvedTemplate(w)
        await w.login("operator")
    })
    afterAll(async () => w?.close())

    const drawn = (n: number) => w.page.waitForFunction(k => Number(document.getElementById("live-plot")?.dataset["drawn"]) >= k, n)

    it("headroom above the data, legend values under the cursor, phase labels that never overlap", async () => {
        const p = w.page
        await p.goto(w.url + "/console/#/device/" + DEVICE_ID)
        await p.locator("#live-plot").waitFor()
        // phases one sample apart (preflight, preheat, approach, press, cure): their labels would collide on one row
        const samples: number[][] = []
        for (let i = 0; i < 60; i++) {
            const phase = i < 1 ? 1 : i < 2 ? 2 : i < 3 ? 3 : i < 4 ? 4 : 5
            samples.push([1000 + i * 50, phase, 600 + i * 2, 300, phase >= 4 ? 30000 : 0])
        }
        expect((await w.dev("POST", "telemetry", { cycle: 3, samples: samples.slice(0, 30) })).status).toBe(200)
        expect((await w.dev("POST", "telemetry", { cycle: 3, samples: samples.slice(30) })).status).toBe(200)
        await drawn(60)
        const fig = p.locator("#live-plot")
        // the highest film value is 71.8 °C and force 30 N: both scales reach past them
        await expect.poll(async () => Number(await fig.getAttribute("data-temp-max"))).toBeGreaterThan(71.8 + 5)
        expect(Number(await fig.getAttribute("data-force-max"))).toBeGreaterThan(30 + 1)
        const boxes: { text: string; x: number; row: number; w: number }[] = await p.evaluate(() => (document.getElementById("live-plot") as any).labelBoxes)
        expect(boxes.map(b => b.text)).toEqual(["preflight", "preheat", "approach", "press", "cure"])
        for (let i = 0; i < boxes.length; i++)
            for (let j = i + 1; j < boxes.length; j++)
                if (boxes[i].row === boxes[j].row)
                    expect(boxes[i].x + boxes[i].w <= boxes[j].x || boxes[j].x + boxes[j].w <= boxes[i].x, boxes[i].text + " / " + boxes[j].text).toBe(true)
        expect(new Set(boxes.map(b => b.row)).size).toBeGreaterThan(1)
        // the cursor over the plot: the legend names each value with its unit
        const over = await p.locator("#live-plot .u-over").boundingBox()
        await p.mouse.move(over!.x + over!.width * 0.75, over!.y + over!.height / 2)
        const values = await p.locator("#live-plot .u-legend .u-value").allTextContents()
        expect(values).toHaveLength(4)
        expect(values[0]).toMatch(/^\d+\.\d s$/)
        expect(values[1]).toMatch(/^\d+\.\d °C$/)
        expect(values[2]).toBe("30.0 °C")
        expect(values[3]).toBe("30.0 N")
        await w.shot("plot-cursor")
    })

    it("a fault is drawn as a marker named with the latched fault", async () => {
        const p = w.page
        expect(await p.locator("#live-plot").getAttribute("data-fault-markers")).toBe("0")
        expect((await w.dev("POST", "telemetry", { cycle: 3, samples: [[5000, 10, 700, 300, 0], [5050, 10, 690, 300, 0]] })).status).toBe(200)
        expect((await w.dev("POST", "status", { state: "faulted", phase: 10, pending: 0, latchedFault: FaultCode.OverForce, head: { seq: 0, hash: "0".repeat(64) } })).status).toBe(204)
        await p.waitForFunction(() => document.getElementById("live-plot")?.dataset["faultMarkers"] === "1")
        await expect.poll(() => p.evaluate(() => (document.getElementById("live-plot") as any).labelBoxes.map((b: any) => b.text)), { timeout: 5000 })
            .toContain("fault E" + FaultCode.OverForce)
        await w.shot("plot-fault-marker")
    })

    it("a past cycle opens as a plot from the telemetry the hub kept", async () => {
        const p = w.page
        // the next cycle starts: cycle 3 is past
        expect((await w.dev("POST", "telemetry", { cycle: 4, samples: [[100, 2, 300, 250, 0]] })).status).toBe(200)
        // the page that stayed open lists it once the device's phase changes (no reload)
        await p.locator("#past-plots button[data-cycle='3']").waitFor({ timeout: 5000 })
        expect(await p.locator("#past-plots").textContent()).toContain("newest 20 cycles, for 30 days")
        await p.locator("#past-plots button[data-cycle='3']").click()
        await p.waitForFunction(() => document.getElementById("past-plot")?.dataset["drawn"] === "62")
        expect(await p.locator("#past-plot").getAttribute("data-fault-markers")).toBe("1")
        expect(await p.locator("#past-plot figcaption").textContent()).toMatch(/^Cycle 3: faulted/)
        await p.locator("#past-plot").scrollIntoViewIfNeeded()
        await w.shot("plot-past-cycle")
    })

    it("a session's targets belong to its cycle: not drawn over the previous cycle, drawn once its own starts", async () => {
        const p = w.page
        expect((await w.dev("POST", "status", { state: "armed", phase: 0, pending: 0, latchedFault: 0, head: { seq: 0, hash: "0".repeat(64) } })).status).toBe(204)
        await prepareInBrowser(w, hash, "PT-7")
        // the plot still shows cycle 4; the prepared session has no cycle yet
        await p.locator("#targets-pending").waitFor()
        expect(await p.locator("#live-plot").getAttribute("data-cycle")).toBe("4")
        expect(await p.locator("#live-plot").getAttribute("data-targets-drawn")).toBe("false")
        const sessionId = ((await w.dev("GET", "session")).body as any).sessionId
        expect((await w.dev("POST", "session/state", { sessionId, state: "started", cycle: 5 })).status).toBe(204)
        expect((await w.dev("POST", "telemetry", { cycle: 5, samples: [[100, 2, 300, 250, 0], [150, 2, 320, 250, 0]] })).status).toBe(200)
        await p.waitForFunction(() => document.getElementById("live-plot")?.dataset["targetsDrawn"] === "true", undefined, { timeout: 5000 })
        expect(await p.locator("#targets-pending").count()).toBe(0)
        expect(await p.locator("#live-plot").getAttribute("data-cycle")).toBe("5")
    })
})

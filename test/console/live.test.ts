// The device page during a cycle: an operator prepares a session in the browser, the Node
// protocol device fetches it, starts, and posts telemetry; the live plot grows point for point
// (points received = points drawn); the operator aborts and the device hears it. Also measures
// the time from page load to the first plotted point on a live stream, written to
// test-output/console/timings.json.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { world, approvedTemplate, cycleSamples, prepareInBrowser, HAVE_CHROMIUM, SKIP_REASON, SHOTS, DEVICE_ID, type World } from "./fixture"

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

describe.skipIf(!HAVE_CHROMIUM)("console live device page " + SKIP_REASON, () => {
    let w: World
    let hash: string
    let sessionId: string
    beforeAll(async () => {
        w = await world()
        hash = await approvedTemplate(w)
        await w.login("operator")
    })
    afterAll(async () => w?.close())

    const plotCount = (attr: "received" | "drawn") => w.page.locator("#live-plot").getAttribute("data-" + attr).then(Number)

    it("prepare a session in the browser; the device receives it and cannot be started from here", async () => {
        const p = w.page
        await prepareInBrowser(w, hash, "PT-0042")
        expect(await p.getByRole("button", { name: /start/i }).count()).toBe(0)
        const s = await w.dev("GET", "session")
        expect(s.status).toBe(200)
        expect(s.body).toMatchObject({ templateHash: hash, patientRef: "PT-0042", operatorId: "u-operator", abort: false })
        sessionId = (s.body as any).sessionId
        await p.locator("#session-status[data-status=delivered]").waitFor()
        expect((await w.dev("POST", "session/state", { sessionId, state: "started", cycle: 1 })).status).toBe(204)
        await p.locator("#session-status[data-status=running]").waitFor()
    })

    it("telemetry posted by the device grows the plot: every point received is drawn", async () => {
        const t0 = 100_000
        const seen: number[] = []
        for (let b = 0; b < 10; b++) {
            const r = await w.dev("POST", "telemetry", { cycle: 1, samples: cycleSamples(t0, b * 8, 8) })
            expect(r.body).toEqual({ kept: 8, abort: false })
            await w.page.waitForFunction(n => Number(document.getElementById("live-plot")?.dataset["drawn"]) === n, (b + 1) * 8)
            seen.push(await plotCount("drawn"))
        }
        expect(seen).toEqual([8, 16, 24, 32, 40, 48, 56, 64, 72, 80])
        expect(await plotCount("received")).toBe(80)
        await expect.poll(() => w.page.locator("figcaption").textContent()).toContain("cure")
        // the template's targets are listed beside the plot (golden design: 70.0 °C film, 20.0 N)
        expect(await w.page.locator(".targets").textContent()).toContain("film target 70.0 °C")
        expect(await w.page.locator(".targets").textContent()).toContain("force target 20.0 N")
        await w.shot("device-live")
    })

    it("measures page load to first plotted point, and device post to drawn point, on a live stream", async () => {
        const loads: number[] = []
        const posts: number[] = []
        let i = 80
        const t0 = 100_000
        for (let run = 0; run < 5; run++) {
            // the device keeps streaming every 250 ms while the page loads
            let streaming = true
            const streamer = (async () => {
                while (streaming) {
                    await w.dev("POST", "telemetry", { cycle: 1, samples: cycleSamples(t0, i, 5) })
                    i += 5
                    await new Promise(r => setTimeout(r, 250))
                }
            })()
            await w.page.goto("about:blank")
            await w.page.goto(w.url + "/console/#/device/" + DEVICE_ID)
            await w.page.waitForFunction(() => document.getElementById("live-plot")?.dataset["firstPointMs"])
            loads.push(Number(await w.page.locator("#live-plot").getAttribute("data-first-point-ms")))
            streaming = false
            await streamer
            const before = await plotCount("drawn")
            const start = performance.now()
            await w.dev("POST", "telemetry", { cycle: 1, samples: cycleSamples(t0, i, 1) })
            i += 1
            await w.page.waitForFunction(n => Number(document.getElementById("live-plot")?.dataset["drawn"]) > n, before)
            posts.push(performance.now() - start)
        }
        const timings = {
            what: "device page, chromium headless on this machine, hub on 127.0.0.1, device streaming every 250 ms",
            loadToFirstPointMs: { runs: loads, median: median(loads) },
            devicePostToDrawnMs: { runs: posts.map(Math.round), median: Math.round(median(posts)) },
        }
        writeFileSync(join(SHOTS, "timings.json"), JSON.stringify(timings, null, 2) + "\n")
        console.log("console timings " + JSON.stringify(timings))
        expect(median(loads)).toBeLessThan(3000)
        expect(median(posts)).toBeLessThan(1000)
    })

    it("readable on a tablet: at 768 px nothing scrolls sideways", async () => {
        await w.page.setViewportSize({ width: 768, height: 1024 })
        await w.page.goto(w.url + "/console/#/device/" + DEVICE_ID)
        await w.page.waitForFunction(() => Number(document.getElementById("live-plot")?.dataset["drawn"]) > 0)
        const overflow = await w.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
        expect(overflow).toBeLessThanOrEqual(0)
        await w.shot("device-tablet-768")
        await w.page.setViewportSize({ width: 1280, height: 900 })
    })

    it("abort from the console reaches the device in its session and telemetry answers", async () => {
        const p = w.page
        await p.goto(w.url + "/console/#/device/" + DEVICE_ID)
        await p.getByRole("button", { name: "Abort session" }).click()
        await p.locator("#session-status[data-status=abort_requested]").waitFor()
        const t = await w.dev("POST", "telemetry", { cycle: 1, samples: [[10_000_000, 5, 700, 300, 20000]] })
        expect(t.body).toMatchObject({ abort: true })
        const s = await w.dev("GET", "session")
        expect(s.body).toMatchObject({ sessionId, abort: true })
        await p.getByText("the device has received it").waitFor()
        await w.shot("device-abort")
        expect((await w.dev("POST", "session/state", { sessionId, state: "ended", outcome: 2 })).status).toBe(204)
        await p.locator("#session-status[data-status=ended]").waitFor()
        expect(await p.locator("#session-status").textContent()).toContain("aborted")
        expect((await w.dev("GET", "session")).status).toBe(204)
    })
})

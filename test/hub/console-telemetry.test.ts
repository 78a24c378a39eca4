// Live telemetry: the device posts bounded, strictly checked batches; the hub keeps them in a
// bounded in-memory ring per device (never the database); staff read them by poll (?after=)
// or Server-Sent Events. Bad bodies are 400 naming the field and keep nothing.
import { describe, it, expect, beforeEach, afterEach } from "vitest"
import { request as httpRequest } from "node:http"
import { routeHub, DEVICE_ID, type RouteHub } from "./hub-fixture"
import { TelemetryStore, TELEMETRY_BATCH_MAX, telemetryOf, type Sample } from "../../hub/src/telemetry"
import { signed } from "./support"

const POLL = "/api/devices/" + DEVICE_ID + "/telemetry"

function samples(n: number, t0 = 1000, stepMs = 100): number[][] {
    const out: number[][] = []
    for (let i = 0; i < n; i++) out.push([t0 + i * stepMs, 2, 250 + i, 240, 0])
    return out
}

describe("telemetry store (unit)", () => {
    it("numbers samples from 1, keeps at most its capacity, and reads after a number", () => {
        const s = new TelemetryStore(10)
        s.add("D", 1, samples(8) as Sample[])
        s.add("D", 1, samples(8, 2000) as Sample[])
        const all = s.read("D", 0)
        expect(all.samples.map(x => x[0])).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15, 16])
        expect(all.last).toBe(16)
        expect(s.read("D", 14).samples.map(x => x[0])).toEqual([15, 16])
        expect(s.read("D", 16).samples).toEqual([])
        expect(s.read("other", 0)).toEqual({ cycle: null, last: 0, samples: [] })
    })

    it("a retried batch (same cycle, uptime not after the last) is kept once", () => {
        const s = new TelemetryStore()
        expect(s.add("D", 4, samples(3) as Sample[])).toHaveLength(3)
        expect(s.add("D", 4, samples(3) as Sample[])).toHaveLength(0)
        expect(s.add("D", 5, samples(3) as Sample[])).toHaveLength(3) // a new cycle restarts nothing
    })

    it("cycleStart points before the latest cycle's first sample", () => {
        const s = new TelemetryStore()
        s.add("D", 1, samples(4) as Sample[])
        s.add("D", 2, samples(3) as Sample[])
        expect(s.cycleStart("D")).toBe(4)
        expect(s.read("D", s.cycleStart("D")).samples.map(x => x[1])).toEqual([2, 2, 2])
    })
})

describe("telemetry routes", () => {
    let h: RouteHub
    beforeEach(async () => {
        h = await routeHub()
    })
    afterEach(async () => h.close())

    it("a batch updates the device's reported phase and last contact (no status comes during a cycle)", async () => {
        await h.dev("POST", "status", { state: "idle", phase: 0, pending: 0, latchedFault: 0, head: { seq: 0, hash: "00".repeat(32) } })
        h.clock.advanceS(30)
        // phase 2 (preheat), then 5 (cure): the last sample's phase is the device's
        await h.dev("POST", "telemetry", { cycle: 3, samples: [[5000, 2, 251, 240, 0], [5200, 5, 700, 300, 20000]] })
        const d = (await h.staff("operator", "GET", "/api/devices/" + DEVICE_ID)).json()
        expect(d).toMatchObject({ state: "cure", phase: 5, lastSeenMs: h.clock.ms })
    })

    it("a batch is kept and read back by poll, numbered, with the cycle", async () => {
        const r = await h.dev("POST", "telemetry", { cycle: 12, samples: [[5000, 2, 251, 240, 0], [5050, 3, 255, 241, 1200]] })
        expect(r.statusCode).toBe(200)
        expect(r.json()).toEqual({ kept: 2, abort: false })
        expect(Number(r.headers["content-length"])).toBe(r.body.length)
        const p = await h.staff("operator", "GET", POLL)
        expect(p.json()).toEqual({ cycle: 12, last: 2, samples: [[1, 12, 5000, 2, 251, 240, 0], [2, 12, 5050, 3, 255, 241, 1200]] })
        expect((await h.staff("operator", "GET", POLL + "?after=1")).json().samples).toEqual([[2, 12, 5050, 3, 255, 241, 1200]])
        // and in the database, for the plot of the cycle once it is past (cycle-telemetry.ts; issue 15)
        const rows = await h.db.db.selectFrom("cycle_telemetry").select(["device_id", "cycle", "first_uptime_ms", "samples_json"]).execute()
        expect(rows.map(x => [x.device_id, Number(x.cycle), Number(x.first_uptime_ms), JSON.parse(x.samples_json)]))
            .toEqual([[DEVICE_ID, 12, 5000, [[5000, 2, 251, 240, 0], [5050, 3, 255, 241, 1200]]]])
    })

    it("64 samples are accepted; a body of 64 samples at the widest values fits the body limit", async () => {
        const wide = [] as number[][]
        for (let i = 0; i < TELEMETRY_BATCH_MAX; i++) wide.push([1099511627000 + i, 11, -200, -200, -5000])
        const r = await h.dev("POST", "telemetry", { cycle: 4294967295, samples: wide })
        expect(r.statusCode).toBe(200)
        expect(r.json().kept).toBe(64)
    })

    const BAD: [string, unknown, string][] = [
        ["no cycle", { samples: samples(1) }, "cycle"],
        ["cycle not an integer", { cycle: 1.5, samples: samples(1) }, "cycle"],
        ["cycle negative", { cycle: -1, samples: samples(1) }, "cycle"],
        ["no samples", { cycle: 1 }, "samples"],
        ["empty samples", { cycle: 1, samples: [] }, "samples"],
        ["65 samples", { cycle: 1, samples: samples(65) }, "samples"],
        ["a sample of 4 values", { cycle: 1, samples: [[1, 2, 3, 4]] }, "samples/0"],
        ["a sample of 6 values", { cycle: 1, samples: [[1, 2, 3, 4, 5, 6]] }, "samples/0"],
        ["a float reading", { cycle: 1, samples: [[1000, 2, 25.5, 240, 0]] }, "samples/0/2"],
        ["a string reading", { cycle: 1, samples: [[1000, 2, "250", 240, 0]] }, "samples/0/2"],
        // phases run 0..12 (src/core/cycle/events.ts: 12 is the fitting scan)
        ["an unknown phase", { cycle: 1, samples: [[1000, 13, 250, 240, 0]] }, "samples[0][1] (phase)"],
        ["film beyond its sensor range", { cycle: 1, samples: [[1000, 2, 2001, 240, 0]] }, "samples[0][2] (filmDeciC)"],
        ["contact below its sensor range", { cycle: 1, samples: [[1000, 2, 250, -201, 0]] }, "samples[0][3] (contactDeciC)"],
        ["force beyond its sensor range", { cycle: 1, samples: [[1000, 2, 250, 240, 100001]] }, "samples[0][4] (forceMilliN)"],
        ["negative uptime", { cycle: 1, samples: [[-1, 2, 250, 240, 0]] }, "samples[0][0] (uptimeMs)"],
        ["samples out of time order", { cycle: 1, samples: [[2000, 2, 250, 240, 0], [1000, 2, 250, 240, 0]] }, "samples[1][0]"],
        ["an unknown field", { cycle: 1, samples: samples(1), templateHash: "x" }, "templateHash"],
    ]
    for (const [name, body, field] of BAD) {
        it("refuses " + name + ": 400 naming " + field + ", nothing kept", async () => {
            const r = await h.dev("POST", "telemetry", body)
            expect(r.statusCode).toBe(400)
            expect(r.json().error.message).toContain(field)
            expect(telemetryOf(h.ctx).read(DEVICE_ID, 0).samples).toEqual([])
        })
    }

    it("a bad sample anywhere in a batch keeps none of it", async () => {
        const b = samples(10)
        b[9][2] = 99999
        expect((await h.dev("POST", "telemetry", { cycle: 1, samples: b })).statusCode).toBe(400)
        expect(telemetryOf(h.ctx).read(DEVICE_ID, 0).samples).toEqual([])
    })

    it("a body over the limit is 413; malformed JSON is 400; unsigned is 401", async () => {
        const big = { cycle: 1, samples: samples(64).map(s => [s[0] * 1e9, 2, 250, 240, 0]), pad: "x".repeat(6000) }
        expect((await h.dev("POST", "telemetry", big)).statusCode).toBe(413)
        expect((await h.dev("POST", "telemetry", undefined, { raw: "{nope" })).statusCode).toBe(400)
        const u = await h.app.inject({ method: "POST", url: "/api/device/v1/telemetry", headers: { "content-type": "application/json" }, payload: "{}" })
        expect(u.statusCode).toBe(401)
    })

    it("poll refuses a bad after and an unknown device", async () => {
        expect((await h.staff("operator", "GET", POLL + "?after=-1")).statusCode).toBe(400)
        expect((await h.staff("operator", "GET", POLL + "?since=1")).statusCode).toBe(400)
        expect((await h.staff("operator", "GET", "/api/devices/SFA1-NOPE/telemetry")).statusCode).toBe(404)
    })

    it("the SSE stream sends the backlog, then each new batch as it arrives", async () => {
        await h.dev("POST", "telemetry", { cycle: 1, samples: samples(2) })
        const address = await h.app.listen({ port: 0, host: "127.0.0.1" })
        const url = new URL(POLL + "/stream", address)
        const events: string[] = []
        const res = await new Promise<import("node:http").IncomingMessage>((ok, fail) => {
            const req = httpRequest(url, { headers: { authorization: "Bearer " + h.tokens.operator } }, ok)
            req.on("error", fail)
            req.end()
        })
        expect(res.statusCode).toBe(200)
        expect(res.headers["content-type"]).toContain("text/event-stream")
        let buf = ""
        const got = new Promise<void>(done => res.on("data", (c: Buffer) => {
            buf += c.toString()
            const parts = buf.split("\n\n")
            buf = parts.pop() ?? ""
            events.push(...parts)
            if (events.length >= 3) done()
        }))
        // a device posting over the socket (the signature covers the exact path and body)
        const body = JSON.stringify({ cycle: 1, samples: [[5000, 4, 700, 300, 15000]] })
        const p = await fetch(new URL("/api/device/v1/telemetry", address), { method: "POST", headers: signed(h.device, h.clock, "POST", "/api/device/v1/telemetry", body), body })
        expect(p.status).toBe(200)
        await got
        res.destroy()
        expect(events[0]).toBe('event: hello\ndata: {"cycle":1,"last":2}')
        expect(events[1]).toContain('"samples":[[1,1,1000,2,250,240,0],[2,1,1100,2,251,240,0]]')
        expect(events[2]).toBe('id: 3\ndata: {"samples":[[3,1,5000,4,700,300,15000]]}')
    })
})

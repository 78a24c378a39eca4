// hub/src/turn-taking.ts: requests served in arrival order, in turns, with the connections that
// wait to be accepted let in first. Counts of requests served, not times: a late connection's
// first request is served after at most one pass over the busy ones, however many late
// connections arrive together. (Without turn-taking, libuv accepts one connection per turn while
// each turn serves every busy connection's request: the 200th late one waited behind ~200 x 20
// requests; checked by serving the same load with the plain handler.)
import http from "node:http"
import type { AddressInfo } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { HUB_TURNS, turnTaking } from "../../hub/src/turn-taking"

const BUSY = 20
const LATE = 200
/** each request costs the server this much CPU: the turns are long, as in a reconnect storm */
const WORK_MS = 1

function spin(ms: number) {
    const end = performance.now() + ms
    while (performance.now() < end) { /* a request's CPU work */ }
}

interface Served {
    /** the connection's client-given name, e.g. "busy-3", "late-17" */
    who: string
    /** how many requests the server had served before this one */
    index: number
}

function serverWith(served: Served[]) {
    const server = http.createServer()
    server.on("request", turnTaking(server, (req, res) => {
        spin(WORK_MS)
        served.push({ who: String(req.headers["x-who"]), index: served.length })
        res.end("ok")
    }))
    return server
}

function get(port: number, who: string, agent: http.Agent | false): Promise<number> {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, path: "/", headers: { "x-who": who }, agent }, res => {
            res.resume()
            res.on("end", () => resolve(res.statusCode ?? 0))
        })
        req.on("error", reject)
        req.end()
    })
}

let close: (() => Promise<void>) | null = null
afterEach(async () => {
    await close?.()
    close = null
})

async function listen(server: http.Server): Promise<number> {
    await new Promise<void>(r => server.listen({ port: 0, host: "127.0.0.1", backlog: 1024 }, r))
    close = () => new Promise(r => {
        server.closeAllConnections()
        server.close(() => r())
    })
    return (server.address() as AddressInfo).port
}

describe("turn-taking", () => {
    it("lets a burst of new connections in before the busy ones are served further", async () => {
        const served: Served[] = []
        const port = await listen(serverWith(served))
        // BUSY keep-alive clients, each sending its next request as soon as the last is answered
        let stop = false
        const busy = Array.from({ length: BUSY }, async (_, i) => {
            const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
            try {
                while (!stop) expect(await get(port, "busy-" + i, agent)).toBe(200)
            } finally {
                agent.destroy()
            }
        })
        // once they are all going, LATE new connections at once, one request each
        while (served.length < 5 * BUSY) await new Promise(r => setTimeout(r, 5))
        const before = served.length
        const late = await Promise.all(Array.from({ length: LATE }, (_, i) => get(port, "late-" + i, false)))
        stop = true
        await Promise.all(busy)
        expect(late).toEqual(new Array(LATE).fill(200))
        const lateServed = served.filter(s => s.who.startsWith("late-"))
        expect(lateServed.length).toBe(LATE)
        const last = Math.max(...lateServed.map(s => s.index))
        // every late request was served within the LATE of them plus at most three rounds of the
        // busy clients (one request each per round; the rounds in flight when the late ones came)
        expect(last - before).toBeLessThanOrEqual(LATE + 3 * BUSY)
        // and the busy clients were not starved meanwhile: each got at least one answer in that span
        const busyDuring = new Set(served.slice(before, last + 1).filter(s => s.who.startsWith("busy-")).map(s => s.who))
        expect(busyDuring.size).toBe(BUSY)
    }, 60_000)

    it("serves a lone request without waiting for a timer", async () => {
        const served: Served[] = []
        const port = await listen(serverWith(served))
        expect(await get(port, "one", false)).toBe(200)
        expect(served).toEqual([{ who: "one", index: 0 }])
    })

    it("a handler that throws fails its own request (500) and the queue goes on", async () => {
        const reported: unknown[] = []
        const server = http.createServer()
        let n = 0
        server.on("request", turnTaking(server, (req, res) => {
            n++
            if (req.headers["x-who"] === "bad") throw new Error("handler bug")
            res.end("ok")
        }, HUB_TURNS, err => reported.push(err)))
        const port = await listen(server)
        // the bad request in the middle of a batch queued in one turn, and requests after it
        const codes = await Promise.all(["a", "b", "bad", "c", "d"].map(who => get(port, who, false)))
        expect(codes).toEqual([200, 200, 500, 200, 200])
        expect([n, reported.length, String(reported[0])]).toEqual([5, 1, "Error: handler bug"])
        // and the server still serves: the queue was not left stalled
        expect(await get(port, "later", false)).toBe(200)
    })

    it("refuses a negative budget or a fractional accept-turn limit", () => {
        const server = http.createServer()
        expect(() => turnTaking(server, () => {}, { budgetMs: -1, maxAcceptTurns: 4 })).toThrow(/budgetMs/)
        expect(() => turnTaking(server, () => {}, { budgetMs: 1, maxAcceptTurns: 1.5 })).toThrow(/maxAcceptTurns/)
        expect(HUB_TURNS.budgetMs).toBeGreaterThan(0)
    })
})

// Accept first (hub/src/accept-first.ts): requests wait while the event loop's turns are
// accepting connections, go on at the first turn that accepts none, and never wait for ever
// under a steady stream of connections; with no connection arriving they go on at once. Then
// over real sockets: a burst of connections to the hub is served, every answer right.
import { describe, it, expect } from "vitest"
import { EventEmitter } from "node:events"
import net, { type Server } from "node:net"
import { AcceptFirst } from "../../hub/src/accept-first"

const turn = () => new Promise<void>(r => setImmediate(r))

function gateWithServer(maxHoldMs = 10_000) {
    const server = new EventEmitter()
    const gate = new AcceptFirst({ quietMs: 2, maxHoldMs })
    gate.watch(server as unknown as Server)
    return { gate, accept: () => server.emit("connection", {}) }
}

describe("AcceptFirst", () => {
    it("lets a request through at once when no connection was accepted", () => {
        const { gate } = gateWithServer()
        let done = 0
        gate.enter(() => done++)
        expect(done).toBe(1)
    })

    it("holds requests while turns accept connections and releases them all at the first turn that accepts none", async () => {
        const { gate, accept } = gateWithServer()
        const done: number[] = []
        accept()
        gate.enter(() => done.push(1))
        gate.enter(() => done.push(2))
        expect(done).toEqual([])
        // two more turns that each accept a connection: still held, and a request arriving meanwhile joins them
        for (let i = 0; i < 2; i++) {
            await turn()
            accept()
        }
        gate.enter(() => done.push(3))
        expect(done).toEqual([])
        // a turn without an accept (and one more for its check phase)
        await turn()
        await turn()
        expect(done).toEqual([1, 2, 3])
        // afterwards, with the last accept long enough ago, requests pass at once
        await new Promise(r => setTimeout(r, 5))
        gate.enter(() => done.push(4))
        expect(done).toEqual([1, 2, 3, 4])
    })

    it("does not hold a request for ever while every turn accepts a connection", async () => {
        const { gate, accept } = gateWithServer(20)
        let done = false
        accept()
        gate.enter(() => { done = true })
        let turns = 0
        while (!done && turns < 100_000) {
            await turn()
            accept()
            turns++
        }
        expect(done).toBe(true)
    })
})

describe("AcceptFirst on a real server", () => {
    it("answers every request of a burst of connections", async () => {
        const { default: Fastify } = await import("fastify")
        const app = Fastify()
        const gate = new AcceptFirst()
        gate.watch(app.server)
        app.addHook("onRequest", (_q, _r, done) => gate.enter(done))
        app.get("/n/:n", async req => ({ n: Number((req.params as { n: string }).n) }))
        await app.listen({ port: 0, host: "127.0.0.1" })
        const port = (app.server.address() as net.AddressInfo).port
        try {
            const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => new Promise<string>((resolve, reject) => {
                const s = net.connect(port, "127.0.0.1", () => s.write(`GET /n/${i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`))
                let text = ""
                s.on("data", c => { text += c.toString() })
                s.on("end", () => resolve(text))
                s.on("error", reject)
            })))
            answers.forEach((a, i) => expect(a.endsWith(JSON.stringify({ n: i }))).toBe(true))
        } finally {
            await app.close()
        }
    })
})

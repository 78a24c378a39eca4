// Issue 13 item 7: a client that sends its headers or body too slowly, or nothing at all, is cut
// off (Node answers 408 where a request had begun), and a device request whose headers already
// fail authentication is answered before its body is read. The hub here uses short timeouts
// (opts.timeouts); the defaults are in hub/README.md. No assertion reads a clock: each test waits
// for the hub to act, and would hit vitest's timeout if it never did.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { connect, type Socket } from "node:net"
import type { FastifyInstance } from "fastify"
import { buildHub } from "../../hub/src/app"
import { signDeviceRequest } from "../../hub/src/auth/device-hmac"
import { routeHub, DEVICE_ID, KEY, type RouteHub } from "./hub-fixture"
import { freshNonce } from "./support"

let h: RouteHub
let app: FastifyInstance
let port: number
beforeAll(async () => {
    h = await routeHub()
    app = await buildHub(h.ctx, { timeouts: { headersMs: 300, requestMs: 500, idleMs: 700, checkEveryMs: 50 } })
    port = Number(new URL(await app.listen({ port: 0, host: "127.0.0.1" })).port)
})
afterAll(async () => {
    await app?.close()
    await h?.close()
})

/** A raw connection; `closed` resolves with all the hub sent once it closes the connection. */
function rawClient(): Promise<{ s: Socket; closed: Promise<string> }> {
    return new Promise((ok, fail) => {
        const s = connect(port, "127.0.0.1", () => {
            let got = ""
            s.on("data", c => (got += c.toString()))
            ok({ s, closed: new Promise(done => s.on("close", () => done(got))) })
        })
        s.on("error", fail)
    })
}

/** The first answer on a connection, as soon as its head has arrived. */
function firstAnswer(s: Socket): Promise<string> {
    return new Promise(done => {
        let got = ""
        s.on("data", c => {
            got += c.toString()
            if (got.includes("\r\n\r\n")) done(got)
        })
    })
}

describe("timeouts", () => {
    it("a body that never finishes: 408 and the connection closed", async () => {
        const { s, closed } = await rawClient()
        s.write("POST /api/auth/login HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"name\":")
        expect(await closed).toMatch(/^HTTP\/1\.1 408 /)
    })

    it("headers that never finish: 408 and the connection closed", async () => {
        const { s, closed } = await rawClient()
        s.write("GET /api/transparency HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: 1")
        expect(await closed).toMatch(/^HTTP\/1\.1 408 /)
    })

    it("a connection that sends nothing is closed", async () => {
        const { closed } = await rawClient()
        expect(await closed).toMatch(/^(HTTP\/1\.1 408 |$)/)
    })

    /** [case, device id, timestamp offset s, expected code] */
    const REFUSED: [string, string, number, string][] = [
        ["an unknown device id", "SFA1-UNKNOWN", 0, "unknown_device"],
        ["a known device's stale timestamp", DEVICE_ID, -3600, "stale_timestamp"],
    ]
    for (const [name, deviceId, offsetS, code] of REFUSED) {
        it("a device upload with " + name + " is refused before its body arrives", async () => {
            const { s } = await rawClient()
            const answer = firstAnswer(s)
            const headers = signDeviceRequest({ deviceId, keyHex: KEY, method: "POST", path: "/api/device/v1/records", body: "", timestampS: Math.floor(h.clock.ms / 1000) + offsetS, nonce: freshNonce() })
            // 131,000 bytes announced, 13 sent
            s.write("POST /api/device/v1/records HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 131000\r\n" +
                Object.entries(headers).map(([k, v]) => k + ": " + v + "\r\n").join("") + "\r\n{\"records\":[\"")
            const a = await answer
            s.destroy()
            expect(a).toMatch(/^HTTP\/1\.1 401 /)
            expect(a).toContain('"code":"' + code + '"')
        })
    }
})

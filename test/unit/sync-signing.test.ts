// The device's request signature (src/core/sync/signing.ts) and the hub's (signDeviceRequest,
// the one the hub's check is built from) agree on any request, and the core's limits fit what
// the hub's routes accept.
import { describe, it, expect } from "vitest"
import { randomBytes } from "node:crypto"
import { nodeCrypto } from "../../src/node/crypto-node"
import { signRequest, timeMac, DEVICE_API } from "../../src/core/sync/signing"
import { SYNC_LIMITS } from "../../src/core/sync/planner"
import { backoffDelayMs } from "../../src/core/sync/backoff"
import { signDeviceRequest, timeMac as hubTimeMac } from "../../hub/src/auth/device-hmac"
import { BATCH_MAX } from "../../hub/src/ingest"
import { DEVICE_BODY_LIMIT } from "../../hub/src/routes/device"
import { Prng } from "../vectors/prng"
import { STATUS_BODY, STATUS_SIGNATURE, TIME_MAC, TIME_NONCE, TIME_UNIX_S } from "../vectors/sync"
import { GOLDEN_KEY, GOLDEN_DEVICE } from "../vectors/golden"

const ASCII = "abcdefghijklmnopqrstuvwxyz0123456789{}[]\":,._- "

describe("device signature: core and hub agree", () => {
    it("the golden vectors hold on the hub's side too", () => {
        const h = signDeviceRequest({ deviceId: GOLDEN_DEVICE, keyHex: GOLDEN_KEY, method: "POST", path: DEVICE_API + "status", body: STATUS_BODY,
            timestampS: 1750000000, nonce: "00112233445566778899aabbccddeeff" })
        expect(h["x-signature"]).toBe(STATUS_SIGNATURE)
        expect(hubTimeMac(GOLDEN_KEY, TIME_NONCE, TIME_UNIX_S)).toBe(TIME_MAC)
    })

    it("2,000 random requests: same headers from both", () => {
        const r = new Prng(11)
        for (let k = 0; k < 2000; k++) {
            const key = randomBytes(32).toString("hex")
            const method = r.chance(500) ? "GET" : "POST"
            let body = ""
            if (method === "POST") for (let i = r.int(0, 300); i > 0; i--) body += ASCII[r.int(0, ASCII.length - 1)]
            const nonce = randomBytes(r.int(8, 32)).toString("hex")
            const path = DEVICE_API + (method === "GET" ? "time?nonce=" + nonce : "records")
            const ts = r.chance(100) ? 0 : r.int(1, 2 ** 40)
            const core = signRequest(nodeCrypto, "SFA1-" + k, key, method, path, body, ts, nonce)
            const hub = signDeviceRequest({ deviceId: "SFA1-" + k, keyHex: key, method, path, body, timestampS: ts, nonce })
            expect({ "x-device-id": core.deviceId, "x-timestamp": core.timestamp, "x-nonce": core.nonce, "x-signature": core.signature }).toEqual(hub)
            expect(timeMac(nodeCrypto, key, nonce, ts)).toBe(hubTimeMac(key, nonce, ts))
        }
    })
})

describe("sync limits against the hub's routes", () => {
    it("a batch the planner builds is one the hub accepts", () => {
        expect(SYNC_LIMITS.batchMax).toBeGreaterThanOrEqual(1)
        expect(SYNC_LIMITS.batchMax).toBeLessThanOrEqual(BATCH_MAX)
        expect(SYNC_LIMITS.bodyMaxChars).toBeLessThanOrEqual(DEVICE_BODY_LIMIT)
    })

    it("backoff: every delay lies in [d/2, d) for d = min(cap, base * 2^(n-1))", () => {
        const r = new Prng(3)
        for (let k = 0; k < 5000; k++) {
            const n = r.int(1, 30)
            const d = Math.min(300000, 2000 * 2 ** (n - 1))
            const v = backoffDelayMs(n, 2000, 300000, r.next() / 2147483647)
            expect(v).toBeGreaterThanOrEqual(d / 2)
            expect(v).toBeLessThan(d)
        }
    })
})

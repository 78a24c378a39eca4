// Fuzzes the device routes with random and mutated requests (seeded, so a failure repeats):
// no request may get a 5xx or crash the hub, and only genuine records end up stored.
// Mutations are signed correctly so they get past authentication and reach validation and
// ingest; others mangle the authentication itself.
import { describe, it, expect, beforeAll, afterAll, beforeEach } from "vitest"
import { fromHex } from "../../src/core/crypto"
import { verifyRecords } from "../../src/core/records/verify"
import { nodeCrypto } from "../../src/node/crypto-node"
import { signDeviceRequest } from "../../hub/src/auth/device-hmac"
import { routeHub, KEY, DEVICE_ID, type RouteHub } from "./hub-fixture"
import { chain, freshNonce } from "./support"
import { rng, type Rng } from "./fuzz-rng"

/** requests per part; four parts make the 10,000 per run */
const PER_PART = 2500


const ODD_VALUES: unknown[] = [null, true, 0, -1, 1.5, 1e300, -0, "", "x", "ab".repeat(40), [], {}, [[]], { a: 1 }, "\u0000", "\ud800", "é", 2 ** 53 + 1]

function randomValue(r: Rng, depth = 0): unknown {
    const k = r.int(depth > 3 ? 4 : 7)
    if (k === 0) return r.pick(ODD_VALUES)
    if (k === 1) return r.int(2 ** 31) - 2 ** 30
    if (k === 2) return randomHex(r, r.int(400))
    if (k === 3) return String.fromCharCode(...Array.from({ length: r.int(20) }, () => r.int(0xffff)))
    if (k === 4) return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1))
    const o: Record<string, unknown> = {}
    for (let i = r.int(4); i > 0; i--) o[r.pick(["records", "state", "phase", "pending", "latchedFault", "head", "seq", "hash", "__proto__", "constructor", "x"])] = randomValue(r, depth + 1)
    return o
}

function randomHex(r: Rng, len: number): string {
    let s = ""
    for (let i = 0; i < len; i++) s += "0123456789abcdef"[r.int(16)]
    return s
}

/** A mutation of a valid text: flip, delete, insert, duplicate or truncate characters. */
function mutateText(r: Rng, s: string): string {
    const ops = 1 + r.int(3)
    for (let i = 0; i < ops && s.length > 0; i++) {
        const at = r.int(s.length)
        const k = r.int(5)
        if (k === 0) s = s.slice(0, at) + String.fromCharCode(r.int(128)) + s.slice(at + 1)
        else if (k === 1) s = s.slice(0, at) + s.slice(at + 1 + r.int(8))
        else if (k === 2) s = s.slice(0, at) + r.pick(['"', "{", "}", "[", "]", ",", ":", "0", "a", "\\", "\u00ff"]) + s.slice(at)
        else if (k === 3) s = s.slice(0, at) + s.slice(at, at + r.int(40)) + s.slice(at)
        else s = s.slice(0, at)
    }
    return s
}

/** A mutation of a sealed record: one hex digit changed, bytes cut or added. */
function mutateRecord(r: Rng, hex: string): string {
    const k = r.int(4)
    const at = r.int(hex.length / 2) * 2
    if (k === 0) return hex.slice(0, at) + randomHex(r, 2) + hex.slice(at + 2)
    if (k === 1) return hex.slice(0, at)
    if (k === 2) return hex + randomHex(r, 2 * (1 + r.int(4)))
    return hex.slice(0, at) + hex.slice(at + 2)
}

let h: RouteHub
// per block: each block checks its own requests and the store after them, so any block run alone
// (vitest -t) asserts what it claims and none leans on a later one
let statuses = new Map<number, number>()
let sent = 0
const recs = chain(DEVICE_ID, KEY, 1, 40)

beforeAll(async () => {
    h = await routeHub()
    await h.dev("POST", "records", { records: recs.slice(0, 10).map(x => x.hex) })
})
afterAll(async () => {
    await h.close()
})
beforeEach(() => {
    statuses = new Map()
    sent = 0
})

/** after a block: every request answered below 500, and the store holds only the genuine chain */
async function expectOnlyGenuineChain(part: string) {
    expect(sent).toBe(PER_PART)
    expect([...statuses.keys()].filter(s => s >= 500)).toEqual([])
    const rows = await h.db.db.selectFrom("records").select(["seq", "sealed_hex"]).orderBy("seq").execute()
    expect(rows.length).toBeGreaterThanOrEqual(10)
    expect(rows.map(x => x.sealed_hex)).toEqual(recs.slice(0, rows.length).map(x => x.hex))
    expect(verifyRecords(rows.map(x => fromHex(x.sealed_hex)), KEY, nodeCrypto, { deviceId: DEVICE_ID }).ok).toBe(true)
    console.log("fuzz " + part + ": " + sent + " requests; status counts " + JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0]))))
}

async function send(method: string, url: string, headers: Record<string, string>, payload?: string | Buffer) {
    const res = await h.app.inject({ method: method as any, url, headers, payload })
    sent++
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
    if (res.statusCode >= 500) throw new Error("5xx for " + method + " " + url + " " + JSON.stringify(headers) + " body " + String(payload).slice(0, 200) + ": " + res.body)
    // every answer is complete JSON (or empty for 204/304) with its length
    if (res.rawPayload.length > 0) {
        expect(res.headers["content-length"]).toBe(String(res.rawPayload.length))
        JSON.parse(res.body)
    }
    return res
}

function signedHeaders(method: string, url: string, body: string | Buffer, over: Partial<{ ts: number; nonce: string }> = {}) {
    return {
        ...signDeviceRequest({ deviceId: DEVICE_ID, keyHex: KEY, method, path: url, body, timestampS: over.ts ?? Math.floor(h.clock.ms / 1000), nonce: over.nonce ?? freshNonce() }),
        "content-type": "application/json",
    }
}

describe("device route fuzzing (" + 4 * PER_PART + " requests)", () => {
    it("signed, mutated record uploads", async () => {
        const r = rng(1)
        for (let i = 0; i < PER_PART; i++) {
            const from = r.int(recs.length)
            const batch = recs.slice(from, from + 1 + r.int(6)).map(x => x.hex)
            const k = r.int(4)
            let body: string
            if (k === 0) body = mutateText(r, JSON.stringify({ records: batch }))
            else if (k === 1) body = JSON.stringify({ records: batch.map(x => (r.int(2) ? mutateRecord(r, x) : x)) })
            else if (k === 2) body = JSON.stringify({ records: r.int(2) ? batch.reverse() : [...batch, ...batch] })
            else body = JSON.stringify(randomValue(r))
            const url = "/api/device/v1/records"
            await send("POST", url, signedHeaders("POST", url, body), body)
        }
        await expectOnlyGenuineChain("part 1")
    }, 300_000)

    it("signed, mutated status reports and queries", async () => {
        const r = rng(2)
        const good = { state: "idle", phase: 0, pending: 0, latchedFault: 0, head: { seq: 10, hash: recs[9].hash } }
        for (let i = 0; i < PER_PART; i++) {
            const k = r.int(3)
            if (k === 0) {
                const o: any = JSON.parse(JSON.stringify(good))
                o[r.pick(["state", "phase", "pending", "latchedFault", "head", "extra"])] = randomValue(r)
                const body = r.int(3) === 0 ? mutateText(r, JSON.stringify(o)) : JSON.stringify(o)
                const url = "/api/device/v1/status"
                await send("POST", url, signedHeaders("POST", url, body), body)
            } else {
                const url = r.pick([
                    "/api/device/v1/time?nonce=" + mutateText(r, randomHex(r, 32)),
                    "/api/device/v1/time?nonce=" + randomHex(r, 32) + "&nonce=" + randomHex(r, 32),
                    "/api/device/v1/bundle?" + mutateText(r, "x=1"),
                    "/api/device/v1/templates/" + encodeURIComponent(mutateText(r, recs[0].hash)),
                    "/api/device/v1/templates/" + recs[r.int(10)].hash,
                    "/api/device/v1/" + mutateText(r, "bundle"),
                ])
                await send("GET", url, signedHeaders("GET", url, ""))
            }
        }
        await expectOnlyGenuineChain("part 2")
    }, 300_000)

    it("mangled authentication: headers, timestamps, nonces, signatures", async () => {
        const r = rng(3)
        for (let i = 0; i < PER_PART; i++) {
            const url = r.pick(["/api/device/v1/records", "/api/device/v1/status", "/api/device/v1/bundle", "/api/device/v1/time?nonce=0123456789abcdef"])
            const method = url.endsWith("records") || url.endsWith("status") ? "POST" : "GET"
            const body = method === "POST" ? JSON.stringify({ records: [recs[10 + r.int(5)].hex] }) : ""
            const headers: Record<string, string> = signedHeaders(method, url, body, {
                ts: r.pick([Math.floor(h.clock.ms / 1000), 0, -1, 1e12, Math.floor(h.clock.ms / 1000) + 301 * (r.int(2) ? 1 : -1)]),
            })
            const field = r.pick(["x-device-id", "x-timestamp", "x-nonce", "x-signature", "content-type", "none"])
            if (field !== "none") {
                if (r.int(3) === 0) delete headers[field]
                else headers[field] = r.int(2) ? mutateText(r, headers[field] ?? "") : String(randomValue(r))
            }
            await send(method, url, headers, body === "" ? undefined : body)
        }
        await expectOnlyGenuineChain("part 3")
    }, 300_000)

    it("raw garbage bodies and methods", async () => {
        const r = rng(4)
        for (let i = 0; i < PER_PART; i++) {
            const url = r.pick(["/api/device/v1/records", "/api/device/v1/status", "/api/device/v1/time", "/api/device/v1/"])
            const method = r.pick(["POST", "GET", "PUT", "DELETE", "PATCH"])
            const raw = Buffer.from(Array.from({ length: r.int(300) }, () => r.int(256)))
            const headers = r.int(2) ? signedHeaders(method, url, raw) : { "content-type": r.pick(["application/json", "text/plain", "application/octet-stream"]) }
            await send(method, url, headers, method === "GET" ? undefined : raw)
        }
        await expectOnlyGenuineChain("part 4")
    }, 300_000)

})

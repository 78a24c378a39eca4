// Every device route in process (app.inject) on a real SQLite file (and PostgreSQL when
// HUB_TEST_PG_URL is set): authentication failures, bad input, and each ingest answer; plus one
// real listen to see Content-Length on the wire.
import { describe, it, expect, beforeEach, afterEach } from "vitest"
import { createHash, createHmac, generateKeyPairSync } from "node:crypto"
import { openBundle } from "../../src/core/bundle/codec"
import { fromHex } from "../../src/core/crypto"
import { nodeCrypto } from "../../src/node/crypto-node"
import { goldenProfile, goldenTemplate } from "../vectors/golden"
import { publishProfile } from "../../hub/src/library/profiles"
import { registerReviewerKey } from "../../hub/src/library/keys"
import { submitTemplate } from "../../hub/src/library/templates"
import { approvalToSign, decide } from "../../hub/src/library/reviews"
import { signTemplateApproval } from "../../hub/src/library/signing"
import { signDeviceRequest } from "../../hub/src/auth/device-hmac"
import { routeHub, KEY, DEVICE_ID, type RouteHub } from "./hub-fixture"
import { chain, seal, cycleRecord, signed, sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, type Backend } from "./support"

/** the docs' golden approved template (docs/records.md §4), hash derived there by hand and sha256sum */
const GOLDEN_HASH = "78c4cce60eece1c0e9c7135ecfc6c240623ffdf5f1d664f6c8f42510bb99dc93"

function routes(backend: Backend) {
    let h: RouteHub
    beforeEach(async () => {
        h = await routeHub(backend)
    })
    afterEach(async () => {
        await h.close()
    })

    async function count(table: "records" | "alerts"): Promise<number> {
        return (await h.db.db.selectFrom(table).selectAll().execute()).length
    }

    /** Publishes the golden profile and approves the golden design, as a reviewer would. */
    async function approveGolden() {
        const { publicKey, privateKey } = generateKeyPairSync("ed25519")
        await publishProfile(h.ctx, "rev-017", goldenProfile())
        await registerReviewerKey(h.ctx, "rev-017", publicKey.export({ type: "spki", format: "pem" }).toString())
        const design: any = goldenTemplate()
        delete design.approval
        const s = await submitTemplate(h.ctx, "des-1", design, "DRC-2025")
        const a = await approvalToSign(h.ctx, (s as any).templateId ?? design.id, "rev-017", 1_750_000_000)
        const sig = signTemplateApproval(privateKey.export({ type: "pkcs8", format: "pem" }).toString(), Array.from(Buffer.from(a.bytesHex, "hex")))
        await decide(h.ctx, design.id, "rev-017", { decision: "approve", reason: "within DRC-2025", approvedUnixS: 1_750_000_000, signatureHex: sig })
    }

    describe("device authentication", () => {
        it("GET time works with timestamp 0 and answers a MAC over the device's nonce", async () => {
            h.clock.ms = 1_750_000_123_000
            const r = await h.dev("GET", "time?nonce=0123456789abcdef", undefined, { timestampS: 0 })
            expect(r.statusCode).toBe(200)
            // MAC from openssl: printf 'time\n0123456789abcdef\n1750000123' | openssl dgst -sha256 -mac HMAC -macopt hexkey:0001..1f
            expect(r.json()).toEqual({ unixS: 1_750_000_123, nonce: "0123456789abcdef", mac: "9872c04000453df96397e93abd5e0d212e8206cdee0867ec95f06827b11b426a" })
            expect(r.headers["content-length"]).toBe(String(r.rawPayload.length))
        })

        it("time needs its nonce query; other routes refuse timestamp 0", async () => {
            const r1 = await h.dev("GET", "time", undefined, { timestampS: 0 })
            expect(r1.statusCode).toBe(400)
            expect(r1.json().error.message).toContain("nonce")
            const r2 = await h.dev("POST", "records", { records: [chain(DEVICE_ID, KEY, 1, 1)[0].hex] }, { timestampS: 0 })
            expect([r2.statusCode, r2.json().error.code]).toEqual([401, "stale_timestamp"])
        })

        it("stale timestamps: 300 s off is accepted, 301 s is refused (both directions)", async () => {
            const now = h.clock.ms / 1000
            for (const [ts, status] of [[now - 300, 404], [now + 300, 404], [now - 301, 401], [now + 301, 401]] as const) {
                const r = await h.dev("GET", "bundle", undefined, { timestampS: ts })
                expect([ts - now, r.statusCode]).toEqual([ts - now, status])
                if (status === 401) expect(r.json().error.code).toBe("stale_timestamp")
            }
        })

        it("a replayed request is refused and stores nothing twice", async () => {
            const rec = chain(DEVICE_ID, KEY, 1, 1)[0]
            const url = "/api/device/v1/records"
            const body = JSON.stringify({ records: [rec.hex] })
            const headers = signed(h.device, h.clock, "POST", url, body)
            const r1 = await h.app.inject({ method: "POST", url, headers, payload: body })
            expect(r1.json().results).toEqual([{ seq: 1, status: "stored" }])
            const r2 = await h.app.inject({ method: "POST", url, headers, payload: body })
            expect([r2.statusCode, r2.json().error.code]).toEqual([401, "replayed_nonce"])
            expect(await count("records")).toBe(1)
        })

        it("bad signatures: another key, an edited body, another path, unknown device, missing headers", async () => {
            const url = "/api/device/v1/records"
            const body = JSON.stringify({ records: [chain(DEVICE_ID, KEY, 1, 1)[0].hex] })
            const ts = Math.floor(h.clock.ms / 1000)
            const sign = (o: Partial<{ keyHex: string; deviceId: string; path: string; body: string }>) =>
                signDeviceRequest({ deviceId: o.deviceId ?? DEVICE_ID, keyHex: o.keyHex ?? KEY, method: "POST", path: o.path ?? url, body: o.body ?? body, timestampS: ts, nonce: createHash("sha256").update(JSON.stringify(o)).digest("hex").slice(0, 32) })
            const cases: [string, Record<string, string>, string][] = [
                ["other key", sign({ keyHex: "ff".repeat(32) }), "bad_signature"],
                ["edited body", sign({ body: body.replace("a", "b") }), "bad_signature"],
                ["other path", sign({ path: "/api/device/v1/status" }), "bad_signature"],
                ["unknown device", sign({ deviceId: "SFA1-999999" }), "unknown_device"],
            ]
            for (const [name, headers, code] of cases) {
                const r = await h.app.inject({ method: "POST", url, headers: { ...headers, "content-type": "application/json" }, payload: body })
                expect([name, r.statusCode, r.json().error.code]).toEqual([name, 401, code])
            }
            const full = sign({})
            for (const drop of ["x-device-id", "x-timestamp", "x-nonce", "x-signature"]) {
                const headers: Record<string, string> = { ...full, "content-type": "application/json" }
                delete headers[drop]
                const r = await h.app.inject({ method: "POST", url, headers, payload: body })
                expect([drop, r.statusCode, r.json().error.code]).toEqual([drop, 401, "missing_header"])
                expect(r.json().error.message).toContain(drop)
            }
            const upper = await h.app.inject({ method: "POST", url, headers: { ...full, "x-nonce": full["x-nonce"].toUpperCase(), "content-type": "application/json" }, payload: body })
            expect([upper.statusCode, upper.json().error.code]).toEqual([401, "bad_header"])
            expect(await count("records")).toBe(0)
        })
    })

    describe("POST records", () => {
        /** the hub's ack as hub/README.md specifies it: HMAC-SHA256(device key, "ack\n" deviceId "\n" seq "\n" hash) */
        const ackOf = (seq: number, hash: string) =>
            ({ seq, hash, mac: createHmac("sha256", Buffer.from(KEY, "hex")).update(`ack\n${DEVICE_ID}\n${seq}\n${hash}`).digest("hex") })

        it("stores a batch, answers per record and the head, and MACs its ack of the last record", async () => {
            const recs = chain(DEVICE_ID, KEY, 1, 3)
            const r = await h.dev("POST", "records", { records: recs.map(x => x.hex) })
            expect(r.statusCode).toBe(200)
            expect(r.json()).toEqual({ results: [1, 2, 3].map(seq => ({ seq, status: "stored" })), expectedSeq: 4, head: { seq: 3, hash: recs[2].hash }, ack: ackOf(3, recs[2].hash) })
            expect(r.headers["content-length"]).toBe(String(r.rawPayload.length))
        })

        it("duplicates, a fork (with an alert staff can read) and a gap", async () => {
            const recs = chain(DEVICE_ID, KEY, 1, 5)
            await h.dev("POST", "records", { records: recs.slice(0, 2).map(x => x.hex) })
            const dup = await h.dev("POST", "records", { records: recs.slice(0, 3).map(x => x.hex) })
            expect(dup.json().results).toEqual([{ seq: 1, status: "duplicate" }, { seq: 2, status: "duplicate" }, { seq: 3, status: "stored" }])
            expect(dup.json().ack).toEqual(ackOf(3, recs[2].hash))
            // duplicates of an older head: the ack names the last of this batch, not the hub's head
            const old = await h.dev("POST", "records", { records: recs.slice(0, 2).map(x => x.hex) })
            expect(old.json().ack).toEqual(ackOf(2, recs[1].hash))
            const fork = seal(cycleRecord(DEVICE_ID, 3, recs[1].hash, "op-99"), KEY)
            const f = await h.dev("POST", "records", { records: [fork.hex] })
            expect(f.json()).toEqual({ results: [{ seq: 3, status: "rejected", reason: "fork" }], expectedSeq: 4, head: { seq: 3, hash: recs[2].hash }, ack: null })
            const alerts = await h.staff("auditor", "GET", "/api/devices/" + DEVICE_ID + "/alerts")
            expect(alerts.json().alerts.map((a: any) => [a.kind, a.seq])).toEqual([["fork", 3]])
            const gap = await h.dev("POST", "records", { records: [recs[4].hex] })
            expect(gap.json()).toEqual({ results: [{ seq: 5, status: "rejected", reason: "gap" }], expectedSeq: 4, head: { seq: 3, hash: recs[2].hash }, ack: null })
            expect(await count("records")).toBe(3)
        })

        it("bad input gets a 400 naming what is wrong, and nothing is stored", async () => {
            const recs = chain(DEVICE_ID, KEY, 1, 33)
            const hex = recs.map(x => x.hex)
            const cases: [string, { body?: unknown; raw?: string | Buffer }, number, string][] = [
                ["malformed JSON", { raw: '{"records": [' }, 400, "not valid JSON"],
                ["empty body", { raw: " " }, 400, "not valid JSON"],
                ["unknown field", { body: { records: [hex[0]], extra: 1 } }, 400, "'extra'"],
                ["missing field", { body: {} }, 400, "records"],
                ["wrong type", { body: { records: hex[0] } }, 400, "must be array"],
                ["number for a record", { body: { records: [5] } }, 400, "must be string"],
                ["empty batch", { body: { records: [] } }, 400, "fewer than 1"],
                ["oversized batch", { body: { records: hex } }, 400, "more than 32"],
                ["uppercase hex", { body: { records: [hex[0].toUpperCase()] } }, 400, "pattern"],
                ["odd-length hex", { body: { records: [hex[0] + "0"] } }, 400, "pattern"],
                ["non-contiguous", { body: { records: [hex[0], hex[2]] } }, 400, "records[1] has seq 3, expected 2"],
                ["not a record", { body: { records: ["52" + "00".repeat(40)] } }, 400, "records[0]"],
                ["a JSON array", { raw: JSON.stringify([hex[0]]) }, 400, "must be object"],
                ["bad unicode", { raw: '{"records":["\\ud800' + "ab".repeat(40) + '"]}' }, 400, "pattern"],
                ["invalid UTF-8", { raw: Buffer.concat([Buffer.from('{"records":["'), Buffer.from([0xff, 0xfe]), Buffer.from("ab".repeat(40) + '"]}')]) }, 400, "pattern"],
            ]
            for (const [name, c, status, text] of cases) {
                const r = await h.dev("POST", "records", c.body, { raw: c.raw })
                expect([name, r.statusCode]).toEqual([name, status])
                expect([name, r.json().error.message]).toEqual([name, expect.stringContaining(text)])
            }
            expect(await count("records")).toBe(0)
        })

        it("a body over the limit is refused with 413 before it is read whole", async () => {
            const raw = JSON.stringify({ records: ["ab".repeat(100_000)] })
            const r = await h.dev("POST", "records", undefined, { raw })
            expect(r.statusCode).toBe(413)
            expect(await count("records")).toBe(0)
        })
    })

    describe("POST status", () => {
        it("stores what the device reports; staff see it with the stored head", async () => {
            const recs = chain(DEVICE_ID, KEY, 1, 2)
            await h.dev("POST", "records", { records: recs.map(x => x.hex) })
            h.clock.advanceS(5)
            const body = { state: "idle", phase: 0, pending: 1, latchedFault: 7, head: { seq: 3, hash: "ab".repeat(32) } }
            const r = await h.dev("POST", "status", body)
            expect(r.statusCode).toBe(204)
            expect(r.rawPayload.length).toBe(0)
            const d = await h.staff("operator", "GET", "/api/devices/" + DEVICE_ID)
            expect(d.json()).toMatchObject({
                deviceId: DEVICE_ID, lastSeenMs: h.clock.ms, state: "idle", phase: 0, pending: 1, latchedFault: 7,
                reportedHead: { seq: 3, hash: "ab".repeat(32) }, statusAtMs: h.clock.ms, head: { seq: 2, hash: recs[1].hash },
            })
            const bad = await h.dev("POST", "status", { ...body, phase: "0" })
            expect([bad.statusCode, bad.json().error.message]).toEqual([400, expect.stringContaining("phase")])
            const extra = await h.dev("POST", "status", { ...body, battery: 3 })
            expect([extra.statusCode, extra.json().error.message]).toEqual([400, expect.stringContaining("'battery'")])
        })
    })

    describe("GET bundle and templates", () => {
        it("no approved template: 404 with a reason", async () => {
            const r = await h.dev("GET", "bundle")
            expect([r.statusCode, r.json().error.code]).toEqual([404, "not_found"])
        })

        it("serves the sealed bundle with an ETag, 304 when unchanged, and the approved template's bytes", async () => {
            await approveGolden()
            const r = await h.dev("GET", "bundle")
            expect(r.statusCode).toBe(200)
            const { version, sealedHex } = r.json()
            expect(r.headers["etag"]).toBe('"v' + version + '"')
            const b = openBundle(fromHex(sealedHex), KEY, nodeCrypto)
            expect(b.deviceId).toBe(DEVICE_ID)
            expect(b.bundleVersion).toBe(version)
            expect(b.approved).toEqual([GOLDEN_HASH])
            const url = "/api/device/v1/bundle"
            const again = await h.app.inject({ method: "GET", url, headers: { ...signed(h.device, h.clock, "GET", url), "if-none-match": '"v' + version + '"' } })
            expect(again.statusCode).toBe(304)
            expect(again.rawPayload.length).toBe(0)
            const t = await h.dev("GET", "templates/" + GOLDEN_HASH)
            expect(t.statusCode).toBe(200)
            expect(t.json().hash).toBe(GOLDEN_HASH)
            expect(createHash("sha256").update(Buffer.from(t.json().bytesHex, "hex")).digest("hex")).toBe(GOLDEN_HASH)
        })

        it("templates: unknown hash 404, malformed hash 400", async () => {
            expect((await h.dev("GET", "templates/" + "aa".repeat(32))).statusCode).toBe(404)
            const bad = await h.dev("GET", "templates/xyz")
            expect([bad.statusCode, bad.json().error.message]).toEqual([400, expect.stringContaining("hash")])
        })
    })

    describe("on the wire", () => {
        it("responses carry Content-Length, never chunked", async () => {
            await h.app.listen({ port: 0, host: "127.0.0.1" })
            const port = (h.app.server.address() as any).port
            const recs = chain(DEVICE_ID, KEY, 1, 2)
            const path = "/api/device/v1/records"
            const body = JSON.stringify({ records: recs.map(x => x.hex) })
            const res = await fetch("http://127.0.0.1:" + port + path, { method: "POST", headers: signed(h.device, h.clock, "POST", path, body), body })
            const text = await res.text()
            expect(res.status).toBe(200)
            expect(res.headers.get("transfer-encoding")).toBeNull()
            expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength(text)))
            const err = await fetch("http://127.0.0.1:" + port + "/api/device/v1/bundle")
            const errText = await err.text()
            expect(err.status).toBe(401)
            expect(err.headers.get("content-length")).toBe(String(Buffer.byteLength(errText)))
        })
    })
}

describe("device routes on SQLite", () => routes(sqliteBackend))
describe.skipIf(!PG_URL)("device routes on PostgreSQL" + (PG_URL ? "" : " — " + PG_SKIP_REASON), () => routes(pgBackend))

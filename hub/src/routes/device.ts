// Device sync routes, /api/device/v1/: one small request per concern, each authenticated by
// its HMAC headers (auth/device-hmac.ts). The raw body is kept because the signature covers
// its bytes, not its parsed form. Replies are small JSON with Content-Length (the device's
// fetch cannot read chunked bodies).
import type { FastifyInstance, FastifyRequest } from "fastify"
import type { HubContext } from "../context"
import { authenticateDevice, precheckDevice, timeMac, type DeviceHeaders, type DeviceIdentity } from "../auth/device-hmac"
import { badRequest, notFound, unauthorized } from "../errors"
import { ingestRecords, BATCH_MAX } from "../ingest"
import { recordAck } from "../record-ack"
import { bundleForDevice } from "../library/bundles"
import { approvedTemplate } from "../library/approvals"
import { recordStatus } from "../devices"
import { SEQ_MAX } from "../../../src/core/records/types"
import { deviceLiveRoutes } from "./device-live"

declare module "fastify" {
    interface FastifyRequest {
        rawBody?: Buffer
        /** the headers' checks, done before the body is read */
        deviceHeaders?: DeviceHeaders
        device?: DeviceIdentity
    }
    interface FastifyContextConfig {
        /** the time route: a device with no clock may send timestamp 0 */
        clockless?: boolean
    }
}

/** a sealed record is at most ~1.3 KB (12 phases, 4 faults: codec.ts limits), 2.6 K hex digits; 32 of them, plus JSON */
export const RECORD_HEX_MAX = 4096
export const DEVICE_BODY_LIMIT = BATCH_MAX * (RECORD_HEX_MAX + 4) + 64
const HEX64 = "^[0-9a-f]{64}$"
const EMPTY = Buffer.alloc(0)

function deviceOf(request: FastifyRequest): DeviceIdentity {
    if (!request.device) throw unauthorized("device_auth", "device not authenticated")
    return request.device
}

export async function deviceRoutes(app: FastifyInstance, ctx: HubContext) {
    app.addContentTypeParser("application/json", { parseAs: "buffer", bodyLimit: DEVICE_BODY_LIMIT }, (request, body, done) => {
        const buf = body as Buffer
        request.rawBody = buf
        if (buf.length === 0) return done(badRequest("empty_body", "the body is empty: send a JSON object"), undefined)
        try {
            done(null, JSON.parse(buf.toString("utf8")))
        } catch (e) {
            done(badRequest("malformed_json", "the body is not valid JSON: " + (e as Error).message), undefined)
        }
    })
    // what the headers alone can refuse is refused before the body is read (an unknown device,
    // a stale timestamp); the signature over the body is checked once it is in
    // callback-style hooks (every device request runs both: an async hook costs a promise and a hop more)
    app.addHook("onRequest", (request, _reply, done) => {
        precheckDevice(ctx, request.headers, request.routeOptions.config.clockless === true).then(h => {
            request.deviceHeaders = h
            done()
        }, done)
    })
    app.addHook("preValidation", (request, _reply, done) => {
        authenticateDevice(ctx, {
            method: request.method, url: request.url, headers: request.headers, body: request.rawBody ?? EMPTY,
            clockless: request.routeOptions.config.clockless === true,
        }, request.deviceHeaders).then(d => {
            request.device = d
            done()
        }, done)
    })

    app.get("/time", {
        config: { clockless: true },
        schema: {
            querystring: {
                type: "object", additionalProperties: false, required: ["nonce"],
                properties: { nonce: { type: "string", pattern: "^[0-9a-f]{16,64}$" } },
            },
        },
    }, async request => {
        const { nonce } = request.query as { nonce: string }
        const unixS = Math.floor(ctx.nowMs() / 1000)
        return { unixS, nonce, mac: timeMac(deviceOf(request).keyHex, nonce, unixS) }
    })

    app.get("/bundle", {
        schema: { querystring: { type: "object", additionalProperties: false, properties: {} } },
    }, async (request, reply) => {
        const d = deviceOf(request)
        const b = await bundleForDevice(ctx, d.deviceId, d.keyHex)
        if (!b) throw notFound("no approved template for device " + d.deviceId + " yet: ask a reviewer")
        const etag = '"v' + b.version + '"'
        reply.header("etag", etag)
        if (request.headers["if-none-match"] === etag) return reply.code(304).send()
        return { version: b.version, sealedHex: b.sealedHex }
    })

    app.get("/templates/:hash", {
        schema: {
            params: { type: "object", additionalProperties: false, required: ["hash"], properties: { hash: { type: "string", pattern: HEX64 } } },
            querystring: { type: "object", additionalProperties: false, properties: {} },
        },
    }, async request => {
        const { hash } = request.params as { hash: string }
        const t = await approvedTemplate(ctx, hash)
        if (!t) throw notFound("template " + hash + " is not approved (or was revoked)")
        return t
    })

    app.post("/records", {
        bodyLimit: DEVICE_BODY_LIMIT,
        schema: {
            body: {
                type: "object", additionalProperties: false, required: ["records"],
                properties: {
                    records: {
                        type: "array", minItems: 1, maxItems: BATCH_MAX,
                        items: { type: "string", minLength: 68, maxLength: RECORD_HEX_MAX, pattern: "^([0-9a-f]{2})+$" },
                    },
                },
            },
        },
    }, async request => {
        const { records } = request.body as { records: string[] }
        const device = deviceOf(request)
        const r = await ingestRecords(ctx, device, records)
        return { ...r, ack: recordAck(device, records, r) }
    })

    app.post("/status", {
        bodyLimit: 1024,
        schema: {
            body: {
                type: "object", additionalProperties: false,
                required: ["state", "phase", "pending", "latchedFault", "head"],
                properties: {
                    state: { type: "string", pattern: "^[a-z_]{1,24}$" },
                    phase: { type: "integer", minimum: 0, maximum: 255 },
                    pending: { type: "integer", minimum: 0, maximum: 1000000 },
                    latchedFault: { type: "integer", minimum: 0, maximum: 255 },
                    head: {
                        type: "object", additionalProperties: false, required: ["seq", "hash"],
                        properties: { seq: { type: "integer", minimum: 0, maximum: SEQ_MAX }, hash: { type: "string", pattern: HEX64 } },
                    },
                },
            },
        },
    }, async (request, reply) => {
        await recordStatus(ctx, deviceOf(request).deviceId, request.body as StatusBody)
        return reply.code(204).send()
    })

    await deviceLiveRoutes(app, ctx)
}

export interface StatusBody {
    state: string
    phase: number
    pending: number
    /** fault code of the latched fault, 0 = none */
    latchedFault: number
    head: { seq: number; hash: string }
}

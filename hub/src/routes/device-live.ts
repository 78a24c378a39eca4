// Device routes for the console's live features, registered inside the device plugin (so the
// HMAC check and raw-body parser of routes/device.ts apply): telemetry during a cycle, the
// session an operator prepared, and the session's start and end as the device reports them.
// Answers are small JSON with Content-Length, or 204.
import type { FastifyInstance, FastifyRequest } from "fastify"
import type { HubContext } from "../context"
import { unauthorized } from "../errors"
import { checkSamples, telemetryOf, TELEMETRY_BATCH_MAX, CYCLE_MAX } from "../telemetry"
import { recordLivePhase } from "../devices"
import { keepCycleTelemetry } from "../cycle-telemetry"
import { sessionForDevice, abortPending, reportSessionState, SESSION_ID_PATTERN, SESSION_STATES, type SessionStateBody } from "../device-sessions"
import { abortMac, sessionMac } from "../../../src/core/sync/signing"
import { nodeCrypto } from "../../../src/node/crypto-node"

/** 64 samples of five integers of at most 13 digits each, with brackets and commas: under 5 KB */
export const TELEMETRY_BODY_LIMIT = 6 * 1024

function deviceIdOf(request: FastifyRequest): string {
    return deviceOf(request).deviceId
}

function deviceOf(request: FastifyRequest) {
    if (!request.device) throw unauthorized("device_auth", "device not authenticated")
    return request.device
}

export async function deviceLiveRoutes(app: FastifyInstance, ctx: HubContext) {
    app.post("/telemetry", {
        bodyLimit: TELEMETRY_BODY_LIMIT,
        schema: {
            body: {
                type: "object", additionalProperties: false, required: ["cycle", "samples"],
                properties: {
                    cycle: { type: "integer", minimum: 0, maximum: CYCLE_MAX },
                    samples: {
                        type: "array", minItems: 1, maxItems: TELEMETRY_BATCH_MAX,
                        items: { type: "array", minItems: 5, maxItems: 5, items: { type: "integer" } },
                    },
                },
            },
        },
    }, async request => {
        const d = deviceOf(request)
        const b = request.body as { cycle: number; samples: number[][] }
        const kept = telemetryOf(ctx).add(d.deviceId, b.cycle, checkSamples(b.samples), ctx.nowMs())
        if (kept.length) await recordLivePhase(ctx, d.deviceId, b.samples[b.samples.length - 1][1])
        // and for the plot of the cycle once it is past (cycle-telemetry.ts: bounded retention)
        await keepCycleTelemetry(ctx, d.deviceId, b.cycle, kept)
        // the console's abort rides on the answer the device gets every ~2 s during a cycle, MAC'd
        // for the cycle it names (a two-node applicator's controller acts on nothing else)
        const abort = await abortPending(ctx, d.deviceId)
        return abort ? { kept: kept.length, abort, abortMac: abortMac(nodeCrypto, d.keyHex, d.deviceId, b.cycle) } : { kept: kept.length, abort }
    })

    app.get("/session", {
        schema: { querystring: { type: "object", additionalProperties: false, properties: {} } },
    }, async (request, reply) => {
        const d = deviceOf(request)
        const s = await sessionForDevice(ctx, d.deviceId)
        if (!s) return reply.code(204).send()
        // MAC'd with its issue time: the controller takes an offer only fresh and from the hub
        const issuedUnixS = Math.floor(ctx.nowMs() / 1000)
        return { ...s, issuedUnixS, mac: sessionMac(nodeCrypto, d.keyHex, d.deviceId, s.sessionId, s.templateHash, s.operatorId, s.patientRef, issuedUnixS) }
    })

    app.post("/session/state", {
        bodyLimit: 1024,
        schema: {
            body: {
                type: "object", additionalProperties: false, required: ["sessionId", "state"],
                properties: {
                    sessionId: { type: "string", pattern: SESSION_ID_PATTERN.source },
                    state: { type: "string", enum: [...SESSION_STATES] },
                    cycle: { type: "integer", minimum: 0, maximum: CYCLE_MAX },
                    outcome: { type: "integer", minimum: 0, maximum: 3 },
                },
            },
        },
    }, async (request, reply) => {
        await reportSessionState(ctx, deviceIdOf(request), request.body as SessionStateBody)
        return reply.code(204).send()
    })
}

// Staff routes for a device's live telemetry: a poll (`?after=N`: the samples after the N-th)
// and a Server-Sent Events stream (the console's live plot). Without `after`, both start at
// the latest cycle's first sample. Samples are [n, cycle, uptimeMs, phase, filmDeciC,
// contactDeciC, forceMilliN] (telemetry.ts).
import type { FastifyInstance, FastifyRequest } from "fastify"
import type { ServerResponse } from "node:http"
import type { HubContext } from "../context"
import { requireRole } from "../auth/staff"
import { getDevice, DEVICE_ID_PATTERN } from "../devices"
import { telemetryOf, type KeptSample } from "../telemetry"

const ID_PARAMS = { type: "object", additionalProperties: false, required: ["id"], properties: { id: { type: "string", pattern: DEVICE_ID_PATTERN.source } } }
const AFTER_QUERY = { type: "object", additionalProperties: false, properties: { after: { type: "string", pattern: "^(0|[1-9][0-9]{0,14})$" } } }
/** a comment line this often keeps proxies and the browser from closing an idle stream */
export const SSE_KEEPALIVE_MS = 15_000
export const TELEMETRY_ROLES = ["operator", "technician", "auditor"] as const

/** Where a read starts: ?after=N, else (a reconnecting EventSource) Last-Event-ID, else the latest cycle's start. */
function startAt(ctx: HubContext, request: FastifyRequest, id: string): number {
    const after = (request.query as { after?: string }).after
    if (after !== undefined) return Number(after)
    const last = request.headers["last-event-id"]
    if (typeof last === "string" && /^(0|[1-9][0-9]{0,14})$/.test(last)) return Number(last)
    return telemetryOf(ctx).cycleStart(id)
}

export async function telemetryRoutes(app: FastifyInstance, ctx: HubContext) {
    const streams = new Set<ServerResponse>()
    app.addHook("onClose", async () => {
        for (const s of streams) s.end()
    })

    app.get("/api/devices/:id/telemetry", {
        preHandler: requireRole(...TELEMETRY_ROLES),
        schema: { params: ID_PARAMS, querystring: AFTER_QUERY },
    }, async request => {
        const { id } = request.params as { id: string }
        await getDevice(ctx, id)
        return telemetryOf(ctx).read(id, startAt(ctx, request, id))
    })

    app.get("/api/devices/:id/telemetry/stream", {
        preHandler: requireRole(...TELEMETRY_ROLES),
        schema: { params: ID_PARAMS, querystring: AFTER_QUERY },
    }, async (request, reply) => {
        const { id } = request.params as { id: string }
        await getDevice(ctx, id)
        const store = telemetryOf(ctx)
        const raw = reply.raw
        reply.hijack()
        raw.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive" })
        const send = (samples: KeptSample[]) => {
            raw.write("id: " + samples[samples.length - 1][0] + "\ndata: " + JSON.stringify({ samples }) + "\n\n")
        }
        const backlog = store.read(id, startAt(ctx, request, id))
        raw.write("event: hello\ndata: " + JSON.stringify({ cycle: backlog.cycle, last: backlog.last }) + "\n\n")
        if (backlog.samples.length > 0) send(backlog.samples)
        const unsubscribe = store.subscribe(id, send)
        const keepalive = setInterval(() => raw.write(": keepalive\n\n"), SSE_KEEPALIVE_MS)
        streams.add(raw)
        raw.on("close", () => {
            clearInterval(keepalive)
            unsubscribe()
            streams.delete(raw)
        })
    })
}

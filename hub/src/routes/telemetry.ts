// Staff routes for a device's live telemetry: a poll (`?after=N`: the samples after the N-th)
// and a Server-Sent Events stream (the console's live plot). Without `after`, both start at
// the latest cycle's first sample. Samples are [n, cycle, uptimeMs, phase, filmDeciC,
// contactDeciC, forceMilliN] (telemetry.ts). A stream lives only as long as the session that
// opened it: a logout in this process ends it at once, and every `checkMs` (with the keepalive)
// the session is looked up again, so an expired, deleted or re-roled session ends it too
// (a last event `end`, then the hub closes the stream).
import type { FastifyInstance, FastifyRequest } from "fastify"
import type { HubContext } from "../context"
import { requireRole, requestToken, staffForToken, tokenHash, onSessionEnd } from "../auth/staff"
import { getDevice, DEVICE_ID_PATTERN } from "../devices"
import { telemetryOf, type KeptSample } from "../telemetry"
import { storedCycles, cycleSamples, CYCLES_KEPT, RETENTION_DAYS } from "../cycle-telemetry"
import { notFound } from "../errors"

const ID_PARAMS = { type: "object", additionalProperties: false, required: ["id"], properties: { id: { type: "string", pattern: DEVICE_ID_PATTERN.source } } }
const AFTER_QUERY = { type: "object", additionalProperties: false, properties: { after: { type: "string", pattern: "^(0|[1-9][0-9]{0,14})$" } } }
/** a comment line this often keeps proxies and the browser from closing an idle stream; the session is checked as often */
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

interface OpenStream {
    /** of the session that opened it */
    tokenHash: string
    /** ends the stream (with a last event), once */
    close(last?: string): void
}

const SESSION_ENDED = "event: end\ndata: " + JSON.stringify({ reason: "session_ended" }) + "\n\n"

export async function telemetryRoutes(app: FastifyInstance, ctx: HubContext, checkMs = SSE_KEEPALIVE_MS) {
    const streams = new Set<OpenStream>()
    const unlisten = onSessionEnd(ctx, hash => {
        for (const s of streams) if (s.tokenHash === hash) s.close(SESSION_ENDED)
    })
    app.addHook("onClose", async () => {
        unlisten()
        for (const s of streams) s.close()
    })

    app.get("/api/devices/:id/telemetry", {
        preHandler: requireRole(...TELEMETRY_ROLES),
        schema: { params: ID_PARAMS, querystring: AFTER_QUERY },
    }, async request => {
        const { id } = request.params as { id: string }
        await getDevice(ctx, id)
        return telemetryOf(ctx).read(id, startAt(ctx, request, id))
    })

    // the fleet's live values: each device's latest sample, with when the hub kept it
    app.get("/api/telemetry/latest", {
        preHandler: requireRole(...TELEMETRY_ROLES),
        schema: { querystring: { type: "object", additionalProperties: false, properties: {} } },
    }, async () => ({ devices: telemetryOf(ctx).latest() }))

    // past cycles' telemetry (cycle-telemetry.ts): what is kept, and one cycle's samples
    app.get("/api/devices/:id/cycles", {
        preHandler: requireRole(...TELEMETRY_ROLES),
        schema: { params: ID_PARAMS, querystring: { type: "object", additionalProperties: false, properties: {} } },
    }, async request => {
        const { id } = request.params as { id: string }
        await getDevice(ctx, id)
        return { retention: { cycles: CYCLES_KEPT, days: RETENTION_DAYS }, cycles: await storedCycles(ctx, id) }
    })

    app.get("/api/devices/:id/cycles/:cycle/telemetry", {
        preHandler: requireRole(...TELEMETRY_ROLES),
        schema: {
            params: { type: "object", additionalProperties: false, required: ["id", "cycle"], properties: { id: ID_PARAMS.properties.id, cycle: { type: "string", pattern: "^(0|[1-9][0-9]{0,9})$" } } },
            querystring: { type: "object", additionalProperties: false, properties: {} },
        },
    }, async request => {
        const p = request.params as { id: string; cycle: string }
        await getDevice(ctx, p.id)
        const samples = await cycleSamples(ctx, p.id, Number(p.cycle))
        if (samples.length === 0) throw notFound("no stored telemetry for cycle " + p.cycle + " of device " + p.id)
        return { cycle: Number(p.cycle), samples }
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
        const token = requestToken(request) ?? ""
        let open = true
        const keepalive = setInterval(async () => {
            raw.write(": keepalive\n\n")
            // a database hiccup is not an ended session: the next check decides
            const staff = await staffForToken(ctx, token).catch(() => undefined)
            if (open && staff !== undefined && (!staff || !(TELEMETRY_ROLES as readonly string[]).includes(staff.role))) stream.close(SESSION_ENDED)
        }, checkMs)
        const stream: OpenStream = {
            tokenHash: tokenHash(token),
            close(last = "") {
                if (!open) return
                open = false
                clearInterval(keepalive)
                unsubscribe()
                streams.delete(stream)
                raw.end(last)
            },
        }
        streams.add(stream)
        raw.on("close", () => stream.close())
    })
}

// Staff routes for devices: provisioning (technician), status and records (operator,
// technician, auditor as listed per route), the audit export (auditor, operator).
import type { FastifyInstance, FastifyRequest } from "fastify"
import type { HubContext } from "../context"
import { requireRole, staffOf } from "../auth/staff"
import { provisionDevice, getDevice, listDevices, listAlerts, DEVICE_ID_PATTERN } from "../devices"
import { Readable } from "node:stream"
import { openExport } from "../export"
import { decodeRecord } from "../../../src/core/records/codec"

const ID_PARAMS = {
    type: "object", additionalProperties: false, required: ["id"],
    properties: { id: { type: "string", pattern: DEVICE_ID_PATTERN.source } },
}
const NO_QUERY = { type: "object", additionalProperties: false, properties: {} }
const UINT = "^(0|[1-9][0-9]{0,14})$"

/** the address a device's .env.local names (HUB_PUBLIC_URL, else the request's own host) */
export function hubUrl(ctx: HubContext, request: FastifyRequest): string {
    return ctx.publicUrl ?? request.protocol + "://" + request.host
}

export async function deviceAdminRoutes(app: FastifyInstance, ctx: HubContext) {
    app.post("/api/devices", {
        preHandler: requireRole("technician"),
        bodyLimit: 1024,
        schema: {
            body: {
                type: "object", additionalProperties: false,
                properties: {
                    deviceId: { type: "string", pattern: DEVICE_ID_PATTERN.source },
                    label: { type: "string", maxLength: 64, pattern: "^[\\x20-\\x7e]*$" },
                },
            },
        },
    }, async (request, reply) => {
        const body = (request.body ?? {}) as { deviceId?: string; label?: string }
        const d = await provisionDevice(ctx, { ...body, createdBy: staffOf(request).name, hubUrl: hubUrl(ctx, request) })
        // the key leaves the hub only in this answer
        reply.header("cache-control", "no-store")
        return reply.code(201).send(d)
    })

    app.get("/api/devices", {
        // admin too: the administration page lists devices to decommission or re-key
        preHandler: requireRole("operator", "technician", "auditor", "admin"),
        schema: {
            querystring: {
                type: "object", additionalProperties: false,
                properties: { after: { type: "string", pattern: DEVICE_ID_PATTERN.source }, limit: { type: "string", pattern: "^([1-9][0-9]?|100)$" } },
            },
        },
    }, async request => {
        const q = request.query as { after?: string; limit?: string }
        return { devices: await listDevices(ctx, { after: q.after, limit: q.limit ? Number(q.limit) : 100 }) }
    })

    app.get("/api/devices/:id", {
        preHandler: requireRole("operator", "technician", "auditor"),
        schema: { params: ID_PARAMS, querystring: NO_QUERY },
    }, async request => getDevice(ctx, (request.params as { id: string }).id))

    app.get("/api/devices/:id/alerts", {
        preHandler: requireRole("operator", "technician", "auditor"),
        schema: { params: ID_PARAMS, querystring: NO_QUERY },
    }, async request => {
        const { id } = request.params as { id: string }
        await getDevice(ctx, id)
        return { alerts: await listAlerts(ctx, id) }
    })

    app.get("/api/devices/:id/records", {
        preHandler: requireRole("operator", "auditor"),
        schema: {
            params: ID_PARAMS,
            querystring: {
                type: "object", additionalProperties: false,
                properties: { afterSeq: { type: "string", pattern: UINT }, limit: { type: "string", pattern: "^([1-9][0-9]?|100)$" } },
            },
        },
    }, async request => {
        const { id } = request.params as { id: string }
        const q = request.query as { afterSeq?: string; limit?: string }
        await getDevice(ctx, id)
        const rows = await ctx.db.db.selectFrom("records").select(["seq", "hash", "prev_hash", "received_at_ms", "sealed_hex"])
            .where("device_id", "=", id).where("seq", ">", Number(q.afterSeq ?? 0)).orderBy("seq")
            .limit(q.limit ? Number(q.limit) : 50).execute()
        return {
            records: rows.map(r => {
                const sealed = Array.from(Buffer.from(r.sealed_hex, "hex"))
                return {
                    seq: Number(r.seq), hash: r.hash, prevHash: r.prev_hash, receivedAtMs: Number(r.received_at_ms),
                    record: decodeRecord(sealed.slice(0, sealed.length - 32)),
                }
            }),
        }
    })

    app.get("/api/devices/:id/records/export", {
        preHandler: requireRole("auditor", "operator"),
        schema: {
            params: ID_PARAMS,
            querystring: { type: "object", additionalProperties: false, properties: { format: { type: "string", enum: ["json", "csv"] } } },
        },
    }, async (request, reply) => {
        const { id } = request.params as { id: string }
        const format = (request.query as { format?: string }).format ?? "json"
        const e = await openExport(ctx, id)
        const name = id + "-records." + format
        reply.header("content-disposition", 'attachment; filename="' + name + '"')
        reply.type(format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8")
        // streamed a page at a time (export.ts): constant memory whatever the device's history
        return reply.send(Readable.from(e.chunks(format === "csv" ? "csv" : "json")))
    })
}

// Staff routes for records across devices (operator, auditor): a filtered list, one record's
// detail, and a device's chain verification status.
import type { FastifyInstance } from "fastify"
import type { HubContext } from "../context"
import { requireRole } from "../auth/staff"
import { DEVICE_ID_PATTERN } from "../devices"
import { queryRecords, recordDetail, chainStatus } from "../records-query"
import { badRequest } from "../errors"

const DEVICE_ID = { type: "string", pattern: DEVICE_ID_PATTERN.source }
const UINT = "^(0|[1-9][0-9]{0,12})$"
const NO_QUERY = { type: "object", additionalProperties: false, properties: {} }
const ROLES = ["operator", "auditor"] as const

export async function recordRoutes(app: FastifyInstance, ctx: HubContext) {
    app.get("/api/records", {
        preHandler: requireRole(...ROLES),
        schema: {
            querystring: {
                type: "object", additionalProperties: false,
                properties: {
                    device: DEVICE_ID,
                    template: { type: "string", pattern: "^[0-9a-f]{64}$" },
                    outcome: { type: "string", enum: ["0", "1", "2", "3"] },
                    kind: { type: "string", enum: ["1", "2", "3", "4", "5"] },
                    // calendar days (UTC), inclusive: what a date input sends
                    from: { type: "string", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
                    to: { type: "string", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
                    limit: { type: "string", pattern: "^([1-9][0-9]?|100)$" },
                    offset: { type: "string", pattern: UINT },
                },
            },
        },
    }, async request => {
        const q = request.query as Record<string, string | undefined>
        const from = q["from"] !== undefined ? dayStartS(q["from"], "from") : undefined
        const to = q["to"] !== undefined ? dayStartS(q["to"], "to") + 86399 : undefined
        if (from !== undefined && to !== undefined && from > to) throw badRequest("bad_range", "from must not be after to")
        return queryRecords(ctx, {
            device: q["device"], template: q["template"], outcome: opt(q["outcome"]), kind: opt(q["kind"]),
            fromUnixS: from, toUnixS: to, limit: q["limit"] ? Number(q["limit"]) : 50, offset: Number(q["offset"] ?? 0),
        })
    })

    app.get("/api/devices/:id/records/:seq", {
        preHandler: requireRole(...ROLES),
        schema: {
            params: { type: "object", additionalProperties: false, required: ["id", "seq"], properties: { id: DEVICE_ID, seq: { type: "string", pattern: "^[1-9][0-9]{0,9}$" } } },
            querystring: NO_QUERY,
        },
    }, async request => {
        const p = request.params as { id: string; seq: string }
        return recordDetail(ctx, p.id, Number(p.seq))
    })

    app.get("/api/devices/:id/chain", {
        preHandler: requireRole(...ROLES),
        schema: {
            params: { type: "object", additionalProperties: false, required: ["id"], properties: { id: DEVICE_ID } },
            // full=1: from seq 1 again, not from the verified head
            querystring: { type: "object", additionalProperties: false, properties: { full: { type: "string", enum: ["0", "1"] } } },
        },
    }, async request => chainStatus(ctx, (request.params as { id: string }).id, { full: (request.query as { full?: string }).full === "1" }))
}

function opt(v: string | undefined): number | undefined {
    return v === undefined ? undefined : Number(v)
}

function dayStartS(day: string, field: string): number {
    const ms = Date.parse(day + "T00:00:00Z")
    if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== day) throw badRequest("bad_date", field + " must be a real date YYYY-MM-DD")
    return ms / 1000
}

// Account and key lifecycle routes (lifecycle.ts): the administrator's user management, device
// decommissioning and key rotation (technician or admin), and the staff action log (auditor).
// A user's own password change and "log out everywhere" are in routes/auth.ts.
import type { FastifyInstance, FastifyRequest } from "fastify"
import type { HubContext } from "../context"
import { requireRole, staffOf } from "../auth/staff"
import { NAME_PATTERN } from "../users"
import { DEVICE_ID_PATTERN } from "../devices"
import { hubUrl } from "./devices"
import {
    decommissionDevice, disableUser, enableUser, listStaffActions, listUsers, logoutEverywhere, resetPassword, rotateKey,
} from "../lifecycle"

const NO_QUERY = { type: "object", additionalProperties: false, properties: {} }
const USER_PARAMS = {
    type: "object", additionalProperties: false, required: ["name"],
    properties: { name: { type: "string", pattern: NAME_PATTERN.source } },
}
const DEVICE_PARAMS = {
    type: "object", additionalProperties: false, required: ["id"],
    properties: { id: { type: "string", pattern: DEVICE_ID_PATTERN.source } },
}

export const PASSWORD_SCHEMA = { type: "string", minLength: 1, maxLength: 256 }

export async function lifecycleRoutes(app: FastifyInstance, ctx: HubContext) {
    const admin = requireRole("admin")
    const nameOf = (request: FastifyRequest) => (request.params as { name: string }).name

    app.get("/api/users", { preHandler: admin, schema: { querystring: NO_QUERY } }, async () => ({ users: await listUsers(ctx) }))

    app.post("/api/users/:name/disable", { preHandler: admin, bodyLimit: 64, schema: { params: USER_PARAMS, querystring: NO_QUERY } },
        async request => disableUser(ctx, staffOf(request), nameOf(request)))

    app.post("/api/users/:name/enable", { preHandler: admin, bodyLimit: 64, schema: { params: USER_PARAMS, querystring: NO_QUERY } },
        async request => enableUser(ctx, staffOf(request), nameOf(request)))

    app.post("/api/users/:name/logout-everywhere", { preHandler: admin, bodyLimit: 64, schema: { params: USER_PARAMS, querystring: NO_QUERY } },
        async request => logoutEverywhere(ctx, staffOf(request), nameOf(request)))

    app.post("/api/users/:name/password", {
        preHandler: admin,
        bodyLimit: 1024,
        schema: {
            params: USER_PARAMS, querystring: NO_QUERY,
            body: { type: "object", additionalProperties: false, required: ["newPassword"], properties: { newPassword: PASSWORD_SCHEMA } },
        },
    }, async request => resetPassword(ctx, staffOf(request), nameOf(request), (request.body as { newPassword: string }).newPassword))

    app.post("/api/devices/:id/rotate-key", {
        preHandler: requireRole("technician", "admin"),
        bodyLimit: 256,
        schema: {
            params: DEVICE_PARAMS, querystring: NO_QUERY,
            body: { type: "object", additionalProperties: false, required: ["key"], properties: { key: { type: "string", enum: ["device", "transport"] } } },
        },
    }, async (request, reply) => {
        const r = await rotateKey(ctx, staffOf(request), (request.params as { id: string }).id, (request.body as { key: "device" | "transport" }).key, hubUrl(ctx, request))
        // the new key leaves the hub only in this answer
        reply.header("cache-control", "no-store")
        return r
    })

    app.post("/api/devices/:id/decommission", {
        preHandler: requireRole("technician", "admin"),
        bodyLimit: 1024,
        schema: {
            params: DEVICE_PARAMS, querystring: NO_QUERY,
            body: {
                type: "object", additionalProperties: false, required: ["reason"],
                properties: { reason: { type: "string", minLength: 1, maxLength: 200 } },
            },
        },
    }, async request => decommissionDevice(ctx, staffOf(request), (request.params as { id: string }).id, (request.body as { reason: string }).reason))

    app.get("/api/staff-actions", {
        preHandler: requireRole("auditor"),
        schema: {
            querystring: {
                type: "object", additionalProperties: false,
                properties: {
                    limit: { type: "string", pattern: "^([1-9][0-9]?|[1-4][0-9][0-9]|500)$" },
                    offset: { type: "string", pattern: "^(0|[1-9][0-9]{0,8})$" },
                    target: { type: "string", minLength: 1, maxLength: 32 },
                },
            },
        },
    }, async request => {
        const q = request.query as { limit?: string; offset?: string; target?: string }
        return listStaffActions(ctx, { limit: q.limit ? Number(q.limit) : 100, offset: Number(q.offset ?? 0), target: q.target })
    })
}

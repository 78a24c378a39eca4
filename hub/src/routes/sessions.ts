// Staff routes for device sessions: an operator prepares one (an approved template and a
// patient reference) and may abort it; operators and technicians list a device's sessions.
// There is no start route: only the device's physical START button starts a cycle.
import type { FastifyInstance } from "fastify"
import type { HubContext } from "../context"
import { requireRole, staffOf } from "../auth/staff"
import { DEVICE_ID_PATTERN } from "../devices"
import { prepareSession, requestAbort, listSessions, PATIENT_REF_PATTERN } from "../device-sessions"

const ID_PARAMS = { type: "object", additionalProperties: false, required: ["id"], properties: { id: { type: "string", pattern: DEVICE_ID_PATTERN.source } } }
const NO_QUERY = { type: "object", additionalProperties: false, properties: {} }

export async function sessionRoutes(app: FastifyInstance, ctx: HubContext) {
    app.post("/api/devices/:id/session", {
        preHandler: requireRole("operator"),
        bodyLimit: 1024,
        schema: {
            params: ID_PARAMS,
            body: {
                type: "object", additionalProperties: false, required: ["templateHash", "patientRef"],
                properties: {
                    templateHash: { type: "string", pattern: "^[0-9a-f]{64}$" },
                    patientRef: { type: "string", pattern: PATIENT_REF_PATTERN.source },
                },
            },
        },
    }, async (request, reply) => {
        const { id } = request.params as { id: string }
        const b = request.body as { templateHash: string; patientRef: string }
        return reply.code(201).send(await prepareSession(ctx, id, staffOf(request).name, b))
    })

    app.post("/api/devices/:id/abort", {
        preHandler: requireRole("operator"),
        bodyLimit: 64,
        schema: { params: ID_PARAMS, querystring: NO_QUERY },
    }, async request => requestAbort(ctx, (request.params as { id: string }).id, staffOf(request).name))

    app.get("/api/devices/:id/sessions", {
        preHandler: requireRole("operator", "technician"),
        schema: { params: ID_PARAMS, querystring: NO_QUERY },
    }, async request => ({ sessions: await listSessions(ctx, (request.params as { id: string }).id) }))
}

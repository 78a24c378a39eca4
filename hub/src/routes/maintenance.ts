// A device's upkeep as the hub knows it (maintenance.ts): calibrations in force and the last
// fault clear, for the device page (technicians first; operators and auditors see it too).
import type { FastifyInstance } from "fastify"
import type { HubContext } from "../context"
import { requireRole } from "../auth/staff"
import { DEVICE_ID_PATTERN } from "../devices"
import { maintenanceOf } from "../maintenance"

export async function maintenanceRoutes(app: FastifyInstance, ctx: HubContext) {
    app.get("/api/devices/:id/maintenance", {
        preHandler: requireRole("operator", "technician", "auditor"),
        schema: {
            params: { type: "object", additionalProperties: false, required: ["id"], properties: { id: { type: "string", pattern: DEVICE_ID_PATTERN.source } } },
            querystring: { type: "object", additionalProperties: false, properties: {} },
        },
    }, async request => maintenanceOf(ctx, (request.params as { id: string }).id))
}

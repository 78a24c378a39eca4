// Public routes of the console: the transparency figures (no login: aggregate and
// non-identifying) and the fault guidance table (what a fault code means and what to do).
import type { FastifyInstance } from "fastify"
import type { HubContext } from "../context"
import { transparency } from "../transparency"
import { faultGuidanceTable } from "../fault-guidance"

const NO_QUERY = { type: "object", additionalProperties: false, properties: {} }

export async function publicRoutes(app: FastifyInstance, ctx: HubContext) {
    app.get("/api/transparency", { schema: { querystring: NO_QUERY } }, async () => transparency(ctx))
    app.get("/api/faults", { schema: { querystring: NO_QUERY } }, async () => ({ faults: faultGuidanceTable() }))
}

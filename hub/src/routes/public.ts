// Public routes of the console: the transparency figures (no login: aggregate and
// non-identifying) and the fault guidance table (what a fault code means and what to do).
import type { FastifyInstance } from "fastify"
import type { HubContext } from "../context"
import { transparency } from "../transparency"
import { faultGuidanceTable } from "../fault-guidance"
import { hubKeys } from "../hub-keys"

const NO_QUERY = { type: "object", additionalProperties: false, properties: {} }

export async function publicRoutes(app: FastifyInstance, ctx: HubContext) {
    app.get("/api/transparency", { schema: { querystring: NO_QUERY } }, async () => transparency(ctx))
    // the key that signs export checkpoints (checkpoint.ts): what `npm run audit -- --hub-key` takes
    app.get("/api/hub-key", { schema: { querystring: NO_QUERY } }, async () => {
        const k = (await hubKeys(ctx.db)).signing
        return { algorithm: "Ed25519", keyId: k.keyId, publicKeyPem: k.publicKeyPem }
    })
    app.get("/api/faults", { schema: { querystring: NO_QUERY } }, async () => ({ faults: faultGuidanceTable() }))
}

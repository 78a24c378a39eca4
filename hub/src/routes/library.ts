// Library routes under /api/library: browsing and reading are public (no login, no fee);
// designers submit, reviewers publish profiles, register their key, decide and revoke.
// Bodies are wrapped ({ template }, { profile }) and their content is checked by src/core,
// whose stable code and field every rejection carries: { error: { code, field, message } }.

import type { FastifyError, FastifyInstance } from "fastify"
import type { HubContext } from "../context"
import { requireRole, staffOf } from "../auth/staff"
import { LibraryError } from "../library/errors"
import { publishProfile, listProfiles } from "../library/profiles"
import { registerReviewerKey, listReviewerKeys } from "../library/keys"
import { submitTemplate, designerNameOf, listTemplates, templateRow, previousVersion, summary, TEMPLATE_STATUSES } from "../library/templates"
import { approvalToSign, decide, revoke, history, type Decision } from "../library/reviews"
import { approvedTemplate } from "../library/approvals"
import { diffDesigns } from "../library/diff"
import { checkDesign, deviceLimits } from "../library/check"
import { hubKeys } from "../hub-keys"

const HASH = { type: "string", pattern: "^[0-9a-f]{64}$" }
const PROFILE_ID = { type: "string", pattern: "^[\\x20-\\x7e]{1,16}$" }
const UINT = "^(0|[1-9][0-9]{0,12})$"
const NO_QUERY = { type: "object", additionalProperties: false, properties: {} }
const ID_PARAMS = { type: "object", additionalProperties: false, required: ["id"], properties: { id: HASH } }
// free text may have line breaks (schema-text.ts)
const REASON = { type: "string", maxLength: 2000, hubText: "multiline" }
const SMALL_BODY = 4 * 1024
// 64 arch points of two 7-digit coordinates and the rest of a template fit in well under 16 KiB
const TEMPLATE_BODY = 16 * 1024

/** fields that hold a staff login name in the library's answers */
const STAFF_FIELDS = new Set(["reviewer", "submittedBy", "publishedBy"])

/** the answer with every staff login name replaced by its stable pseudonym (hub-keys.ts) */
function withPseudonyms(v: unknown, pseudonym: (name: string) => string): unknown {
    if (Array.isArray(v)) return v.map(x => withPseudonyms(x, pseudonym))
    if (typeof v !== "object" || v === null) return v
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[k] = STAFF_FIELDS.has(k) && typeof x === "string" ? pseudonym(x) : withPseudonyms(x, pseudonym)
    return out
}

function object(required: string[], properties: Record<string, unknown>) {
    return { type: "object", additionalProperties: false, required, properties }
}

export async function libraryRoutes(app: FastifyInstance, ctx: HubContext) {
    // this plugin's errors name their field; anything else goes on to the hub's handler
    app.setErrorHandler((err: FastifyError | LibraryError, _request, reply) => {
        if (err instanceof LibraryError) return reply.code(err.statusCode).send({ error: { code: err.code, field: err.field, message: err.message } })
        throw err
    })

    // login names are not public (the transparency page hides reviewers too): every answer of
    // these routes names staff by pseudonym, "staff-" and 16 hex digits, the same on every call
    app.addHook("preSerialization", async (_request, _reply, payload) => withPseudonyms(payload, (await hubKeys(ctx.db)).pseudonym))

    app.get("/api/library/profiles", {
        schema: { querystring: object([], { profileId: PROFILE_ID }) },
    }, async request => ({ profiles: await listProfiles(ctx, (request.query as { profileId?: string }).profileId) }))

    app.get("/api/library/profiles/:profileId/:version", {
        schema: { params: object(["profileId", "version"], { profileId: PROFILE_ID, version: { type: "string", pattern: "^[1-9][0-9]{0,12}$" } }), querystring: NO_QUERY },
    }, async request => {
        const p = request.params as { profileId: string; version: string }
        const found = (await listProfiles(ctx, p.profileId)).find(x => x.profile.profileVersion === Number(p.version))
        if (!found) throw new LibraryError(404, "not_found", "version", "profile " + p.profileId + " v" + p.version + " is not published")
        return found
    })

    app.post("/api/library/profiles", {
        preValidation: requireRole("reviewer"), bodyLimit: SMALL_BODY,
        schema: { body: object(["profile"], { profile: { type: "object" } }) },
    }, async (request, reply) => reply.code(201).send(await publishProfile(ctx, staffOf(request).name, (request.body as { profile: unknown }).profile)))

    app.get("/api/library/reviewer-keys", {
        schema: { querystring: object([], { reviewer: { type: "string", maxLength: 64 } }) },
    }, async request => {
        // `reviewer` is a pseudonym, as the answers show them
        const reviewer = (request.query as { reviewer?: string }).reviewer
        const { pseudonym } = await hubKeys(ctx.db)
        return { keys: (await listReviewerKeys(ctx)).filter(k => reviewer === undefined || pseudonym(k.reviewer) === reviewer) }
    })

    app.post("/api/library/reviewer-keys", {
        preValidation: requireRole("reviewer"), bodyLimit: SMALL_BODY,
        schema: { body: object(["publicKeyPem"], { publicKeyPem: { type: "string", minLength: 1, maxLength: 2048, hubText: "multiline" } }) },
    }, async (request, reply) => reply.code(201).send(await registerReviewerKey(ctx, staffOf(request).name, (request.body as { publicKeyPem: string }).publicKeyPem)))

    app.post("/api/library/templates", {
        preValidation: requireRole("designer"), bodyLimit: TEMPLATE_BODY,
        schema: { body: object(["template", "profileId"], { template: { type: "object" }, profileId: PROFILE_ID }) },
    }, async (request, reply) => {
        const b = request.body as { template: unknown; profileId: string }
        return reply.code(201).send(await submitTemplate(ctx, staffOf(request).name, b.template, b.profileId))
    })

    // the designer name this account publishes under (null before its first submission): the editor's default
    app.get("/api/library/designer-name", {
        preValidation: requireRole("designer"), schema: { querystring: NO_QUERY },
    }, async request => ({ designer: await designerNameOf(ctx, staffOf(request).name) }))

    // the editor's live check: the submission's validation, nothing stored
    app.post("/api/library/templates/check", {
        preValidation: requireRole("designer", "reviewer"), bodyLimit: TEMPLATE_BODY,
        schema: { body: object(["template", "profileId"], { template: { type: "object" }, profileId: PROFILE_ID }) },
    }, async request => {
        const b = request.body as { template: unknown; profileId: string }
        return checkDesign(ctx, b.template, b.profileId)
    })

    app.get("/api/library/device-limits", { schema: { querystring: NO_QUERY } }, async () => deviceLimits())

    app.get("/api/library/templates", {
        schema: {
            querystring: object([], {
                q: { type: "string", maxLength: 32 }, designer: { type: "string", maxLength: 32 },
                status: { type: "string", enum: TEMPLATE_STATUSES },
                limit: { type: "string", pattern: "^([1-9][0-9]?|100)$" }, offset: { type: "string", pattern: UINT },
            }),
        },
    }, async request => {
        const q = request.query as { q?: string; designer?: string; status?: string; limit?: string; offset?: string }
        return listTemplates(ctx, { q: q.q, designer: q.designer, status: q.status, limit: q.limit ? Number(q.limit) : 50, offset: Number(q.offset ?? 0) })
    })

    // the review item: the design, its public history, and what changed since the previous version
    app.get("/api/library/templates/:id", {
        schema: { params: ID_PARAMS, querystring: NO_QUERY },
    }, async request => {
        const row = await templateRow(ctx, (request.params as { id: string }).id)
        const design = JSON.parse(row.design_json)
        const prev = await previousVersion(ctx, row)
        const { id: _a, ...now } = design
        const { id: _b, ...before } = prev ? JSON.parse(prev.design_json) : {}
        return {
            ...summary(row), design, history: await history(ctx, row.template_id),
            previous: prev ? { templateId: prev.template_id, version: Number(prev.version) } : null,
            changes: prev ? diffDesigns(before, now) : [],
        }
    })

    // what a reviewer signs to approve: the template with their approval, under the profile in force
    app.get("/api/library/templates/:id/approval", {
        preValidation: requireRole("reviewer"),
        schema: { params: ID_PARAMS, querystring: object(["approvedUnixS"], { approvedUnixS: { type: "string", pattern: "^[1-9][0-9]{0,12}$" } }) },
    }, async request => {
        const a = await approvalToSign(ctx, (request.params as { id: string }).id, staffOf(request).name, Number((request.query as { approvedUnixS: string }).approvedUnixS))
        return { template: a.template, bytesHex: a.bytesHex, hash: a.hash }
    })

    app.post("/api/library/templates/:id/reviews", {
        preValidation: requireRole("reviewer"), bodyLimit: SMALL_BODY,
        schema: {
            params: ID_PARAMS,
            body: object(["decision", "reason"], {
                decision: { type: "string", enum: ["approve", "reject"] }, reason: REASON,
                approvedUnixS: { type: "integer", minimum: 1, maximum: 1099511627775 },
                signatureHex: { type: "string", pattern: "^[0-9a-f]{128}$" },
            }),
        },
    }, async (request, reply) => {
        const id = (request.params as { id: string }).id
        await templateRow(ctx, id)
        return reply.code(201).send(await decide(ctx, id, staffOf(request).name, request.body as Decision))
    })

    app.post("/api/library/templates/:id/revocation", {
        preValidation: requireRole("reviewer"), bodyLimit: SMALL_BODY,
        schema: { params: ID_PARAMS, body: object(["reason"], { reason: { ...REASON, minLength: 1 } }) },
    }, async (request, reply) => reply.code(201).send(await revoke(ctx, (request.params as { id: string }).id, staffOf(request).name, (request.body as { reason: string }).reason)))

    app.get("/api/library/approved/:hash", {
        schema: { params: object(["hash"], { hash: HASH }), querystring: NO_QUERY },
    }, async request => {
        const hash = (request.params as { hash: string }).hash
        const t = await approvedTemplate(ctx, hash)
        if (!t) throw new LibraryError(404, "not_found", "hash", "no approved, unrevoked template " + hash)
        return t
    })
}

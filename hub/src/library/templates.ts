// Template submissions. A designer submits a design (the src/core Template without its
// `approval`, which only a reviewer can give) and names the profile to be reviewed against.
// The hub validates it with src/core against the profile in force and the device hard limits
// before storing anything; the approved template's bytes and hash come with the approval.

import { sql, type Kysely } from "kysely"
import { nodeCrypto } from "../../../src/node/crypto-node"
import { toHex } from "../../../src/core/crypto"
import { validateTemplate } from "../../../src/core/template/validate"
import { encodeDesign } from "../../../src/core/template/codec"
import type { Template, Approval } from "../../../src/core/template/types"
import type { RegulationProfile } from "../../../src/core/template/profile"
import type { HubContext } from "../context"
import type { HubSchema } from "../db/schema"
import { LibraryError, checked, isUniqueViolation, notFound } from "./errors"
import { hubManifest } from "./manifest"
import { inForceProfile } from "./profiles"

export type Design = Omit<Template, "approval">

export const TEMPLATE_STATUSES = ["submitted", "approved", "rejected", "revoked"]

/** Stands in for the reviewer while a design is checked at submission: never signed, never stored. */
export const PENDING_REVIEWER = "(pending)"

export interface TemplateSummary {
    templateId: string
    version: number
    name: string
    designer: string
    submittedBy: string
    profileId: string
    profileVersion: number
    status: string
    approvedHash: string | null
    submittedAtMs: number
}

/** Validates design + approval as src/core will on the device; returns the checked template. */
export function validateDesign(design: unknown, approval: Approval, profile: RegulationProfile): Template {
    if (typeof design === "object" && design !== null && "approval" in design)
        throw new LibraryError(400, "unknown_field", "approval", "a submission carries no approval: a reviewer gives it")
    const t = { ...(design as object), approval: approval }
    return checked(400, () => validateTemplate(t, profile, hubManifest(), nodeCrypto)).template
}

export function designOf(t: Template): Design {
    return { id: t.id, version: t.version, name: t.name, designer: t.designer, material: t.material, process: t.process, archPointsUm: t.archPointsUm }
}

export function lineageOf(designer: string, name: string): string {
    return designer + "\n" + name
}

export async function submitTemplate(ctx: HubContext, submitter: string, design: unknown, profileId: string): Promise<TemplateSummary> {
    const profile = await inForceProfile(ctx.db.db, profileId)
    if (!profile) throw new LibraryError(400, "unknown_profile", "profileId", "no profile " + JSON.stringify(profileId) + " is published")
    const nowMs = ctx.nowMs()
    const t = validateDesign(design, {
        profileId: profile.profileId, profileVersion: profile.profileVersion, reviewerId: PENDING_REVIEWER, approvedUnixS: Math.floor(nowMs / 1000),
    }, profile)
    const lineage = lineageOf(t.designer, t.name)
    const row: HubSchema["library_templates"] = {
        template_id: t.id, lineage: lineage, version: t.version, name: t.name, designer: t.designer, submitted_by: submitter,
        profile_id: profile.profileId, profile_version: profile.profileVersion, design_json: JSON.stringify(designOf(t)),
        design_hex: toHex(encodeDesign(t)), status: "submitted", approved_hash: null, submitted_at_ms: nowMs,
    }
    try {
        // one transaction: the owner checks and the insert see the same state, and the designer
        // name's unique key (library_designers) lets only one of two racing accounts take a name
        await ctx.db.db.transaction().execute(async trx => {
            const prior = await trx.selectFrom("library_templates").select(["version", "submitted_by"])
                .where("lineage", "=", lineage).orderBy("version", "desc").execute()
            if (prior.length > 0 && prior.some(p => p.submitted_by !== submitter))
                throw new LibraryError(409, "not_lineage_owner", "name", "\"" + t.name + "\" by " + t.designer + " was submitted by another user; choose another name")
            await bindDesigner(trx, submitter, t.designer, nowMs)
            if (prior.length > 0 && Number(prior[0].version) >= t.version)
                throw new LibraryError(409, "version_not_newer", "version", "version " + prior[0].version + " of this design exists; submit a higher version")
            await trx.insertInto("library_templates").values(row).execute()
        })
    } catch (e) {
        if (isUniqueViolation(e)) throw new LibraryError(409, "template_exists", "id", "design " + t.id + " is already in the library")
        throw e
    }
    ctx.log?.info("template submitted", { templateId: t.id, by: submitter })
    return summary(row)
}

/**
 * A design's designer name belongs to one account, and an account publishes under one name
 * (issue 13 item 12): the first submission binds them. A name another account holds is 409
 * designer_taken, also for the loser of two accounts taking one name at once.
 */
async function bindDesigner(trx: Kysely<HubSchema>, submitter: string, designer: string, nowMs: number) {
    // DO NOTHING waits for a concurrent binder to commit (PostgreSQL) and then leaves its row
    await trx.insertInto("library_designers").values({ designer, owner: submitter, bound_at_ms: nowMs }).onConflict(oc => oc.doNothing()).execute()
    const bound = await trx.selectFrom("library_designers").select(["designer", "owner"])
        .where(eb => eb.or([eb("designer", "=", designer), eb("owner", "=", submitter)])).execute()
    const byName = bound.find(b => b.designer === designer)
    if (byName && byName.owner !== submitter)
        throw new LibraryError(409, "designer_taken", "designer", "the designer name " + JSON.stringify(designer) + " belongs to another account")
    const mine = bound.find(b => b.owner === submitter)
    if (mine && mine.designer !== designer)
        throw new LibraryError(403, "designer_not_yours", "designer", "your account publishes as " + JSON.stringify(mine.designer) + "; a design's designer must be that name")
}

/** the designer name bound to this account, or null before its first submission */
export async function designerNameOf(ctx: HubContext, submitter: string): Promise<string | null> {
    const r = await ctx.db.db.selectFrom("library_designers").select("designer").where("owner", "=", submitter).executeTakeFirst()
    return r?.designer ?? null
}

export interface TemplateQuery {
    q?: string
    designer?: string
    status?: string
    limit: number
    offset: number
}

/** Public browse and search: name contains q (case-insensitive), exact designer, exact status. */
export async function listTemplates(ctx: HubContext, query: TemplateQuery): Promise<{ total: number; templates: TemplateSummary[] }> {
    let q = ctx.db.db.selectFrom("library_templates")
    if (query.q) q = q.where(sql<boolean>`lower(name) like ${"%" + likeEscape(query.q.toLowerCase()) + "%"} escape '\\'`)
    if (query.designer) q = q.where("designer", "=", query.designer)
    if (query.status) q = q.where("status", "=", query.status)
    const count = await q.select(eb => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()
    const rows = await q.selectAll().orderBy("submitted_at_ms", "desc").orderBy("version", "desc").orderBy("template_id")
        .limit(query.limit).offset(query.offset).execute()
    return { total: Number(count.n), templates: rows.map(summary) }
}

function likeEscape(s: string): string {
    return s.replace(/[\\%_]/g, c => "\\" + c)
}

export async function templateRow(ctx: HubContext, templateId: string): Promise<HubSchema["library_templates"]> {
    const row = await ctx.db.db.selectFrom("library_templates").selectAll().where("template_id", "=", templateId).executeTakeFirst()
    if (!row) throw notFound("template " + templateId, "templateId")
    return row
}

/** The version before this one in the same lineage (same designer and name), or null. */
export async function previousVersion(ctx: HubContext, row: HubSchema["library_templates"]): Promise<HubSchema["library_templates"] | null> {
    const prev = await ctx.db.db.selectFrom("library_templates").selectAll().where("lineage", "=", row.lineage)
        .where("version", "<", row.version).orderBy("version", "desc").limit(1).executeTakeFirst()
    return prev ?? null
}

export function summary(r: HubSchema["library_templates"]): TemplateSummary {
    return {
        templateId: r.template_id, version: Number(r.version), name: r.name, designer: r.designer, submittedBy: r.submitted_by,
        profileId: r.profile_id, profileVersion: Number(r.profile_version), status: r.status, approvedHash: r.approved_hash,
        submittedAtMs: Number(r.submitted_at_ms),
    }
}

// The public transparency figures: aggregate and non-identifying. Council decisions with their
// reasons (the library's public history, without reviewer names), applications per approved
// template by outcome, and this hub's totals. No patient reference, operator id, device id or
// key ever appears here.
import type { HubContext } from "./context"
import { RecordKind } from "../../src/core/records/types"

export interface Transparency {
    hub: string
    generatedAtMs: number
    totals: { devices: number; applications: number; complete: number; aborted: number; faulted: number }
    templates: { submitted: number; approved: number; rejected: number; revoked: number }
    decisions: { templateName: string; designer: string; version: number; decision: string; reason: string; atMs: number }[]
    applicationsPerTemplate: { templateHash: string; templateName: string | null; designer: string | null; version: number | null; applications: number; complete: number; aborted: number; faulted: number }[]
}

export const DECISIONS_SHOWN = 200

export async function transparency(ctx: HubContext): Promise<Transparency> {
    const db = ctx.db.db
    const devices = await db.selectFrom("devices").select(eb => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()
    const byTemplate = await db.selectFrom("records").select(["template_hash", "outcome", eb => eb.fn.countAll<number>().as("n")])
        .where("kind", "=", RecordKind.Cycle).groupBy(["template_hash", "outcome"]).execute()
    const statuses = await db.selectFrom("library_templates").select(["status", eb => eb.fn.countAll<number>().as("n")]).groupBy("status").execute()
    const reviews = await db.selectFrom("library_reviews").innerJoin("library_templates", "library_templates.template_id", "library_reviews.template_id")
        .select(["library_templates.name as name", "library_templates.designer as designer", "library_templates.version as version",
            "library_reviews.decision as decision", "library_reviews.reason as reason", "library_reviews.decided_at_ms as at"])
        .orderBy("library_reviews.decided_at_ms", "desc").limit(DECISIONS_SHOWN).execute()
    const revocations = await db.selectFrom("library_revocations").innerJoin("library_templates", "library_templates.template_id", "library_revocations.template_id")
        .select(["library_templates.name as name", "library_templates.designer as designer", "library_templates.version as version",
            "library_revocations.reason as reason", "library_revocations.revoked_at_ms as at"])
        .orderBy("library_revocations.revoked_at_ms", "desc").limit(DECISIONS_SHOWN).execute()
    const named = await db.selectFrom("library_templates").select(["approved_hash", "name", "designer", "version"]).where("approved_hash", "is not", null).execute()
    const nameOf = new Map(named.map(r => [r.approved_hash as string, r]))

    const totals = { devices: Number(devices.n), applications: 0, complete: 0, aborted: 0, faulted: 0 }
    const per = new Map<string, Transparency["applicationsPerTemplate"][number]>()
    for (const r of byTemplate) {
        const n = Number(r.n)
        let t = per.get(r.template_hash)
        if (!t) {
            const nm = nameOf.get(r.template_hash)
            t = { templateHash: r.template_hash, templateName: nm?.name ?? null, designer: nm?.designer ?? null, version: nm ? Number(nm.version) : null, applications: 0, complete: 0, aborted: 0, faulted: 0 }
            per.set(r.template_hash, t)
        }
        t.applications += n
        totals.applications += n
        const key = r.outcome === 1 ? "complete" : r.outcome === 2 ? "aborted" : r.outcome === 3 ? "faulted" : null
        if (key) {
            t[key] += n
            totals[key] += n
        }
    }
    const templates = { submitted: 0, approved: 0, rejected: 0, revoked: 0 }
    for (const s of statuses) if (s.status in templates) templates[s.status as keyof typeof templates] = Number(s.n)
    const decisions = reviews.map(r => ({ templateName: r.name, designer: r.designer, version: Number(r.version), decision: r.decision, reason: r.reason, atMs: Number(r.at) }))
        .concat(revocations.map(r => ({ templateName: r.name, designer: r.designer, version: Number(r.version), decision: "revoke", reason: r.reason, atMs: Number(r.at) })))
        .sort((a, b) => b.atMs - a.atMs).slice(0, DECISIONS_SHOWN)
    return {
        hub: ctx.hubName ?? "this hub", generatedAtMs: ctx.nowMs(), totals, templates, decisions,
        applicationsPerTemplate: [...per.values()].sort((a, b) => b.applications - a.applications),
    }
}

// The public transparency figures: aggregate and non-identifying. Council decisions with their
// reasons (the library's public history, without reviewer names), applications per approved
// template by outcome, and this hub's totals. No patient reference, operator id, device id or
// key ever appears here. The application counts come from transparency_counts, which a trigger
// on records keeps in the inserting transaction (migration 0006): nothing here reads the
// records, so a call costs the same with 30,000 records or 30 million, and every hub process
// on one PostgreSQL shows the same figures right after each ingest. Also published: the key
// that signs checkpoints, and each device's signed checkpoint under its public id.
import type { HubContext } from "./context"
import { sql } from "kysely"
import { hubKeys, type HubKeys } from "./hub-keys"
import { signPublicCheckpoint, type PublicCheckpoint } from "./checkpoint"

export interface Transparency {
    hub: string
    generatedAtMs: number
    totals: { devices: number; applications: number; complete: number; aborted: number; faulted: number }
    templates: { submitted: number; approved: number; rejected: number; revoked: number }
    decisions: { templateName: string; designer: string; version: number; decision: string; reason: string; atMs: number }[]
    applicationsPerTemplate: { templateHash: string; templateName: string | null; designer: string | null; version: number | null; applications: number; complete: number; aborted: number; faulted: number }[]
    hubKey: { algorithm: "Ed25519"; keyId: string; publicKeyPem: string }
    /** each device's stored head, signed (checkpoint.ts), under its public id; by public id */
    checkpoints: PublicCheckpoint[]
}

export const DECISIONS_SHOWN = 200

export async function transparency(ctx: HubContext): Promise<Transparency> {
    const db = ctx.db.db
    const devices = await db.selectFrom("devices").select(eb => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()
    const byTemplate = await db.selectFrom("transparency_counts").select(["template_hash", "outcome", eb => eb.fn.sum<number>("n").as("n")])
        .groupBy(["template_hash", "outcome"]).execute()
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
    const keys = await hubKeys(ctx.db)
    return {
        hub: ctx.hubName ?? "this hub", generatedAtMs: ctx.nowMs(), totals, templates, decisions,
        applicationsPerTemplate: [...per.values()].sort((a, b) => b.applications - a.applications),
        hubKey: { algorithm: "Ed25519", keyId: keys.signing.keyId, publicKeyPem: keys.signing.publicKeyPem },
        checkpoints: await deviceCheckpoints(ctx, keys),
    }
}

/** signatures already made, per process: a device's head is signed again only when it moves */
const signed = new WeakMap<HubKeys, Map<string, PublicCheckpoint>>()

async function deviceCheckpoints(ctx: HubContext, keys: HubKeys): Promise<PublicCheckpoint[]> {
    // each device's head by its (device_id, seq) key: one index probe per device, not a scan of records
    const heads = await ctx.db.db.selectFrom("devices")
        .select(["devices.id as id",
            sql<number | null>`(SELECT r.seq FROM records r WHERE r.device_id = devices.id ORDER BY r.seq DESC LIMIT 1)`.as("seq"),
            sql<string | null>`(SELECT r.hash FROM records r WHERE r.device_id = devices.id ORDER BY r.seq DESC LIMIT 1)`.as("hash")])
        .execute()
    let memo = signed.get(keys)
    if (!memo) signed.set(keys, memo = new Map())
    const atUnixS = Math.floor(ctx.nowMs() / 1000)
    const out: PublicCheckpoint[] = []
    for (const h of heads) {
        if (h.seq === null || h.hash === null) continue
        const publicId = keys.devicePublicId(h.id)
        let c = memo.get(publicId)
        if (!c || c.seq !== Number(h.seq) || c.hash !== h.hash) {
            c = signPublicCheckpoint(keys.signing, publicId, { seq: Number(h.seq), hash: h.hash }, atUnixS)
            memo.set(publicId, c)
        }
        out.push(c)
    }
    return out.sort((a, b) => (a.publicId < b.publicId ? -1 : 1))
}

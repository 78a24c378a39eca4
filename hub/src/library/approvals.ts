// Approvals as they leave the hub. Each is checked again here, from the stored bytes, before
// it goes into a bundle or is served to a device: the signature under the key recorded with
// it (a key of the same reviewer), the hash of the bytes, the bytes' own approval fields, and
// src/core validation under its profile and the device limits. A row edited after approval
// fails one of these and is left out (and logged), never served. Every device sync asks, so a
// verdict is memoised under the exact inputs it was reached from (any edit is a new key).

import type { Kysely } from "kysely"
import { nodeCrypto } from "../../../src/node/crypto-node"
import { fromHex, asciiBytes } from "../../../src/core/crypto"
import { decodeTemplate } from "../../../src/core/template/codec"
import { validateTemplate } from "../../../src/core/template/validate"
import type { RegulationProfile } from "../../../src/core/template/profile"
import type { HubContext } from "../context"
import type { HubSchema } from "../db/schema"
import { verifyTemplateApproval } from "./signing"
import { hubManifest } from "./manifest"

export interface VerifiedApproval {
    hash: string
    bytesHex: string
    templateId: string
    profile: RegulationProfile
    approvedAtMs: number
}

type ReviewRow = HubSchema["library_reviews"]
type KeyRow = HubSchema["library_reviewer_keys"]
type ProfileRow = HubSchema["library_profiles"]

const MEMO_MAX = 4096
const memo = new Map<string, string>()

/** "" when the approval verifies end to end, else why not. */
export function approvalFault(r: ReviewRow, key: KeyRow | undefined, profile: ProfileRow | undefined): string {
    if (r.decision !== "approve" || !r.template_hex || !r.template_hash || !r.signature_hex || !r.key_id || !r.profile_id || r.profile_version === null)
        return "not a complete approval"
    if (!key || key.key_id !== r.key_id || key.reviewer !== r.reviewer) return "signing key is not the reviewer's"
    if (!profile) return "profile " + r.profile_id + " v" + r.profile_version + " is not published"
    const memoKey = nodeCrypto.sha256Hex(asciiBytes(JSON.stringify([r.template_id, r.reviewer, r.template_hex, r.template_hash, r.signature_hex,
        key.public_key_pem, profile.profile_json])))
    let fault = memo.get(memoKey)
    if (fault === undefined) {
        fault = check(r, key, profile)
        if (memo.size >= MEMO_MAX) memo.clear()
        memo.set(memoKey, fault)
    }
    return fault
}

function check(r: ReviewRow, key: KeyRow, profileRow: ProfileRow): string {
    let bytes: number[]
    try {
        bytes = fromHex(r.template_hex as string)
    } catch {
        return "stored bytes are not hex"
    }
    if (nodeCrypto.sha256Hex(bytes) !== r.template_hash) return "stored bytes do not hash to the approved hash"
    if (!verifyTemplateApproval(key.public_key_pem, bytes, r.signature_hex as string)) return "signature does not verify"
    try {
        const t = decodeTemplate(bytes, nodeCrypto)
        if (t.id !== r.template_id || t.approval.reviewerId !== r.reviewer) return "bytes name another design or reviewer"
        validateTemplate(t, JSON.parse(profileRow.profile_json), hubManifest(), nodeCrypto)
    } catch (e) {
        return "template does not validate: " + (e as Error).message
    }
    return ""
}

async function lookups(db: Kysely<HubSchema>) {
    const keys = new Map<string, KeyRow>()
    for (const k of await db.selectFrom("library_reviewer_keys").selectAll().execute()) keys.set(k.key_id, k)
    const profiles = new Map<string, ProfileRow>()
    for (const p of await db.selectFrom("library_profiles").selectAll().execute()) profiles.set(p.profile_id + "\n" + Number(p.profile_version), p)
    return {
        key: (r: ReviewRow) => (r.key_id ? keys.get(r.key_id) : undefined),
        profile: (r: ReviewRow) => profiles.get(r.profile_id + "\n" + Number(r.profile_version)),
    }
}

function verified(r: ReviewRow, profile: ProfileRow): VerifiedApproval {
    return {
        hash: r.template_hash as string, bytesHex: r.template_hex as string, templateId: r.template_id,
        profile: JSON.parse(profile.profile_json), approvedAtMs: Number(r.decided_at_ms),
    }
}

/** Approved, unrevoked, verified approvals, newest first. */
export async function verifiedApprovals(ctx: HubContext): Promise<VerifiedApproval[]> {
    const rows = await ctx.db.db.selectFrom("library_reviews").innerJoin("library_templates", "library_templates.template_id", "library_reviews.template_id")
        .selectAll("library_reviews")
        .where("library_reviews.decision", "=", "approve")
        .where("library_templates.status", "=", "approved")
        .whereRef("library_templates.approved_hash", "=", "library_reviews.template_hash")
        .where(eb => eb.not(eb.exists(eb.selectFrom("library_revocations").select("library_revocations.template_hash")
            .whereRef("library_revocations.template_hash", "=", "library_reviews.template_hash"))))
        .orderBy("library_reviews.decided_at_ms", "desc").orderBy("library_reviews.template_hash").execute()
    if (rows.length === 0) return []
    const look = await lookups(ctx.db.db)
    const out: VerifiedApproval[] = []
    for (const r of rows) {
        const profile = look.profile(r)
        const fault = approvalFault(r, look.key(r), profile)
        if (fault === "" && profile) out.push(verified(r, profile))
        else ctx.log?.warn("approval left out: " + fault, { templateId: r.template_id, hash: r.template_hash })
    }
    return out
}

/** The approved template's bytes, only if approved, not revoked and verified. */
export async function approvedTemplate(ctx: HubContext, hash: string): Promise<{ hash: string; bytesHex: string } | null> {
    const db = ctx.db.db
    const r = await db.selectFrom("library_reviews").selectAll().where("template_hash", "=", hash).where("decision", "=", "approve").executeTakeFirst()
    if (!r) return null
    if (await db.selectFrom("library_revocations").select("template_hash").where("template_hash", "=", hash).executeTakeFirst()) return null
    const key = r.key_id ? await db.selectFrom("library_reviewer_keys").selectAll().where("key_id", "=", r.key_id).executeTakeFirst() : undefined
    const profile = r.profile_id && r.profile_version !== null ? await db.selectFrom("library_profiles").selectAll()
        .where("profile_id", "=", r.profile_id).where("profile_version", "=", Number(r.profile_version)).executeTakeFirst() : undefined
    const fault = approvalFault(r, key, profile)
    if (fault !== "") {
        ctx.log?.warn("approved template withheld: " + fault, { hash })
        return null
    }
    return { hash, bytesHex: r.template_hex as string }
}

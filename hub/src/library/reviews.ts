// The council's decisions. Every decision is a new row (library_reviews, numbered per template;
// library_revocations): nothing is updated or deleted there, so the public history is the
// table. The template's `status` column only summarises the latest row, written in the same
// transaction. An approval is accepted only with a valid Ed25519 signature, by one of the
// reviewer's registered keys, over the canonical bytes of the template it approves.

import type { Kysely } from "kysely"
import { nodeCrypto } from "../../../src/node/crypto-node"
import { toHex } from "../../../src/core/crypto"
import { encodeTemplate } from "../../../src/core/template/codec"
import type { Template } from "../../../src/core/template/types"
import type { HubContext } from "../context"
import type { HubSchema } from "../db/schema"
import { withRetry } from "../db/index"
import { LibraryError } from "./errors"
import { keysOf } from "./keys"
import { inForceProfile } from "./profiles"
import { verifyTemplateApproval } from "./signing"
import { templateRow, validateDesign, type Design } from "./templates"

/** an approval time further than this from the hub's clock is refused (no back- or forward-dating) */
export const APPROVAL_SKEW_S = 600

export interface ApprovalToSign {
    template: Template
    bytesHex: string
    hash: string
}

/** The template an approval by `reviewer` at `approvedUnixS` would make, validated under the profile in force. */
export async function approvalToSign(ctx: HubContext, templateId: string, reviewer: string, approvedUnixS: number): Promise<ApprovalToSign> {
    const row = await templateRow(ctx, templateId)
    const profile = await inForceProfile(ctx.db.db, row.profile_id)
    if (!profile) throw new LibraryError(409, "unknown_profile", "profileId", "profile " + row.profile_id + " is not published")
    const design = JSON.parse(row.design_json) as Design
    let t: Template
    try {
        t = validateDesign(design, { profileId: profile.profileId, profileVersion: profile.profileVersion, reviewerId: reviewer, approvedUnixS }, profile)
    } catch (e) {
        // the design was valid at submission: a newer profile or an unfit reviewer name refuses it now
        if (e instanceof LibraryError) throw new LibraryError(409, e.code, e.field, e.message)
        throw e
    }
    const bytes = encodeTemplate(t)
    return { template: t, bytesHex: toHex(bytes), hash: nodeCrypto.sha256Hex(bytes) }
}

export interface Decision {
    decision: "approve" | "reject"
    reason: string
    approvedUnixS?: number
    signatureHex?: string
}

export interface ReviewEntry {
    seq: number
    decision: string
    reviewer: string
    reason: string
    templateHash: string | null
    signatureHex: string | null
    keyId: string | null
    profileId: string | null
    profileVersion: number | null
    atMs: number
}

export async function decide(ctx: HubContext, templateId: string, reviewer: string, d: Decision): Promise<ReviewEntry> {
    const nowMs = ctx.nowMs()
    let approval: { a: ApprovalToSign; keyId: string; sig: string } | null = null
    if (d.decision === "approve") {
        if (d.approvedUnixS === undefined || d.signatureHex === undefined)
            throw new LibraryError(400, "missing", d.approvedUnixS === undefined ? "approvedUnixS" : "signatureHex", "an approval needs approvedUnixS and signatureHex")
        if (Math.abs(d.approvedUnixS - Math.floor(nowMs / 1000)) > APPROVAL_SKEW_S)
            throw new LibraryError(400, "approval_time", "approvedUnixS", "must be within " + APPROVAL_SKEW_S + " s of the hub's clock (" + Math.floor(nowMs / 1000) + ")")
        const a = await approvalToSign(ctx, templateId, reviewer, d.approvedUnixS)
        const keys = await keysOf(ctx.db.db, reviewer)
        if (keys.length === 0) throw new LibraryError(409, "no_key", "signatureHex", "register your Ed25519 public key before approving")
        const bytes = Array.from(Buffer.from(a.bytesHex, "hex"))
        const key = keys.find(k => verifyTemplateApproval(k.publicKeyPem, bytes, d.signatureHex as string))
        if (!key) throw new LibraryError(400, "bad_signature", "signatureHex", "does not verify under any of your registered keys over template " + a.hash)
        approval = { a, keyId: key.keyId, sig: d.signatureHex }
    } else if (d.approvedUnixS !== undefined || d.signatureHex !== undefined) {
        throw new LibraryError(400, "unexpected_field", d.approvedUnixS !== undefined ? "approvedUnixS" : "signatureHex", "only an approval carries a time and a signature")
    }
    if (d.decision === "reject" && d.reason.trim() === "")
        throw new LibraryError(400, "missing", "reason", "a rejection must say why")
    const entry = await withRetry(ctx.db, async trx => {
        const row = await trx.selectFrom("library_templates").select("status").where("template_id", "=", templateId).executeTakeFirstOrThrow()
        if (row.status !== "submitted" && row.status !== "rejected")
            throw new LibraryError(409, "already_decided", "templateId", "template is " + row.status + (row.status === "approved" ? ": revoke it instead" : ""))
        const review: HubSchema["library_reviews"] = {
            template_id: templateId, seq: await nextSeq(trx, templateId), decision: d.decision, reviewer, reason: d.reason,
            template_hex: approval ? approval.a.bytesHex : null, template_hash: approval ? approval.a.hash : null,
            signature_hex: approval ? approval.sig : null, key_id: approval ? approval.keyId : null,
            profile_id: approval ? approval.a.template.approval.profileId : null,
            profile_version: approval ? approval.a.template.approval.profileVersion : null, decided_at_ms: nowMs,
        }
        await trx.insertInto("library_reviews").values(review).execute()
        await trx.updateTable("library_templates").set({ status: d.decision === "approve" ? "approved" : "rejected", approved_hash: review.template_hash })
            .where("template_id", "=", templateId).execute()
        return toEntry(review)
    })
    ctx.log?.info("template " + d.decision + "d", { templateId, reviewer, hash: entry.templateHash })
    return entry
}

export async function revoke(ctx: HubContext, templateId: string, reviewer: string, reason: string): Promise<ReviewEntry> {
    if (reason.trim() === "") throw new LibraryError(400, "missing", "reason", "a revocation must say why")
    await templateRow(ctx, templateId)
    const nowMs = ctx.nowMs()
    const entry = await withRetry(ctx.db, async trx => {
        const row = await trx.selectFrom("library_templates").select(["status", "approved_hash"]).where("template_id", "=", templateId).executeTakeFirstOrThrow()
        if (row.status !== "approved" || !row.approved_hash)
            throw new LibraryError(409, "not_approved", "templateId", "only an approved template can be revoked; this one is " + row.status)
        const rev = { template_hash: row.approved_hash, template_id: templateId, reviewer, reason, revoked_at_ms: nowMs }
        await trx.insertInto("library_revocations").values(rev).execute()
        await trx.updateTable("library_templates").set({ status: "revoked" }).where("template_id", "=", templateId).execute()
        return revocationEntry(rev)
    })
    ctx.log?.info("template revoked", { templateId, reviewer, hash: entry.templateHash })
    return entry
}

/** Every decision on the template, oldest first (reviews, then its revocation). */
export async function history(ctx: HubContext, templateId: string): Promise<ReviewEntry[]> {
    const reviews = await ctx.db.db.selectFrom("library_reviews").selectAll().where("template_id", "=", templateId).orderBy("seq").execute()
    const revs = await ctx.db.db.selectFrom("library_revocations").selectAll().where("template_id", "=", templateId).execute()
    return reviews.map(toEntry).concat(revs.map(revocationEntry))
}

async function nextSeq(trx: Kysely<HubSchema>, templateId: string): Promise<number> {
    const r = await trx.selectFrom("library_reviews").select(eb => eb.fn.max("seq").as("m")).where("template_id", "=", templateId).executeTakeFirst()
    return Number(r?.m ?? 0) + 1
}

function toEntry(r: HubSchema["library_reviews"]): ReviewEntry {
    return {
        seq: Number(r.seq), decision: r.decision, reviewer: r.reviewer, reason: r.reason, templateHash: r.template_hash,
        signatureHex: r.signature_hex, keyId: r.key_id, profileId: r.profile_id,
        profileVersion: r.profile_version === null ? null : Number(r.profile_version), atMs: Number(r.decided_at_ms),
    }
}

function revocationEntry(r: HubSchema["library_revocations"]): ReviewEntry {
    return {
        seq: 0, decision: "revoke", reviewer: r.reviewer, reason: r.reason, templateHash: r.template_hash,
        signatureHex: null, keyId: null, profileId: null, profileVersion: null, atMs: Number(r.revoked_at_ms),
    }
}

// Reviewer public keys. A reviewer registers their own key (logged in as themselves); the
// private half stays on their machine. Keys are never deleted, so every past approval can
// still be verified against the key that made it.

import type { Kysely } from "kysely"
import type { HubContext } from "../context"
import type { HubSchema } from "../db/schema"
import { LibraryError, isUniqueViolation } from "./errors"
import { parseReviewerKey, reviewerKeyId } from "./signing"

export interface ReviewerKey {
    keyId: string
    reviewer: string
    publicKeyPem: string
    registeredAtMs: number
}

export async function registerReviewerKey(ctx: HubContext, reviewer: string, publicKeyPem: string): Promise<ReviewerKey> {
    const key = parseReviewerKey(publicKeyPem)
    const keyId = reviewerKeyId(key)
    const pem = key.export({ type: "spki", format: "pem" }).toString()
    const row = { key_id: keyId, reviewer: reviewer, public_key_pem: pem, registered_at_ms: ctx.nowMs() }
    try {
        await ctx.db.db.insertInto("library_reviewer_keys").values(row).execute()
    } catch (e) {
        if (isUniqueViolation(e)) throw new LibraryError(409, "key_exists", "publicKeyPem", "this key is already registered (key " + keyId + ")")
        throw e
    }
    ctx.log?.info("reviewer key registered", { reviewer, keyId })
    return toKey(row)
}

export async function listReviewerKeys(ctx: HubContext, reviewer?: string): Promise<ReviewerKey[]> {
    let q = ctx.db.db.selectFrom("library_reviewer_keys").selectAll()
    if (reviewer !== undefined) q = q.where("reviewer", "=", reviewer)
    return (await q.orderBy("registered_at_ms").orderBy("key_id").execute()).map(toKey)
}

export async function keysOf(db: Kysely<HubSchema>, reviewer: string): Promise<ReviewerKey[]> {
    return (await db.selectFrom("library_reviewer_keys").selectAll().where("reviewer", "=", reviewer).execute()).map(toKey)
}

export async function keyById(db: Kysely<HubSchema>, keyId: string): Promise<ReviewerKey | null> {
    const r = await db.selectFrom("library_reviewer_keys").selectAll().where("key_id", "=", keyId).executeTakeFirst()
    return r ? toKey(r) : null
}

function toKey(r: HubSchema["library_reviewer_keys"]): ReviewerKey {
    return { keyId: r.key_id, reviewer: r.reviewer, publicKeyPem: r.public_key_pem, registeredAtMs: Number(r.registered_at_ms) }
}

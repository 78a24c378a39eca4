// Regulation profiles: the council's versioned limits. A published version never changes; the
// profile "in force" for an id is its highest published version. Stored as the checked
// object's JSON and its canonical bytes (what bundles carry).

import type { Kysely } from "kysely"
import { nodeCrypto } from "../../../src/node/crypto-node"
import { toHex, fromHex } from "../../../src/core/crypto"
import { checkProfile, encodeProfile, type RegulationProfile } from "../../../src/core/template/profile"
import type { HubContext } from "../context"
import type { HubSchema } from "../db/schema"
import { LibraryError, checked, isUniqueViolation } from "./errors"

export interface PublishedProfile {
    profile: RegulationProfile
    profileHex: string
    /** SHA-256 of the profile bytes */
    profileHash: string
    publishedBy: string
    publishedAtMs: number
    inForce: boolean
}

export async function publishProfile(ctx: HubContext, staffName: string, input: unknown): Promise<PublishedProfile> {
    const p = checked(400, () => checkProfile(input, ""))
    const bytes = encodeProfile(p)
    const latest = await inForceProfile(ctx.db.db, p.profileId)
    if (latest && latest.profileVersion >= p.profileVersion)
        throw new LibraryError(409, "profile_not_newer", "profileVersion",
            p.profileId + " v" + latest.profileVersion + " is already published; a new version must be above it (published versions never change)")
    const row = {
        profile_id: p.profileId, profile_version: p.profileVersion, profile_json: JSON.stringify(p),
        profile_hex: toHex(bytes), published_by: staffName, published_at_ms: ctx.nowMs(),
    }
    try {
        await ctx.db.db.insertInto("library_profiles").values(row).execute()
    } catch (e) {
        // another reviewer published the same version a moment earlier
        if (isUniqueViolation(e))
            throw new LibraryError(409, "profile_not_newer", "profileVersion", p.profileId + " v" + p.profileVersion + " is already published")
        throw e
    }
    ctx.log?.info("profile published", { profileId: p.profileId, profileVersion: p.profileVersion, by: staffName })
    return toPublished(row, true)
}

/** The highest published version of the profile, or null. */
export async function inForceProfile(db: Kysely<HubSchema>, profileId: string): Promise<RegulationProfile | null> {
    const row = await db.selectFrom("library_profiles").select("profile_json").where("profile_id", "=", profileId)
        .orderBy("profile_version", "desc").limit(1).executeTakeFirst()
    return row ? JSON.parse(row.profile_json) as RegulationProfile : null
}

export async function getProfile(db: Kysely<HubSchema>, profileId: string, version: number): Promise<RegulationProfile | null> {
    const row = await db.selectFrom("library_profiles").select("profile_json")
        .where("profile_id", "=", profileId).where("profile_version", "=", version).executeTakeFirst()
    return row ? JSON.parse(row.profile_json) as RegulationProfile : null
}

/** Every published version, newest first within each id; `profileId` narrows to one id. */
export async function listProfiles(ctx: HubContext, profileId?: string): Promise<PublishedProfile[]> {
    let q = ctx.db.db.selectFrom("library_profiles").selectAll()
    if (profileId !== undefined) q = q.where("profile_id", "=", profileId)
    const rows = await q.orderBy("profile_id").orderBy("profile_version", "desc").execute()
    return rows.map((r, i) => toPublished(r, i === 0 || rows[i - 1].profile_id !== r.profile_id))
}

function toPublished(r: HubSchema["library_profiles"], inForce: boolean): PublishedProfile {
    return {
        profile: JSON.parse(r.profile_json), profileHex: r.profile_hex,
        profileHash: nodeCrypto.sha256Hex(fromHex(r.profile_hex)),
        publishedBy: r.published_by, publishedAtMs: Number(r.published_at_ms), inForce: inForce,
    }
}

// A device's approval bundle (src/core Bundle, sealed under the device key). Each device has its
// own version sequence that only goes up: a new version is issued only when the lists change or
// the current one has used up half its validity. Two hub processes may race: (device_id,
// version) is the primary key, so one insert wins and the other re-reads and reuses it.

import { createHash } from "node:crypto"
import { nodeCrypto } from "../../../src/node/crypto-node"
import { checkBundle, encodeBundleLists, sealBundleOnto } from "../../../src/core/bundle/codec"
import { bundleFormat, type Bundle } from "../../../src/core/bundle/types"
import type { RegulationProfile } from "../../../src/core/template/profile"
import type { HubContext } from "../context"
import { isUniqueViolation } from "./errors"
import { Batcher } from "../db/group-commit"
import { insertOnce, lookupRow } from "../db/hot-path"
import type { LibraryDeviceBundleRow } from "../db/migrations/0002_library"
import { verifiedApprovals } from "./approvals"

// the other half of the device interface lives beside the checks it relies on
export { approvedTemplate } from "./approvals"

/** 30 days (the docs' golden bundle window); renewed once half of it has passed */
export const BUNDLE_VALIDITY_S = 30 * 86400

const ATTEMPTS = 8

export interface BundleContent {
    profiles: RegulationProfile[]
    approved: string[]
    revoked: string[]
    /** verified approvals that did not fit bundleFormat()'s limits (the oldest are left out) */
    omitted: number
}

/** What every device may currently run and must never run, within bundleFormat()'s limits. */
export async function bundleContent(ctx: HubContext): Promise<BundleContent | null> {
    const approvals = await verifiedApprovals(ctx)
    const limits = bundleFormat()
    const profiles: RegulationProfile[] = []
    const approved: string[] = []
    let omitted = 0
    for (const a of approvals) {
        const known = profiles.some(p => p.profileId === a.profile.profileId && p.profileVersion === a.profile.profileVersion)
        if (approved.length >= limits.approvedMax || (!known && profiles.length >= limits.profilesMax)) {
            omitted++
            continue
        }
        if (!known) profiles.push(a.profile)
        approved.push(a.hash)
    }
    const revokedRows = await ctx.db.db.selectFrom("library_revocations").select("template_hash")
        .orderBy("revoked_at_ms", "desc").orderBy("template_hash").execute()
    const revoked = revokedRows.slice(0, limits.revokedMax).map(r => r.template_hash)
    if (approved.length === 0 && revoked.length === 0) return null
    if (profiles.length === 0) {
        // only revocations: the format still needs one profile; carry the newest published one
        const p = await ctx.db.db.selectFrom("library_profiles").select("profile_json").orderBy("published_at_ms", "desc").limit(1).executeTakeFirst()
        if (!p) return null
        profiles.push(JSON.parse(p.profile_json))
    }
    if (omitted > 0 || revokedRows.length > revoked.length)
        ctx.log?.warn("bundle over its format limits: oldest entries left out", {
            approvedOmitted: omitted, revokedOmitted: revokedRows.length - revoked.length,
        })
    return { profiles, approved, revoked, omitted }
}

interface SortedContent {
    content: BundleContent
    sorted: Pick<Bundle, "profiles" | "approved" | "revoked">
    contentHash: string
    /** the lists' bytes in every bundle of this content (the profiles' checks run once, here, not per device) */
    lists: number[]
}

async function sortedContent(ctx: HubContext): Promise<SortedContent | null> {
    const content = await bundleContent(ctx)
    if (!content) return null
    // checkBundle sorts the sets, so the content hash does not depend on query order
    const sorted = checkBundle({ deviceId: "-", bundleVersion: 1, issuedUnixS: 1, expiresUnixS: 2, profiles: content.profiles, approved: content.approved, revoked: content.revoked })
    // SHA-256 of the UTF-8 bytes of the lists' JSON (node:crypto over the string: the same digest
    // as over its bytes, without copying them into an array)
    const contentHash = createHash("sha256").update(JSON.stringify([sorted.profiles, sorted.approved, sorted.revoked])).digest("hex")
    return { content, sorted, contentHash, lists: encodeBundleLists(sorted) }
}

const contentBatchers = new WeakMap<HubContext["db"], Batcher<HubContext, SortedContent | null>>()

/**
 * The bundle content for a device request: requests that arrive together share one reading of
 * the library (a reconnect storm asks it once per device). The reading starts after every
 * request it answers arrived (group-commit.ts's Batcher), so none is answered from a state
 * older than itself: an approval or revocation committed before a request is in its answer.
 */
function currentContent(ctx: HubContext): Promise<SortedContent | null> {
    let b = contentBatchers.get(ctx.db)
    if (!b) {
        b = new Batcher<HubContext, SortedContent | null>(async asked => {
            const c = await sortedContent(asked[0])
            return asked.map(() => ({ status: "fulfilled", value: c }))
        })
        contentBatchers.set(ctx.db, b)
    }
    return b.add(ctx)
}

type LastBundleRow = Pick<LibraryDeviceBundleRow, "device_id" | "version" | "content_hash" | "bundle_json" | "issued_unix_s" | "expires_unix_s">

const LAST_COLUMNS = "device_id, version, content_hash, bundle_json, issued_unix_s, expires_unix_s"

function lastBundle(ctx: HubContext, deviceId: string): Promise<LastBundleRow | undefined> {
    return lookupRow<LastBundleRow & Record<string, unknown>>(ctx.db, "last_bundle",
        "SELECT " + LAST_COLUMNS + " FROM library_device_bundles WHERE device_id = ? ORDER BY version DESC LIMIT 1",
        "SELECT DISTINCT ON (device_id) " + LAST_COLUMNS + " FROM library_device_bundles WHERE device_id = ANY($1::text[]) ORDER BY device_id, version DESC",
        "device_id", deviceId)
}

const BUNDLE_COLUMNS = ["device_id", "version", "content_hash", "bundle_json", "issued_unix_s", "expires_unix_s", "omitted", "created_at_ms"]
const BUNDLE_PG_TYPES = ["text", "bigint", "text", "text", "bigint", "bigint", "integer", "bigint"]

export async function bundleForDevice(ctx: HubContext, deviceId: string, deviceKeyHex: string,
    validityS = BUNDLE_VALIDITY_S): Promise<{ version: number; sealedHex: string } | null> {
    const c = await currentContent(ctx)
    if (!c) return null
    const { content, sorted, contentHash, lists } = c
    for (let attempt = 1; ; attempt++) {
        const last = await lastBundle(ctx, deviceId)
        const nowS = Math.floor(ctx.nowMs() / 1000)
        if (last && last.content_hash === contentHash) {
            const issued = Number(last.issued_unix_s)
            const expires = Number(last.expires_unix_s)
            if (nowS < issued + (expires - issued) / 2) return sealedLater(Number(last.version), last.bundle_json, lists, deviceKeyHex)
        }
        const bundle: Bundle = {
            deviceId, bundleVersion: (last ? Number(last.version) : 0) + 1, issuedUnixS: nowS, expiresUnixS: nowS + validityS,
            profiles: sorted.profiles, approved: sorted.approved, revoked: sorted.revoked,
        }
        const sealed = seal(bundle, lists, deviceKeyHex)
        try {
            await insertOnce(ctx.db, "bundle", "library_device_bundles", BUNDLE_COLUMNS, BUNDLE_PG_TYPES, 2, [deviceId, bundle.bundleVersion, contentHash,
                JSON.stringify(bundle), bundle.issuedUnixS, bundle.expiresUnixS, content.omitted, ctx.nowMs()])
        } catch (e) {
            // another hub process issued this version first: read what it issued and decide again
            if (isUniqueViolation(e) && attempt < ATTEMPTS) {
                ctx.log?.info("bundle version issued by another process; deciding again", { deviceId, version: bundle.bundleVersion })
                continue
            }
            throw e
        }
        ctx.log?.info("bundle issued", { deviceId, version: bundle.bundleVersion, approved: bundle.approved.length, revoked: bundle.revoked.length })
        return sealed
    }
}

/**
 * The version now, the sealed bytes when asked: a device that already holds this version
 * (If-None-Match, the usual sync) is answered 304 without sealing it again. The stored bundle
 * has the current content (its content hash matched), so its lists' bytes are the current ones.
 */
function sealedLater(version: number, bundleJson: string, lists: number[], keyHex: string): { version: number; sealedHex: string } {
    let hex: string | null = null
    return {
        version,
        get sealedHex() {
            hex ??= seal(JSON.parse(bundleJson) as Bundle, lists, keyHex).sealedHex
            return hex
        },
    }
}

function seal(b: Bundle, lists: number[], keyHex: string): { version: number; sealedHex: string } {
    // Buffer's hex writer: src/core's toHex (a string concatenation a byte, for the VM) was ~1 % of
    // a 1,000-device burst's hub CPU
    return { version: b.bundleVersion, sealedHex: Buffer.from(sealBundleOnto(b, lists, keyHex, nodeCrypto)).toString("hex") }
}

// The designer's editor asks the hub before it submits: is this design inside the profile in
// force and the device's hard limits? The same src/core validation as a submission, with the
// design's id (SHA-256 of its canonical bytes) computed here, since a browser without the codec
// cannot; any id sent is replaced. Nothing is stored.
import { nodeCrypto } from "../../../src/node/crypto-node"
import { templateId } from "../../../src/core/template/codec"
import type { RegulationProfile } from "../../../src/core/template/profile"
import type { Limits } from "../../../src/core/manifest"
import type { HubContext } from "../context"
import { LibraryError } from "./errors"
import { hubManifest } from "./manifest"
import { inForceProfile } from "./profiles"
import { validateDesign, designOf, PENDING_REVIEWER, type Design } from "./templates"

export interface CheckResult {
    ok: true
    templateId: string
    /** the design as it would be submitted (with its id) */
    design: Design
    profile: RegulationProfile
}

export async function checkDesign(ctx: HubContext, design: unknown, profileId: string): Promise<CheckResult> {
    const profile = await inForceProfile(ctx.db.db, profileId)
    if (!profile) throw new LibraryError(400, "unknown_profile", "profileId", "no profile " + JSON.stringify(profileId) + " is published")
    const approval = { profileId: profile.profileId, profileVersion: profile.profileVersion, reviewerId: PENDING_REVIEWER, approvedUnixS: Math.floor(ctx.nowMs() / 1000) }
    let withId: unknown = design
    if (typeof design === "object" && design !== null && !Array.isArray(design)) {
        let id = "0".repeat(64)
        try {
            id = templateId({ ...(design as any), approval }, nodeCrypto)
        } catch {
            // a shape the encoder refuses: validateDesign names the field (the shape is checked before the id)
        }
        withId = { ...design, id }
    }
    const t = validateDesign(withId, approval, profile)
    return { ok: true, templateId: t.id, design: designOf(t), profile }
}

/** The device's hard limits every template must also sit inside (devicescript.json). */
export function deviceLimits(): Pick<Limits, "filmMaxDeciC" | "contactMaxDeciC" | "forceMaxMilliN"> {
    const l = hubManifest().limits
    return { filmMaxDeciC: l.filmMaxDeciC, contactMaxDeciC: l.contactMaxDeciC, forceMaxMilliN: l.forceMaxMilliN }
}

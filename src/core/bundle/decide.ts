// Two decisions on a bundle whose MAC already verified (openBundle):
//   checkInstall: may it replace the installed one? (wrong_device, rollback, expired)
//   decideRun:    may this template run now? Only if its hash is approved in a valid, unexpired
//                 bundle for this device, not revoked, and it passes validation against its
//                 profile (carried in the bundle) and the device's hard limits.
// Both fail closed: an unknown clock refuses a run (an expiry cannot be checked without it).

import type { Manifest } from "../manifest"
import { Crypto } from "../crypto"
import { ValidationError } from "../codec/errors"
import { ProcessParams } from "../cycle/process"
import { RegulationProfile, ProfileCheck, checkProfile } from "../template/profile"
import { Template } from "../template/types"
import { encodeShaped, TemplateBytes } from "../template/codec"
import { checkTemplateShape } from "../template/shape"
import { validateShaped } from "../template/validate"
import { Bundle, BUNDLE_CLOCK_SKEW_S } from "./types"

/** Throws ValidationError unless b may replace the installed bundle (version 0 = none installed). */
export function checkInstall(b: Bundle, deviceId: string, installedVersion: number, nowUnixS: number) {
    if (b.deviceId !== deviceId)
        throw new ValidationError("wrong_device", "deviceId", "bundle is for " + b.deviceId + ", this device is " + deviceId)
    if (b.bundleVersion <= installedVersion)
        throw new ValidationError("rollback", "bundleVersion",
            b.bundleVersion + " is not newer than the installed " + installedVersion + " (no rollback)")
    // an unknown clock (0) cannot judge expiry here; decideRun refuses every run until it is synced
    if (nowUnixS > 0 && nowUnixS >= b.expiresUnixS)
        throw new ValidationError("expired", "expiresUnixS", "bundle expired at " + b.expiresUnixS + ", now " + nowUnixS)
}

export interface RunDecision {
    ok: boolean
    /** "" when ok; else no_bundle, wrong_device, clock_unknown, not_yet_valid, expired, revoked,
     *  unknown_template, profile_missing, or template_invalid (then `field` and `detail` say why) */
    code: string
    field: string
    detail: string
    params: ProcessParams | null
    templateHash: string
    bundleVersion: number
    /** the bundle's expiry (0 when refused): the device re-checks it before every start */
    expiresUnixS: number
}

function refuse(code: string, field: string, detail: string): RunDecision {
    return { ok: false, code: code, field: field, detail: detail, params: null, templateHash: "", bundleVersion: 0, expiresUnixS: 0 }
}

/** Decides whether `template` (untrusted object) may start a cycle now; never throws a ValidationError. */
export function decideRun(b: Bundle | null, template: any, deviceId: string, nowUnixS: number, m: Manifest, c: Crypto): RunDecision {
    const pre = checkBundleNow(b, deviceId, nowUnixS)
    if (pre) return pre
    let t: Template
    let enc: TemplateBytes
    try {
        t = checkTemplateShape(template)
        enc = encodeShaped(t)
    } catch (e) {
        if (e instanceof ValidationError) return refuse("template_invalid", e.field, e.message)
        throw e
    }
    return decideShaped(b, t, enc, deviceId, nowUnixS, m, c, checkProfile)
}

function checkBundleNow(b: Bundle | null, deviceId: string, nowUnixS: number): RunDecision | null {
    if (!b) return refuse("no_bundle", "(bundle)", "no approval bundle installed: sync with the hub")
    if (b.deviceId !== deviceId) return refuse("wrong_device", "deviceId", "bundle is for " + b.deviceId)
    if (nowUnixS <= 0) return refuse("clock_unknown", "(clock)", "time not synced since boot: connect to the hub")
    if (nowUnixS >= b.expiresUnixS) return refuse("expired", "expiresUnixS", "approval bundle expired: sync with the hub")
    if (nowUnixS < b.issuedUnixS - BUNDLE_CLOCK_SKEW_S) return refuse("not_yet_valid", "issuedUnixS", "device clock is before the bundle's issue time")
    return null
}

/**
 * decideRun for a template that passed checkTemplateShape, with its bytes (enc): the device
 * passes what decodeTemplateBytes returned, so it neither re-checks the shape nor re-encodes,
 * and decodedProfile as `check` for the profiles of its decoded bundle (decideRun: checkProfile).
 */
export function decideShaped(bundle: Bundle | null, t: Template, enc: TemplateBytes, deviceId: string, nowUnixS: number, m: Manifest, c: Crypto,
    check: ProfileCheck): RunDecision {
    const pre = checkBundleNow(bundle, deviceId, nowUnixS)
    if (pre) return pre
    const b = bundle as Bundle // not null: checkBundleNow refused that
    const hash = c.sha256Hex(enc.bytes)
    if (b.revoked.indexOf(hash) >= 0) return refuse("revoked", "(template)", "template " + hash + " was revoked by the council")
    if (b.approved.indexOf(hash) < 0) return refuse("unknown_template", "(template)", "template " + hash + " is not approved for this device")
    let profile: RegulationProfile | null = null
    for (const p of b.profiles) if (p.profileId === t.approval.profileId && p.profileVersion === t.approval.profileVersion) profile = p
    if (!profile) return refuse("profile_missing", "approval.profileId", "the bundle carries no profile " + t.approval.profileId + " v" + t.approval.profileVersion)
    try {
        const v = validateShaped(t, profile, m, c, enc, check)
        return { ok: true, code: "", field: "", detail: "", params: v.params, templateHash: v.hash, bundleVersion: b.bundleVersion, expiresUnixS: b.expiresUnixS }
    } catch (e) {
        if (e instanceof ValidationError) return refuse("template_invalid", e.field, e.message)
        throw e
    }
}

// A regulation profile: the versioned set of limits the Dental Rights Council publishes and
// reviews templates against. A template must sit inside its profile AND inside the device's
// hard limits (the manifest); the stricter of the two wins. Canonical bytes: tag 'P'.

import { ValidationError } from "../codec/errors"
import { checkInt, checkText, checkObject, join, UNIX_S_MAX } from "../codec/ints"
import { ByteWriter } from "../codec/writer"
import { ByteReader } from "../codec/reader"
import { TEMPLATE_FORMAT } from "./types"

export interface RegulationProfile {
    profileId: string
    profileVersion: number
    filmMinDeciC: number
    filmMaxDeciC: number
    cureMinDeciC: number
    cureMaxDeciC: number
    /** a template's contact limit may not exceed this */
    contactMaxDeciC: number
    /** the film must cool to at most this before a cycle completes */
    coolMaxDeciC: number
    forceMinMilliN: number
    forceMaxMilliN: number
    /** force may not be applied faster: the ramp lasts at least this */
    rampMinMs: number
    soakMaxMs: number
    cureMinMs: number
    cureMaxMs: number
    filmThicknessMinUm: number
    filmThicknessMaxUm: number
    /** the arch geometry has at least this many points */
    archPointsMin: number
}

export const PROFILE_TAG = 0x50 // 'P'
export const PROFILE_FORMAT_VERSION = 1

/** Every limit in encoding order, with the format range of its unit. */
const F = TEMPLATE_FORMAT
export const PROFILE_LIMITS: [string, number][] = [
    ["filmMinDeciC", F.tempMaxDeciC], ["filmMaxDeciC", F.tempMaxDeciC],
    ["cureMinDeciC", F.tempMaxDeciC], ["cureMaxDeciC", F.tempMaxDeciC],
    ["contactMaxDeciC", F.tempMaxDeciC], ["coolMaxDeciC", F.tempMaxDeciC],
    ["forceMinMilliN", F.forceMaxMilliN], ["forceMaxMilliN", F.forceMaxMilliN],
    ["rampMinMs", F.durationMaxMs], ["soakMaxMs", F.durationMaxMs],
    ["cureMinMs", F.durationMaxMs], ["cureMaxMs", F.durationMaxMs],
    ["filmThicknessMinUm", F.thicknessMaxUm], ["filmThicknessMaxUm", F.thicknessMaxUm],
    ["archPointsMin", F.archPointsMax],
]

const KEYS = ["profileId", "profileVersion"]
PROFILE_LIMITS.forEach(l => KEYS.push(l[0]))

/** Checks an untrusted profile (shape, ranges, min <= max); returns a clean copy. */
export function checkProfile(v: any, field: string): RegulationProfile {
    checkObject(v, KEYS, field)
    const p: any = {
        profileId: checkText(v.profileId, 1, F.profileIdMax, join(field, "profileId")),
        profileVersion: checkInt(v.profileVersion, 1, UNIX_S_MAX, join(field, "profileVersion")),
    }
    for (const l of PROFILE_LIMITS) p[l[0]] = checkInt(v[l[0]], 0, l[1], join(field, l[0]))
    return ordered(p as RegulationProfile, field)
}

function ordered(p: RegulationProfile, field: string): RegulationProfile {
    const pairs = [["filmMinDeciC", "filmMaxDeciC"], ["cureMinDeciC", "cureMaxDeciC"], ["forceMinMilliN", "forceMaxMilliN"],
        ["cureMinMs", "cureMaxMs"], ["filmThicknessMinUm", "filmThicknessMaxUm"]]
    for (const pr of pairs) {
        if ((p as any)[pr[0]] > (p as any)[pr[1]])
            throw new ValidationError("profile_invalid", join(field, pr[0]), "must not exceed " + pr[1])
    }
    if (p.archPointsMin < F.archPointsMin)
        throw new ValidationError("profile_invalid", join(field, "archPointsMin"), "must be at least " + F.archPointsMin)
    return p
}

export function writeProfile(w: ByteWriter, p: RegulationProfile) {
    w.byte(PROFILE_TAG)
    w.byte(PROFILE_FORMAT_VERSION)
    w.text(p.profileId, F.profileIdMax, "profileId")
    w.int(p.profileVersion, "profileVersion")
    for (const l of PROFILE_LIMITS) w.int((p as any)[l[0]], l[0])
}

export function encodeProfile(p: RegulationProfile): number[] {
    const w = new ByteWriter()
    writeProfile(w, checkProfile(p, "profile"))
    return w.bytes
}

export function readProfile(r: ByteReader, field: string): RegulationProfile {
    r.header(PROFILE_TAG, PROFILE_FORMAT_VERSION)
    const p: any = {
        profileId: r.text(join(field, "profileId"), 1, F.profileIdMax),
        profileVersion: r.int(join(field, "profileVersion"), 1, UNIX_S_MAX),
    }
    for (const l of PROFILE_LIMITS) p[l[0]] = r.int(join(field, l[0]), 0, l[1])
    return ordered(p as RegulationProfile, field)
}

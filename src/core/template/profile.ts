// A regulation profile: the versioned set of limits the Dental Rights Council publishes and
// reviews templates against. A template must sit inside its profile AND inside the device's
// hard limits (the manifest); the stricter of the two wins. Canonical bytes: tag 'P'.

import { ValidationError } from "../codec/errors"
import { checkInt, checkText, checkObject, join, UNIX_S_MAX } from "../codec/ints"
import { ByteWriter, writeText, writeInt } from "../codec/writer"
import { ByteReader } from "../codec/reader"
import { templateFormat } from "./types"

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

/**
 * Every limit in encoding order, with the format range of its unit (templateFormat()'s
 * tempMaxDeciC 3000, forceMaxMilliN 500000, durationMaxMs 86400000, thicknessMaxUm 10000,
 * archPointsMax 64; a unit test holds them to it), parsed afresh on each call. In a string: as
 * array literals the pairs cost ~300 bytes of the firmware's 64 KB function area, and parsed at
 * the top level the heap held them (README, "DeviceScript traps").
 */
export function profileLimits(): [string, number][] {
    return JSON.parse('[["filmMinDeciC",3000],["filmMaxDeciC",3000],["cureMinDeciC",3000],["cureMaxDeciC",3000],["contactMaxDeciC",3000],["coolMaxDeciC",3000],["forceMinMilliN",500000],["forceMaxMilliN",500000],["rampMinMs",86400000],["soakMaxMs",86400000],["cureMinMs",86400000],["cureMaxMs",86400000],["filmThicknessMinUm",10000],["filmThicknessMaxUm",10000],["archPointsMin",64]]')
}

/** Checks an untrusted profile (shape, ranges, min <= max); returns a clean copy. */
export function checkProfile(v: any, field: string): RegulationProfile {
    // the keys are listed here rather than at the top level, which the device image would run
    const limits = profileLimits()
    const keys = ["profileId", "profileVersion"]
    for (const l of limits) keys.push(l[0])
    checkObject(v, keys, field)
    const p: any = {
        profileId: checkText(v.profileId, 1, templateFormat().profileIdMax, join(field, "profileId")),
        profileVersion: checkInt(v.profileVersion, 1, UNIX_S_MAX, join(field, "profileVersion")),
    }
    for (const l of limits) p[l[0]] = checkInt(v[l[0]], 0, l[1], join(field, l[0]))
    return ordered(p as RegulationProfile, field)
}

/** How a validation takes its profile: checkProfile for an untrusted one. */
export type ProfileCheck = (v: any, field: string) => RegulationProfile

/**
 * The ProfileCheck for a profile from a decoded bundle (decodeBundle, openBundle): readProfile
 * already checked exactly what checkProfile does, so the device's image leaves checkProfile out.
 */
export function decodedProfile(p: any, field: string): RegulationProfile {
    return p as RegulationProfile
}

function ordered(p: RegulationProfile, field: string): RegulationProfile {
    // the min <= max pairs, parsed here (at the top level the heap held them)
    const pairs: string[][] = JSON.parse('[["filmMinDeciC","filmMaxDeciC"],["cureMinDeciC","cureMaxDeciC"],["forceMinMilliN","forceMaxMilliN"],["cureMinMs","cureMaxMs"],["filmThicknessMinUm","filmThicknessMaxUm"]]')
    for (const pr of pairs) {
        if ((p as any)[pr[0]] > (p as any)[pr[1]])
            throw new ValidationError("profile_invalid", join(field, pr[0]), "must not exceed " + pr[1])
    }
    const min = templateFormat().archPointsMin
    if (p.archPointsMin < min)
        throw new ValidationError("profile_invalid", join(field, "archPointsMin"), "must be at least " + min)
    return p
}

export function writeProfile(w: ByteWriter, p: RegulationProfile) {
    w.byte(PROFILE_TAG)
    w.byte(PROFILE_FORMAT_VERSION)
    writeText(w, p.profileId, templateFormat().profileIdMax, "profileId")
    writeInt(w, p.profileVersion, "profileVersion")
    for (const l of profileLimits()) writeInt(w, (p as any)[l[0]], l[0])
}

export function encodeProfile(p: RegulationProfile): number[] {
    const w = new ByteWriter()
    writeProfile(w, checkProfile(p, "profile"))
    return w.bytes
}

export function readProfile(r: ByteReader, field: string): RegulationProfile {
    r.header(PROFILE_TAG, PROFILE_FORMAT_VERSION)
    const p: any = {
        profileId: r.text(join(field, "profileId"), 1, templateFormat().profileIdMax),
        profileVersion: r.int(join(field, "profileVersion"), 1, UNIX_S_MAX),
    }
    for (const l of profileLimits()) p[l[0]] = r.int(join(field, l[0]), 0, l[1])
    return ordered(p as RegulationProfile, field)
}

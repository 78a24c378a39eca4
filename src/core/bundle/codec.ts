// Canonical bytes of a bundle and its sealed form (docs/records.md, "Bundle"):
//   'B' 0x01, deviceId, bundleVersion, issuedUnixS, expiresUnixS,
//   profile count + each profile's own bytes ('P' ...), approved count + 32-byte hashes,
//   revoked count + 32-byte hashes
// Lists are sets: written sorted ascending (profiles by id then version, hashes bytewise), so
// one bundle has one encoding; the reader refuses any other order or a duplicate.
// sealed = bytes ‖ HMAC-SHA256(device key, bytes). The MAC is checked before anything is parsed.

import { Crypto, fromHex, toHex, hexEqual, sliceBytes } from "../crypto"
import { ValidationError } from "../codec/errors"
import { checkInt, checkText, checkArray, checkObject, checkHash, UNIX_S_MAX } from "../codec/ints"
import { ByteWriter, writeText, writeInt } from "../codec/writer"
import { ByteReader } from "../codec/reader"
import { RegulationProfile, checkProfile, writeProfile, readProfile } from "../template/profile"
import { Bundle, BundleFormat, bundleFormat, BUNDLE_TAG, BUNDLE_FORMAT_VERSION, MAC_BYTES } from "./types"

// a module constant, though only Node checks bundle objects: the names it lists early in the
// device's start-up code get one-byte string indexes, which every use of them on the device
// pays back (README, "DeviceScript traps"; measured: dropping it cost ~100 bytes)
const KEYS = ["deviceId", "bundleVersion", "issuedUnixS", "expiresUnixS", "profiles", "approved", "revoked"]

/** <0, 0, >0 by character codes (the same order as the bytes of printable ASCII / hex) */
export function compareText(a: string, b: string): number {
    const n = a.length < b.length ? a.length : b.length
    for (let i = 0; i < n; i++) {
        const d = a.charCodeAt(i) - b.charCodeAt(i)
        if (d !== 0) return d
    }
    return a.length - b.length
}

function compareProfiles(a: RegulationProfile, b: RegulationProfile): number {
    const d = compareText(a.profileId, b.profileId)
    return d !== 0 ? d : a.profileVersion - b.profileVersion
}

function sortedHashes(v: any, max: number, field: string): string[] {
    const arr = checkArray(v, 0, max, field)
    const out: string[] = []
    for (let i = 0; i < arr.length; i++) out.push(checkHash(arr[i], field + "[" + i + "]"))
    out.sort(compareText)
    for (let i = 1; i < out.length; i++)
        if (out[i] === out[i - 1]) throw new ValidationError("duplicate", field, "lists " + out[i] + " twice")
    return out
}

/** Checks an untrusted bundle object; returns a clean copy with its sets sorted. */
export function checkBundle(v: any): Bundle {
    checkObject(v, KEYS, "")
    const B = bundleFormat()
    const profilesIn = checkArray(v.profiles, 1, B.profilesMax, "profiles")
    const profiles: RegulationProfile[] = []
    for (let i = 0; i < profilesIn.length; i++) profiles.push(checkProfile(profilesIn[i], "profiles[" + i + "]"))
    profiles.sort(compareProfiles)
    for (let i = 1; i < profiles.length; i++)
        if (compareProfiles(profiles[i], profiles[i - 1]) === 0)
            throw new ValidationError("duplicate", "profiles", "lists " + profiles[i].profileId + " v" + profiles[i].profileVersion + " twice")
    const h = checkHeadFields(v, B)
    const b: Bundle = {
        deviceId: h.deviceId, bundleVersion: h.bundleVersion, issuedUnixS: h.issuedUnixS, expiresUnixS: h.expiresUnixS,
        profiles: profiles,
        approved: sortedHashes(v.approved, B.approvedMax, "approved"),
        revoked: sortedHashes(v.revoked, B.revokedMax, "revoked"),
    }
    checkExpiry(b)
    return b
}

type BundleHead = Pick<Bundle, "deviceId" | "bundleVersion" | "issuedUnixS" | "expiresUnixS">

/** the head's fields one by one (checkExpiry compares two of them, after the lists are checked) */
function checkHeadFields(v: any, B: BundleFormat): BundleHead {
    return {
        deviceId: checkText(v.deviceId, 1, B.deviceIdMax, "deviceId"),
        bundleVersion: checkInt(v.bundleVersion, 1, UNIX_S_MAX, "bundleVersion"),
        issuedUnixS: checkInt(v.issuedUnixS, 1, UNIX_S_MAX, "issuedUnixS"),
        expiresUnixS: checkInt(v.expiresUnixS, 1, UNIX_S_MAX, "expiresUnixS"),
    }
}

function checkExpiry(h: BundleHead) {
    if (h.expiresUnixS <= h.issuedUnixS) throw new ValidationError("format_range", "expiresUnixS", "must be after issuedUnixS")
}

export function encodeBundle(input: Bundle): number[] {
    const b = checkBundle(input)
    return encodeBundleOnto(b, encodeBundleLists(b))
}

/**
 * The bytes after a bundle's head (profiles, approved, revoked) of a bundle checkBundle
 * returned: the same for every device that is issued the same lists, so the hub writes them
 * once for all its devices (encodeBundleOnto) instead of checking every profile again per device.
 */
export function encodeBundleLists(checked: Bundle): number[] {
    const w = new ByteWriter()
    writeInt(w, checked.profiles.length, "profiles")
    for (const p of checked.profiles) writeProfile(w, p)
    writeInt(w, checked.approved.length, "approved")
    for (const h of checked.approved) w.hash(h, "approved")
    writeInt(w, checked.revoked.length, "revoked")
    for (const h of checked.revoked) w.hash(h, "revoked")
    return w.bytes
}

/** A bundle's bytes: its head, checked, then lists = encodeBundleLists of a bundle with its lists. */
export function encodeBundleOnto(head: BundleHead, lists: number[]): number[] {
    const B = bundleFormat()
    const h = checkHeadFields(head, B)
    checkExpiry(h)
    const w = new ByteWriter()
    w.byte(BUNDLE_TAG)
    w.byte(BUNDLE_FORMAT_VERSION)
    writeText(w, h.deviceId, B.deviceIdMax, "deviceId")
    writeInt(w, h.bundleVersion, "bundleVersion")
    writeInt(w, h.issuedUnixS, "issuedUnixS")
    writeInt(w, h.expiresUnixS, "expiresUnixS")
    const out = w.bytes
    for (let i = 0; i < lists.length; i++) out.push(lists[i])
    return out
}

function readHashes(r: ByteReader, max: number, field: string): string[] {
    const n = r.int(field, 0, max)
    const out: string[] = []
    for (let i = 0; i < n; i++) {
        const h = r.hash(field + "[" + i + "]")
        if (i > 0 && compareText(out[i - 1], h) >= 0)
            throw new ValidationError("not_canonical", field + "[" + i + "]", "hashes must be sorted ascending without duplicates")
        out.push(h)
    }
    return out
}

/** Strict decode of bundle bytes (the MAC is checked by openBundle, before this). */
export function decodeBundle(bytes: number[] | Buffer): Bundle {
    const B = bundleFormat()
    const r = new ByteReader(bytes, "bundle")
    r.header(BUNDLE_TAG, BUNDLE_FORMAT_VERSION)
    const deviceId = r.text("deviceId", 1, B.deviceIdMax)
    const version = r.int("bundleVersion", 1, UNIX_S_MAX)
    const issued = r.int("issuedUnixS", 1, UNIX_S_MAX)
    const expires = r.int("expiresUnixS", 1, UNIX_S_MAX)
    const np = r.int("profiles", 1, B.profilesMax)
    const profiles: RegulationProfile[] = []
    for (let i = 0; i < np; i++) {
        const p = readProfile(r, "profiles[" + i + "]")
        if (i > 0 && compareProfiles(profiles[i - 1], p) >= 0)
            throw new ValidationError("not_canonical", "profiles[" + i + "]", "profiles must be sorted by id and version without duplicates")
        profiles.push(p)
    }
    const approved = readHashes(r, B.approvedMax, "approved")
    const revoked = readHashes(r, B.revokedMax, "revoked")
    r.end()
    if (expires <= issued) throw new ValidationError("format_range", "expiresUnixS", "must be after issuedUnixS")
    return { deviceId: deviceId, bundleVersion: version, issuedUnixS: issued, expiresUnixS: expires, profiles: profiles, approved: approved, revoked: revoked }
}

/** Hub side: canonical bytes followed by their HMAC-SHA256 under the device key. */
export function sealBundle(b: Bundle, keyHex: string, c: Crypto): number[] {
    return sealBytes(encodeBundle(b), keyHex, c)
}

/** sealBundle for a bundle whose lists' bytes were written once (encodeBundleLists): only its head is checked */
export function sealBundleOnto(head: BundleHead, lists: number[], keyHex: string, c: Crypto): number[] {
    return sealBytes(encodeBundleOnto(head, lists), keyHex, c)
}

function sealBytes(bytes: number[], keyHex: string, c: Crypto): number[] {
    const out = bytes.slice(0)
    for (const x of fromHex(c.hmacSha256Hex(keyHex, bytes))) out.push(x)
    return out
}

/** Device side: checks the MAC (bad_mac) first, then decodes strictly. */
export function openBundle(sealed: number[] | Buffer, keyHex: string, c: Crypto): Bundle {
    if (!(Array.isArray(sealed) || sealed instanceof Buffer) || sealed.length < MAC_BYTES + 2)
        throw new ValidationError("truncated", "(bundle)", "sealed bundle is too short")
    const body = sliceBytes(sealed, 0, sealed.length - MAC_BYTES)
    const tag = toHex(sliceBytes(sealed, sealed.length - MAC_BYTES, sealed.length))
    if (!hexEqual(c.hmacSha256Hex(keyHex, body), tag))
        throw new ValidationError("bad_mac", "(bundle)", "MAC does not verify under this device's key")
    return decodeBundle(body)
}

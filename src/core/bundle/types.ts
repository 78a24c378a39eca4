// The approval bundle as a device receives it from the hub: which approved templates it may
// run, which are revoked, under which regulation profiles, until when. MAC'd with the device's
// own key (the VM has no public-key crypto: the hub verifies the council's signatures and
// issues these). Versions only go up: an older or equal bundle is refused (no rollback).

import { RegulationProfile } from "../template/profile"

export interface Bundle {
    deviceId: string
    /** only goes up; a bundle not newer than the installed one is refused */
    bundleVersion: number
    issuedUnixS: number
    /** from this second on, no new cycle starts under this bundle */
    expiresUnixS: number
    /** the profiles the approved templates were reviewed against (the device validates with them) */
    profiles: RegulationProfile[]
    /** template hashes (hex SHA-256 of template bytes) the device may run */
    approved: string[]
    /** template hashes that must never run again, even if listed as approved */
    revoked: string[]
}

export interface BundleFormat {
    deviceIdMax: number
    profilesMax: number
    approvedMax: number
    revokedMax: number
}

/** Bounds of the bundle format, parsed afresh on each call (from a string, as the firmware's other
 *  tables; parsed at the top level, the heap held them). */
export function bundleFormat(): BundleFormat {
    return JSON.parse('{"deviceIdMax":32,"profilesMax":4,"approvedMax":16,"revokedMax":16}')
}

/** a device clock this far behind the bundle's issue time still accepts it (hub and device drift) */
export const BUNDLE_CLOCK_SKEW_S = 300

export const BUNDLE_TAG = 0x42 // 'B'
export const BUNDLE_FORMAT_VERSION = 1
export const MAC_BYTES = 32

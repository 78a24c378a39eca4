// Golden objects for templates, bundles and records (docs/records.md's worked examples), and
// their expected bytes. Expected hex, hashes and MACs were NOT produced by the code under test:
// the varints were derived from the rules by hand (e.g. 700 -> zigzag 1400 = 10*128 + 120 ->
// f8 0a) and cross-checked with a separate Python encoder written from docs/records.md; the
// SHA-256 values with `xxd -r -p | sha256sum` and the HMACs with
// `openssl dgst -sha256 -mac HMAC -macopt hexkey:000102...1f`.

import type { Template } from "../../src/core/template/types"
import type { RegulationProfile } from "../../src/core/template/profile"
import type { Bundle } from "../../src/core/bundle/types"
import type { ComplianceRecord } from "../../src/core/records/types"

/** s repeated n times (the VM has no String.repeat) */
export function rep(s: string, n: number): string {
    let out = ""
    for (let i = 0; i < n; i++) out += s
    return out
}

/** the device key of the examples: bytes 0x00..0x1f */
export const GOLDEN_KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
export const GOLDEN_DEVICE = "SFA1-000042"
export const GOLDEN_TEMPLATE_ID = "52d77465f944deb19e1f1896ea4c73a040deea0b29e3a71438c5b737477d9bdc"
export const GOLDEN_TEMPLATE_HASH = "78c4cce60eece1c0e9c7135ecfc6c240623ffdf5f1d664f6c8f42510bb99dc93"

export function goldenProfile(): RegulationProfile {
    return {
        profileId: "DRC-2025", profileVersion: 3,
        filmMinDeciC: 550, filmMaxDeciC: 850, cureMinDeciC: 550, cureMaxDeciC: 850,
        contactMaxDeciC: 420, coolMaxDeciC: 550, forceMinMilliN: 5000, forceMaxMilliN: 40000,
        rampMinMs: 2000, soakMaxMs: 120000, cureMinMs: 5000, cureMaxMs: 600000,
        filmThicknessMinUm: 200, filmThicknessMaxUm: 1500, archPointsMin: 5,
    }
}

export function goldenTemplate(): Template {
    return {
        id: GOLDEN_TEMPLATE_ID, version: 1, name: "Demo arch", designer: "open-smile",
        material: { materialId: "PETG-050", filmThicknessUm: 500, softenDeciC: 600, materialMaxDeciC: 900 },
        process: { filmDeciC: 700, soakMs: 2000, forceMilliN: 20000, rampMs: 4000, cureDeciC: 680, cureMs: 8000, coolDeciC: 500, contactMaxDeciC: 415 },
        archPointsUm: [[-16000, 0], [-9000, 12000], [0, 16000], [9000, 12000], [16000, 0]],
        approval: { profileId: "DRC-2025", profileVersion: 3, reviewerId: "rev-017", approvedUnixS: 1750000000 },
    }
}

export const GOLDEN_DESIGN_HEX = [
    "4401", // tag 'D', format 1
    "02", // version 1
    "1244656d6f2061726368", // name 'Demo arch' (9 chars: zigzag 18 = 0x12)
    "146f70656e2d736d696c65", // designer 'open-smile'
    "10504554472d303530", // material.materialId 'PETG-050'
    "e807", "b009", "880e", // filmThicknessUm 500, softenDeciC 600, materialMaxDeciC 900
    "f80a", "a01f", "c0b802", "c03e", // filmDeciC 700, soakMs 2000, forceMilliN 20000, rampMs 4000
    "d00a", "807d", "e807", "be06", // cureDeciC 680, cureMs 8000, coolDeciC 500, contactMaxDeciC 415
    "0a", // 5 points
    "fff901", "00", "cf8c01", "c0bb01", "00", "80fa01", "d08c01", "c0bb01", "80fa01", "00", // (-16000,0) (-9000,12000) (0,16000) (9000,12000) (16000,0)
].join("")

export const GOLDEN_TEMPLATE_HEX = "5401" + GOLDEN_DESIGN_HEX + [
    "104452432d32303235", // approval.profileId 'DRC-2025'
    "06", // profileVersion 3
    "0e7265762d303137", // reviewerId 'rev-017'
    "8086f7840d", // approvedUnixS 1750000000 (zigzag 3500000000)
].join("")

export const GOLDEN_PROFILE_HEX = [
    "5001", "104452432d32303235", "06", // tag 'P', format 1, 'DRC-2025', version 3
    "cc08", "a40d", "cc08", "a40d", // film 550..850, cure 550..850
    "c806", "cc08", "904e", "80f104", // contactMax 420, coolMax 550, force 5000..40000
    "a01f", "80d30e", "904e", "809f49", // rampMin 2000, soakMax 120000, cure 5000..600000 ms
    "9003", "b817", "0a", // thickness 200..1500, archPointsMin 5
].join("")

export function goldenBundle(): Bundle {
    return {
        deviceId: GOLDEN_DEVICE, bundleVersion: 7, issuedUnixS: 1750000000, expiresUnixS: 1752592000,
        profiles: [goldenProfile()],
        approved: [rep("aa", 32), GOLDEN_TEMPLATE_HASH],
        revoked: [rep("55", 32)],
    }
}

export const GOLDEN_BUNDLE_HEX = [
    "4201", "16534641312d303030303432", // tag 'B', format 1, deviceId 'SFA1-000042'
    "0e", "8086f7840d", "80bab3870d", // bundleVersion 7, issued 1750000000, expires 1752592000
    "02", GOLDEN_PROFILE_HEX, // 1 profile
    "04", GOLDEN_TEMPLATE_HASH, rep("aa", 32), // 2 approved, sorted ascending
    "02", rep("55", 32), // 1 revoked
].join("")
export const GOLDEN_BUNDLE_MAC = "df0cbb6c765438e51d8ae10b66941c2e90eedec7f28fc96f7a8419a199a7dc9d"

/** a typical full cycle record: seven phases, a fit, two calibrations, no fault */
export function goldenRecord(): ComplianceRecord {
    return {
        kind: 1, deviceId: GOLDEN_DEVICE, seq: 17, prevHash: rep("11", 32), bootId: 5, uptimeMs: 3725000,
        wallUnixS: 1750003600, operatorId: "op-7", templateId: GOLDEN_TEMPLATE_ID, templateHash: GOLDEN_TEMPLATE_HASH,
        bundleVersion: 7, calibrationIds: ["cal-force-3", "cal-temp-9"],
        fit: { rmsUm: 38, worstUm: 95, coveragePermille: 930, scalePpm: 1012000, offsetXUm: -150, offsetYUm: 220, rotationMicroRad: -12000, accepted: 1 },
        phases: [
            phase([1, 0, 1, 231, 231, 231, 228, 12, 12, 12]),
            phase([2, 61250, 1225, 231, 706, 560, 301, 10, 25, 14]),
            phase([3, 4100, 82, 695, 705, 700, 330, 8, 850, 120]),
            phase([4, 4350, 87, 692, 704, 699, 380, 812, 20410, 11020]),
            phase([5, 8000, 160, 676, 686, 680, 405, 19520, 20390, 20005]),
            phase([6, 3900, 78, 640, 681, 662, 398, 0, 19800, 4100]),
            phase([7, 95400, 1908, 499, 640, 552, 370, -30, 40, 3]),
        ],
        faults: [], outcome: 1,
    }
}

function phase(v: number[]) {
    return {
        phase: v[0], durationMs: v[1], samples: v[2], filmMinDeciC: v[3], filmMaxDeciC: v[4], filmMeanDeciC: v[5],
        contactMaxDeciC: v[6], forceMinMilliN: v[7], forceMaxMilliN: v[8], forceMeanMilliN: v[9],
    }
}

export const GOLDEN_RECORD_HEX = [
    "5201", // tag 'R', format 1
    "02", // kind 1 (cycle)
    "16534641312d303030303432", // deviceId 'SFA1-000042' (11 chars)
    "22", // seq 17
    rep("11", 32), // prevHash
    "0a", // bootId 5
    "90dbc603", // uptimeMs 3725000
    "a0bef7840d", // wallUnixS 1750003600
    "086f702d37", // operatorId 'op-7'
    GOLDEN_TEMPLATE_ID, // templateId
    GOLDEN_TEMPLATE_HASH, // templateHash
    "0e", // bundleVersion 7
    "041663616c2d666f7263652d331463616c2d74656d702d39", // calibrationIds: 2, 'cal-force-3', 'cal-temp-9'
    "02", // fit: 1 entry
    "4cbe01c40ec0c47bab02b803bfbb0102", // rms 38, worst 95, coverage 930, scale 1012000, offset -150 220, rotation -12000, accepted 1
    "0e", // phases: 7 entries
    "020002ce03ce03ce03c803181818", // 1 0 1 231 231 231 228 12 12 12
    "0484bd079213ce03840be008da0414321c", // 2 61250 1225 231 706 560 301 10 25 14
    "068840a401ee0a820bf80a940510a40df001", // 3 4100 82 695 705 700 330 8 850 120
    "08fc43ae01e80a800bf60af805d80cf4be0298ac01", // 4 4350 87 692 704 699 380 812 20410 11020
    "0a807dc002c80adc0ad00aaa0680b102ccbe02cab802", // 5 8000 160 676 686 680 405 19520 20390 20005
    "0cf83c9c01800ad20aac0a9c0600b0b5028840", // 6 3900 78 640 681 662 398 0 19800 4100
    "0ed0d20be81de607800ad008e4053b5006", // 7 95400 1908 499 640 552 370 -30 40 3
    "00", // faults: none
    "02", // outcome 1 (complete)
].join("")
export const GOLDEN_RECORD_HASH = "7b0971bd3ac6dad35b57613829cd4bf0edcfab00dd8393fb043ffceaab623a65"
export const GOLDEN_RECORD_MAC = "2c160f8fc39307339c73fd84f0741e0f1f390b33d7e41f27646ab0c41d165280"

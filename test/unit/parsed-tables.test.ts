import { describe, it, expect } from "vitest"
import { RECORD_HEAD, FIT_FIELDS, PHASE_FIELDS, FAULT_FIELDS } from "../../src/core/records/codec"
import { SEQ_MAX } from "../../src/core/records/types"
import { INT_MAX_ABS, UNIX_S_MAX } from "../../src/core/codec/ints"
import { PROFILE_LIMITS } from "../../src/core/template/profile"
import { TEMPLATE_FORMAT } from "../../src/core/template/types"
import { BUNDLE_FORMAT } from "../../src/core/bundle/types"

// The firmware parses these tables from strings (each table as code costs the 64 KB function
// area hundreds of bytes), so their bounds are spelled out as numbers: held to the constants here.
const INT = 0
const TEXT = 1
const HASH = 2
const I = INT_MAX_ABS

describe("tables parsed from strings", () => {
    it("record field tables", () => {
        expect(RECORD_HEAD).toEqual([
            ["kind", INT, 1, 5], ["deviceId", TEXT, 1, 32], ["seq", INT, 1, SEQ_MAX], ["prevHash", HASH, 0, 0],
            ["bootId", INT, 0, UNIX_S_MAX], ["uptimeMs", INT, 0, I], ["wallUnixS", INT, 0, UNIX_S_MAX],
            ["operatorId", TEXT, 0, 32], ["templateId", HASH, 0, 0], ["templateHash", HASH, 0, 0],
            ["bundleVersion", INT, 0, UNIX_S_MAX],
        ])
        expect(FIT_FIELDS).toEqual([
            ["rmsUm", INT, 0, 1000000], ["worstUm", INT, 0, 1000000], ["coveragePermille", INT, 0, 1000],
            ["scalePpm", INT, 0, 10000000], ["offsetXUm", INT, -1000000, 1000000], ["offsetYUm", INT, -1000000, 1000000],
            ["rotationMicroRad", INT, -3141593, 3141593], ["accepted", INT, 0, 1],
        ])
        expect(PHASE_FIELDS).toEqual([
            ["phase", INT, 0, 255], ["durationMs", INT, 0, I], ["samples", INT, 0, I],
            ["filmMinDeciC", INT, -I, I], ["filmMaxDeciC", INT, -I, I], ["filmMeanDeciC", INT, -I, I],
            ["contactMaxDeciC", INT, -I, I], ["forceMinMilliN", INT, -I, I], ["forceMaxMilliN", INT, -I, I],
            ["forceMeanMilliN", INT, -I, I],
        ])
        expect(FAULT_FIELDS).toEqual([
            ["code", INT, 0, 255], ["sensor", INT, 0, 255], ["value", INT, -I, I], ["limit", INT, -I, I], ["atMs", INT, 0, I],
        ])
    })

    it("template format bounds", () => {
        expect(TEMPLATE_FORMAT).toEqual({
            versionMax: 1000000, textMax: 32, materialIdMax: 16, profileIdMax: 16, archPointsMin: 3, archPointsMax: 64,
            coordMaxAbsUm: 100000, tempMaxDeciC: 3000, forceMaxMilliN: 500000, durationMaxMs: 86400000, thicknessMaxUm: 10000,
        })
    })

    it("bundle format bounds", () => {
        expect(BUNDLE_FORMAT).toEqual({ deviceIdMax: 32, profilesMax: 4, approvedMax: 16, revokedMax: 16 })
    })

    it("profile limits carry their unit's format range", () => {
        const F = TEMPLATE_FORMAT
        expect(PROFILE_LIMITS).toEqual([
            ["filmMinDeciC", F.tempMaxDeciC], ["filmMaxDeciC", F.tempMaxDeciC],
            ["cureMinDeciC", F.tempMaxDeciC], ["cureMaxDeciC", F.tempMaxDeciC],
            ["contactMaxDeciC", F.tempMaxDeciC], ["coolMaxDeciC", F.tempMaxDeciC],
            ["forceMinMilliN", F.forceMaxMilliN], ["forceMaxMilliN", F.forceMaxMilliN],
            ["rampMinMs", F.durationMaxMs], ["soakMaxMs", F.durationMaxMs],
            ["cureMinMs", F.durationMaxMs], ["cureMaxMs", F.durationMaxMs],
            ["filmThicknessMinUm", F.thicknessMaxUm], ["filmThicknessMaxUm", F.thicknessMaxUm],
            ["archPointsMin", F.archPointsMax],
        ])
    })
})

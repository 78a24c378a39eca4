import { describe, it, expect } from "vitest"
import { RecordTable, recordFields } from "../../src/core/records/codec"
import { SEQ_MAX } from "../../src/core/records/types"
import { INT_MAX_ABS, UNIX_S_MAX } from "../../src/core/codec/ints"
import { profileLimits } from "../../src/core/template/profile"
import { TemplateKeys, templateFormat, templateKeys } from "../../src/core/template/types"
import { bundleFormat } from "../../src/core/bundle/types"
import { PHASE_COUNT, Phase, phaseName } from "../../src/core/cycle/events"

// The firmware parses these tables from strings (each table as code costs the 64 KB function
// area hundreds of bytes), so their bounds are spelled out as numbers: held to the constants here.
const INT = 0
const TEXT = 1
const HASH = 2
const I = INT_MAX_ABS

describe("tables parsed from strings", () => {
    it("record field tables", () => {
        expect(recordFields(RecordTable.Head)).toEqual([
            ["kind", INT, 1, 5], ["deviceId", TEXT, 1, 32], ["seq", INT, 1, SEQ_MAX], ["prevHash", HASH, 0, 0],
            ["bootId", INT, 0, UNIX_S_MAX], ["uptimeMs", INT, 0, I], ["wallUnixS", INT, 0, UNIX_S_MAX],
            ["operatorId", TEXT, 0, 32], ["templateId", HASH, 0, 0], ["templateHash", HASH, 0, 0],
            ["bundleVersion", INT, 0, UNIX_S_MAX],
        ])
        expect(recordFields(RecordTable.Fit)).toEqual([
            ["rmsUm", INT, 0, 1000000], ["worstUm", INT, 0, 1000000], ["coveragePermille", INT, 0, 1000],
            ["scalePpm", INT, 0, 10000000], ["offsetXUm", INT, -1000000, 1000000], ["offsetYUm", INT, -1000000, 1000000],
            ["rotationMicroRad", INT, -3141593, 3141593], ["accepted", INT, 0, 1],
        ])
        expect(recordFields(RecordTable.Phases)).toEqual([
            ["phase", INT, 0, 255], ["durationMs", INT, 0, I], ["samples", INT, 0, I],
            ["filmMinDeciC", INT, -I, I], ["filmMaxDeciC", INT, -I, I], ["filmMeanDeciC", INT, -I, I],
            ["contactMaxDeciC", INT, -I, I], ["forceMinMilliN", INT, -I, I], ["forceMaxMilliN", INT, -I, I],
            ["forceMeanMilliN", INT, -I, I],
        ])
        expect(recordFields(RecordTable.Faults)).toEqual([
            ["code", INT, 0, 255], ["sensor", INT, 0, 255], ["value", INT, -I, I], ["limit", INT, -I, I], ["atMs", INT, 0, I],
        ])
    })

    it("template format bounds", () => {
        expect(templateFormat()).toEqual({
            versionMax: 1000000, textMax: 32, materialIdMax: 16, profileIdMax: 16, archPointsMin: 3, archPointsMax: 64,
            coordMaxAbsUm: 100000, tempMaxDeciC: 3000, forceMaxMilliN: 500000, durationMaxMs: 86400000, thicknessMaxUm: 10000,
        })
    })

    it("bundle format bounds", () => {
        expect(bundleFormat()).toEqual({ deviceIdMax: 32, profilesMax: 4, approvedMax: 16, revokedMax: 16 })
    })

    it("profile limits carry their unit's format range", () => {
        const F = templateFormat()
        expect(profileLimits()).toEqual([
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

    it("template key lists, in encoding order", () => {
        expect(templateKeys(TemplateKeys.Material)).toEqual(["materialId", "filmThicknessUm", "softenDeciC", "materialMaxDeciC"])
        expect(templateKeys(TemplateKeys.Process)).toEqual(["filmDeciC", "soakMs", "forceMilliN", "rampMs", "cureDeciC", "cureMs", "coolDeciC", "contactMaxDeciC"])
        expect(templateKeys(TemplateKeys.Approval)).toEqual(["profileId", "profileVersion", "reviewerId", "approvedUnixS"])
        expect(templateKeys(TemplateKeys.Template)).toEqual(["id", "version", "name", "designer", "material", "process", "archPointsUm", "approval"])
    })

    it("each call parses a fresh table (a caller may keep or change its copy)", () => {
        expect(recordFields(RecordTable.Head)).not.toBe(recordFields(RecordTable.Head))
        expect(templateFormat()).not.toBe(templateFormat())
    })

    it("phase names by value, cut from one string (each name shorter than its 10-character slot)", () => {
        expect(Array.from({ length: PHASE_COUNT }, (_, p) => phaseName(p))).toEqual([
            "idle", "preflight", "preheat", "approach", "press", "cure", "release", "cool", "complete", "aborted", "faulted", "autotune", "scan",
        ])
        expect(phaseName(Phase.Scan)).toBe("scan")
        expect(PHASE_COUNT).toBe(Phase.Scan + 1)
        for (const p of [-1, PHASE_COUNT, PHASE_COUNT + 5]) expect(phaseName(p)).toBe("")
    })
})

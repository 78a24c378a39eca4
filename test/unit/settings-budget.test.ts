import { describe, it, expect } from "vitest"
import { readManifest } from "../../tools/manifest-node"
import { settingsBudget, recordCapacities, largestRecord, SETTINGS_AREA_BYTES, FSTOR_OVERHEAD_BYTES } from "../../tools/settings-budget"
import { encodeRecord } from "../../src/core/records/codec"
import { MANIFEST_SECTIONS } from "../../src/core/manifest-schema"

const m = readManifest()

describe("settings area budget (tools/settings-budget.ts)", () => {
    it("everything stored fits 80 % of the ~16 KB settings area at the manifest's queue capacity", async () => {
        // the rest is the append-only store's headroom: it compacts into its second copy when full
        const { rows, recordSealedBytes, recordFlashBytes } = await settingsBudget(m)
        const total = rows.reduce((n, r) => n + r.bytes, 0)
        expect(total).toBeLessThanOrEqual(0.8 * SETTINGS_AREA_BYTES)
        // a typical cycle record: 301-byte body + 32-byte MAC, three settings entries
        expect(recordSealedBytes).toBe(333)
        expect(recordFlashBytes).toBeLessThanOrEqual(544)
    })
    it("still fits at the largest capacity the manifest allows", async () => {
        const max = MANIFEST_SECTIONS["records"]["queueCapacityRecords"][1]
        const { rows } = await settingsBudget({ ...m, records: { queueCapacityRecords: max } })
        expect(rows.reduce((n, r) => n + r.bytes, 0)).toBeLessThanOrEqual(0.92 * SETTINGS_AREA_BYTES)
    })

    it("the manifest's queue of the largest records fits the board's settings area, and the VM's 8 KB holds far fewer", async () => {
        const [board, vm] = await recordCapacities(m)
        // jd_fstor.c: settings are 1/16 of the store; 256 KB on the boards, 128 KB in `devs run`
        expect(board.areaBytes).toBe(16384)
        expect(vm.areaBytes).toBe(8192)
        // a chunk entry is at most 200 bytes of key and JSON (KV_MAX_ENTRY_BYTES) under a 24-byte
        // header, padded to 8: a record takes whole chunks of at most 24 + 200 B
        expect(board.largestRecordBytes).toBeLessThanOrEqual(10 * 224)
        expect(board.largestRecordBytes).toBeGreaterThan(board.typicalRecordBytes)
        const used = m.records.queueCapacityRecords * board.largestRecordBytes + board.fixedBytes + FSTOR_OVERHEAD_BYTES
        expect(used).toBeLessThanOrEqual(SETTINGS_AREA_BYTES)
        expect(m.records.queueCapacityRecords).toBeLessThanOrEqual(board.records)
        expect(vm.records).toBeLessThan(m.records.queueCapacityRecords)
    })
    it("the largest record is a valid record, longer than the golden one", () => {
        // the worst case must be one the codec accepts, or it bounds nothing
        expect(encodeRecord(largestRecord()).length).toBeGreaterThan(encodeRecord({ ...largestRecord(), operatorId: "", faults: [] }).length)
    })
})

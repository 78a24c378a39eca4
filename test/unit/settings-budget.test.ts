import { describe, it, expect } from "vitest"
import { readManifest } from "../../tools/manifest-node"
import { settingsBudget, SETTINGS_AREA_BYTES } from "../../tools/settings-budget"
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
})

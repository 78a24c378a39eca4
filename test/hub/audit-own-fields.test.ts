// The audit's own-property checks (issue 13 item 16): a field that only exists on Object's
// prototype (`constructor`, `toString`, ...) added to what people read is not in the sealed
// record, so it is a field_mismatch; and an export that names no device (deviceId "") is not
// quietly audited as the first record's device.
import { describe, it, expect } from "vitest"
import { readExport } from "../../hub/src/audit-read"
import { auditExport } from "../../hub/src/audit-check"
import { KEY, sealedChain, jsonExport } from "./audit-fixture"

// the golden record has a fit; record 3 also gets a fault (E51, aborted: docs/faults.md)
const CHAIN = sealedChain(5, undefined, undefined, r => {
    if (r.seq === 3) r.faults = [{ code: 51, sensor: 0, value: 1, limit: 0, atMs: 1_234_000 }]
})

function auditText(text: string) {
    return auditExport(readExport(text), { keyHex: KEY })
}

/** the clean export as JSON text with `"<name>": 1` added to the object `at` picks */
function withExtra(name: string, at: (doc: any) => any): string {
    const doc = jsonExport(CHAIN)
    const target = at(doc)
    // JSON.parse makes "__proto__" an own property; an object literal would set the prototype
    Object.defineProperty(target, name, { value: 1, enumerable: true, configurable: true, writable: true })
    return JSON.stringify(doc)
}

const NAMES = ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"]
describe("audit: an extra field named like an Object.prototype member is found", () => {
    it("the fixture's record 3 has a phase, a fit and a fault to put a field into", () => {
        expect(CHAIN[2].record.phases.length).toBeGreaterThan(0)
        expect(CHAIN[2].record.fit).not.toBeNull()
        expect(CHAIN[2].record.faults.length).toBe(1)
    })
    for (const name of NAMES) {
        it(`"${name}" added to the decoded record is a field_mismatch at seq 3`, () => {
            const text = withExtra(name, d => d.records[2].record)
            expect(text).toContain(`"${name}":1`)
            const r = auditText(text)
            expect(r.ok).toBe(false)
            expect(r.findings.map(f => f.code + "@" + f.seq)).toEqual(["field_mismatch@3"])
            expect(r.findings[0].detail).toBe(`record.${name}: not in the sealed record`)
        })
        for (const [where, at] of [["fit", (d: any) => d.records[2].record.fit], ["faults[0]", (d: any) => d.records[2].record.faults[0]]] as const) {
            it(`"${name}" added to ${where} is a field_mismatch at seq 3`, () => {
                const r = auditText(withExtra(name, at))
                expect(r.findings.map(f => f.code + "@" + f.seq)).toEqual(["field_mismatch@3"])
                expect(r.findings[0].detail).toBe(`record.${where}.${name}: not in the sealed record`)
            })
        }
        it(`"${name}" added to a phase summary is a field_mismatch at seq 3`, () => {
            const r = auditText(withExtra(name, d => d.records[2].record.phases[0]))
            expect(r.findings.map(f => f.code + "@" + f.seq)).toEqual(["field_mismatch@3"])
            expect(r.findings[0].detail).toBe(`record.phases[0].${name}: not in the sealed record`)
        })
    }
    it("an extra top-level or entry field named like a prototype member is refused as unknown", () => {
        for (const name of NAMES) {
            expect(() => readExport(withExtra(name, d => d))).toThrow(`${name}: unknown field`)
            expect(() => readExport(withExtra(name, d => d.records[0]))).toThrow(`records[0].${name}: unknown field`)
        }
    })
})

describe("audit: an export must name its device", () => {
    it("deviceId \"\" is a wrong_device finding, not the first record's device", () => {
        const doc = jsonExport(CHAIN)
        doc.deviceId = ""
        const r = auditText(JSON.stringify(doc))
        expect(r.ok).toBe(false)
        expect(r.findings[0]).toMatchObject({ code: "wrong_device", seq: -1 })
    })
})

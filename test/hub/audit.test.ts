// The offline audit (hub/src/audit-read.ts + audit-check.ts) over exports built with src/core
// sealRecord: a clean export holds; each tamper gives its finding at the record it touches.
// Expected findings by hand from docs/records.md section 7 and the audit's own rules (a field
// people read that disagrees with the sealed bytes is field_mismatch, a wrong listed hash is
// hash_mismatch, a head that is not the last record is head_mismatch).
import { describe, it, expect } from "vitest"
import { ZERO_HASH } from "../../src/core/codec/ints"
import { readExport, ExportFormatError } from "../../hub/src/audit-read"
import { auditExport, AuditOptions, AuditReport, firstDifference } from "../../hub/src/audit-check"
import { KEY, DEVICE, OTHER_DEVICE, OTHER_KEY, sealedChain, reseal, jsonExport, csvExport, JsonExport, Sealed, CSV_HEADER } from "./audit-fixture"
import { rep } from "../vectors/golden"

const CHAIN = sealedChain(50)

function audit(doc: JsonExport | string, opts: AuditOptions = { keyHex: KEY }): AuditReport {
    return auditExport(readExport(typeof doc === "string" ? doc : JSON.stringify(doc)), opts)
}

/** findings as "code@seq", in the report's order */
function codes(r: AuditReport): string {
    return r.findings.map(f => f.code + "@" + f.seq).join(",")
}

function copy(): Sealed[] {
    return CHAIN.map(s => ({ ...s, record: structuredClone(s.record) }))
}

/** the sealed hex with the body's last byte (the outcome) set to `byte` */
function editOutcomeByte(hex: string, byte: string): string {
    const at = hex.length - 66 // body ends 32 MAC bytes (64 hex digits) before the end
    return hex.slice(0, at) + byte + hex.slice(at + 2)
}

describe("audit: clean exports hold", () => {
    it("a clean JSON export of 50 records holds, with MACs checked", () => {
        const r = audit(jsonExport(CHAIN))
        expect(codes(r)).toBe("")
        expect(r).toMatchObject({ ok: true, records: 50, firstSeq: 1, lastSeq: 50, lastHash: CHAIN[49].hash, macsChecked: true, deviceId: DEVICE, checkedFromSeq: 1 })
    })

    it("the same records as CSV hold, including an operator id with a comma and quotes", () => {
        const odd = sealedChain(50, DEVICE, KEY, r => { r.operatorId = "op \"7\", left" })
        const text = csvExport(odd)
        expect(text).toContain(",\"op \"\"7\"\", left\",")
        const file = readExport(text)
        expect(file.entries[0].csv?.operator_id).toBe("op \"7\", left")
        const r = auditExport(file, { keyHex: KEY })
        expect(codes(r)).toBe("")
        expect(r).toMatchObject({ ok: true, records: 50, lastSeq: 50, lastHash: odd[49].hash, deviceId: DEVICE })
    })

    it("an export with no records holds when its head is seq 0", () => {
        expect(audit(jsonExport([]))).toMatchObject({ ok: true, records: 0, lastSeq: 0, lastHash: ZERO_HASH })
    })

    it("without a key the chain holds and MACs are reported as not checked", () => {
        const r = audit(jsonExport(CHAIN), {})
        expect(r).toMatchObject({ ok: true, macsChecked: false, lastHash: CHAIN[49].hash })
    })
})

describe("audit: tampering is found at the record it touches", () => {
    it("an edit in the sealed bytes (no key): bad MAC there, the shown fields disagree, the chain breaks after", () => {
        const doc = jsonExport(CHAIN)
        doc.records[9].sealedHex = editOutcomeByte(doc.records[9].sealedHex, "04") // zigzag 04 = outcome 2
        const r = audit(doc)
        expect(codes(r)).toBe("bad_mac@10,hash_mismatch@10,field_mismatch@10,broken_chain@11")
        expect(r.findings[0]).toMatchObject({ seq: 10, where: "records[9]", code: "bad_mac" })
        expect(r.findings[2].detail).toBe("record.outcome: shows 1, sealed bytes say 2")
    })

    it("the same edit with the shown fields and hash made to match: bad MAC and broken chain remain", () => {
        const doc = jsonExport(CHAIN)
        const forged = reseal({ ...structuredClone(CHAIN[9].record), outcome: 2 }, OTHER_KEY)
        doc.records[9] = { ...doc.records[9], sealedHex: forged.sealedHex, hash: forged.hash, record: forged.record }
        expect(codes(audit(doc))).toBe("bad_mac@10,broken_chain@11")
    })

    it("an edit re-sealed with the device key itself (an insider): the next record no longer links", () => {
        const doc = jsonExport(CHAIN)
        const forged = reseal({ ...structuredClone(CHAIN[9].record), outcome: 2 })
        doc.records[9] = { ...doc.records[9], sealedHex: forged.sealedHex, hash: forged.hash, record: forged.record }
        expect(codes(audit(doc))).toBe("broken_chain@11")
    })

    it("an edit of the decoded record only (what people read) is tampering too", () => {
        const doc = jsonExport(CHAIN)
        doc.records[6].record.phases[4].forceMeanMilliN = 20500 // the draft has 20000 + k = 20007
        const r = audit(doc)
        expect(codes(r)).toBe("field_mismatch@7")
        expect(r.findings[0].detail).toBe("record.phases[4].forceMeanMilliN: shows 20500, sealed bytes say 20007")
    })

    it("a field added to or removed from the decoded record is named", () => {
        const doc = jsonExport(CHAIN)
        doc.records[2].record.note = "fine"
        delete doc.records[3].record.fit
        const r = audit(doc)
        expect(codes(r)).toBe("field_mismatch@3,field_mismatch@4")
        expect(r.findings[0].detail).toBe("record.note: not in the sealed record")
        expect(r.findings[1].detail).toMatch(/^record\.fit: missing, sealed bytes say \{"rmsUm":38,/)
    })

    it("a listed seq, prevHash or hash that is not the sealed one", () => {
        const doc = jsonExport(CHAIN)
        doc.records[11].seq = 13
        doc.records[12].prevHash = rep("00", 32)
        doc.records[13].hash = rep("ab", 32)
        const r = audit(doc)
        expect(codes(r)).toBe("field_mismatch@12,field_mismatch@13,hash_mismatch@14")
        expect(r.findings[0].detail).toBe("seq: shows 13, sealed bytes say 12")
    })

    it("a CSV column edited without re-sealing", () => {
        const lines = csvExport(CHAIN).split("\r\n")
        lines[3] = lines[3].replace(",op-7,", ",op-8,") // line 4 = row 3 = seq 3
        const r = audit(lines.join("\r\n"))
        expect(codes(r)).toBe("field_mismatch@3")
        expect(r.findings[0]).toMatchObject({ where: "row 3, line 4", detail: "operator_id: shows \"op-8\", sealed bytes say \"op-7\"" })
    })

    it("a deleted record is a gap", () => {
        const l = copy()
        l.splice(19, 1)
        const r = audit(jsonExport(l))
        expect(codes(r)).toBe("gap@20")
        expect(r.findings[0].detail).toBe("records 20..20 missing")
    })

    it("the first record deleted is a gap at 1, unless --from-first accepts a partial export", () => {
        const doc = jsonExport(CHAIN.slice(1))
        expect(codes(audit(doc))).toBe("gap@1")
        expect(audit(doc, { keyHex: KEY, fromFirst: true })).toMatchObject({ ok: true, checkedFromSeq: 2, firstSeq: 2 })
    })

    it("two records swapped are a reorder", () => {
        const l = copy()
        ;[l[29], l[30]] = [l[30], l[29]]
        expect(codes(audit(jsonExport(l)))).toBe("reorder@30")
    })

    it("a record duplicated is a duplicate", () => {
        const l = copy()
        l.splice(6, 0, l[4])
        expect(codes(audit(jsonExport(l)))).toBe("duplicate@5")
    })

    it("a record spliced in from another device: wrong device, bad MAC, and the chain breaks on both sides", () => {
        const other = sealedChain(50, OTHER_DEVICE, OTHER_KEY)
        const l = copy()
        l[24] = other[24]
        expect(codes(audit(jsonExport(l)))).toBe("bad_mac@25,wrong_device@25,broken_chain@25,broken_chain@26")
    })

    it("records cut off at the end under the original head are a truncation", () => {
        const doc = jsonExport(CHAIN)
        doc.records = doc.records.slice(0, 45)
        const r = audit(doc)
        expect(codes(r)).toBe("truncated@46")
        expect(r.findings[0].detail).toBe("records 46..50 missing at the end")
    })

    it("a truncation with a rewritten head shows only against a trusted head", () => {
        const doc = jsonExport(CHAIN.slice(0, 45)) // consistent in itself: head = record 45
        expect(audit(doc).ok).toBe(true)
        expect(codes(audit(doc, { keyHex: KEY, trustedHead: { seq: 50, hash: CHAIN[49].hash } }))).toBe("truncated@46")
    })

    it("a head that is not the last record", () => {
        const a = jsonExport(CHAIN)
        a.head.hash = rep("ab", 32)
        expect(codes(audit(a))).toBe("head_mismatch@50")
        const b = jsonExport(CHAIN)
        b.head = { seq: 49, hash: CHAIN[48].hash }
        const r = audit(b)
        expect(codes(r)).toBe("head_mismatch@49")
        expect(r.findings[0].detail).toBe("the export's head is seq 49, but the records go on to seq 50")
    })

    it("under the wrong key every MAC fails", () => {
        const r = audit(jsonExport(CHAIN), { keyHex: OTHER_KEY })
        expect(r.findings.length).toBe(50)
        expect(r.findings.every((f, i) => f.code === "bad_mac" && f.seq === i + 1)).toBe(true)
    })

    it("an export of another device than the one asked for", () => {
        const r = audit(jsonExport(CHAIN), { keyHex: KEY, deviceId: "SFA1-000099" })
        expect(r.findings.length).toBe(51) // each record, and the export's own deviceId
        expect(r.findings[0]).toMatchObject({ code: "wrong_device", seq: 1 })
        expect(r.findings[50]).toMatchObject({ code: "wrong_device", seq: -1, where: "" })
    })

    it("a forged last record re-sealed under another key passes without the key and fails with it", () => {
        const l = copy()
        l[49] = reseal({ ...structuredClone(CHAIN[49].record), outcome: 3 }, OTHER_KEY)
        const doc = jsonExport(l)
        expect(audit(doc, {}).ok).toBe(true) // why the report says chain-only integrity needs a trusted head
        expect(codes(audit(doc, {}))).toBe("")
        expect(codes(audit(doc))).toBe("bad_mac@50")
    })

    it("sealed bytes that are not hex, or not a record, are named by their listed seq", () => {
        const doc = jsonExport(CHAIN)
        doc.records[7].sealedHex = "zz" + doc.records[7].sealedHex.slice(2)
        doc.records[8].sealedHex = doc.records[8].sealedHex.slice(0, 40)
        const r = audit(doc)
        // one gap per missing range (docs/records.md section 7): 8 and 9 did not decode
        expect(codes(r)).toBe("not_hex@8,gap@8,malformed@9")
        expect(r.findings[1].detail).toBe("records 8..9 missing")
        expect(r.findings[2].detail).toMatch(/^sealed bytes are not a canonical record: .*\[truncated\]$/)
    })
})

describe("audit: unreadable exports are refused by shape", () => {
    const good = () => JSON.parse(JSON.stringify(jsonExport(CHAIN.slice(0, 3))))
    const cases: [string, () => string, RegExp][] = [
        ["not JSON", () => "{ \"format\": ", /^not valid JSON/],
        ["neither JSON nor CSV", () => "hello", /^not a record export/],
        ["empty", () => "", /^not a record export/],
        ["a JSON array", () => "[1]", /^not a record export/],
        ["wrong format tag", () => JSON.stringify({ ...good(), format: "other" }), /^format: expected "smile-film-record-export", found "other"/],
        ["wrong format version", () => JSON.stringify({ ...good(), formatVersion: 3 }), /^formatVersion: this audit reads versions 1 and 2, found 3/],
        ["missing records", () => { const d = good(); delete d.records; return JSON.stringify(d) }, /^records: missing/],
        ["unknown top-level field", () => JSON.stringify({ ...good(), extra: 1 }), /^extra: unknown field/],
        ["missing sealedHex", () => { const d = good(); delete d.records[1].sealedHex; return JSON.stringify(d) }, /^records\[1\]\.sealedHex: missing/],
        ["seq of the wrong type", () => { const d = good(); d.records[2].seq = "3"; return JSON.stringify(d) }, /^records\[2\]\.seq: must be a non-negative integer, is "3"/],
        ["head without hash", () => { const d = good(); delete d.head.hash; return JSON.stringify(d) }, /^head\.hash: missing/],
        ["CSV with a wrong header", () => "seq,kind,hash\r\n1,1,aa\r\n", /^CSV header: missing prev_hash, .*sealed_hex/],
        ["CSV row of the wrong width", () => CSV_HEADER + "\n1,2,3\n", /^CSV row 1, line 2: 3 fields, the header has 10/],
        ["CSV with an unclosed quote", () => CSV_HEADER + "\n\"1,2\n", /^CSV line 2: a quoted field is never closed/],
    ]
    it.each(cases)("%s", (_n, text, message) => {
        let err: unknown = null
        try {
            readExport(text())
        } catch (e) {
            err = e
        }
        expect(err).toBeInstanceOf(ExportFormatError)
        expect((err as Error).message).toMatch(message)
    })
})

describe("firstDifference", () => {
    it("names the path of the first difference, or null when equal", () => {
        expect(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, "r")).toBe(null)
        expect(firstDifference({ a: [1, { b: 3 }] }, { a: [1, { b: 2 }] }, "r")).toBe("r.a[1].b: shows 3, sealed bytes say 2")
        expect(firstDifference({ a: [1] }, { a: [1, 2] }, "r")).toBe("r.a: shows 1 entries, sealed bytes have 2")
        expect(firstDifference({ a: null }, { a: { x: 1 } }, "r")).toBe("r.a: shows null, sealed bytes have an object")
        expect(firstDifference({ a: "1" }, { a: 1 }, "r")).toBe("r.a: shows \"1\", sealed bytes say 1")
    })
})

// The audit CLI as a real process (`npx tsx hub/src/audit.ts`): what it prints and its exit
// code (0 every record holds, 1 findings with the first broken record named, 2 unreadable file
// or bad arguments), plus the argument parser in process.
import { describe, it, expect, afterAll } from "vitest"
import { spawnSync } from "node:child_process"
import { resolve } from "node:path"
import { parseArgs, runAudit } from "../../hub/src/audit"
import { KEY, sealedChain, jsonExport, csvExport, writeTemp, removeTemp } from "./audit-fixture"

const ROOT = resolve(import.meta.dirname, "../..")
const CHAIN = sealedChain(50)

afterAll(removeTemp)

function cli(args: string[]): { code: number | null; out: string; err: string } {
    const r = spawnSync("npx", ["tsx", "hub/src/audit.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 })
    return { code: r.status, out: r.stdout, err: r.stderr }
}

describe("audit CLI (spawned)", () => {
    it("a clean export of 50 records with the key: exit 0, head printed, MACs checked", () => {
        const f = writeTemp("clean.json", JSON.stringify(jsonExport(CHAIN), null, 2))
        const r = cli([f, "--key", KEY])
        expect(r.err).toBe("")
        expect(r.code).toBe(0)
        expect(r.out).toContain("JSON export, exported 2025-06-16T18:53:20.000Z, device SFA1-000042") // 1750100000 s
        expect(r.out).toContain("records: 50, seq 1..50; contiguity and chain checked from seq 1")
        expect(r.out).toContain(`chain head (last record): seq 50, hash ${CHAIN[49].hash}`)
        expect(r.out).toContain("MACs: checked with the given device key")
        expect(r.out).toContain("OK: all 50 records hold")
    })

    it("without a key: exit 0, and it says plainly that MACs were not checked and what to compare", () => {
        const f = writeTemp("clean-csv.csv", csvExport(CHAIN))
        const r = cli([f])
        expect(r.code).toBe(0)
        expect(r.out).toContain("CSV export, device SFA1-000042")
        expect(r.out).toContain("MACs: NOT checked (no --key or --key-file). Integrity is chain-only: it holds only relative to a trusted head hash.")
        expect(r.out).toContain(`Compare seq 50 hash ${CHAIN[49].hash} with the head the device or the hub reports`)
    })

    it("a tampered export: exit 1, the first broken record named, then every finding", () => {
        const doc = jsonExport(CHAIN)
        doc.records[9].record.outcome = 3 // seq 10 shows "faulted"; its sealed bytes say complete (1)
        const l = doc.records
        ;[l[29], l[30]] = [l[30], l[29]]
        const f = writeTemp("tampered.json", JSON.stringify(doc))
        const keyFile = writeTemp("device.key", KEY.toUpperCase() + "\n")
        const r = cli([f, "--key-file", keyFile])
        expect(r.code).toBe(1)
        expect(r.out).toContain("FAIL: first broken record: seq 10 (records[9]): field_mismatch: record.outcome: shows 3, sealed bytes say 1")
        expect(r.out).toContain("findings (2):\n  seq 10 (records[9]): field_mismatch: record.outcome: shows 3, sealed bytes say 1\n  seq 30 (records[30]): reorder: follows 31")
    })

    it("a truncation hidden by a rewritten head shows against --head: exit 1", () => {
        const f = writeTemp("short.json", JSON.stringify(jsonExport(CHAIN.slice(0, 45))))
        expect(cli([f, "--key", KEY]).code).toBe(0)
        const r = cli([f, "--key", KEY, "--head", `50:${CHAIN[49].hash}`])
        expect(r.code).toBe(1)
        expect(r.out).toContain("FAIL: first broken record: seq 46: truncated: records 46..50 missing at the end")
    })

    it("under another key: exit 1, every MAC named, and a note that the key is likely wrong", () => {
        const f = writeTemp("other-key.csv", csvExport(CHAIN.slice(0, 3)))
        const r = cli([f, "--key", "42".repeat(32)])
        expect(r.code).toBe(1)
        expect(r.out).toContain("FAIL: first broken record: seq 1 (row 1, line 2): bad_mac: MAC does not verify under the given key\n" +
            "note: no record's MAC verifies: the key is most likely not this device's\nfindings (3):")
    })

    it("unreadable files and bad arguments: exit 2 with a message that says what is wrong", () => {
        const notJson = writeTemp("broken.json", "{ \"format\": \"smile-film-record-export\", ")
        const r1 = cli([notJson, "--key", KEY])
        expect(r1.code).toBe(2)
        expect(r1.out).toBe("")
        expect(r1.err).toContain(`audit: ${notJson}: not valid JSON`)

        const wrongTag = writeTemp("tag.json", JSON.stringify({ ...jsonExport(CHAIN.slice(0, 2)), format: "csv-dump" }))
        const r2 = cli([wrongTag])
        expect(r2.code).toBe(2)
        expect(r2.err).toContain("format: expected \"smile-film-record-export\", found \"csv-dump\"")

        const r3 = cli([writeTemp("short-key.json", "{}"), "--key", "abcd"])
        expect(r3.code).toBe(2)
        expect(r3.err).toContain("--key: the device key is 64 hex digits (32 bytes)")
        expect(r3.err).toContain("usage: npm run audit -- FILE")

        const r4 = cli(["/nonexistent/export.json"])
        expect(r4.code).toBe(2)
        expect(r4.err).toContain("audit: cannot read /nonexistent/export.json")
    })
})

describe("audit arguments (in process)", () => {
    it("parses the options", () => {
        expect(parseArgs(["x.json", "--key", KEY.toUpperCase(), "--device", "D1", "--head", `7:${"a".repeat(64)}`, "--from-first"])).toEqual({
            file: "x.json", opts: { keyHex: KEY, deviceId: "D1", trustedHead: { seq: 7, hash: "a".repeat(64) }, fromFirst: true },
        })
    })

    const bad: [string[], string][] = [
        [[], "FILE is missing"],
        [["a", "b"], "one FILE only (got a and b)"],
        [["a", "--key"], "--key needs a value"],
        [["a", "--key", KEY, "--key-file", "k"], "--key-file k: "],
        [["a", "--verbose"], "unknown option --verbose"],
        [["a", "--head", "7"], "--head: give SEQ:HASH"],
    ]
    it.each(bad)("%j is refused with exit 2: %s", (argv, message) => {
        const errs: string[] = []
        expect(runAudit(argv, () => {}, s => errs.push(s))).toBe(2)
        expect(errs.join("\n")).toContain(message)
    })

    it("both --key and --key-file are refused", () => {
        const k = writeTemp("k2.key", KEY)
        const errs: string[] = []
        expect(runAudit(["a", "--key", KEY, "--key-file", k], () => {}, s => errs.push(s))).toBe(2)
        expect(errs.join("\n")).toContain("give --key or --key-file, not both")
    })
})

// The hub's signed checkpoint (issue 13: tail deletion was undetectable): an export cut short
// with its head edited, or its last record rewritten even with the device key, passes an audit
// without the hub's key (as before: docs/records.md §10 says so) and fails with it. The hub's
// public key comes from GET /api/hub-key, as an auditor would fetch it.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { spawnSync } from "node:child_process"
import { resolve } from "node:path"
import { generateKeyPairSync } from "node:crypto"
import { ingestRecords } from "../../hub/src/ingest"
import { exportText } from "../../hub/src/export"
import { readExport } from "../../hub/src/audit-read"
import { auditExport, type AuditOptions, type AuditReport } from "../../hub/src/audit-check"
import { checkpointMessage } from "../../hub/src/checkpoint"
import { routeHub, KEY, DEVICE_ID, type RouteHub } from "./hub-fixture"
import { chain, seal, cycleRecord, type SealedHex } from "./support"
import { writeTemp, removeTemp } from "./audit-fixture"

const ROOT = resolve(import.meta.dirname, "../..")
let h: RouteHub
let recs: SealedHex[]
let hubKeyPem: string
let json: string
let csv: string

beforeAll(async () => {
    h = await routeHub()
    recs = chain(DEVICE_ID, KEY, 1, 10)
    const r = await ingestRecords(h.ctx, h.device, recs.map(x => x.hex))
    expect(r.results.every(x => x.status === "stored")).toBe(true)
    const k = await h.staff(null, "GET", "/api/hub-key")
    expect(k.statusCode).toBe(200)
    expect(k.json()).toMatchObject({ algorithm: "Ed25519", keyId: expect.stringMatching(/^[0-9a-f]{64}$/) })
    hubKeyPem = k.json().publicKeyPem
    expect(hubKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/)
    json = await exportText(h.ctx, DEVICE_ID, "json")
    csv = await exportText(h.ctx, DEVICE_ID, "csv")
})
afterAll(async () => {
    removeTemp()
    await h?.close()
})

function audit(text: string, opts: AuditOptions): AuditReport {
    return auditExport(readExport(text), opts)
}
function codes(r: AuditReport): string {
    return r.findings.map(f => f.code + "@" + f.seq).join(",")
}
/** the JSON export with its last `n` records deleted and its head moved back to match */
function truncatedJson(n: number): any {
    const doc = JSON.parse(json)
    doc.records = doc.records.slice(0, doc.records.length - n)
    const last = doc.records[doc.records.length - 1]
    doc.head = { seq: last.seq, hash: last.hash }
    return doc
}

describe("the signed checkpoint in an export", () => {
    it("signs the head: 'smile-film-checkpoint/1' device publicId seq hash time, one per line, under the published key", () => {
        const doc = JSON.parse(json)
        expect(doc.checkpoint).toMatchObject({ deviceId: DEVICE_ID, publicId: expect.stringMatching(/^dev-[0-9a-f]{16}$/), seq: 10, hash: recs[9].hash, atUnixS: 1_750_000_000 })
        expect(checkpointMessage(doc.checkpoint).toString()).toBe(`smile-film-checkpoint/1\n${DEVICE_ID}\n${doc.checkpoint.publicId}\n10\n${recs[9].hash}\n1750000000\n`)
        const r = audit(json, { keyHex: KEY, hubKeyPem })
        expect(r).toMatchObject({ ok: true, checkpoint: "verified" })
        expect(audit(csv, { keyHex: KEY, hubKeyPem })).toMatchObject({ ok: true, checkpoint: "verified" })
    })

    it("the key stays the same across a restart (it lives in the database)", async () => {
        await h.reopen()
        expect((await h.staff(null, "GET", "/api/hub-key")).json().publicKeyPem).toBe(hubKeyPem)
    })

    it("last 3 records deleted and the head edited: the checkpoint left as it was says truncated, with or without the hub key", () => {
        const doc = JSON.stringify(truncatedJson(3))
        expect(codes(audit(doc, { keyHex: KEY }))).toBe("truncated@8")
        expect(codes(audit(doc, { keyHex: KEY, hubKeyPem }))).toBe("truncated@8")
    })

    it("the same cut in the CSV (its last 3 rows deleted)", () => {
        const rows = csv.split("\r\n")
        const cut = rows.slice(0, rows.length - 4).concat([""]).join("\r\n") // "" after the last CRLF
        expect(codes(audit(cut, { keyHex: KEY, hubKeyPem }))).toBe("truncated@8")
    })

    it("the last record rewritten with the device key (an insider) and the head moved to it: head_mismatch against the checkpoint", () => {
        const doc = JSON.parse(json)
        const forged = seal(cycleRecord(DEVICE_ID, 10, recs[8].hash, "op-9"), KEY)
        Object.assign(doc.records[9], { hash: forged.hash, sealedHex: forged.hex })
        doc.records[9].record.operatorId = "op-9"
        doc.head.hash = forged.hash
        const text = JSON.stringify(doc)
        expect(audit(text, { keyHex: KEY }).ok).toBe(false) // the export's own checkpoint disagrees already
        expect(codes(audit(text, { keyHex: KEY, hubKeyPem }))).toBe("head_mismatch@10")
    })

    it("the cut with its checkpoint edited to match passes with the device key alone and fails with the hub key; removed, it is missing", () => {
        const doc = truncatedJson(3)
        doc.checkpoint.seq = 7
        doc.checkpoint.hash = recs[6].hash
        expect(audit(JSON.stringify(doc), { keyHex: KEY }).ok).toBe(true) // chain-only integrity: why --hub-key exists
        expect(codes(audit(JSON.stringify(doc), { keyHex: KEY, hubKeyPem }))).toBe("bad_checkpoint@-1")
        const v1 = truncatedJson(3)
        delete v1.checkpoint
        v1.formatVersion = 1
        expect(audit(JSON.stringify(v1), { keyHex: KEY }).ok).toBe(true)
        expect(codes(audit(JSON.stringify(v1), { keyHex: KEY, hubKeyPem }))).toBe("no_checkpoint@-1")
    })

    it("another hub's key does not verify the checkpoint", () => {
        const other = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString()
        expect(codes(audit(json, { keyHex: KEY, hubKeyPem: other }))).toBe("bad_checkpoint@-1")
    })
})

describe("audit CLI: --hub-key and a .env.local key file", () => {
    function cli(args: string[]) {
        const r = spawnSync("npx", ["tsx", "hub/src/audit.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 })
        return { code: r.status, out: r.stdout, err: r.stderr }
    }
    it("a cut export with an edited checkpoint fails with --hub-key (exit 1); the key file may be the hub's .env.local", () => {
        const pem = writeTemp("hub.pem", hubKeyPem)
        const env = writeTemp("device.env.local", `# written by the hub\nDEVICE_ID=${DEVICE_ID}\nDEVICE_KEY=${KEY}\nHUB_URL=http://hub.test:8090\n`)
        const doc = truncatedJson(3)
        Object.assign(doc.checkpoint, { seq: 7, hash: recs[6].hash })
        const f = writeTemp("cut.json", JSON.stringify(doc))
        const ok = cli([f, "--key-file", env])
        expect(ok.code).toBe(0)
        expect(ok.out).toContain("MACs: checked with the given device key")
        expect(ok.out).toContain("NOT verified (no --hub-key)")
        const r = cli([f, "--key-file", env, "--hub-key", pem])
        expect(r.code).toBe(1)
        expect(r.out).toContain("signature does NOT verify")
        expect(r.out).toContain("FAIL: first broken record: seq ?: bad_checkpoint: the checkpoint (seq 7, hash " + recs[6].hash + ") is not signed by the given hub key")
        const clean = cli([writeTemp("clean.json", json), "--key-file", env, "--hub-key", pem])
        expect(clean.code).toBe(0)
        expect(clean.out).toContain("signature verified with the given hub key")
        const bad = cli([f, "--hub-key", env])
        expect(bad.code).toBe(2)
        expect(bad.err).toContain("--hub-key " + env + ": not a PEM public key")
    })
})

// The audit against what the hub really exports (hub/src/export.ts, helper A's side of the
// agreed format): records ingested into a real database (SQLite file; PostgreSQL from
// tools/pg-server.ts, or HUB_TEST_PG_URL), exported as JSON and CSV, audited by the CLI as a
// process. Then someone edits the database behind the hub's back, and the audit names the row.
import { describe, it, expect, afterAll } from "vitest"
import { spawnSync } from "node:child_process"
import { resolve } from "node:path"
import { openDb, type HubDb } from "../../hub/src/db/index"
import { provisionDevice } from "../../hub/src/devices"
import { ingestRecords } from "../../hub/src/ingest"
import { exportText } from "../../hub/src/export"
import { freshDatabase } from "../../tools/pg-server"
import { sealedChain, writeTemp, removeTemp } from "./audit-fixture"
import { tempDir, TestClock, ctxOf } from "./support"

const ROOT = resolve(import.meta.dirname, "../..")

afterAll(removeTemp)

function audit(args: string[]): { code: number | null; out: string } {
    const r = spawnSync("npx", ["tsx", "hub/src/audit.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 })
    return { code: r.status, out: r.stdout + r.stderr }
}

const backends: [string, () => Promise<{ db: HubDb; done(): Promise<void> }>][] = [
    ["sqlite", async () => {
        const t = tempDir("audit-hub-")
        const db = await openDb({ sqliteFile: resolve(t.dir, "hub.db") })
        return { db, done: async () => { await db.close(); t.cleanup() } }
    }],
    ["postgres", async () => {
        const db = await openDb({ pgUrl: await freshDatabase("audit_hub") })
        return { db, done: () => db.close() }
    }],
]

describe.each(backends)("audit of a real hub export (%s)", (name, open) => {
    it("70 ingested records export and audit clean (JSON and CSV); an edit in the database is named", async () => {
        const { db, done } = await open()
        try {
            const ctx = ctxOf(db, new TestClock())
            const dev = await provisionDevice(ctx, { deviceId: "SFA1-00AUD1", createdBy: "test", hubUrl: "http://hub.test:8090" })
            const list = sealedChain(70, dev.deviceId, dev.keyHex)
            for (let i = 0; i < list.length; i += 32) {
                const r = await ingestRecords(ctx, dev, list.slice(i, i + 32).map(s => s.sealedHex))
                expect(r.results.every(x => x.status === "stored")).toBe(true)
            }
            const json = writeTemp(`${name}.json`, await exportText(ctx, dev.deviceId, "json"))
            const csv = writeTemp(`${name}.csv`, await exportText(ctx, dev.deviceId, "csv"))
            for (const f of [json, csv]) {
                const r = audit([f, "--key", dev.keyHex, "--device", dev.deviceId])
                expect(r.out).toContain(`chain head (last record): seq 70, hash ${list[69].hash}`)
                expect(r.out).toContain("OK: all 70 records hold")
                expect(r.code).toBe(0)
            }

            // outcome of seq 33 edited in the stored bytes (zigzag 02 -> 06: complete -> faulted)
            const hex = list[32].sealedHex
            const at = hex.length - 66
            await db.db.updateTable("records").set({ sealed_hex: hex.slice(0, at) + "06" + hex.slice(at + 2) })
                .where("device_id", "=", dev.deviceId).where("seq", "=", 33).execute()
            const bad = writeTemp(`${name}-edited.json`, await exportText(ctx, dev.deviceId, "json"))
            const r = audit([bad, "--key", dev.keyHex])
            expect(r.code).toBe(1)
            expect(r.out).toContain("FAIL: first broken record: seq 33 (records[32]): bad_mac: MAC does not verify under the given key")
            expect(r.out).toContain("seq 33 (records[32]): hash_mismatch")
            expect(r.out).toContain("seq 34 (records[33]): broken_chain: prevHash is not the hash of record 33")
        } finally {
            await done()
        }
    })
})

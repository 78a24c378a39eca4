// The firmware's hub sync (src/sync.ts) inside the DeviceScript VM against this process's real
// hub over HTTP (test/vm-net/sync-glue.vm.ts holds the device side's checks): a fresh device
// gets the hub's MAC'd time, its sealed bundle and the approved template, arms, and uploads
// its records (two cycles and the template install) that the hub stores once each, in a chain that verifies; an unreachable hub
// fails the round and keeps the record. The VM runs with --test (no Jacdac bus, no port 8082).
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer, type AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import type { FastifyInstance } from "fastify"
import { ROOT, readManifest } from "../../tools/manifest-node"
import { generateAll } from "../../tools/generate"
import { devsAsync } from "../../tools/devs"
import { openDb, type HubDb } from "../../hub/src/db/index"
import { buildHub } from "../../hub/src/app"
import type { HubContext } from "../../hub/src/context"
import { exportDevice, exportJson } from "../../hub/src/export"
import { readExport } from "../../hub/src/audit-read"
import { auditExport } from "../../hub/src/audit-check"
import { seedLibrary, registerDevice } from "../../sim/hub-link"
import { simArchPoints, SIM_TEMPLATE_PROCESS } from "../../sim/provision"
import { SimEngine } from "../../sim/engine"

let dir = ""
let db: HubDb
let ctx: HubContext
let app: FastifyInstance
let hubUrl = ""

async function deadUrl(): Promise<string> {
    const s = createServer()
    await new Promise<void>(r => s.listen(0, "127.0.0.1", () => r()))
    const port = (s.address() as AddressInfo).port
    await new Promise(r => s.close(r))
    return `http://127.0.0.1:${port}`
}

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sync-glue-"))
    db = await openDb({ sqliteFile: join(dir, "hub.db") })
    ctx = { db, nowMs: () => Date.now(), log: { info: () => {}, warn: () => {}, error: () => {} } }
    app = await buildHub(ctx)
    await app.listen({ port: 0, host: "127.0.0.1" })
    hubUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
})

afterAll(async () => {
    await app?.close()
    await db?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
})

describe("the firmware's hub sync in the VM", () => {
    it("arms from what it fetched and uploads its records, which the hub holds once each, verified", async () => {
        const m = readManifest()
        const seed = await seedLibrary(ctx, simArchPoints(new SimEngine(1, m.control.heaterOneShotMs)), "sync-glue-test-pw")
        const dev = await registerDevice(ctx, "SFA1-VMTEST1", hubUrl)
        const target = {
            hubUrl, deadUrl: await deadUrl(), deviceId: dev.deviceId, keyHex: dev.keyHex,
            templateHash: seed.templateHash, nowS: Math.floor(Date.now() / 1000), filmDeciC: SIM_TEMPLATE_PROCESS.filmDeciC,
        }
        writeFileSync(resolve(ROOT, "test/vm-net/target.gen.ts"), "// written by test/e2e/sync-glue.test.ts\nexport const TARGET = " + JSON.stringify(target) + "\n")
        generateAll()
        const r = await devsAsync(["run", "test/vm-net/sync-glue.vm.ts", "--test", "--test-self-exit", "-T", "120000"], 180_000)
        const out = r.out.replace(/\x1b\[[0-9;]*m/g, "")
        mkdirSync(resolve(ROOT, "test-output/e2e"), { recursive: true })
        writeFileSync(resolve(ROOT, "test-output/e2e/sync-glue-vm.log"), out)
        const summary = /tests: (\d+), pass: (\d+), error: (\d+)/.exec(out)
        if (r.status !== 0 || !summary || summary[1] !== "2" || summary[2] !== "2") console.log(out)
        expect(r.status).toBe(0)
        expect(summary?.slice(1)).toEqual(["2", "2", "0"])

        const ex = await exportDevice(ctx, dev.deviceId)
        // seq 1: a completed cycle; 2: the template install (RecordKind 3) the sync wrote; 3: an aborted cycle
        expect(ex.records.map(x => x.seq)).toEqual([1, 2, 3])
        expect(ex.records.map(x => x.record.kind)).toEqual([1, 3, 1])
        expect(ex.records.map(x => x.record.outcome)).toEqual([1, 0, 2])
        expect(ex.records[1].record.templateHash).toBe(seed.templateHash)
        expect(ex.records[1].record.bundleVersion).toBe(1)
        const audit = auditExport(readExport(exportJson(ex)), { keyHex: dev.keyHex })
        expect(audit.findings).toEqual([])
        expect(audit.ok).toBe(true)
        const status = await db.db.selectFrom("device_status").selectAll().where("device_id", "=", dev.deviceId).executeTakeFirst()
        expect(status?.pending).toBe(0)
        expect(status?.reported_head_seq).toBe(3)
    }, 240_000)
})

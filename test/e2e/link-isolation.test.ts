// Failure isolation (issue 12 item 5): the link node crashing during a cycle does not change the
// cycle. The controller and link images in their VMs on the simulator's bus (port 8082), the
// link provisioned for a real hub on 127.0.0.1. During preheat the link's VM is killed (SIGKILL:
// a crash or a power cut of the link board); it is started again during the press phase. The
// cycle must complete with no fault, the controller must not panic, and once the link is back
// the cycle's record reaches the hub with outcome complete.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { AddressInfo } from "node:net"
import type { FastifyInstance } from "fastify"
import { readManifest } from "../../tools/manifest-node"
import { openDb, type HubDb } from "../../hub/src/db/index"
import { buildHub } from "../../hub/src/app"
import type { HubContext } from "../../hub/src/context"
import { exportDevice } from "../../hub/src/export"
import { buildFirmware } from "../../sim/firmware"
import { SimSession, sleep, waitFor } from "../../sim/session"
import { seedLibrary, registerDevice, provisionForHub } from "../../sim/hub-link"
import { simArchPoints } from "../../sim/provision"

let dir = ""
let db: HubDb
let ctx: HubContext
let app: FastifyInstance
let s: SimSession
let deviceId = ""

describe("the link node crashes mid-cycle", () => {
    beforeAll(async () => {
        console.debug = () => undefined
        dir = mkdtempSync(join(tmpdir(), "link-isolation-"))
        db = await openDb({ sqliteFile: join(dir, "hub.db") })
        ctx = { db, nowMs: () => Date.now(), log: { info: () => {}, warn: () => {}, error: () => {} } }
        app = await buildHub(ctx)
        await app.listen({ port: 0, host: "127.0.0.1" })
        const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
        s = new SimSession(readManifest(), buildFirmware(join(dir, "firmware"), "device"), join(dir, "device"), 4, "device")
        s.withLink(buildFirmware(join(dir, "firmware"), "link"), join(dir, "link"))
        await seedLibrary(ctx, simArchPoints(s.engine), "link-isolation-pw")
        const dev = await registerDevice(ctx, "SFA1-ISOLATE", url)
        deviceId = dev.deviceId
        s.provisioner = bus => provisionForHub(bus, dev, url)
        s.armTimeoutMs = 60_000
        s.fitFirst = false
        await s.open()
        await s.fitArch()
    }, 240_000)

    afterAll(async () => {
        await s?.close()
        await app?.close()
        await db?.close()
        if (dir) rmSync(dir, { recursive: true, force: true })
    })

    it("killed in preheat and restarted in the press phase: the cycle completes, unfaulted, and its record reaches the hub", async () => {
        const outcomes = () => s.events.filter(e => e.kind === "outcome")
        const before = outcomes().length
        await s.press("start")
        await waitFor("preheat", () => s.engine.phase === "preheat", 20_000)
        await sleep(2000)
        await s.link!.kill()
        const killedAt = s.engine.now()
        await waitFor("the press phase", () => s.engine.phase === "press" || outcomes().length > before, 120_000)
        const restartedAt = s.engine.now()
        await s.bootLink()
        await waitFor("the cycle to end", () => outcomes().length > before, 180_000)
        expect(outcomes()[before].value).toBe("complete")
        expect(s.events.filter(e => e.kind === "fault").map(e => e.value)).toEqual([])
        expect(s.vm.lines.filter(l => /^Exception: |^PANIC /.test(l.text)).map(l => l.text)).toEqual([])
        // the link was down for a real part of the cycle (preheat to the press)
        expect(restartedAt - killedAt).toBeGreaterThan(5_000)
        // back up, the link uploads the cycle's record
        let ex = await exportDevice(ctx, deviceId)
        for (const until = Date.now() + 60_000; !ex.records.some(r => r.record.kind === 1) && Date.now() < until; ex = await exportDevice(ctx, deviceId))
            await sleep(500)
        const cycle = ex.records.find(r => r.record.kind === 1)
        expect(cycle?.record.outcome).toBe(1)
        expect(cycle?.record.faults).toEqual([])
    }, 420_000)
})

// Two hub processes on one PostgreSQL ingest the same device's records at once, over HTTP,
// in different batch sizes: every record ends up stored exactly once, the chain intact.
import { describe, it, expect } from "vitest"
import { spawn, type ChildProcess } from "node:child_process"
import { fromHex } from "../../src/core/crypto"
import { verifyRecords } from "../../src/core/records/verify"
import { nodeCrypto } from "../../src/node/crypto-node"
import { provisionDevice } from "../../hub/src/devices"
import { exportDevice } from "../../hub/src/export"
import { KEY, DEVICE_ID } from "./hub-fixture"
import { chain, pgBackend, PG_URL, PG_SKIP_REASON, TestClock, ctxOf, signed } from "./support"

function serve(pgUrl: string): { child: ChildProcess; url: Promise<string> } {
    const child = spawn(process.execPath, ["--import", "tsx", "hub/src/cli.ts", "serve", "--port", "0", "--pg", pgUrl], { stdio: ["ignore", "pipe", "pipe"] })
    const url = new Promise<string>((resolve, reject) => {
        let out = ""
        child.stdout!.on("data", d => {
            out += d
            const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
            if (m) resolve(m[1])
        })
        child.on("exit", code => reject(new Error("hub exited " + code + ": " + out)))
    })
    return { child, url }
}

describe.skipIf(!PG_URL)("two hub processes on one PostgreSQL" + (PG_URL ? "" : " — " + PG_SKIP_REASON), () => {
    it("concurrent uploads of overlapping batches: every record exactly once", async () => {
        const store = await pgBackend.create()
        const db = await store.open()
        const clock = new TestClock(Date.now())
        await provisionDevice(ctxOf(db, clock), { deviceId: DEVICE_ID, createdBy: "t", hubUrl: "x" })
        await db.db.updateTable("devices").set({ key_hex: KEY }).execute()
        const hubs = [serve(store.location), serve(store.location)]
        try {
            const urls = await Promise.all(hubs.map(x => x.url))
            const recs = chain(DEVICE_ID, KEY, 1, 120)
            const device = { deviceId: DEVICE_ID, keyHex: KEY }
            const uploader = async (base: string, size: number) => {
                let stored = 0
                for (let i = 0; i < recs.length; i += size) {
                    const path = "/api/device/v1/records"
                    const body = JSON.stringify({ records: recs.slice(i, i + size).map(x => x.hex) })
                    clock.ms = Date.now()
                    const r = await fetch(base + path, { method: "POST", headers: signed(device, clock, "POST", path, body), body })
                    expect(r.status).toBe(200)
                    const j = (await r.json()) as { results: { status: string }[] }
                    stored += j.results.filter(x => x.status === "stored").length
                }
                return stored
            }
            const counts = await Promise.all([uploader(urls[0], 1), uploader(urls[1], 1), uploader(urls[0], 7), uploader(urls[1], 32), uploader(urls[1], 5)])
            expect(counts.reduce((a, b) => a + b, 0)).toBe(120)
            const e = await exportDevice(ctxOf(db, clock), DEVICE_ID)
            expect(e.records.map(r => r.seq)).toEqual(recs.map(r => r.seq))
            expect(verifyRecords(e.records.map(r => fromHex(r.sealedHex)), KEY, nodeCrypto, { deviceId: DEVICE_ID }).ok).toBe(true)
        } finally {
            for (const x of hubs) x.child.kill("SIGTERM")
            await db.close()
            await store.drop()
        }
    }, 120_000)
})

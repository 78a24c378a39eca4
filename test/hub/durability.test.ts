// An acknowledged record is durable: after a clean close and reopen, and after the hub process
// is killed with SIGKILL right after its answers, every acknowledged record is in the file.
import { describe, it, expect } from "vitest"
import { spawn } from "node:child_process"
import { join } from "node:path"
import { fromHex } from "../../src/core/crypto"
import { verifyRecords } from "../../src/core/records/verify"
import { nodeCrypto } from "../../src/node/crypto-node"
import { openDb } from "../../hub/src/db/index"
import { provisionDevice } from "../../hub/src/devices"
import { exportDevice } from "../../hub/src/export"
import { routeHub, KEY, DEVICE_ID } from "./hub-fixture"
import { chain, tempDir, TestClock, ctxOf, signed } from "./support"

describe("durability", () => {
    it("ingest, close, reopen the SQLite file: every record is there, chain intact", async () => {
        const h = await routeHub()
        try {
            const recs = chain(DEVICE_ID, KEY, 1, 40)
            for (let i = 0; i < 40; i += 10) {
                const r = await h.dev("POST", "records", { records: recs.slice(i, i + 10).map(x => x.hex) })
                expect(r.json().expectedSeq).toBe(i + 11)
            }
            await h.reopen()
            const e = await exportDevice(h.ctx, DEVICE_ID)
            expect(e.records.map(r => r.hash)).toEqual(recs.map(r => r.hash))
            expect(verifyRecords(e.records.map(r => fromHex(r.sealedHex)), KEY, nodeCrypto, { deviceId: DEVICE_ID, lastSeq: 40 }).ok).toBe(true)
            const again = await h.dev("POST", "records", { records: recs.slice(35).map(x => x.hex) })
            expect(again.json().results.map((r: any) => r.status)).toEqual(Array(5).fill("duplicate"))
        } finally {
            await h.close()
        }
    })

    it("SIGKILL of the serving process right after its acks loses nothing", async () => {
        const t = tempDir()
        const file = join(t.dir, "hub.db")
        const clock = new TestClock(Date.now())
        const db = await openDb({ sqliteFile: file })
        await provisionDevice(ctxOf(db, clock), { deviceId: DEVICE_ID, createdBy: "t", hubUrl: "x" })
        await db.db.updateTable("devices").set({ key_hex: KEY }).execute()
        await db.close()
        const child = spawn(process.execPath, ["--import", "tsx", "hub/src/cli.ts", "serve", "--port", "0", "--data", t.dir], { stdio: ["ignore", "pipe", "pipe"] })
        try {
            const url = await new Promise<string>((resolve, reject) => {
                let out = ""
                child.stdout.on("data", d => {
                    out += d
                    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
                    if (m) resolve(m[1])
                })
                child.on("exit", code => reject(new Error("hub exited " + code + ": " + out)))
            })
            const recs = chain(DEVICE_ID, KEY, 1, 50)
            let acked = 0
            for (let i = 0; i < 50; i += 5) {
                const path = "/api/device/v1/records"
                const body = JSON.stringify({ records: recs.slice(i, i + 5).map(x => x.hex) })
                clock.ms = Date.now()
                const r = await fetch(url + path, { method: "POST", headers: signed({ deviceId: DEVICE_ID, keyHex: KEY }, clock, "POST", path, body), body })
                acked = ((await r.json()) as { expectedSeq: number }).expectedSeq - 1
            }
            expect(acked).toBe(50)
            child.kill("SIGKILL")
            await new Promise(r => child.once("exit", r))
            const after = await openDb({ sqliteFile: file })
            const e = await exportDevice(ctxOf(after, clock), DEVICE_ID)
            await after.close()
            expect(e.records.map(r => r.seq)).toEqual(recs.map(r => r.seq))
            expect(verifyRecords(e.records.map(r => fromHex(r.sealedHex)), KEY, nodeCrypto, { deviceId: DEVICE_ID }).ok).toBe(true)
        } finally {
            if (child.exitCode === null) child.kill("SIGKILL")
            t.cleanup()
        }
    })
})

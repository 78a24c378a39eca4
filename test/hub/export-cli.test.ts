// The export format from the API and from the CLI, and the CLI's commands and argument errors.
import { describe, it, expect, beforeEach, afterEach } from "vitest"
import { readFileSync, existsSync } from "node:fs"
import { join } from "node:path"
import { spawnSync } from "node:child_process"
import { ZERO_HASH } from "../../src/core/codec/ints"
import { openDb } from "../../hub/src/db/index"
import { provisionDevice } from "../../hub/src/devices"
import { ingestRecords } from "../../hub/src/ingest"
import { login } from "../../hub/src/auth/staff"
import { main } from "../../hub/src/cli"
import { routeHub, KEY, DEVICE_ID, type RouteHub } from "./hub-fixture"
import { chain, seal, cycleRecord, tempDir, TestClock, ctxOf } from "./support"

const TEMPLATE_HASH = "78c4cce60eece1c0e9c7135ecfc6c240623ffdf5f1d664f6c8f42510bb99dc93"

describe("export over the API", () => {
    let h: RouteHub
    beforeEach(async () => {
        h = await routeHub()
    })
    afterEach(async () => {
        await h.close()
    })

    it("JSON: format, head and every record with its chain and decoded fields", async () => {
        const recs = chain(DEVICE_ID, KEY, 1, 3)
        await h.dev("POST", "records", { records: recs.map(r => r.hex) })
        h.clock.advanceS(10)
        const r = await h.staff("auditor", "GET", "/api/devices/" + DEVICE_ID + "/records/export?format=json")
        expect(r.headers["content-type"]).toContain("application/json")
        expect(r.headers["content-disposition"]).toBe('attachment; filename="SFA1-000042-records.json"')
        const e = r.json()
        expect(Object.keys(e)).toEqual(["format", "formatVersion", "deviceId", "exportedAtUnixS", "head", "checkpoint", "records"])
        expect(e).toMatchObject({ format: "smile-film-record-export", formatVersion: 2, deviceId: DEVICE_ID, exportedAtUnixS: 1_750_000_010, head: { seq: 3, hash: recs[2].hash } })
        expect(e.records.map((x: any) => Object.keys(x))).toEqual(recs.map(() => ["seq", "hash", "prevHash", "receivedAtMs", "sealedHex", "record"]))
        expect(e.records[0]).toMatchObject({ seq: 1, hash: recs[0].hash, prevHash: ZERO_HASH, receivedAtMs: 1_750_000_000_000, sealedHex: recs[0].hex })
        expect(e.records[1].record).toMatchObject({ kind: 1, deviceId: DEVICE_ID, seq: 2, prevHash: recs[0].hash, wallUnixS: 1_750_000_120, operatorId: "op-7", templateHash: TEMPLATE_HASH, outcome: 1 })
    })

    it("CSV: the agreed header and one row per record, fields with commas and quotes quoted", async () => {
        const r1 = seal(cycleRecord(DEVICE_ID, 1, ZERO_HASH, 'op,"7"'), KEY)
        await h.dev("POST", "records", { records: [r1.hex] })
        const r = await h.staff("operator", "GET", "/api/devices/" + DEVICE_ID + "/records/export?format=csv")
        expect(r.headers["content-type"]).toContain("text/csv")
        const lines = r.body.split("\r\n")
        expect(lines.length).toBe(4) // header, checkpoint, one record, "" after the last CRLF
        expect(lines[0]).toBe("seq,kind,hash,prev_hash,wall_unix_s,outcome,template_hash,operator_id,received_at_ms,sealed_hex")
        // #checkpoint, device, publicId, seq, hash, atUnixS, keyId, signature, 2 empty cells (docs/records.md §10)
        expect(lines[1]).toMatch(new RegExp("^#checkpoint," + DEVICE_ID + ",dev-[0-9a-f]{16},1," + r1.hash + ",1750000000,[0-9a-f]{64},[0-9a-f]{128},,$"))
        expect(lines[2]).toBe(["1", "1", r1.hash, ZERO_HASH, "1750000060", "1", TEMPLATE_HASH, '"op,""7"""', "1750000000000", r1.hex].join(","))
        expect(lines[3]).toBe("")
    })

    it("an unknown device is 404; a bad format is 400", async () => {
        expect((await h.staff("auditor", "GET", "/api/devices/SFA1-NOPE/records/export")).statusCode).toBe(404)
        const bad = await h.staff("auditor", "GET", "/api/devices/" + DEVICE_ID + "/records/export?format=xml")
        expect([bad.statusCode, bad.json().error.message]).toEqual([400, expect.stringContaining("format")])
    })
})

describe("CLI", () => {
    let t: ReturnType<typeof tempDir>
    beforeEach(() => {
        t = tempDir()
    })
    afterEach(() => t.cleanup())

    async function seed(n: number) {
        const db = await openDb({ sqliteFile: join(t.dir, "hub.db") })
        const ctx = ctxOf(db, new TestClock())
        await provisionDevice(ctx, { deviceId: DEVICE_ID, createdBy: "t", hubUrl: "x" })
        await db.db.updateTable("devices").set({ key_hex: KEY }).execute()
        const recs = chain(DEVICE_ID, KEY, 1, n)
        await ingestRecords(ctx, { deviceId: DEVICE_ID, keyHex: KEY }, recs.map(r => r.hex))
        await db.close()
        return recs
    }

    it("user add reads the password from HUB_PASSWORD; the user can log in", async () => {
        expect(await main(["user", "add", "--data", t.dir, "--name", "ana", "--role", "auditor"], { HUB_PASSWORD: "long enough pw" })).toBe(0)
        const db = await openDb({ sqliteFile: join(t.dir, "hub.db") })
        const s = await login(ctxOf(db, new TestClock()), "ana", "long enough pw")
        await db.close()
        expect(s?.staff.role).toBe("auditor")
    })

    it("export writes JSON and CSV files with every record", async () => {
        const recs = await seed(4)
        const out = join(t.dir, "e.json")
        expect(await main(["export", "--data", t.dir, "--device", DEVICE_ID, "--out", out], {})).toBe(0)
        const e = JSON.parse(readFileSync(out, "utf8"))
        expect(e.head).toEqual({ seq: 4, hash: recs[3].hash })
        expect(e.records.map((r: any) => r.sealedHex)).toEqual(recs.map(r => r.hex))
        const csv = join(t.dir, "e.csv")
        expect(await main(["export", "--data", t.dir, "--device", DEVICE_ID, "--out", csv, "--format", "csv"], {})).toBe(0)
        expect(readFileSync(csv, "utf8").trimEnd().split("\r\n").length).toBe(6) // header, checkpoint, 4 records
    })

    it("bad arguments exit non-zero with a message that names the problem (real process)", () => {
        const run = (args: string[], env: Record<string, string> = {}) => {
            const r = spawnSync(process.execPath, ["--import", "tsx", "hub/src/cli.ts", ...args], { encoding: "utf8", env: { ...process.env, HUB_DATABASE_URL: "", ...env } })
            return [r.status, r.stderr.split("\n")[0]]
        }
        expect(run(["export", "--data", t.dir, "--out", "x.json"])).toEqual([2, "hub: missing --device"])
        expect(run(["export", "--data", t.dir, "--device", "D", "--out", "x.json"])).toEqual([2, "hub: no hub database at " + join(t.dir, "hub.db") + " (check --data)"])
        expect(run(["export", "--data", t.dir, "--device", "D", "--out", "x", "--format", "xml"])).toEqual([2, "hub: --format must be json or csv"])
        expect(run(["serve", "--port", "99999"])).toEqual([2, "hub: --port must be an integer 0..65535"])
        expect(run(["serve", "--colour", "red"])).toEqual([2, "hub: unknown option --colour (allowed: --port --host --data --pg)"])
        expect(run(["frobnicate"])).toEqual([2, "hub: unknown command 'frobnicate'"])
        expect(run(["user", "add", "--data", t.dir, "--name", "x", "--role", "king"])).toEqual([2, "hub: --role must be one of operator, technician, reviewer, auditor, designer, admin"])
        expect(run(["user", "add", "--data", t.dir, "--name", "bo", "--role", "operator"], { HUB_PASSWORD: "short" })).toEqual([1, "hub: password must be at least 12 characters (this one has 5)"])
        expect(run(["user", "add", "--data", t.dir, "--name", "bo", "--role", "operator"], { HUB_PASSWORD: "Password2024!" }))
            .toEqual([1, "hub: password is a common password or a small change to one: choose a passphrase of a few unrelated words"])
        expect(run(["export", "--data", t.dir, "--device", "SFA1-NOPE", "--out", join(t.dir, "n.json")])).toEqual([1, "hub: no device SFA1-NOPE"])
        expect(existsSync(join(t.dir, "n.json"))).toBe(false)
    })
})

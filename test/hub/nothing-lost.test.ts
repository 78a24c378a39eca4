// Nothing lost, with real processes: the hub CLI serving SQLite on 127.0.0.1, device protocol
// clients (hub/src/device-client.ts: the firmware's src/core sync logic and record queue) that
// keep making records while they sync, and three kinds of trouble:
//   the hub killed with SIGKILL in the middle of uploads, again and again, and restarted;
//   a client process killed mid-sync and restarted on its on-disk queue;
//   connections cut by a proxy: mid-request, after the hub answered, mid-answer, or stalled.
// In the end the hub holds every record of every device exactly once, in order, each the very
// bytes the device made, the chain verifies (src/core verifyRecords on the export), and every
// record a client released on an acknowledgement is among them. Counts are printed.
import { describe, it, expect } from "vitest"
import { spawn, type ChildProcess } from "node:child_process"
import { createServer, connect, type Socket } from "node:net"
import { join } from "node:path"
import { fromHex } from "../../src/core/crypto"
import { verifyRecords } from "../../src/core/records/verify"
import { RecordQueue } from "../../src/core/records/queue"
import { MemoryKv } from "../../src/core/store/kv"
import { Step } from "../../src/core/sync/planner"
import { nodeCrypto } from "../../src/node/crypto-node"
import { openDb } from "../../hub/src/db/index"
import { provisionDevice } from "../../hub/src/devices"
import { exportDevice } from "../../hub/src/export"
import { DeviceClient, cycleDraft, sleep } from "../../hub/src/device-client"
import { Prng } from "../vectors/prng"
import { tempDir } from "./support"

interface Device { deviceId: string; keyHex: string }

async function provision(dir: string, n: number): Promise<Device[]> {
    const db = await openDb({ sqliteFile: join(dir, "hub.db") })
    const ctx = { db, nowMs: () => Date.now() }
    const out: Device[] = []
    for (let i = 0; i < n; i++) {
        const p = await provisionDevice(ctx, { deviceId: "SFA1-NL" + i, createdBy: "test", hubUrl: "x" })
        out.push({ deviceId: p.deviceId, keyHex: p.keyHex })
    }
    await db.close()
    return out
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = createServer()
        s.once("error", reject)
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as { port: number }).port
            s.close(() => resolve(port))
        })
    })
}

/** `hub serve` as a child process (node --import tsx: a SIGKILL must hit the hub itself, not npx) */
async function startHub(port: number, dir: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, ["--import", "tsx", "hub/src/cli.ts", "serve", "--port", String(port), "--data", dir], { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    await new Promise<void>((resolve, reject) => {
        child.stdout!.on("data", d => {
            out += d
            if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(out)) resolve()
        })
        child.stderr!.on("data", d => (out += d))
        child.once("exit", code => reject(new Error("hub exited " + code + ": " + out)))
    })
    return child
}

async function stop(child: ChildProcess, signal: NodeJS.Signals) {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise(r => child.once("exit", r))
    child.kill(signal)
    await exited
}

/** The hub's records of each device against the hashes the device made (index seq - 1). */
async function checkHub(dir: string, devices: Device[], made: string[][]) {
    const db = await openDb({ sqliteFile: join(dir, "hub.db") })
    try {
        for (let i = 0; i < devices.length; i++) {
            const d = devices[i]
            const e = await exportDevice({ db, nowMs: () => Date.now() }, d.deviceId)
            const n = made[i].length
            expect(e.records.map(r => r.seq)).toEqual(Array.from({ length: n }, (_x, k) => k + 1))
            expect(e.records.map(r => r.hash)).toEqual(made[i])
            const report = verifyRecords(e.records.map(r => fromHex(r.sealedHex)), d.keyHex, nodeCrypto, { deviceId: d.deviceId, lastSeq: n })
            expect(report.findings).toEqual([])
            const rows = await db.db.selectFrom("records").select(db.db.fn.countAll<number>().as("n")).where("device_id", "=", d.deviceId).executeTakeFirstOrThrow()
            expect(Number(rows.n)).toBe(n)
            const alerts = await db.db.selectFrom("alerts").selectAll().where("device_id", "=", d.deviceId).execute()
            expect(alerts).toEqual([])
        }
    } finally {
        await db.close()
    }
}

/** what the client program appends: cycleDraft(k) for k = 1..n, through a queue */
async function expectedChain(d: Device, n: number): Promise<string[]> {
    const q = await RecordQueue.open(new MemoryKv(), nodeCrypto, 1000, d.deviceId, d.keyHex)
    const out: string[] = []
    for (let k = 1; k <= n; k++) out.push((await q.append(cycleDraft(k, 1_750_000_000 + k * 60))).hash)
    return out
}

interface Fleet {
    clients: DeviceClient[]
    made: string[][]
    /** highest seq each client released on an acknowledgement */
    acked: number[]
    producing(): number
    run: Promise<boolean[]>
}

/** In-process clients on MemoryKv queues, each making n records every everyMs while syncing. */
async function fleet(url: string, devices: Device[], n: number, everyMs: number, timing: { fetchTimeoutMs: number; backoffCapMs: number }): Promise<Fleet> {
    const made = devices.map(() => [] as string[])
    const acked = devices.map(() => 0)
    let producing = devices.length
    const clients = await Promise.all(devices.map(async (d, i) => new DeviceClient({
        hubUrl: url, deviceId: d.deviceId, keyHex: d.keyHex, queue: await RecordQueue.open(new MemoryKv(), nodeCrypto, 256, d.deviceId, d.keyHex),
        timing: { periodMs: 500, backoffBaseMs: 50, ...timing }, limits: { batchMax: 4 },
        onAck: (_from, to) => {
            acked[i] = to
        },
    })))
    clients.forEach(async (c, i) => {
        for (let k = 1; k <= n; k++) {
            made[i].push((await c.append(cycleDraft(k, 1_750_000_000 + k * 60))).hash)
            await sleep(everyMs)
        }
        producing--
    })
    const run = Promise.all(clients.map(c => c.runUntil(() => producing === 0 && (c.o.queue.next - c.o.queue.head) === 0, c.uptimeMs() + 45_000)))
    return { clients, made, acked, producing: () => producing, run }
}

function totals(clients: DeviceClient[]) {
    const sum = (f: (c: DeviceClient) => number) => clients.reduce((a, c) => a + f(c), 0)
    return {
        requests: sum(c => c.stats.requests), failedRequests: sum(c => c.stats.failedRequests), timeouts: sum(c => c.stats.timeouts),
        failedRounds: sum(c => c.stats.failedRounds), stored: sum(c => c.stats.stored), duplicates: sum(c => c.stats.duplicates),
        alerts: clients.flatMap(c => c.stats.alerts.map(a => a.code + "@" + a.seq)),
    }
}

describe("nothing lost", () => {
    it("the hub killed with SIGKILL mid-upload, again and again: every record exactly once", async () => {
        const t = tempDir("nothing-lost-")
        let hub: ChildProcess | null = null
        try {
            const devices = await provision(t.dir, 5)
            const port = await freePort()
            hub = await startHub(port, t.dir)
            const f = await fleet("http://127.0.0.1:" + port, devices, 200, 20, { fetchTimeoutMs: 3000, backoffCapMs: 800 })
            const rng = new Prng(7)
            let kills = 0
            let midUpload = 0
            while (f.producing() > 0 || kills < 5) {
                await sleep(rng.int(150, 450))
                // aim at an upload on the wire: its transaction may be open, committed, or answered
                const until = Date.now() + 400
                while (Date.now() < until && !f.clients.some(c => c.inFlight === Step.Records)) await sleep(1)
                if (f.clients.some(c => c.inFlight === Step.Records)) {
                    midUpload++
                    await sleep(rng.int(0, 8)) // an upload takes a few ms (two fsync'd commits): land anywhere in it
                }
                await stop(hub, "SIGKILL")
                kills++
                hub = await startHub(port, t.dir)
            }
            expect(await f.run).toEqual(devices.map(() => true))
            await stop(hub, "SIGKILL")
            const s = totals(f.clients)
            expect(s.alerts).toEqual([])
            // an answer lost with the process never reaches the client: the resend hears "duplicate"
            expect(s.stored).toBeLessThanOrEqual(1000)
            expect(f.acked).toEqual(devices.map(() => 200))
            await checkHub(t.dir, devices, f.made)
            expect(midUpload).toBeGreaterThanOrEqual(3)
            console.log("nothing-lost hub SIGKILL: " + JSON.stringify({ devices: 5, records: 1000, kills, killsWithUploadInFlight: midUpload, ...s }))
        } finally {
            if (hub) await stop(hub, "SIGKILL")
            t.cleanup()
        }
    }, 90_000)

    it("a client process killed mid-sync and restarted on its on-disk queue: no duplicates, no gaps", async () => {
        const t = tempDir("nothing-lost-")
        const devices = await provision(t.dir, 2)
        const port = await freePort()
        let hub: ChildProcess | null = null
        const n = 150
        const made = devices.map(() => new Map<number, string>())
        const acked = devices.map(() => 0)
        let kills = 0
        let duplicates = 0
        let stored = 0
        const rng = new Prng(9)
        const runDevice = async (i: number) => {
            for (let run = 0; ; run++) {
                const d = devices[i]
                const child = spawn(process.execPath, ["--import", "tsx", "hub/src/device-client.ts", "--hub", "http://127.0.0.1:" + port,
                    "--device", d.deviceId, "--key", d.keyHex, "--dir", join(t.dir, "queue-" + i), "--records", String(n), "--every-ms", "8"],
                { stdio: ["ignore", "pipe", "pipe"] })
                let acksThisRun = 0
                let out = ""
                let buf = ""
                child.stderr!.on("data", x => (out += x))
                child.stdout!.on("data", x => {
                    buf += x
                    const lines = buf.split("\n")
                    buf = lines.pop() ?? ""
                    for (const line of lines) {
                        out += line + "\n"
                        const w = line.split(" ")
                        if (w[0] === "appended") made[i].set(Number(w[1]), w[2])
                        else if (w[0] === "ack") {
                            acked[i] = Math.max(acked[i], Number(w[2]))
                            acksThisRun++
                        } else if (w[0] === "answer") {
                            stored += Number(w[1])
                            duplicates += Number(w[2])
                        }
                    }
                })
                const exited = new Promise<number | null>(r => child.once("exit", code => r(code)))
                if (run < 3) {
                    // kill it a moment after its first acknowledgement of this run: mid-sync
                    while (acksThisRun === 0 && child.exitCode === null) await sleep(2)
                    await sleep(rng.int(0, 60))
                    if (child.exitCode === null) {
                        child.kill("SIGKILL")
                        kills++
                        await exited
                        continue
                    }
                }
                const code = await exited
                expect(code, out).toBe(0)
                expect(out).toContain("drained ")
                expect(out).not.toContain("alert ")
                return
            }
        }
        try {
            hub = await startHub(port, t.dir)
            await Promise.all(devices.map((_d, i) => runDevice(i)))
            await stop(hub, "SIGTERM")
            // the records are deterministic: the chain a fresh queue makes is the one expected
            const hashes = await Promise.all(devices.map(d => expectedChain(d, n)))
            made.forEach((m, i) => m.forEach((hash, seq) => expect(hash).toBe(hashes[i][seq - 1])))
            expect(acked).toEqual([n, n])
            await checkHub(t.dir, devices, hashes)
            console.log("nothing-lost client SIGKILL: " + JSON.stringify({ devices: 2, records: 2 * n, kills, stored, duplicates }))
            expect(stored).toBeLessThanOrEqual(2 * n)
        } finally {
            if (hub) await stop(hub, "SIGKILL")
            t.cleanup()
        }
    }, 90_000)

    it("connections cut mid-request, after the answer was made, mid-answer, or stalled: same end state", async () => {
        const t = tempDir("nothing-lost-")
        const devices = await provision(t.dir, 3)
        const hubPort = await freePort()
        const proxy = chaosProxy(hubPort, new Prng(13))
        let hub: ChildProcess | null = null
        try {
            hub = await startHub(hubPort, t.dir)
            const proxyPort = await new Promise<number>(r => proxy.server.listen(0, "127.0.0.1", () => r((proxy.server.address() as { port: number }).port)))
            const f = await fleet("http://127.0.0.1:" + proxyPort, devices, 100, 5, { fetchTimeoutMs: 500, backoffCapMs: 200 })
            expect(await f.run).toEqual(devices.map(() => true))
            await stop(hub, "SIGTERM")
            const s = totals(f.clients)
            expect(s.alerts).toEqual([])
            expect(s.stored).toBeLessThanOrEqual(300)
            expect(f.acked).toEqual([100, 100, 100])
            await checkHub(t.dir, devices, f.made)
            for (const mode of ["cutRequest", "dropAnswer", "cutAnswer", "stall"] as const) expect(proxy.counts[mode]).toBeGreaterThan(0)
            expect(s.timeouts).toBeGreaterThanOrEqual(proxy.counts.stall)
            console.log("nothing-lost dropped connections: " + JSON.stringify({ devices: 3, records: 300, ...proxy.counts, ...s }))
        } finally {
            proxy.close()
            if (hub) await stop(hub, "SIGKILL")
            t.cleanup()
        }
    }, 90_000)
})

type Mode = "pass" | "cutRequest" | "dropAnswer" | "cutAnswer" | "stall"

/**
 * A TCP proxy that mistreats connections at random: passes it; forwards only the first bytes of
 * the request (the hub never sees it whole); forwards the request and drops the answer (the hub
 * committed, the client hears nothing); forwards part of the answer; or holds the answer
 * until the client gives up (its timeout).
 */
function chaosProxy(target: number, rng: Prng) {
    const counts: Record<Mode, number> = { pass: 0, cutRequest: 0, dropAnswer: 0, cutAnswer: 0, stall: 0 }
    const open = new Set<Socket>()
    const server = createServer(down => {
        const x = rng.int(0, 99)
        // one in four connections mistreated: a round fails at its first, so more would starve progress
        const mode: Mode = x < 75 ? "pass" : x < 81 ? "cutRequest" : x < 90 ? "dropAnswer" : x < 96 ? "cutAnswer" : "stall"
        counts[mode]++
        const up = connect(target, "127.0.0.1")
        open.add(down)
        open.add(up)
        const kill = () => {
            down.destroy()
            up.destroy()
        }
        down.on("error", kill)
        up.on("error", kill)
        down.on("close", () => {
            open.delete(down)
            up.destroy()
        })
        up.on("close", () => {
            open.delete(up)
            if (mode !== "stall") down.end() // a stalled answer never comes, nor does its end
        })
        if (mode === "cutRequest") {
            // a request is at least ~250 bytes of headers: this many never make a whole one
            let budget = rng.int(1, 200)
            down.on("data", (c: Buffer) => {
                if (c.length < budget) {
                    up.write(c)
                    budget -= c.length
                } else {
                    up.write(c.subarray(0, budget), kill)
                }
            })
            return
        }
        down.pipe(up)
        if (mode === "pass") up.pipe(down)
        else if (mode === "dropAnswer") up.once("data", kill)
        else if (mode === "cutAnswer") {
            let budget = rng.int(1, 160)
            up.on("data", (c: Buffer) => {
                if (budget <= 0) return
                if (c.length < budget) {
                    down.write(c)
                    budget -= c.length
                } else {
                    down.write(c.subarray(0, budget), kill)
                    budget = 0
                }
            })
        } else up.on("data", () => {}) // stall: swallow the answer; the client's timeout ends it
    })
    return {
        server, counts,
        close() {
            for (const s of open) s.destroy()
            server.close()
        },
    }
}

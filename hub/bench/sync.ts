// Sync latency: N simulated devices against a real hub process (`hub serve`, the project's own
// CLI) listening on 127.0.0.1 at a free port. The hub runs in its own process so that the
// clients' event loop and the hub's do not share one core; the latency a client sees still
// includes its own process's scheduling (1,000 clients share one event loop), so it is an
// upper bound of what a device would see on the same network.
// Two concurrency models, reported separately:
//   burst:  every client starts a sync round at the same instant (after a power cut, say);
//   steady: every client runs a round every periodS seconds for durationS seconds, each at its
//           own random offset within the period (the normal load).
import { spawn, type ChildProcess } from "node:child_process"
import { readFileSync } from "node:fs"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { join, resolve } from "node:path"
import type { HubContext } from "../src/context"
import { freePort } from "../../tools/pg-server"
import { benchDevices, sealedChain, type BenchDevice, type SealedEntry } from "./records"
import { approveGoldenTemplate } from "./library-setup"
import { DeviceClient, KINDS, type Sample } from "./device-client"
import type { BenchStore } from "./stores"
import { latency, r2, type LatencyStats } from "./stats"

const ROOT = resolve(import.meta.dirname, "../..")

export interface SyncPlan {
    clients: number
    /** steady phase: one round per client every periodS, for durationS; 0 skips it */
    periodS: number
    durationS: number
}

export interface PhaseResult {
    model: string
    clients: number
    rounds: number
    requests: number
    errors: number
    /** up to five distinct error messages */
    errorSamples: string[]
    wallS: number
    requestsPerS: number
    /** CPU seconds the hub process (all its threads) used during the phase, and as a share of one core */
    hubCpuS: number
    hubCpuShare: number
    /** share of the phase the hub's main thread was runnable but waiting for a CPU: the rest of
     *  its time, neither on a CPU nor waiting for one, it was blocked (fsync, network) or idle */
    hubRunQueueWaitShare: number
    /** the same for this (the clients') process, and its event-loop delay: when the clients
     *  saturate their core, latencies include their own queueing */
    clientCpuShare: number
    clientLoopDelayP99Ms: number
    overall: LatencyStats
    byKind: Record<string, LatencyStats>
}

export interface SyncResult {
    backend: string
    clients: number
    http: string
    setupS: number
    phases: PhaseResult[]
}

/** user + system CPU seconds of a process (Linux /proc; clock ticks are 100 Hz there) */
function cpuSeconds(pid: number): number {
    try {
        const f = readFileSync("/proc/" + pid + "/stat", "utf8")
        const rest = f.slice(f.lastIndexOf(")") + 2).split(" ")
        return (Number(rest[11]) + Number(rest[12])) / 100
    } catch {
        return NaN
    }
}

/** seconds the process's main thread waited for a CPU (other load on the machine) */
function runQueueWaitSeconds(pid: number): number {
    try {
        return Number(readFileSync("/proc/" + pid + "/schedstat", "utf8").split(" ")[1]) / 1e9
    } catch {
        return NaN
    }
}

async function startHub(store: BenchStore, dataDir: string): Promise<{ child: ChildProcess; port: number }> {
    for (let attempt = 1; ; attempt++) {
        const port = await freePort()
        // e.g. HUB_BENCH_HUB_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the hub
        const nodeArgs = (process.env["HUB_BENCH_HUB_NODE_ARGS"] ?? "").split(" ").filter(a => a !== "")
        const args = [...nodeArgs, "--import", "tsx", join(ROOT, "hub/src/cli.ts"), "serve", "--port", String(port), "--host", "127.0.0.1"]
        if (store.backend === "postgres") args.push("--pg", store.location)
        else args.push("--data", dataDir)
        const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, HUB_DATABASE_URL: "" } })
        let out = ""
        const up = await new Promise<boolean>(res => {
            const onData = (c: Buffer) => {
                out += c.toString()
                if (out.includes("hub listening on")) res(true)
            }
            child.stdout!.on("data", onData)
            child.stderr!.on("data", (c: Buffer) => { out += c.toString() })
            child.once("exit", () => res(false))
        })
        if (up) return { child, port }
        if (attempt >= 3) throw new Error("bench: the hub did not start:\n" + out.slice(-2000))
    }
}

async function stopHub(child: ChildProcess) {
    if (child.exitCode !== null) return
    const gone = new Promise(res => child.once("exit", res))
    child.kill("SIGTERM")
    const t = setTimeout(() => child.kill("SIGKILL"), 10_000)
    await gone
    clearTimeout(t)
}

interface Meter {
    stop(): { hubCpuS: number; hubWaitS: number; clientCpuS: number; loopP99Ms: number }
}

function meter(hubPid: number): Meter {
    const hub0 = cpuSeconds(hubPid)
    const wait0 = runQueueWaitSeconds(hubPid)
    const me0 = process.cpuUsage()
    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    return {
        stop() {
            loop.disable()
            const me = process.cpuUsage(me0)
            return { hubCpuS: cpuSeconds(hubPid) - hub0, hubWaitS: runQueueWaitSeconds(hubPid) - wait0, clientCpuS: (me.user + me.system) / 1e6, loopP99Ms: loop.percentile(99) / 1e6 }
        },
    }
}

function summarise(model: string, clients: number, rounds: number, samples: Sample[], wallMs: number, m: ReturnType<Meter["stop"]>): PhaseResult {
    const errors = samples.filter(s => s.error !== null)
    const byKind: Record<string, LatencyStats> = {}
    for (const k of KINDS) byKind[k] = latency(samples.filter(s => s.kind === k).map(s => s.ms))
    return {
        model, clients, rounds, requests: samples.length, errors: errors.length,
        errorSamples: [...new Set(errors.map(e => e.error as string))].slice(0, 5),
        wallS: r2(wallMs / 1000), requestsPerS: Math.round(samples.length / (wallMs / 1000)),
        hubCpuS: r2(m.hubCpuS), hubCpuShare: r2(m.hubCpuS / (wallMs / 1000)),
        hubRunQueueWaitShare: r2(m.hubWaitS / (wallMs / 1000)),
        clientCpuShare: r2(m.clientCpuS / (wallMs / 1000)), clientLoopDelayP99Ms: r2(m.loopP99Ms),
        overall: latency(samples.map(s => s.ms)), byKind,
    }
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

export async function runSync(store: BenchStore, dataDir: string, plan: SyncPlan, log: (s: string) => void): Promise<SyncResult> {
    const t0 = performance.now()
    const devices: BenchDevice[] = benchDevices(plan.clients, "SFA1-S")
    const steadyRounds = plan.periodS > 0 && plan.durationS > 0 ? Math.ceil(plan.durationS / plan.periodS) + 1 : 0
    const perClient = 1 + steadyRounds
    // set up the database the hub will serve: devices, one approved template
    const db = await store.openHub()
    try {
        const ctx: HubContext = { db, nowMs: () => Date.now() }
        for (let i = 0; i < devices.length; i += 500)
            await db.db.insertInto("devices")
                .values(devices.slice(i, i + 500).map(d => ({ id: d.deviceId, key_hex: d.keyHex, label: "bench", created_at_ms: Date.now(), created_by: "bench" })))
                .execute()
        await approveGoldenTemplate(ctx)
    } finally {
        await db.close()
    }
    const chains: SealedEntry[][] = devices.map(d => sealedChain(d, 1, perClient))
    const { child, port } = await startHub(store, dataDir)
    const clients = devices.map((d, i) => new DeviceClient(d, port, chains[i]))
    const setupS = r2((performance.now() - t0) / 1000)
    log(`sync: hub pid ${child.pid} on 127.0.0.1:${port} (${store.backend}), ${plan.clients} clients, set up in ${setupS} s`)
    const phases: PhaseResult[] = []
    try {
        // burst: everyone at once; the first round also fetches each device's first bundle (200)
        {
            const samples: Sample[] = []
            const m = meter(child.pid!)
            const p0 = performance.now()
            await Promise.all(clients.map(c => c.round(p0, samples)))
            const wall = performance.now() - p0
            phases.push(summarise("burst: all clients start one round at once", plan.clients, 1, samples, wall, m.stop()))
            log(`sync: burst done in ${r2(wall / 1000)} s`)
        }
        if (steadyRounds > 0) {
            const samples: Sample[] = []
            const m = meter(child.pid!)
            const p0 = performance.now()
            const endMs = plan.durationS * 1000
            let rounds = 0
            await Promise.all(clients.map(async c => {
                let at = Math.random() * plan.periodS * 1000
                while (at < endMs) {
                    const wait = at - (performance.now() - p0)
                    if (wait > 0) await sleep(wait)
                    await c.round(p0, samples)
                    rounds++
                    at += plan.periodS * 1000
                }
            }))
            const wall = performance.now() - p0
            phases.push(summarise(`steady: each client one round every ${plan.periodS} s for ${plan.durationS} s, random offsets`, plan.clients, rounds, samples, wall, m.stop()))
            log(`sync: steady done in ${r2(wall / 1000)} s`)
        }
    } finally {
        for (const c of clients) c.close()
        await stopHub(child)
    }
    return {
        backend: store.backend, clients: plan.clients,
        http: "node:http, one keep-alive http.Agent per client with maxSockets 1 (one TCP connection per device); hub in its own process (`hub serve`)",
        setupS, phases,
    }
}

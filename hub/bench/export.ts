// The export and chain-verification benchmark (issue 13 item 2): one device with 200,000 valid
// records (20,000 with --quick) in a SQLite hub run as its own process (`hub serve`), then
//   - a JSON and a CSV export over HTTP: seconds, bytes, the hub's peak RSS (Linux VmHWM, reset
//     before each step through /proc/PID/clear_refs) above its RSS before the step;
//   - the CLI export (`hub export`) as its own process: seconds and peak RSS (/usr/bin/time);
//   - other requests' latency (GET /api/faults and /api/transparency in turn, one at a time,
//     5 ms apart, from this process) idle, then while a full chain verify and a JSON export run;
//   - a second, incremental verify (reads only records after the kept verified head).
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { freePort } from "../../tools/pg-server"
import { provisionDevice } from "../src/devices"
import { createUser } from "../src/users"

/** the bench's auditor's password (it must pass hub/src/auth/password-policy.ts) */
const BENCH_PASSWORD = "quartz-harbor-lantern-57"
import { benchDevices, sealedChain, recordRow } from "./records"
import { sqliteStore } from "./stores"
import { latency, r2, type LatencyStats } from "./stats"
import { RECORD_COLUMNS } from "./stores"

const ROOT = resolve(import.meta.dirname, "../..")
const CHUNK = 5000
const PROBE_GAP_MS = 5

export interface ExportBenchResult {
    records: number
    model: string
    exportJson: Step
    exportCsv: Step
    cli: { seconds: number; peakRssMb: number; emptyDevicePeakRssMb: number; bytes: number } | string
    fullVerify: { seconds: number; recordsRead: number; ok: boolean }
    incrementalVerify: { seconds: number; recordsRead: number }
    latencyIdleMs: LatencyStats
    latencyDuringVerifyAndExportMs: LatencyStats
}

interface Step {
    seconds: number
    bytes: number
    hubRssBeforeMb: number
    hubPeakRssMb: number
}

const mb = (kb: number) => r2(kb / 1024)

function procKb(pid: number, field: "VmRSS" | "VmHWM"): number {
    const m = new RegExp("^" + field + ":\\s+(\\d+) kB", "m").exec(readFileSync("/proc/" + pid + "/status", "utf8"))
    return m ? Number(m[1]) : NaN
}

/** the hub process's RSS now, with its peak (VmHWM) reset to it */
function resetPeak(pid: number): number {
    try {
        writeFileSync("/proc/" + pid + "/clear_refs", "5")
    } catch {
        // not permitted: the peak then counts from the start of the process
    }
    return procKb(pid, "VmRSS")
}

export async function seed(dataDir: string, file: string, n: number, log: (s: string) => void) {
    const { openDb } = await import("../src/db/index")
    const hub = await openDb({ sqliteFile: file })
    try {
        const ctx = { db: hub, nowMs: () => Date.now() }
        const dev = benchDevices(1, "SFA1-X")[0]
        await provisionDevice(ctx, { deviceId: dev.deviceId, createdBy: "bench", hubUrl: "http://127.0.0.1" })
        await hub.db.updateTable("devices").set({ key_hex: dev.keyHex }).where("id", "=", dev.deviceId).execute()
        await provisionDevice(ctx, { deviceId: "SFA1-XEMPTY", createdBy: "bench", hubUrl: "http://127.0.0.1" })
        await createUser(ctx, { name: "bench-auditor", password: BENCH_PASSWORD, role: "auditor" })
        // rows straight into the table (the ingest path is ingest.ts's benchmark); the
        // transparency trigger runs as it would at ingest
        const sqlite = hub.sqlite!
        const insert = sqlite.prepare(`INSERT INTO records (${RECORD_COLUMNS.join(", ")}) VALUES (${RECORD_COLUMNS.map(() => "?").join(", ")})`)
        const many = sqlite.transaction((rows: unknown[][]) => { for (const r of rows) insert.run(...r) })
        const t0 = performance.now()
        let prev: string | undefined
        for (let from = 1; from <= n; from += CHUNK) {
            const chain = sealedChain(dev, from, Math.min(n, from + CHUNK - 1), prev)
            prev = chain[chain.length - 1].hash
            many(chain.map(e => { const r = recordRow(dev.deviceId, e, Date.now()); return RECORD_COLUMNS.map(c => r[c]) }))
        }
        log(`export bench: ${n} records sealed and stored in ${r2((performance.now() - t0) / 1000)} s (${dataDir})`)
        return dev
    } finally {
        await hub.close()
    }
}

async function startHub(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
    const port = await freePort()
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "hub/src/cli.ts"), "serve", "--port", String(port), "--data", dataDir],
        { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, HUB_DATABASE_URL: "" } })
    let out = ""
    const up = await new Promise<boolean>(res => {
        child.stdout!.on("data", (c: Buffer) => { out += c; if (out.includes("hub listening on")) res(true) })
        child.stderr!.on("data", (c: Buffer) => { out += c })
        child.once("exit", () => res(false))
    })
    if (!up) throw new Error("export bench: the hub did not start:\n" + out.slice(-2000))
    return { child, url: "http://127.0.0.1:" + port }
}

/** GET, the body read to the end and counted, never kept */
async function drain(url: string, token: string): Promise<number> {
    const r = await fetch(url, { headers: { authorization: "Bearer " + token } })
    if (r.status !== 200) throw new Error(url + ": HTTP " + r.status + " " + (await r.text()).slice(0, 200))
    let bytes = 0
    for await (const c of r.body as unknown as AsyncIterable<Uint8Array>) bytes += c.length
    return bytes
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
    const t0 = performance.now()
    const value = await fn()
    return { seconds: r2((performance.now() - t0) / 1000), value }
}

/** one probe request at a time, PROBE_GAP_MS apart, until `until` settles */
async function probe(base: string, until: Promise<unknown>): Promise<number[]> {
    let done = false
    until.finally(() => { done = true }).catch(() => {})
    const ms: number[] = []
    for (let i = 0; !done; i++) {
        const t0 = performance.now()
        const r = await fetch(base + (i % 2 ? "/api/transparency" : "/api/faults"))
        await r.arrayBuffer()
        ms.push(performance.now() - t0)
        await new Promise(res => setTimeout(res, PROBE_GAP_MS))
    }
    return ms
}

async function exportStep(pid: number, url: string, token: string): Promise<Step> {
    const before = resetPeak(pid)
    const t = await timed(() => drain(url, token))
    return { seconds: t.seconds, bytes: t.value, hubRssBeforeMb: mb(before), hubPeakRssMb: mb(procKb(pid, "VmHWM")) }
}

function cliExport(dataDir: string, deviceId: string, out: string): { seconds: number; peakKb: number } {
    const r = spawnSync("/usr/bin/time", ["-f", "%e %M", process.execPath, "--import", "tsx", join(ROOT, "hub/src/cli.ts"), "export", "--data", dataDir, "--device", deviceId, "--out", out],
        { cwd: ROOT, encoding: "utf8", env: { ...process.env, HUB_DATABASE_URL: "" } })
    const m = /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(r.stderr)
    if (r.status !== 0 || !m) throw new Error("hub export failed: " + r.stderr.slice(-500))
    return { seconds: Number(m[1]), peakKb: Number(m[2]) }
}

export async function runExportBench(opts: { quick: boolean; log: (s: string) => void }): Promise<ExportBenchResult> {
    const n = opts.quick ? 20_000 : 200_000
    const store = await sqliteStore()
    const dataDir = dirname(store.location)
    try {
        const dev = await seed(dataDir, store.location, n, opts.log)
        const { child, url } = await startHub(dataDir)
        try {
            const pid = child.pid!
            const login = await fetch(url + "/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "bench-auditor", password: BENCH_PASSWORD, bearer: true }) })
            const token = ((await login.json()) as { token: string }).token
            const exportUrl = (id: string, f: string) => url + "/api/devices/" + id + "/records/export?format=" + f
            const exportJson = await exportStep(pid, exportUrl(dev.deviceId, "json"), token)
            opts.log(`export bench: JSON export of ${n} records: ${exportJson.seconds} s, ${mb(exportJson.bytes / 1024)} MB, hub RSS ${exportJson.hubRssBeforeMb} -> peak ${exportJson.hubPeakRssMb} MB`)
            const exportCsv = await exportStep(pid, exportUrl(dev.deviceId, "csv"), token)
            opts.log(`export bench: CSV export: ${exportCsv.seconds} s, ${mb(exportCsv.bytes / 1024)} MB, hub RSS ${exportCsv.hubRssBeforeMb} -> peak ${exportCsv.hubPeakRssMb} MB`)

            let cli: ExportBenchResult["cli"]
            try {
                const out = join(dataDir, "cli-export.json")
                const empty = cliExport(dataDir, "SFA1-XEMPTY", join(dataDir, "empty.json"))
                const full = cliExport(dataDir, dev.deviceId, out)
                cli = { seconds: full.seconds, peakRssMb: mb(full.peakKb), emptyDevicePeakRssMb: mb(empty.peakKb), bytes: readFileSync(out).length }
                opts.log(`export bench: CLI export: ${full.seconds} s, peak RSS ${mb(full.peakKb)} MB (an empty device's export: ${mb(empty.peakKb)} MB)`)
            } catch (e) {
                cli = "failed: " + (e as Error).message
            }

            const idle = await probe(url, new Promise(res => setTimeout(res, 2000)))
            const verifyUrl = url + "/api/devices/" + dev.deviceId + "/chain?full=1"
            let verify = { seconds: 0, recordsRead: 0, ok: false }
            const load = Promise.all([
                timed(async () => (await fetch(verifyUrl, { headers: { authorization: "Bearer " + token } })).json() as Promise<{ recordsRead: number; ok: boolean }>)
                    .then(t => { verify = { seconds: t.seconds, recordsRead: t.value.recordsRead, ok: t.value.ok } }),
                drain(exportUrl(dev.deviceId, "json"), token),
            ])
            const busy = await probe(url, load)
            await load
            opts.log(`export bench: full verify of ${verify.recordsRead} records ${verify.seconds} s (ok ${verify.ok}), alongside a JSON export`)
            const again = await timed(async () => (await fetch(url + "/api/devices/" + dev.deviceId + "/chain", { headers: { authorization: "Bearer " + token } })).json() as Promise<{ recordsRead: number }>)
            const result: ExportBenchResult = {
                records: n,
                model: "SQLite hub as its own process (hub serve); one device; probes from the bench process, one at a time; peak RSS = Linux VmHWM reset before each step",
                exportJson, exportCsv, cli, fullVerify: verify, incrementalVerify: { seconds: again.seconds, recordsRead: again.value.recordsRead },
                latencyIdleMs: latency(idle), latencyDuringVerifyAndExportMs: latency(busy),
            }
            opts.log(`export bench: other requests idle p50 ${result.latencyIdleMs.p50} p99 ${result.latencyIdleMs.p99} ms; during verify + export p50 ${result.latencyDuringVerifyAndExportMs.p50} p99 ${result.latencyDuringVerifyAndExportMs.p99} max ${result.latencyDuringVerifyAndExportMs.max} ms (n ${busy.length})`)
            return result
        } finally {
            child.kill("SIGTERM")
            await new Promise(res => child.exitCode !== null ? res(null) : child.once("exit", res))
        }
    } finally {
        await store.drop()
    }
}

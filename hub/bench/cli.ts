// tsx hub/bench/cli.ts [--json FILE] [--quick] [--no-pg] [--clients N] [--burst N] [--only ingest|sync] [--no-steady] [--no-export | --export-only]
// Runs the hub benchmarks, prints tables, writes the result as JSON (default
// bench-output/hub-bench.json). Exit 2 on bad arguments, 1 when a benchmark fails or any sync
// request got an unexpected answer.
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { GOAL, ingestGoalMet, runHubBench } from "./index"
import type { IngestPoint } from "./ingest"
import type { SyncResult } from "./sync"
import { table } from "./stats"

const ROOT = resolve(import.meta.dirname, "../..")

function parse(argv: string[]) {
    const o = { json: join(ROOT, "bench-output/hub-bench.json"), quick: false, pg: true, clients: 0, burst: -1, only: undefined as undefined | "ingest" | "sync", steady: true, export: true as boolean | "only" }
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]
        if (a === "--quick") o.quick = true
        else if (a === "--no-pg") o.pg = false
        else if (a === "--no-export") o.export = false
        else if (a === "--no-steady") o.steady = false
        else if (a === "--export-only") o.export = "only"
        else if (a === "--json" && argv[i + 1]) o.json = resolve(argv[++i])
        else if (a === "--clients" && argv[i + 1] && /^[1-9][0-9]{0,4}$/.test(argv[i + 1])) o.clients = Number(argv[++i])
        else if (a === "--burst" && argv[i + 1] && /^(0|[1-9][0-9]{0,4})$/.test(argv[i + 1])) o.burst = Number(argv[++i])
        else if (a === "--only" && (argv[i + 1] === "ingest" || argv[i + 1] === "sync")) o.only = argv[++i] as "ingest" | "sync"
        else {
            console.error(`hub bench: bad argument ${a}\nusage: tsx hub/bench/cli.ts [--json FILE] [--quick] [--no-pg] [--clients N] [--burst N] [--only ingest|sync] [--no-steady] [--no-export | --export-only]`)
            process.exit(2)
        }
    }
    return o
}

function ingestTable(name: string, v: unknown): string {
    if (typeof v === "string") return `${name}: ${v}`
    const pts = (v as { points: IngestPoint[] }).points
    return table(["ingest " + name, "n", "hub rec/s", "ceiling rec/s", "ratio", "hub s", "ceiling s", "goal"],
        pts.map(p => ["batch " + p.batch, p.n, p.hub.recordsPerS, p.ceiling.recordsPerS, p.ratio.toFixed(2), p.hub.seconds, p.ceiling.seconds,
            ingestGoalMet(p) ? "met" : "not met"]))
}

function syncTables(name: string, v: SyncResult | string): string {
    if (typeof v === "string") return `sync ${name}: ${v}`
    return v.phases.map(ph => {
        const rows = [...Object.entries(ph.byKind), ["overall", ph.overall] as const].map(([k, s]) => [k, s.n, s.p50, s.p99, s.max])
        const goal = ph.model.startsWith("burst") && ph.clients === 1000
            ? ` (goal p99 <= ${GOAL.burst1000P99Ms} ms, 0 errors: ${ph.overall.p99 <= GOAL.burst1000P99Ms && ph.errors === 0 ? "met" : "not met"})` : ""
        return `sync ${name}, ${ph.model}${goal}: ${ph.requests} requests in ${ph.wallS} s (${ph.requestsPerS}/s), errors ${ph.errors}` +
            (ph.errorSamples.length ? " (" + ph.errorSamples.join("; ") + ")" : "") + `, hub CPU ${ph.hubCpuS} s (${Math.round(ph.hubCpuShare * 100)}% of a core, waiting for a CPU ${Math.round(ph.hubRunQueueWaitShare * 100)}%), clients' process ${Math.round(ph.clientCpuShare * 100)}% of a core, its event-loop delay p99 ${ph.clientLoopDelayP99Ms} ms\n` +
            table(["ms", "n", "p50", "p99", "max"], rows)
    }).join("\n\n")
}

async function main() {
    const o = parse(process.argv.slice(2))
    const r = await runHubBench({
        quick: o.quick, pg: o.pg, clients: o.clients || undefined, bigBurst: o.burst >= 0 ? o.burst : undefined, only: o.only, steady: o.steady,
        // --only runs one of ingest and sync, and no export unless --export-only
        export: o.only ? false : o.export, log: s => console.log(s),
    })
    if (o.export === "only") {
        mkdirSync(dirname(o.json), { recursive: true })
        writeFileSync(o.json, JSON.stringify({ hub: r }, null, 2) + "\n")
        console.log(`\nhub bench (export only): ${r["wallS"]} s, JSON in ${o.json}`)
        return
    }
    const ingest = r["ingest"] as Record<string, unknown> | undefined
    if (ingest) {
        console.log("\n" + ingestTable("sqlite", ingest["sqlite"]) + "\n\n" + ingestTable("postgres", ingest["postgres"]))
        console.log("\ningest CPU per record outside the database (us): " + JSON.stringify(r["ingestProfileUs"]))
    }
    const sync = (r["sync"] ?? {}) as Record<string, SyncResult | string>
    for (const [k, v] of Object.entries(sync)) console.log("\n" + syncTables(k, v))
    mkdirSync(dirname(o.json), { recursive: true })
    writeFileSync(o.json, JSON.stringify({ hub: r }, null, 2) + "\n")
    console.log(`\nhub bench: ${r["wallS"]} s, JSON in ${o.json}`)
    const errors = Object.values(sync).reduce((n, v) => n + (typeof v === "string" ? 0 : v.phases.reduce((m, p) => m + p.errors, 0)), 0)
    process.exit(errors > 0 ? 1 : 0)
}

main().catch(e => {
    console.error("hub bench failed: " + ((e as Error).stack ?? e))
    process.exit(1)
})

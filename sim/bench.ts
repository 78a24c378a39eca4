// npm run bench -- [--json FILE] [--breaches N] [--seed N] [--no-hub]
// Runs the firmware in the DeviceScript VM against the simulator (real time, no clock scaling)
// and measures, on the bus:
//   control-period:  intervals between the firmware's heater relay writes (one per control tick)
//                    over a nominal cycle: mean, jitter (|interval - period|) p50/p99/max;
//   safety-reaction: time from the first sensor sample beyond the film hard limit sent on the
//                    bus to the firmware's first heater-off write, over N injected breaches
//                    (each while heating at full duty; fault cleared by the technician gesture).
//   hub:             the hub's benchmarks (hub/bench: ingest throughput against a raw-insert
//                    ceiling on SQLite and PostgreSQL, sync latency with 1,000 protocol
//                    clients), unless --no-hub; `npm run bench:hub` runs them alone, with tables.
// Prints a table and writes one JSON object keyed by benchmark name.
import { writeFileSync, mkdirSync } from "node:fs"
import { resolve, join, dirname } from "node:path"
import { ROOT, readManifest } from "../tools/manifest-node"
import { buildFirmware } from "./firmware"
import { SimSession, sleep, waitFor } from "./session"
import { runHubBench } from "../hub/bench/index"

function arg(name: string, def: string): string {
    const i = process.argv.indexOf(name)
    return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def
}

function pct(sorted: number[], p: number): number {
    if (!sorted.length) return NaN
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

function stats(v: number[]) {
    const s = v.slice().sort((a, b) => a - b)
    const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)
    return { n: s.length, mean: r2(mean), p50: r2(pct(s, 50)), p90: r2(pct(s, 90)), p99: r2(pct(s, 99)), min: r2(s[0]), max: r2(s[s.length - 1]) }
}

function r2(x: number) {
    return Math.round(x * 100) / 100
}

async function main() {
    if (!process.env["SIM_DEBUG"]) console.debug = () => undefined
    const json = resolve(arg("--json", join(ROOT, "bench-output/bench.json")))
    const breaches = Number(arg("--breaches", "20"))
    const seed = Number(arg("--seed", "1"))
    const m = readManifest()
    const P = m.control.periodMs
    const out = join(ROOT, "bench-output")
    const devsFile = buildFirmware(join(out, "firmware"), "bench")
    const wall0 = Date.now()
    const s = new SimSession(m, devsFile, join(out, "device"), seed, "bench")
    const results: Record<string, unknown> = {}
    try {
        await s.open()
        const e = s.engine

        // 1. control period over one nominal cycle
        console.log("bench: nominal cycle for the control period ...")
        const w0 = e.relayWrites.length
        await s.press("start")
        await waitFor("the nominal cycle to complete", () => s.last("outcome") !== undefined, 180_000)
        const writes = e.relayWrites.slice(w0)
        const iv: number[] = []
        for (let i = 1; i < writes.length; i++) iv.push(writes[i].t - writes[i - 1].t)
        const jitter = iv.map(d => Math.abs(d - P))
        const cycleS = (writes[writes.length - 1].t - writes[0].t) / 1000
        const period: Record<string, unknown> = {
            unit: "ms", targetMs: P, cycleSeconds: r2(cycleS), intervals: stats(iv), jitter: stats(jitter),
            overrunsOverOverrunMs: iv.filter(d => d > m.control.overrunMs).length,
        }
        results["control-period"] = period
        await sleep(1000)
        // the firmware's own figures for the same cycle (its "timing" line: gaps between tick starts)
        const tm = s.last("timing")
        period["firmwareMaxGapMs"] = tm ? Number(tm.value.split(" ")[0]) : null
        period["firmwareLateTicks"] = tm ? Number(tm.value.split(" ")[1]) : null

        // 2. reaction to hard-limit breaches
        const reactions: number[] = []
        for (let k = 0; k < breaches; k++) {
            process.stdout.write(`\rbench: breach ${k + 1}/${breaches}`)
            const t0 = e.now()
            await s.press("start")
            await waitFor("preheat", () => s.events.some(v => v.kind === "phase" && v.value === "preheat" && v.t >= t0), 20_000)
            // a random moment in the first second of full-duty preheat, so ticks and samples are not phase-locked
            await sleep(600 + e.rng.next() * 400)
            e.armLimitWatch({ filmMaxC: m.limits.filmMaxDeciC / 10, contactMaxC: m.limits.contactMaxDeciC / 10, forceMaxN: m.limits.forceMaxMilliN / 1000 })
            e.sensorFaults.filmTemp = { kind: "offset", by: 85 }
            await waitFor("the fault", () => s.events.some(v => v.kind === "fault" && v.t >= t0), 5000)
            await sleep(200)
            const bad = e.firstBreachMs
            const off = bad === null ? null : e.relayOffAfter(bad)
            if (bad !== null && off !== null) reactions.push(off - bad)
            e.sensorFaults.filmTemp = null
            // technician clears the latched fault: START + ABORT held 5 s
            e.startPressed = true
            e.abortPressed = true
            await waitFor("the fault to clear", () => s.events.some(v => v.kind === "cleared" && v.t >= t0), 10_000)
            e.startPressed = false
            e.abortPressed = false
            await sleep(300)
        }
        process.stdout.write("\n")
        const st = stats(reactions)
        results["safety-reaction"] = {
            unit: "ms", breaches: reactions.length, reactionMs: st,
            reactionTicks: { max: Math.ceil(st.max / P), p99: Math.ceil(st.p99 / P) },
            limitTicks: 2,
        }
        results["run"] = { wallSeconds: r2((Date.now() - wall0) / 1000), firmwareSeconds: r2(e.now() / 1000), seed }
    } finally {
        await s.close()
    }
    if (!process.argv.includes("--no-hub")) {
        console.log("\nbench: hub (ingest throughput, sync latency; `npm run bench:hub` prints its tables) ...")
        results["hub"] = await runHubBench({ log: (line: string) => console.log(line) })
    }
    const cp = results["control-period"] as { intervals: ReturnType<typeof stats>; jitter: ReturnType<typeof stats>; cycleSeconds: number }
    const sr = results["safety-reaction"] as { reactionMs: ReturnType<typeof stats>; breaches: number }
    console.log("\nbenchmark                 n      mean    p50     p99     max   (ms)")
    console.log(`control period          ${String(cp.intervals.n).padStart(5)} ${fmt(cp.intervals.mean)} ${fmt(cp.intervals.p50)} ${fmt(cp.intervals.p99)} ${fmt(cp.intervals.max)}`)
    console.log(`control jitter          ${String(cp.jitter.n).padStart(5)} ${fmt(cp.jitter.mean)} ${fmt(cp.jitter.p50)} ${fmt(cp.jitter.p99)} ${fmt(cp.jitter.max)}`)
    const fw = results["control-period"] as { firmwareMaxGapMs: number | null; firmwareLateTicks: number | null }
    console.log(`firmware tick timing    worst gap between tick starts ${fw.firmwareMaxGapMs ?? "?"} ms, late ticks ${fw.firmwareLateTicks ?? "?"}`)
    console.log(`hard-limit reaction     ${String(sr.breaches).padStart(5)} ${fmt(sr.reactionMs.mean)} ${fmt(sr.reactionMs.p50)} ${fmt(sr.reactionMs.p99)} ${fmt(sr.reactionMs.max)}`)
    mkdirSync(dirname(json), { recursive: true })
    writeFileSync(json, JSON.stringify(results, null, 2) + "\n")
    console.log(`\nwrote ${json}`)
}

function fmt(v: number) {
    return v.toFixed(1).padStart(7)
}

main().then(() => process.exit(0), e => {
    console.error(`bench: ${e instanceof Error ? e.stack : e}`)
    process.exit(1)
})

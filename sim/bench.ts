// npm run bench -- [--json FILE] [--cycles N] [--breaches N] [--two-node-cycles N] [--seed N] [--target esp32c3|esp32s3 [--host-coremark N]] [--no-hub]
// Runs the firmware in the DeviceScript VM against the simulator (real time, no clock scaling)
// and measures, on the bus:
//   control-period:  intervals between the firmware's heater relay writes while it holds the
//                    heater on (then one per control tick) over N nominal cycles (default 1; 20 with --target): mean, jitter
//                    (|interval - period|) p50/p99/max; the firmware's own figures per cycle
//                    (worst gap between tick starts, late ticks, longest tick), faults in a
//                    nominal cycle (false faults), and the longest a ready fiber waited for the
//                    VM (sim/firmware-lag.ts: the longest run without a yield);
//   safety-reaction: time from the first sensor sample beyond the film hard limit sent on the
//                    bus to the firmware's first heater-off write, over N injected breaches
//                    (each while heating at full duty; fault cleared by the technician gesture);
//   host:            what the host did to the run (sim/host-sched.ts): waits for a CPU, gaps in
//                    the simulator's own sensor reports;
//   two-nodes:       the device image and the link node with a hub, over N nominal cycles with
//                    their scans (default 2; 0 skips): each node's timing figures, at the chips'
//                    speeds with --target (the link at the ESP32-S3's; sim/bench-two-nodes.ts);
//   hub:             the hub's benchmarks (hub/bench: ingest throughput against a raw-insert
//                    ceiling on SQLite and PostgreSQL, sync latency with 1,000 protocol
//                    clients), unless --no-hub; `npm run bench:hub` runs them alone, with tables.
// --target runs the VM at that chip's speed (docs/target-speed.md) and skips the hub.
// Prints a table and writes one JSON object keyed by benchmark name.
import { writeFileSync, mkdirSync } from "node:fs"
import { resolve, join, dirname } from "node:path"
import { ROOT, readManifest } from "../tools/manifest-node"
import { buildFirmware } from "./firmware"
import { SimSession, sleep, waitFor } from "./session"
import { runHubBench } from "../hub/bench/index"
import { benchTwoNodes } from "./bench-two-nodes"
import { calibrateReservation } from "./host-sched"
import { HOST_COREMARK, parseTarget, processFactor, slowdownFactor, VM_WASM_SHARE } from "./target-speed"

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
    const targetId = arg("--target", "")
    const cycles = Number(arg("--cycles", targetId ? "20" : "1"))
    // --cycles 0: only the two-node section (and the hub's)
    if (!Number.isInteger(cycles) || cycles < 0) throw new Error("--cycles must be 0 or a positive integer")
    const twoNodeCycles = Number(arg("--two-node-cycles", "2"))
    if (!Number.isInteger(twoNodeCycles) || twoNodeCycles < 0) throw new Error("--two-node-cycles must be 0 or a positive integer")
    const hostCoremark = Number(arg("--host-coremark", String(HOST_COREMARK)))
    const m = readManifest()
    const P = m.control.periodMs
    const out = join(ROOT, "bench-output")
    const results: Record<string, unknown> = {}
    if (cycles > 0) await benchOneNode()
    async function benchOneNode() {
        const devsFile = buildFirmware(join(out, "firmware"), "bench")
        const s = new SimSession(m, devsFile, join(out, "device"), seed, "bench")
        if (targetId) {
            const chip = parseTarget(targetId)
            const factor = slowdownFactor(chip, hostCoremark)
            const pf = processFactor(factor)
            console.log(`bench: target ${chip.id}: its interpreter runs ${factor.toFixed(1)}x slower than this host's WASM VM (host CoreMark ${hostCoremark}; ${chip.source}); ` +
                `the VM process, ${Math.round(VM_WASM_SHARE * 100)} % interpreter, runs ${pf.toFixed(1)}x slower`)
            const r = calibrateReservation(pf, line => console.log(line))
            s.atTargetSpeed(r)
            results["target"] = { chip: chip.id, chipCoremark: chip.coremark, hostCoremark, interpreterFactor: r2(factor), wasmShare: VM_WASM_SHARE, processFactor: r2(pf), reservation: r }
        }
        const wall0 = Date.now()
        try {
            await s.open()
            const e = s.engine

            // 1. control period over nominal cycles
            const iv: number[] = []
            const perCycle: { outcome: string; maxGapMs: number | null; lateTicks: number | null; maxTickMs: number | null; faults: string[] }[] = []
            // every frame on the bus (the simulator's reports, the firmware's writes): each one the
            // controller receives costs its runtime a fiber (tools/bus-traffic.ts breaks them down)
            const frames0 = s.relay.frames
            const framesT0 = e.now()
            for (let k = 0; k < cycles; k++) {
                process.stdout.write(`\rbench: nominal cycle ${k + 1}/${cycles} for the control period ...`)
                const t0 = e.now()
                const w0 = e.relayWrites.length
                await s.press("start")
                await waitFor("the nominal cycle to end", () => s.first("outcome", t0) !== undefined || s.first("preflight", t0) !== undefined, 300_000)
                const refused = s.first("preflight", t0)
                // the relay is written on every tick only while it is held on (src/hw/outputs.ts: an
                // unchanged safe output is resent every SAFE_RESEND_TICKS), so the period is measured
                // between two "on" writes in a row
                const writes = e.relayWrites.slice(w0)
                for (let i = 1; i < writes.length; i++) if (writes[i].on && writes[i - 1].on) iv.push(writes[i].t - writes[i - 1].t)
                // the firmware's timing line follows its outcome line
                await waitFor("the firmware's timing line", () => s.first("timing", t0) !== undefined, 5000).catch(() => undefined)
                const tm = s.first("timing", t0)
                const tv = tm ? tm.value.split(" ").map(Number) : []
                const faults = s.events.filter(v => v.kind === "fault" && v.t >= t0).map(v => v.value)
                perCycle.push({
                    outcome: refused ? "refused " + refused.value : s.first("outcome", t0)!.value, maxGapMs: tm ? tv[0] : null, lateTicks: tm ? tv[1] : null,
                    maxTickMs: tm ? tv[2] : null, faults,
                })
                // a nominal cycle that faulted: the technician's clear (START + ABORT 5 s), then the next one
                if (faults.length || refused) await clearFault(s, t0)
                await sleep(1000)
            }
            process.stdout.write("\n")
            const busFramesPerS = r2((s.relay.frames - frames0) / ((e.now() - framesT0) / 1000))
            const jitter = iv.map(d => Math.abs(d - P))
            const worst = (f: (c: (typeof perCycle)[0]) => number | null) => Math.max(...perCycle.map(c => f(c) ?? NaN))
            const lags = s.events.filter(v => v.kind === "lag").map(v => Number(v.value))
            results["control-period"] = {
                unit: "ms", targetMs: P, cycles, intervals: stats(iv), jitter: stats(jitter),
                overrunsOverOverrunMs: iv.filter(d => d > m.control.overrunMs).length,
                notComplete: perCycle.filter(c => c.outcome !== "complete").length,
                falseFaults: perCycle.reduce((n, c) => n + c.faults.length, 0),
                firmwareMaxGapMs: worst(c => c.maxGapMs), firmwareLateTicks: perCycle.reduce((n, c) => n + (c.lateTicks ?? 0), 0),
                firmwareMaxTickMs: worst(c => c.maxTickMs),
                lagMaxMs: lags.length ? Math.max(...lags) : null,
                busFramesPerS,
                perCycle,
            }

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
                await clearFault(s, t0)
            }
            process.stdout.write("\n")
            const st = stats(reactions)
            results["safety-reaction"] = {
                unit: "ms", breaches: reactions.length, reactionMs: st,
                reactionTicks: { max: Math.ceil(st.max / P), p99: Math.ceil(st.p99 / P) },
                limitTicks: 2,
            }
            results["run"] = { wallSeconds: r2((Date.now() - wall0) / 1000), firmwareSeconds: r2(e.now() / 1000), seed }
            results["host"] = { maxWaitMs: s.stalls.maxWaitMs, waits: s.stalls.stalls.length, reportGaps: e.reportGaps.length, maxReportGapMs: Math.max(0, ...e.reportGaps.map(g => g.gapMs)) }
        } finally {
            await s.close()
        }
    }
    if (twoNodeCycles > 0) {
        console.log(`\nbench: two nodes with a hub, ${twoNodeCycles} nominal cycles ...`)
        results["two-nodes"] = await benchTwoNodes({ m, cycles: twoNodeCycles, seed, targetId, hostCoremark, log: line => console.log(line) })
    }
    if (!process.argv.includes("--no-hub") && !targetId) {
        console.log("\nbench: hub (ingest throughput, sync latency; `npm run bench:hub` prints its tables) ...")
        results["hub"] = await runHubBench({ log: (line: string) => console.log(line) })
    }
    console.log(`\nbenchmark${targetId ? " at " + targetId + " speed" : ""}        n      mean    p50     p99     max   (ms)`)
    const cp = results["control-period"] as undefined | { intervals: ReturnType<typeof stats>; jitter: ReturnType<typeof stats>; cycles: number; falseFaults: number; notComplete: number;
        firmwareMaxGapMs: number; firmwareLateTicks: number; firmwareMaxTickMs: number; lagMaxMs: number | null; busFramesPerS: number }
    const sr = results["safety-reaction"] as undefined | { reactionMs: ReturnType<typeof stats>; breaches: number; reactionTicks: { max: number } }
    const h = results["host"] as undefined | { maxWaitMs: { [k: string]: number }; reportGaps: number; maxReportGapMs: number }
    if (cp && sr && h) {
        console.log(`control period          ${String(cp.intervals.n).padStart(5)} ${fmt(cp.intervals.mean)} ${fmt(cp.intervals.p50)} ${fmt(cp.intervals.p99)} ${fmt(cp.intervals.max)}`)
        console.log(`control jitter          ${String(cp.jitter.n).padStart(5)} ${fmt(cp.jitter.mean)} ${fmt(cp.jitter.p50)} ${fmt(cp.jitter.p99)} ${fmt(cp.jitter.max)}`)
        console.log(`hard-limit reaction     ${String(sr.breaches).padStart(5)} ${fmt(sr.reactionMs.mean)} ${fmt(sr.reactionMs.p50)} ${fmt(sr.reactionMs.p99)} ${fmt(sr.reactionMs.max)}  (${sr.reactionTicks.max} ticks at most)`)
        console.log(`nominal cycles          ${cp.cycles}, not complete ${cp.notComplete}, faults ${cp.falseFaults}`)
        console.log(`firmware tick timing    worst gap between tick starts ${cp.firmwareMaxGapMs} ms, late ticks ${cp.firmwareLateTicks}, longest tick ${cp.firmwareMaxTickMs} ms`)
        console.log(`longest run w/o yield   ${cp.lagMaxMs ?? "?"} ms (the longest a ready fiber waited)`)
        console.log(`bus traffic             ${cp.busFramesPerS} frames a second over the nominal cycles`)
        console.log(`host                    largest wait for a CPU: sim ${h.maxWaitMs["sim"] ?? 0} ms, vm ${h.maxWaitMs["vm"] ?? 0} ms${targetId ? " (the reservation's own throttling counts here)" : ""}; simulator report gaps ${h.reportGaps} (max ${h.maxReportGapMs} ms)`)
    }
    const tn = results["two-nodes"] as undefined | { error?: string; display?: string; controllerLastLines?: string[]; linkLastLines?: string[]; cycles: number; complete: number; startPressesLost: number; recordsSaved: number; recordsAtHub: number;
        controllerCpu: null | { mean: number; p99: number; max: number; saturated: number; intervals: number }; controllerReservation?: { stallMs: number }; controller: { firmwareMaxGapMs: number; firmwareLateTicks: number; firmwareMaxTickMs: number; lagMaxMs: number | null; panics: string[] };
        link: { lagMaxMs: number | null; panics: string[] } }
    if (tn?.error) {
        console.log(`two nodes, with a hub   FAILED: ${tn.error}\n  display: ${(tn.display ?? "").replace(/\n/g, " | ")}`)
        for (const l of tn.controllerLastLines ?? []) console.log("  [controller] " + l)
        for (const l of tn.linkLastLines ?? []) console.log("  [link] " + l)
    } else if (tn) {
        console.log(`two nodes, with a hub   ${tn.cycles} nominal cycles, complete ${tn.complete}, START presses not taken ${tn.startPressesLost}, records saved ${tn.recordsSaved} and at the hub ${tn.recordsAtHub}, panics ${tn.controller.panics.length + tn.link.panics.length}`)
        console.log(`  controller            worst gap between tick starts ${tn.controller.firmwareMaxGapMs} ms, late ticks ${tn.controller.firmwareLateTicks}, longest tick ${tn.controller.firmwareMaxTickMs} ms, longest run w/o yield ${tn.controller.lagMaxMs ?? "?"} ms`)
        if (tn.controllerCpu) console.log(`  controller CPU        of its reservation per ~100 ms: mean ${tn.controllerCpu.mean}, p99 ${tn.controllerCpu.p99}, max ${tn.controllerCpu.max}; ${tn.controllerCpu.saturated} of ${tn.controllerCpu.intervals} intervals at 0.95 or more` +
            `; the reservation held a busy loop still up to ${tn.controllerReservation?.stallMs ?? "?"} ms at once`)
        console.log(`  link${targetId ? " (at esp32s3 speed)" : "              "}  longest run w/o yield ${tn.link.lagMaxMs ?? "?"} ms`)
    }
    mkdirSync(dirname(json), { recursive: true })
    writeFileSync(json, JSON.stringify(results, null, 2) + "\n")
    console.log(`\nwrote ${json}`)
    if (tn?.error) throw new Error("the two-node section failed (above); the other sections' figures are in " + json)
}

/** The technician clears a latched fault: START + ABORT held 5 s (nothing to do when none latched). */
async function clearFault(s: SimSession, since: number) {
    const e = s.engine
    if (!s.events.some(v => v.kind === "fault" && v.t >= since && v.value !== "E50" && v.value !== "E51")) return
    e.setButton("start", true)
    e.setButton("abort", true)
    try {
        await waitFor("the fault to clear", () => s.events.some(v => v.kind === "cleared" && v.t >= since), 15_000)
    } finally {
        e.setButton("start", false)
        e.setButton("abort", false)
    }
    await sleep(300)
}

function fmt(v: number) {
    return v.toFixed(1).padStart(7)
}

main().then(() => process.exit(0), e => {
    console.error(`bench: ${e instanceof Error ? e.stack : e}`)
    process.exit(1)
})

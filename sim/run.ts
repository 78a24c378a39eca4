// npm run sim -- --scenario NAME [--seed N] [--json FILE] [--out DIR] [--target CHIP] | --all [--jobs N] | --list
// Runs scenarios one at a time (the DeviceScript bus port 8082 is shared), shows a live
// progress line, prints a summary table, writes an SVG plot per scenario, and exits non-zero
// when any expectation fails. --jobs N runs N workers at once, each in its own network
// namespace (`unshare -n` as root, else `unshare -rn`: a private loopback, so each has its own
// port 8082); where that is not allowed it says so and runs them one at a time.
// The simulator and the VM run at real-time priority where allowed (sim/host-sched.ts); a
// scenario that failed on a fault a host stall explains is marked STALL and run again (twice at
// most). --target esp32c3|esp32s3 runs the firmware at that chip's speed (docs/target-speed.md).
import { spawn, spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { resolve, join } from "node:path"
import { ROOT, readManifest } from "../tools/manifest-node"
import { SCENARIOS, findScenario, type Scenario } from "./scenarios"
import { buildFirmware } from "./firmware"
import { runScenario, type ScenarioReport } from "./runner"
import { plotSvg } from "./plot"
import { BusPortTakenError } from "./bus/relay"
import { calibrateReservation, type Reservation } from "./host-sched"
import { HOST_COREMARK, parseTarget, processFactor, slowdownFactor, VM_WASM_SHARE } from "./target-speed"
import { applyPlant, checkInvariants, drawAt, drawScenario, unseen, type Draw } from "./campaign"

/** runs of one scenario at most, when host stalls spoil them (ScenarioReport.stalled) */
const STALL_RUNS = 3

function usage(msg?: string): never {
    if (msg) console.error(`sim: ${msg}`)
    console.error("usage: npm run sim -- --scenario NAME [--seed N] [--json FILE] [--out DIR] [--quiet] [--target esp32c3|esp32s3 [--host-coremark N]]\n" +
        "       npm run sim -- --all [--seed N] [--json FILE] [--jobs N] [--target ...]\n" +
        "       npm run sim -- --campaign N [--seed S] [--skip K] [--jobs J] [--json FILE] | --draw K [--seed S]\n       npm run sim -- --list")
    process.exit(2)
}

function parse(argv: string[]) {
    const o = {
        scenario: "", all: false, list: false, seed: 1, json: "", out: resolve(ROOT, "test-output/sim"), quiet: false,
        jobs: 1, /** a worker's share: scenario names, and the image already built */ names: "", devs: "",
        target: "", hostCoremark: HOST_COREMARK, /** a worker's reservation, calibrated by its parent */ reservation: "",
        /** the fault campaign: how many draws, from which draw on; a worker's share of draw indices */
        campaign: 0, skip: 0, draws: "",
    }
    const count = (a: string, v: string, min: number) => {
        const n = Number(v)
        if (!Number.isInteger(n) || n < min) usage(`${a} must be an integer >= ${min}`)
        return n
    }
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]
        const val = () => argv[++i] ?? usage(`${a} needs a value`)
        if (a === "--scenario") o.scenario = val()
        else if (a === "--all") o.all = true
        else if (a === "--list") o.list = true
        else if (a === "--seed") {
            o.seed = Number(val())
            if (!Number.isInteger(o.seed) || o.seed < 0) usage("--seed must be a non-negative integer")
        } else if (a === "--json") o.json = resolve(val())
        else if (a === "--out") o.out = resolve(val())
        else if (a === "--quiet") o.quiet = true
        else if (a === "--jobs") {
            o.jobs = Number(val())
            if (!Number.isInteger(o.jobs) || o.jobs < 1 || o.jobs > 8) usage("--jobs must be an integer 1..8")
        } else if (a === "--target") {
            o.target = val()
            try {
                parseTarget(o.target)
            } catch (e) {
                usage((e as Error).message)
            }
        } else if (a === "--host-coremark") {
            o.hostCoremark = Number(val())
            if (!(o.hostCoremark > 0)) usage("--host-coremark must be a positive number (CoreMark iterations/s on one core)")
        } else if (a === "--campaign") o.campaign = count(a, val(), 1)
        else if (a === "--skip") o.skip = count(a, val(), 0)
        else if (a === "--draw") {
            o.skip = count(a, val(), 0)
            o.campaign = 1
        } else if (a === "--worker-draws") o.draws = val()
        else if (a === "--worker-scenarios") o.names = val()
        else if (a === "--worker-reservation") o.reservation = val()
        else if (a === "--worker-devs") o.devs = resolve(val())
        else usage(`unknown option ${a}`)
    }
    return o
}

function row(r: ScenarioReport): string {
    const react = r.reactionMs === null ? "-" : `${r.reactionMs} ms / ${r.reactionTicks} t`
    return `${r.passed ? "PASS" : r.stalled ? "STALL" : "FAIL"}${r.passed || !r.stalled ? " " : ""} ${r.scenario.padEnd(22)} ${String(r.outcome ?? "-").padEnd(9)} ` +
        `${(r.faultCode === null ? "-" : "E" + r.faultCode).padEnd(5)} ${react.padEnd(16)} ` +
        `${r.maxFilmC.toFixed(1).padStart(6)} ${r.maxTipC.toFixed(1).padStart(6)} ${r.maxForceN.toFixed(1).padStart(6)} ${(r.wallMs / 1000).toFixed(1).padStart(6)} s`
}

async function main() {
    const o = parse(process.argv.slice(2))
    // jacdac-ts narrates its transport on console.debug; SIM_DEBUG=1 keeps it
    if (!process.env["SIM_DEBUG"]) console.debug = () => undefined
    if (o.list) {
        for (const s of SCENARIOS) console.log(`${s.name.padEnd(22)} ${s.summary}`)
        return
    }
    if (o.campaign || o.draws) return runCampaign(o)
    let list: Scenario[]
    if (o.names) list = o.names.split(",").map(n => findScenario(n) ?? usage(`no scenario '${n}'`))
    else if (o.all) list = SCENARIOS
    else if (o.scenario) {
        const s = findScenario(o.scenario)
        if (!s) usage(`no scenario '${o.scenario}' (see --list)`)
        list = [s]
    } else usage("give --scenario NAME, --all or --list")
    const manifest = readManifest()
    mkdirSync(o.out, { recursive: true })
    if (!o.devs) console.log(`sim: ${list.length} scenario${list.length === 1 ? "" : "s"}; building the device image (about 10 s)`)
    const devsFile = o.devs || buildFirmware(join(o.out, "firmware"))
    let reservation: Reservation | undefined
    if (o.reservation) reservation = JSON.parse(o.reservation) as Reservation
    else if (o.target) {
        const chip = parseTarget(o.target)
        const factor = slowdownFactor(chip, o.hostCoremark)
        const pf = processFactor(factor)
        console.log(`sim: target ${chip.id}: its interpreter runs ${factor.toFixed(1)}x slower than this host's WASM VM (host CoreMark ${o.hostCoremark}, ${chip.source}); ` +
            `the VM process, ${Math.round(VM_WASM_SHARE * 100)} % interpreter, runs ${pf.toFixed(1)}x slower`)
        try {
            reservation = calibrateReservation(pf, line => console.log(line))
        } catch (e) {
            console.error(`sim: ${(e as Error).message}`)
            process.exit(2)
        }
        o.reservation = JSON.stringify(reservation)
    }
    if (o.jobs > 1 && list.length > 1) {
        if (canIsolate()) return runJobs(o, list, devsFile)
        console.log(`sim: --jobs ${o.jobs}: no private network namespace here (unshare ${unshareFlags()} failed); running one at a time`)
    }
    // the first scenario provisions the device over the bus; the others start from its flash
    const flashSnapshot = join(o.out, "firmware", `provisioned-seed${o.seed}${o.names ? "-" + list[0].name : ""}.bin`)
    rmSync(flashSnapshot, { force: true })
    const tty = process.stdout.isTTY && !o.quiet
    const reports: ScenarioReport[] = []
    for (const sc of list) {
        const progress = o.quiet ? undefined : progressPrinter(tty)
        let r: ScenarioReport
        for (let run = 1; ; run++) {
            try {
                r = await runScenario(sc, { seed: o.seed, manifest, devsFile, workDir: join(o.out, o.names ? "device-" + list[0].name : "device"), progress, flashSnapshot, reservation })
            } catch (e) {
                if (e instanceof BusPortTakenError) {
                    console.error(`\nsim: ${e.message}`)
                    process.exit(3)
                }
                throw e
            }
            if (!r.stalled || run >= STALL_RUNS) break
            console.log(`\nsim: ${sc.name}: ${r.stalled}; running it again (${run + 1}/${STALL_RUNS})`)
        }
        if (tty) process.stdout.write("\r" + " ".repeat(100) + "\r")
        const plot = join(o.out, `${sc.name}.svg`)
        const marks = r.injectedAtMs === null ? [] : [{ t: r.injectedAtMs, label: "injected" }]
        writeFileSync(plot, plotSvg(`${sc.name} (seed ${o.seed})`, r.trace, marks))
        r.plot = plot
        // the firmware's own console beside the plot: what a failed scenario's fault said
        writeFileSync(join(o.out, `${sc.name}.log`), r.firmwareLog.join("\n") + "\n")
        reports.push(r)
        if (!o.quiet || !r.passed) console.log(row(r))
        for (const f of r.failures) console.log(`      ${f}`)
        if (r.stalled) console.log(`      ${r.stalled}: the host is too loaded for this run to prove anything`)
    }
    console.log("\n      scenario               outcome   fault reaction          film°C  tip°C  forceN   wall")
    for (const r of reports) console.log(row(r))
    const failed = reports.filter(r => !r.passed).length
    console.log(`\n${reports.length - failed} passed, ${failed} failed`)
    if (o.json) {
        const strip = (r: ScenarioReport) => ({ ...r, trace: undefined, firmwareLog: undefined })
        writeFileSync(o.json, JSON.stringify(reports.length === 1 && !o.all && !o.names ? strip(reports[0]) : reports.map(strip), null, 2) + "\n")
    }
    if (!o.names) {
        // where each run's plot and the firmware's log are (a worker's are listed by its parent)
        if (reports.length === 1) console.log(`plot ${reports[0].plot}\nlog  ${join(o.out, reports[0].scenario + ".log")}`)
        else console.log(`plots and firmware logs: ${o.out}/<scenario>.svg and .log`)
        if (o.json) console.log(`json ${o.json}`)
    }
    process.exit(failed ? 1 : 0)
}

/**
 * unshare's flags for a private loopback: as root `-n` alone, so the worker keeps the right to
 * real-time priority (a user namespace, -r, would drop it); else `-rn`.
 */
function unshareFlags(): string {
    return typeof process.getuid === "function" && process.getuid() === 0 ? "-n" : "-rn"
}

/** True when this machine lets a process have its own network namespace (its own 127.0.0.1:8082). */
function canIsolate(): boolean {
    const r = spawnSync("unshare", [unshareFlags(), "sh", "-c", "ip link set lo up"], { stdio: "ignore" })
    return r.status === 0
}

/**
 * Runs the scenarios in o.jobs workers, each `sim/run.ts` in its own network namespace with a
 * share of the scenarios (longest first, to the least loaded worker), then prints one table
 * and exits non-zero when any failed. Each worker provisions its own device and writes its
 * plots, logs and JSON report into o.out.
 */
async function runJobs(o: ReturnType<typeof parse>, list: Scenario[], devsFile: string): Promise<void> {
    const shares: Scenario[][] = Array.from({ length: Math.min(o.jobs, list.length) }, () => [])
    const load = shares.map(() => 0)
    for (const sc of [...list].sort((a, b) => b.timeoutMs - a.timeoutMs)) {
        const i = load.indexOf(Math.min(...load))
        shares[i].push(sc)
        load[i] += sc.timeoutMs
    }
    console.log(`sim: ${list.length} scenarios in ${shares.length} workers (one network namespace each)`)
    const tsx = resolve(ROOT, "node_modules/.bin/tsx")
    const codes = await Promise.all(shares.map((share, i) => new Promise<number>(done => {
        const json = join(o.out, `worker-${i}.json`)
        rmSync(json, { force: true })
        const args = [tsx, "sim/run.ts", "--worker-scenarios", share.map(s => s.name).join(","), "--worker-devs", devsFile,
            "--seed", String(o.seed), "--out", o.out, "--json", json, "--quiet", ...(o.reservation ? ["--worker-reservation", o.reservation] : [])]
        const child = spawn("unshare", [unshareFlags(), "sh", "-c", 'ip link set lo up && exec "$@"', "sh", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] })
        child.stdout.on("data", (b: Buffer) => {
            for (const line of b.toString().split("\n")) if (/^(PASS|FAIL|STALL) |^      \S/.test(line) && !/^      scenario/.test(line)) process.stdout.write(`[${i}] ${line}\n`)
        })
        child.on("exit", code => done(code ?? 1))
    })))
    const reports: ScenarioReport[] = []
    shares.forEach((share, i) => {
        try {
            const r = JSON.parse(readFileSync(join(o.out, `worker-${i}.json`), "utf8"))
            reports.push(...(Array.isArray(r) ? r : [r]))
        } catch {
            console.log(`sim: worker ${i} (${share.map(s => s.name).join(", ")}) left no report (exit ${codes[i]})`)
        }
    })
    const order = list.map(s => s.name)
    reports.sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario))
    console.log("\n      scenario               outcome   fault reaction          film°C  tip°C  forceN   wall")
    for (const r of reports) console.log(row(r))
    const failed = list.length - reports.filter(r => r.passed).length
    console.log(`\n${list.length - failed} passed, ${failed} failed`)
    if (o.json) writeFileSync(o.json, JSON.stringify(reports, null, 2) + "\n")
    process.exit(failed || codes.some(c => c !== 0) ? 1 : 0)
}

/** One draw's result as the campaign prints and stores it. */
interface DrawReport {
    index: number
    label: string
    kind: string
    passed: boolean
    stalled: string | null
    failures: string[]
    outcome: string | null
    faultCode: number | null
    unseen: boolean
    /** the onset came and the fault was injected (false: the cycle ended before its phase) */
    injected: boolean
    maxFilmC: number
    maxTipC: number
    maxForceN: number
    wallMs: number
    runs: number
}

function replay(seed: number, index: number): string {
    return `npm run sim -- --draw ${index} --seed ${seed}`
}

function drawRow(d: DrawReport): string {
    return `${d.passed ? "PASS " : d.stalled ? "STALL" : "FAIL "} #${String(d.index).padEnd(4)} ${String(d.outcome ?? "-").padEnd(9)} ${(d.faultCode === null ? "-" : "E" + d.faultCode).padEnd(5)} ` +
        `${d.maxFilmC.toFixed(1).padStart(6)} ${d.maxTipC.toFixed(1).padStart(6)} ${d.maxForceN.toFixed(1).padStart(6)} ${(d.wallMs / 1000).toFixed(1).padStart(6)} s  ${d.label}` +
        (d.unseen ? "  UNSEEN: a fault the firmware must find, and the cycle completed" : "") +
        (d.injected ? "" : "  NOT INJECTED: the cycle ended before the onset")
}

/**
 * The fault campaign (sim/campaign.ts): draws o.campaign faults from draw o.skip on (a worker: the
 * indices in o.draws), runs each through runScenario judged by the safety invariants, prints one
 * line per draw and the command that replays each failed one, and exits non-zero if any failed.
 * A draw that failed on a fault a host stall explains is run again, as --all does (STALL_RUNS).
 */
async function runCampaign(o: ReturnType<typeof parse>): Promise<void> {
    if (o.target) usage("--campaign does not take --target")
    const indices = o.draws ? o.draws.split(",").map(Number) : Array.from({ length: o.campaign }, (_, i) => o.skip + i)
    const manifest = readManifest()
    mkdirSync(o.out, { recursive: true })
    const header = "      draw  outcome   fault  film°C  tip°C forceN   wall  what was drawn"
    if (!o.devs) {
        console.log(`sim: fault campaign, seed ${o.seed}, ${indices.length} draw${indices.length === 1 ? "" : "s"} (#${indices[0]}..#${indices[indices.length - 1]}); building the device image (about 10 s)`)
        for (const k of indices) console.log(`  #${k} ${drawAt(o.seed, k).label}`)
    }
    const devsFile = o.devs || buildFirmware(join(o.out, "firmware"))
    if (!o.draws && o.jobs > 1 && indices.length > 1) {
        if (canIsolate()) return runCampaignJobs(o, indices, devsFile, header)
        console.log(`sim: --jobs ${o.jobs}: no private network namespace here (unshare ${unshareFlags()} failed); running one at a time`)
    }
    const tag = o.draws ? "-w" + indices[0] : ""
    const flashSnapshot = join(o.out, "firmware", `provisioned-campaign-seed${o.seed}${tag}.bin`)
    rmSync(flashSnapshot, { force: true })
    const tty = process.stdout.isTTY && !o.quiet
    const reports: DrawReport[] = []
    for (const k of indices) {
        const d: Draw = drawAt(o.seed, k)
        const sc = drawScenario(d)
        const progress = o.quiet ? undefined : progressPrinter(tty)
        let r: ScenarioReport
        let run = 1
        for (; ; run++) {
            try {
                r = await runScenario(sc, {
                    seed: o.seed, manifest, devsFile, workDir: join(o.out, "device-campaign" + tag), progress, flashSnapshot,
                    setup: s => applyPlant(s.engine, d.plant),
                    invariants: (s, injectedAt) => checkInvariants({
                        draw: d, manifest, engine: s.engine, events: s.events, injectedAt, now: s.engine.now(),
                        firmwareLog: s.vm.lines.map(l => l.text),
                    }),
                })
            } catch (e) {
                if (e instanceof BusPortTakenError) {
                    console.error(`\nsim: ${e.message}`)
                    process.exit(3)
                }
                throw e
            }
            // a run that stopped before its fault was injected (e.g. the fitting scan faulted E31 on a
            // loaded host) proves nothing about the draw: run it again, as a STALL is
            // so does a cycle that a lost sensor (E31) or a tick overrun (E60) ended before the onset:
            // on a loaded host that is most often the host starving the simulator or the VM
            const setup = !r.passed && r.injectedAtMs === null && /^run stopped/.test(r.failures[0] ?? "") ? `stopped before the onset (${r.failures[0]})`
                : r.injectedAtMs === null && (r.faultCode === 31 || r.faultCode === 60) ? `E${r.faultCode} before the onset (the host is likely starving the simulator)` : null
            if ((!r.stalled && !setup) || run >= STALL_RUNS) break
            console.log(`\nsim: draw #${k}: ${r.stalled ?? setup}; running it again (${run + 1}/${STALL_RUNS})`)
        }
        if (tty) process.stdout.write("\r" + " ".repeat(100) + "\r")
        const marks = r.injectedAtMs === null ? [] : [{ t: r.injectedAtMs, label: "injected" }]
        writeFileSync(join(o.out, `${sc.name}.svg`), plotSvg(`${sc.name}: ${d.label}`, r.trace, marks))
        writeFileSync(join(o.out, `${sc.name}.log`), r.firmwareLog.join("\n") + "\n")
        const dr: DrawReport = {
            index: k, label: d.label, kind: d.kind, passed: r.passed, stalled: r.stalled, failures: r.failures, outcome: r.outcome,
            faultCode: r.faultCode, unseen: r.injectedAtMs !== null && unseen(d, r.outcome), injected: r.injectedAtMs !== null, maxFilmC: r.maxFilmC, maxTipC: r.maxTipC, maxForceN: r.maxForceN,
            wallMs: r.wallMs, runs: run,
        }
        reports.push(dr)
        console.log(drawRow(dr))
        for (const f of dr.failures) console.log(`      ${f}`)
        if (!dr.passed) console.log(`      replay: ${replay(o.seed, k)}   (plot and firmware log: ${join(o.out, sc.name)}.svg/.log)`)
    }
    if (o.json) writeFileSync(o.json, JSON.stringify(reports, null, 2) + "\n")
    if (o.draws) process.exit(reports.every(r => r.passed) ? 0 : 1)
    campaignSummary(o.seed, reports, indices.length, header)
}

function campaignSummary(seed: number, reports: DrawReport[], n: number, header: string): never {
    reports.sort((a, b) => a.index - b.index)
    console.log(`\n${header}`)
    for (const r of reports) console.log(drawRow(r))
    const failed = n - reports.filter(r => r.passed).length
    const unseenN = reports.filter(r => r.unseen).length
    const notInjected = reports.filter(r => !r.injected).length
    const wall = reports.map(r => r.wallMs / r.runs)
    console.log(`\ncampaign seed ${seed}: ${n - failed} passed, ${failed} failed${unseenN ? `, ${unseenN} UNSEEN` : ""}${notInjected ? `, ${notInjected} NOT INJECTED (their fault never ran)` : ""}; ` +
        `wall per draw mean ${(wall.reduce((a, b) => a + b, 0) / Math.max(1, wall.length) / 1000).toFixed(1)} s, max ${(Math.max(0, ...wall) / 1000).toFixed(1)} s`)
    for (const r of reports) if (!r.passed) console.log(`replay #${r.index}: ${replay(seed, r.index)}`)
    process.exit(failed ? 1 : 0)
}

/** The campaign's draws in o.jobs workers (draw i to worker i mod J), each in its own network namespace. */
async function runCampaignJobs(o: ReturnType<typeof parse>, indices: number[], devsFile: string, header: string): Promise<void> {
    const shares: number[][] = Array.from({ length: Math.min(o.jobs, indices.length) }, () => [])
    indices.forEach((k, i) => shares[i % shares.length].push(k))
    console.log(`sim: ${indices.length} draws in ${shares.length} workers (one network namespace each)`)
    const tsx = resolve(ROOT, "node_modules/.bin/tsx")
    const codes = await Promise.all(shares.map((share, i) => new Promise<number>(done => {
        const json = join(o.out, `campaign-worker-${i}.json`)
        rmSync(json, { force: true })
        const args = [tsx, "sim/run.ts", "--worker-draws", share.join(","), "--worker-devs", devsFile,
            "--seed", String(o.seed), "--out", o.out, "--json", json, "--quiet"]
        const child = spawn("unshare", [unshareFlags(), "sh", "-c", 'ip link set lo up && exec "$@"', "sh", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] })
        child.stdout.on("data", (b: Buffer) => {
            for (const line of b.toString().split("\n")) if (/^(PASS|FAIL|STALL)|^      \S|^sim: draw/.test(line)) process.stdout.write(`[${i}] ${line}\n`)
        })
        child.on("exit", code => done(code ?? 1))
    })))
    const reports: DrawReport[] = []
    shares.forEach((share, i) => {
        try {
            reports.push(...(JSON.parse(readFileSync(join(o.out, `campaign-worker-${i}.json`), "utf8")) as DrawReport[]))
        } catch {
            console.log(`sim: worker ${i} (draws ${share.join(", ")}) left no report (exit ${codes[i]})`)
        }
    })
    if (o.json) writeFileSync(o.json, JSON.stringify(reports, null, 2) + "\n")
    campaignSummary(o.seed, reports, indices.length, header)
}

main().catch(e => {
    // one line for the user (SIM_DEBUG=1: the stack too)
    console.error(`sim: ${e instanceof Error ? (process.env["SIM_DEBUG"] ? e.stack : e.message) : e}`)
    process.exit(1)
})

/** A run's progress line: rewritten in place on a terminal, else printed at most every 5 s. */
function progressPrinter(tty: boolean): (line: string) => void {
    let last = 0
    return (line: string) => {
        if (tty) process.stdout.write("\r" + line.padEnd(100).slice(0, 100))
        else if (Date.now() - last > 5000) {
            last = Date.now()
            console.log(line)
        }
    }
}

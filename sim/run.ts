// npm run sim -- --scenario NAME [--seed N] [--json FILE] [--out DIR] | --all | --list
// Runs scenarios one at a time (the DeviceScript bus port 8082 is shared), shows a live
// progress line, prints a summary table, writes an SVG plot per scenario, and exits non-zero
// when any expectation fails.
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { resolve, join } from "node:path"
import { ROOT, readManifest } from "../tools/manifest-node"
import { SCENARIOS, findScenario, type Scenario } from "./scenarios"
import { buildFirmware } from "./firmware"
import { runScenario, type ScenarioReport } from "./runner"
import { plotSvg } from "./plot"
import { BusPortTakenError } from "./bus/relay"

function usage(msg?: string): never {
    if (msg) console.error(`sim: ${msg}`)
    console.error("usage: npm run sim -- --scenario NAME [--seed N] [--json FILE] [--out DIR] [--quiet]\n" +
        "       npm run sim -- --all [--seed N] [--json FILE]\n       npm run sim -- --list")
    process.exit(2)
}

function parse(argv: string[]) {
    const o = { scenario: "", all: false, list: false, seed: 1, json: "", out: resolve(ROOT, "test-output/sim"), quiet: false }
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
        else usage(`unknown option ${a}`)
    }
    return o
}

function row(r: ScenarioReport): string {
    const react = r.reactionMs === null ? "-" : `${r.reactionMs} ms / ${r.reactionTicks} t`
    return `${r.passed ? "PASS" : "FAIL"}  ${r.scenario.padEnd(22)} ${String(r.outcome ?? "-").padEnd(9)} ` +
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
    let list: Scenario[]
    if (o.all) list = SCENARIOS
    else if (o.scenario) {
        const s = findScenario(o.scenario)
        if (!s) usage(`no scenario '${o.scenario}' (see --list)`)
        list = [s]
    } else usage("give --scenario NAME, --all or --list")
    const manifest = readManifest()
    mkdirSync(o.out, { recursive: true })
    const devsFile = buildFirmware(join(o.out, "firmware"))
    // the first scenario provisions the device over the bus; the others start from its flash
    const flashSnapshot = join(o.out, "firmware", `provisioned-seed${o.seed}.bin`)
    rmSync(flashSnapshot, { force: true })
    const tty = process.stdout.isTTY && !o.quiet
    const reports: ScenarioReport[] = []
    for (const sc of list) {
        let last = 0
        const progress = o.quiet ? undefined : (line: string) => {
            if (tty) process.stdout.write("\r" + line.padEnd(100).slice(0, 100))
            else if (Date.now() - last > 5000) {
                last = Date.now()
                console.log(line)
            }
        }
        let r: ScenarioReport
        try {
            r = await runScenario(sc, { seed: o.seed, manifest, devsFile, workDir: join(o.out, "device"), progress, flashSnapshot })
        } catch (e) {
            if (e instanceof BusPortTakenError) {
                console.error(`\nsim: ${e.message}`)
                process.exit(3)
            }
            throw e
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
    }
    console.log("\n      scenario               outcome   fault reaction          film°C  tip°C  forceN   wall")
    for (const r of reports) console.log(row(r))
    const failed = reports.filter(r => !r.passed).length
    console.log(`\n${reports.length - failed} passed, ${failed} failed`)
    if (o.json) {
        const strip = (r: ScenarioReport) => ({ ...r, trace: undefined, firmwareLog: undefined })
        writeFileSync(o.json, JSON.stringify(reports.length === 1 && !o.all ? strip(reports[0]) : reports.map(strip), null, 2) + "\n")
    }
    process.exit(failed ? 1 : 0)
}

main().catch(e => {
    console.error(`sim: ${e instanceof Error ? e.stack : e}`)
    process.exit(1)
})

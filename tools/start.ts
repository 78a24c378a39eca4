// npm start [-- --once] [--port N] [--data DIR] [--seed N]
// The whole system on one machine: the hub (SQLite under --data), the physics simulator on a
// Jacdac bus, and the device image in the DeviceScript VM. It seeds the hub's library (a
// regulation profile and a reviewer-approved design for the simulated arch), registers a new
// simulated device and provisions it as a technician would (the hub's .env.local values and
// sensor calibrations); the firmware then fetches the hub's time, its approval bundle and the
// template over HTTP and arms; a first START press runs the fitting calibration (the press scans
// the simulated arch, the firmware fits the template to it), a second one the application cycle.
// The record it writes is uploaded by the firmware's sync; this tool waits until the hub holds
// it and audits the device's export with src/core (hash chain and MAC).
// Without --once the hub keeps serving (the staff console) until Ctrl-C; with --once it exits
// 0 once the record, with its accepted fit, is stored and verified, non-zero with the reason
// otherwise (CI runs it).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs"
import { randomBytes } from "node:crypto"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import type { AddressInfo } from "node:net"
import { ROOT, readManifest } from "./manifest-node"
import { openDb } from "../hub/src/db/index"
import { buildHub } from "../hub/src/app"
import type { HubContext } from "../hub/src/context"
import { exportDevice, exportJson } from "../hub/src/export"
import { readExport } from "../hub/src/audit-read"
import { auditExport } from "../hub/src/audit-check"
import { buildFirmware } from "../sim/firmware"
import { SimSession, sleep, waitFor } from "../sim/session"
import { seedLibrary, registerDevice, provisionForHub } from "../sim/hub-link"
import { passwordProblem } from "../hub/src/auth/password-policy"
import { simArchPoints } from "../sim/provision"
import { BusPortTakenError } from "../sim/bus/relay"
import { telemetryOf } from "../hub/src/telemetry"
import { prepareSession, listSessions } from "../hub/src/device-sessions"
import { phaseName, Phase } from "../src/core/cycle/events"

interface Options {
    once: boolean
    port: number
    data: string
    seed: number
}

function usage(msg: string): never {
    console.error(`start: ${msg}\nusage: npm start [-- --once] [--port N] [--data DIR] [--seed N]`)
    process.exit(2)
}

function parse(argv: string[]): Options {
    const o: Options = { once: false, port: -1, data: "", seed: 1 }
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]
        const val = () => argv[++i] ?? usage(`${a} needs a value`)
        if (a === "--once") o.once = true
        else if (a === "--port") o.port = Number(val())
        else if (a === "--data") o.data = resolve(val())
        else if (a === "--seed") o.seed = Number(val())
        else usage(`unknown option ${a}`)
    }
    if (o.port !== -1 && !(Number.isInteger(o.port) && o.port >= 0 && o.port < 65536)) usage("--port must be 0-65535")
    if (!Number.isInteger(o.seed) || o.seed < 0) usage("--seed must be a non-negative integer")
    if (o.port === -1) o.port = o.once ? 0 : 8090
    return o
}

/** the demo users' password: made once per data folder and kept there (0600), so a later run can print it */
function demoPassword(dir: string): string {
    const f = join(dir, "demo-password.txt")
    if (existsSync(f)) return readFileSync(f, "utf8").trim()
    // 12 random characters meet the hub's password rule (hub/src/auth/password-policy.ts); a draw it
    // would refuse (about never: none in 200,000 tries) is drawn again
    let p = randomBytes(9).toString("base64url")
    while (passwordProblem(p)) p = randomBytes(9).toString("base64url")
    writeFileSync(f, p + "\n", { mode: 0o600 })
    return p
}

const quietLog = { info: () => undefined, warn: (m: string) => console.warn("hub: " + m), error: (m: string) => console.error("hub: " + m) }

async function main(): Promise<number> {
    const o = parse(process.argv.slice(2))
    if (!process.env["SIM_DEBUG"]) console.debug = () => undefined // jacdac-ts narrates its transport there
    const t0 = Date.now()
    const step = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s}`)
    const temp = o.data === "" && o.once
    const dataDir = o.data || (temp ? mkdtempSync(join(tmpdir(), "smile-start-")) : resolve(ROOT, "hub-data"))
    mkdirSync(dataDir, { recursive: true })
    const m = readManifest()

    const db = await openDb({ sqliteFile: join(dataDir, "hub.db") })
    const ctx: HubContext = { db, nowMs: () => Date.now(), log: quietLog }
    const app = await buildHub(ctx)
    await app.listen({ port: o.port, host: "127.0.0.1" })
    const hubUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    step(`hub on ${hubUrl} (SQLite ${join(dataDir, "hub.db")})`)

    step("building the controller and link images")
    const devsFile = buildFirmware(join(dataDir, "sim", "firmware"), "device")
    const linkFile = buildFirmware(join(dataDir, "sim", "firmware"), "link")
    const s = new SimSession(m, devsFile, join(dataDir, "sim", "device"), o.seed, "device")
    s.withLink(linkFile, join(dataDir, "sim", "link"))
    const password = demoPassword(dataDir)
    const seed = await seedLibrary(ctx, simArchPoints(s.engine), password)
    step(`library: template ${seed.templateHash.slice(0, 12)} approved under the sim regulation profile`)
    const dev = await registerDevice(ctx, "SFA1-SIM-" + randomBytes(3).toString("hex").toUpperCase(), hubUrl)
    step(`device ${dev.deviceId} registered (device key for the controller, transport key for the link); provisioning both nodes over the bus`)
    s.provisioner = bus => provisionForHub(bus, dev, hubUrl)
    s.armTimeoutMs = 60_000
    s.fitFirst = false
    let code = 1
    try {
        await s.open()
        step("device armed: the link fetched the hub's time, the bundle and the template; the controller verified each")
        step("fitting calibration: START pressed; the press scans the simulated arch, the device fits the template")
        await s.fitArch()
        const fitLine = s.vm.lines.filter(l => /^fit \d/.test(l.text)).map(l => l.text).pop() ?? "fit: (no log line)"
        step(`${fitLine}; press home`)
        // a session as an operator prepares it on the console: the device shows it and waits for START (src/link/live.ts to src/link-server.ts)
        const session = await prepareSession(ctx, dev.deviceId, "operator", { templateHash: seed.templateHash, patientRef: "PT-0001" })
        step(`session ${session.sessionId.slice(0, 8)} prepared on the hub by "operator" for patient reference PT-0001`)
        await waitFor("the device to show the session", () => s.engine.display.includes("PT PT-0001"), 20_000)
        step(`the device shows it: "${s.engine.display.replace("\n", " | ")}"; START pressed`)
        let lastPhase = ""
        const progress = setInterval(() => {
            const e = s.engine
            if (e.phase !== lastPhase) {
                lastPhase = e.phase
                step(`phase ${e.phase.padEnd(9)} film ${e.thermal.filmC().toFixed(1)} °C  force ${e.press.forceN().toFixed(1)} N`)
            }
        }, 100)
        const start = Date.now()
        await s.press("start")
        try {
            await waitFor("the cycle to end", () => !!s.first("outcome", start - t0), 180_000)
        } finally {
            clearInterval(progress)
        }
        const outcome = s.first("outcome", start - t0)!.value
        step(`cycle ${outcome}; waiting for the device to upload its record`)
        // the cycle's record (kind 1); the calibration and template-install records come before it
        const cycleRecord = (e: Awaited<ReturnType<typeof exportDevice>>) => e.records.find(x => x.record.kind === 1)
        let ex = await exportDevice(ctx, dev.deviceId)
        const deadline = Date.now() + 60_000
        while (!cycleRecord(ex) && Date.now() < deadline) {
            await sleep(250)
            ex = await exportDevice(ctx, dev.deviceId)
        }
        const r = cycleRecord(ex)
        if (!r) throw new Error("the hub holds no cycle record from the device after 60 s")
        const audit = auditExport(readExport(exportJson(ex)), { keyHex: dev.keyHex })
        step(`hub holds ${ex.records.length} records of the device (calibration, template install, cycle); the cycle's is ` +
            `record ${r.seq} (${r.hash.slice(0, 12)}…), outcome ${r.record.outcome}; chain and MACs audited: ${audit.ok ? "passed" : "FAILED: " + audit.findings[0]?.detail}`)
        if (!audit.ok) throw new Error("the device's export does not verify")
        if (outcome !== "complete" || r.record.outcome !== 1) throw new Error(`the cycle ended ${outcome} (record outcome ${r.record.outcome}), not complete`)
        const fit = r.record.fit
        if (!fit || fit.accepted !== 1) throw new Error("the cycle's record carries no accepted fit")
        step(`the record carries the fit: RMS ${fit.rmsUm} µm, scale ${fit.scalePpm} ppm, arch centre at (${fit.offsetXUm}, ${fit.offsetYUm}) µm`)
        if (r.record.operatorId !== "operator") throw new Error(`the cycle's record names operator "${r.record.operatorId}", not the session's`)
        let ended = (await listSessions(ctx, dev.deviceId))[0]
        for (const until = Date.now() + 15_000; ended.status !== "ended" && Date.now() < until; ended = (await listSessions(ctx, dev.deviceId))[0]) await sleep(250)
        step(`the session is ${ended.status}: cycle ${ended.cycle}, outcome ${ended.outcome}; the record names its operator`)
        if (ended.status !== "ended" || ended.outcome !== 1 || ended.cycle !== r.seq) throw new Error(`the session did not end with the cycle: ${JSON.stringify(ended)}`)
        // the console's live plot: what the link posted from the controller's samples while the cycle ran (src/link/live.ts)
        const live = telemetryOf(ctx).read(dev.deviceId, 0)
        const seen = [...new Set(live.samples.map(k => k[3]))]
        step(`the hub's live telemetry holds ${live.samples.length} samples of cycle ${live.cycle} from the device, phases ${seen.map(p => phaseName(p)).join(", ")}`)
        if (live.cycle !== r.seq) throw new Error(`live telemetry is labelled cycle ${live.cycle}, the cycle's record is ${r.seq}`)
        for (const p of [Phase.Preheat, Phase.Approach, Phase.Press, Phase.Cure, Phase.Release, Phase.Cool])
            if (!seen.includes(p)) throw new Error(`no live telemetry from the ${phaseName(p)} phase`)
        // a panic (an exception, the heap run out) restarts the program: the records survive it, but it is a defect
        const panics = [...s.vm.lines, ...(s.link?.lines ?? [])].filter(l => /^Exception: |^PANIC /.test(l.text)).map(l => l.text)
        if (panics.length) throw new Error(`the device panicked and restarted (${panics.join("; ")}); npm run heap -- --hub measures its heap`)
        code = 0
    } catch (e) {
        if (e instanceof BusPortTakenError) console.error(`start: ${e.message}`)
        else console.error(`start: ${(e as Error).message}`)
        code = 1
    } finally {
        await s.close()
    }
    console.log(`\nWall time ${((Date.now() - t0) / 1000).toFixed(1)} s.`)
    if (o.once || code !== 0) {
        await app.close()
        await db.close()
        if (temp) rmSync(dataDir, { recursive: true, force: true })
        return code
    }
    console.log(`The hub keeps serving: staff console ${hubUrl}/console/ (users operator, technician, auditor, ` +
        `council-reviewer, sim-designer; password in ${join(dataDir, "demo-password.txt")}). Ctrl-C stops it.`)
    await new Promise(() => undefined)
    return 0
}

main().then(code => process.exit(code), e => {
    console.error(`start: ${(e as Error).stack ?? e}`)
    process.exit(1)
})

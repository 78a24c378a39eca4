// npm start [-- --devices N] [--fresh] [--port N] [--data DIR] [--seed N]
// npm start -- --once [--port N] [--data DIR] [--seed N]
// The whole system on one machine. Without --once, a clinic that keeps running until Ctrl-C:
// the hub (SQLite under --data, default ./hub-data) with its staff console, and N simulated
// applicators (default 3; tools/clinic.ts), each a physics engine, a controller VM and a link VM
// on a bus of its own, provisioned, calibrated and armed. The console's device page then has a
// simulator panel (tools/sim-panel.ts) for each one's buttons, door and faults. Running it again
// on the same folder resumes the same clinic (devices, records, calibrations); --fresh starts over.
// With --once (CI): one device in a temporary folder runs the fitting calibration and a cycle of
// a session prepared on the hub; the tool checks the record, its fit, its audit, the session and
// the live telemetry, and exits 0, or 1 the moment something fails (a faulted cycle: its code,
// name, what to do and the device log's path).
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs"
import { randomBytes } from "node:crypto"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import type { AddressInfo } from "node:net"
import { ROOT, readManifest } from "./manifest-node"
import { openDb } from "../hub/src/db/index"
import { buildHub, type HubOptions } from "../hub/src/app"
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
import { guidanceFor } from "../hub/src/fault-guidance"
import { SimEngine } from "../sim/engine"
import { ClinicDevice, readClinic, writeClinic, type ClinicState } from "./clinic"
import { simPanelRoutes } from "./sim-panel"

interface Options {
    once: boolean
    fresh: boolean
    devices: number
    port: number
    data: string
    seed: number
}

const USAGE = "usage: npm start [-- --devices N] [--fresh] [--port N] [--data DIR] [--seed N]\n       npm start -- --once [--port N] [--data DIR] [--seed N]"

/** A user's mistake or the machine's state: said in one line, no stack trace. */
class StartError extends Error {}

function usage(msg: string): never {
    console.error(`start: ${msg}\n${USAGE}`)
    process.exit(2)
}

function parse(argv: string[]): Options {
    const o: Options = { once: false, fresh: false, devices: 3, port: -1, data: "", seed: 1 }
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]
        const val = () => argv[++i] ?? usage(`${a} needs a value`)
        if (a === "--once") o.once = true
        else if (a === "--fresh") o.fresh = true
        else if (a === "--devices") o.devices = Number(val())
        else if (a === "--port") o.port = Number(val())
        else if (a === "--data") o.data = resolve(val())
        else if (a === "--seed") o.seed = Number(val())
        else if (a === "--help" || a === "-h") {
            console.log(USAGE)
            process.exit(0)
        } else usage(`unknown option ${a}`)
    }
    if (o.port !== -1 && !(Number.isInteger(o.port) && o.port >= 0 && o.port < 65536)) usage("--port must be 0-65535")
    if (!Number.isInteger(o.seed) || o.seed < 0) usage("--seed must be a non-negative integer")
    if (!Number.isInteger(o.devices) || o.devices < 1 || o.devices > MAX_DEVICES) usage(`--devices must be 1-${MAX_DEVICES}`)
    if (o.once && o.fresh) usage("--once always starts afresh (in a temporary folder unless --data); --fresh is for the clinic")
    if (o.port === -1) o.port = o.once ? 0 : 8090
    return o
}

/** each device is three processes (physics here, two VMs); more starve a 2-core machine */
const MAX_DEVICES = 6
/** the clinic's first device's bus port; the next ones follow */
const FIRST_BUS_PORT = 8091

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

const t0 = Date.now()
const step = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s}`)

/** The data folder, made if missing; a file in its place, or one that cannot be made, is the user's to fix. */
function dataFolder(dir: string): string {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new StartError(`--data ${dir} is a file, not a folder: give a folder (it is made if missing)`)
    try {
        mkdirSync(dir, { recursive: true })
    } catch (e) {
        throw new StartError(`cannot make the data folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
    }
    return dir
}

/** --fresh: removes what npm start keeps in the folder (and nothing else in it) */
function removeClinic(dir: string) {
    for (const f of ["hub.db", "hub.db-wal", "hub.db-shm", "clinic.json", "demo-password.txt", "sim"])
        rmSync(join(dir, f), { recursive: true, force: true })
}

async function openHub(o: Options, dataDir: string, simPanel?: HubOptions["simPanel"]) {
    const file = join(dataDir, "hub.db")
    let db: Awaited<ReturnType<typeof openDb>>
    try {
        db = await openDb({ sqliteFile: file })
    } catch (e) {
        throw new StartError(`${file} is not a hub database this version can open (${(e as Error).message}); move it away, or start over with --fresh`)
    }
    const ctx: HubContext = { db, nowMs: () => Date.now(), log: quietLog }
    const app = await buildHub(ctx, { simPanel })
    try {
        await app.listen({ port: o.port, host: "127.0.0.1" })
    } catch (e) {
        await app.close()
        await db.close()
        if ((e as NodeJS.ErrnoException).code === "EADDRINUSE")
            throw new StartError(`port ${o.port} on 127.0.0.1 is in use (another npm start or hub?): stop it, or pick another port with --port N`)
        throw new StartError(`the hub cannot listen on 127.0.0.1:${o.port}: ${(e as Error).message}`)
    }
    const hubUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    return { db, ctx, app, hubUrl }
}

function accounts(hubUrl: string, password: string) {
    step(`staff console: ${hubUrl}/console/`)
    step(`demo accounts operator, technician, auditor, council-reviewer (reviewer), sim-designer (designer), all with the password ${password}`)
    step("(a local demo secret, kept in the data folder's demo-password.txt; never use these accounts on a real hub)")
}

/** A device fault seen while --once waits: the run fails now, with what the operator would be told. */
class DeviceFaulted extends Error {}

function faultReport(code: number, log: string): string {
    const g = guidanceFor(code)
    return `the device faulted: E${code} ${g.name}. What to do: ${g.action} The technician's diagnosis: docs/faults.md (E${code}). Device log: ${log}`
}

async function once(o: Options): Promise<number> {
    const temp = o.data === ""
    const dataDir = dataFolder(o.data || mkdtempSync(join(tmpdir(), "smile-start-")))
    const m = readManifest()
    const { db, ctx, app, hubUrl } = await openHub(o, dataDir)
    step(`hub on ${hubUrl} (SQLite ${join(dataDir, "hub.db")})`)
    const password = demoPassword(dataDir)
    step("building the controller and link images")
    const devsFile = buildFirmware(join(dataDir, "sim", "firmware"), "device")
    const linkFile = buildFirmware(join(dataDir, "sim", "firmware"), "link")
    const s = new SimSession(m, devsFile, join(dataDir, "sim", "device"), o.seed, "device", 0)
    s.withLink(linkFile, join(dataDir, "sim", "link"))
    const log = join(dataDir, "sim", "device.log")
    s.vm.onLine(l => appendFileSync(log, `${(l.t / 1000).toFixed(3)} controller ${l.text}\n`))
    s.link!.onLine(l => appendFileSync(log, `${(l.t / 1000).toFixed(3)} link ${l.text}\n`))
    const seed = await seedLibrary(ctx, simArchPoints(s.engine), password)
    step(`library: template ${seed.templateHash.slice(0, 12)} approved under the sim regulation profile`)
    const dev = await registerDevice(ctx, "SFA1-SIM-" + randomBytes(3).toString("hex").toUpperCase(), hubUrl)
    step(`device ${dev.deviceId} registered (device key for the controller, transport key for the link); provisioning both nodes over the bus`)
    s.provisioner = bus => provisionForHub(bus, dev, hubUrl)
    s.armTimeoutMs = 60_000
    s.fitFirst = false
    // any fault the device reports fails the run at once (the cycle is meant to complete)
    const guard = (cond: () => boolean) => () => {
        const f = s.events.find(e => e.kind === "fault")
        if (f) throw new DeviceFaulted(faultReport(Number(f.value.slice(1)), log))
        return cond()
    }
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
        await waitFor("the device to show the session", guard(() => s.engine.display.includes("PT PT-0001")), 20_000)
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
            await waitFor("the cycle to end", guard(() => !!s.first("outcome", start - t0)), 180_000)
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
        const f = s.events.find(x => x.kind === "fault")
        if (e instanceof DeviceFaulted) console.error(`start: ${e.message}`)
        else if (f) console.error(`start: ${(e as Error).message}; ${faultReport(Number(f.value.slice(1)), log)}`)
        else console.error(`start: ${(e as Error).message}; the device shows "${s.engine.display.replace("\n", " | ")}"; device log: ${log}`)
        code = 1
    } finally {
        await s.close()
    }
    console.log(`\nWall time ${((Date.now() - t0) / 1000).toFixed(1)} s.`)
    await app.close()
    await db.close()
    // a failed run keeps its folder: the device log is in it
    if (temp && code === 0) rmSync(dataDir, { recursive: true, force: true })
    else if (temp) console.error(`start: the run's folder is kept for its log: ${dataDir}`)
    return code
}

async function clinic(o: Options): Promise<number> {
    const dataDir = dataFolder(o.data || resolve(ROOT, "hub-data"))
    if (o.fresh) {
        removeClinic(dataDir)
        step(`--fresh: the clinic in ${dataDir} is removed; starting a new one`)
    }
    let st: ClinicState | null
    try {
        st = readClinic(dataDir)
    } catch (e) {
        throw new StartError((e as Error).message)
    }
    const m = readManifest()
    const devices: ClinicDevice[] = []
    const say = (id: string, text: string) => step(`${id}  ${text}`)
    const { db, ctx, app, hubUrl } = await openHub(o, dataDir, simPanelRoutes(() => devices, say))
    let stopping = false
    const stop = async (why: string) => {
        if (stopping) return
        stopping = true
        step(`${why}: stopping the devices and the hub`)
        await Promise.allSettled(devices.map(d => d.stop()))
        // an open console keeps its live streams open: end them, or the hub waits for them
        const closing = app.close()
        app.server.closeAllConnections()
        await closing
        await db.close()
        console.log(`Stopped. \`npm start\` resumes this clinic (${dataDir}); \`npm start -- --fresh\` starts a new one.`)
        process.exit(0)
    }
    process.on("SIGINT", () => void stop("Ctrl-C"))
    process.on("SIGTERM", () => void stop("SIGTERM"))
    step(`hub on ${hubUrl} (SQLite ${join(dataDir, "hub.db")})`)
    const password = demoPassword(dataDir)
    const resumed = st !== null
    if (!st) {
        const seed = await seedLibrary(ctx, simArchPoints(new SimEngine(o.seed, m.control.heaterOneShotMs)), password)
        st = { version: 1, hubUrl, templateHash: seed.templateHash, templateId: seed.templateId, devices: [] }
    }
    accounts(hubUrl, password)
    step(resumed ? `resuming the clinic in ${dataDir} (${st.devices.length} devices)` : `a new clinic in ${dataDir}: template ${st.templateHash.slice(0, 12)} approved under the sim regulation profile`)
    while (st.devices.length < o.devices) {
        const dev = await registerDevice(ctx, "SFA1-SIM-" + randomBytes(3).toString("hex").toUpperCase(), hubUrl)
        st.devices.push({ deviceId: dev.deviceId, keyHex: dev.keyHex, transportKeyHex: dev.transportKeyHex, seed: o.seed + st.devices.length, busPort: FIRST_BUS_PORT + st.devices.length })
        step(`${dev.deviceId}  registered at the hub (device key for its controller, transport key for its link)`)
    }
    const movedFrom = st.hubUrl
    st.hubUrl = hubUrl
    writeClinic(dataDir, st)
    step("building the controller and link images")
    const fw = join(dataDir, "sim", "firmware")
    const images = { controller: buildFirmware(fw, "device"), link: buildFirmware(fw, "link") }
    for (const spec of st.devices.slice(0, o.devices)) {
        if (stopping) break
        const d = new ClinicDevice(m, spec, dataDir, images, say)
        devices.push(d)
        try {
            await d.start(hubUrl, movedFrom)
        } catch (e) {
            say(spec.deviceId, `did not come up: ${(e as Error).message}; its log: ${d.log}`)
        }
    }
    const up = devices.filter(d => d.up).length
    step(`clinic running: ${up} of ${devices.length} devices armed. In the console, each device's page has a simulator panel ` +
        `(START, ABORT, door, faults). Technician commands reach a device with --bus 127.0.0.1:PORT (its port above). Ctrl-C stops the clinic.`)
    await new Promise(() => undefined)
    return 0
}

async function main(): Promise<number> {
    const o = parse(process.argv.slice(2))
    if (!process.env["SIM_DEBUG"]) console.debug = () => undefined // jacdac-ts narrates its transport there
    return o.once ? once(o) : clinic(o)
}

main().then(code => process.exit(code), e => {
    if (e instanceof StartError || e instanceof BusPortTakenError) console.error(`start: ${e.message}`)
    else console.error(`start: ${(e as Error).stack ?? e}`)
    process.exit(1)
})

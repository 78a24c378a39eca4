// One simulated bench: the bus relay, the simulated applicator on a jacdac-ts bus, and the
// firmware VM, with the firmware's log parsed into phases, faults and outcomes. Scenarios and
// the benchmark both drive one of these; close() stops everything it started.
import { existsSync } from "node:fs"
import { JDBus, SRV_ROLE_MANAGER, DEVICE_ANNOUNCE, JDServerServiceProvider, SensorServer, SRV_TEMPERATURE, type JDDevice } from "jacdac-ts"
import { BusRelay, BUS_PORT } from "./bus/relay"
import { TcpBusTransport } from "./bus/tcp-transport"
import { SimEngine, type LostEvent } from "./engine"
import { FirmwareVm, type SimImage } from "./firmware"
import { StallWatch, elevateSelf, lowerSelf, realtimeAllowed, type Reservation } from "./host-sched"
import { provision, provisionTrusted, SIM_DEVICE_SERIAL, SIM_LINK_SERIAL } from "./provision"
import type { Manifest } from "../src/core/manifest"

const OUTCOMES: { [code: string]: string } = { "1": "complete", "2": "aborted", "3": "faulted" }
export { SIM_DEVICE_SERIAL, SIM_LINK_SERIAL }

/** notes said once per process */
const NOTED = new Set<string>()

export function sleep(ms: number) {
    return new Promise(resolve => setTimeout(resolve, ms))
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs: number) {
    const t0 = Date.now()
    while (!cond()) {
        if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
        await sleep(10)
    }
}

export interface LogEvent {
    t: number
    kind: "phase" | "fault" | "outcome" | "cleared" | "preflight" | "timing" | "lag"
    value: string
}

export class SimSession {
    readonly relay = new BusRelay()
    readonly engine: SimEngine
    readonly bus: JDBus
    private readonly transport: TcpBusTransport
    readonly vm: FirmwareVm
    /** the link node's VM (withLink()), or null: the scenarios run the controller alone */
    link: FirmwareVm | null = null
    readonly events: LogEvent[] = []
    ready = 0
    linkReady = 0
    /** replaces the scenarios' provisioning (npm start: the hub's .env.local values and calibrations) */
    provisioner: ((bus: JDBus) => Promise<void>) | null = null
    /** how long open() waits for the device to arm after provisioning */
    armTimeoutMs = 20_000
    /** the scan (~10 s out, at 5 mm/s), the fit and the press's way home (~8 s) */
    scanTimeoutMs = 45_000
    /** open() runs the fitting calibration when the image asks for one (false: the caller does) */
    fitFirst = true
    /**
     * A second thermometer on the bus from the start (a stray device on the clinic's bus), with a
     * device id that sorts before the simulator's, so Jacdac's binding by class and order gives
     * it a temperature role. It reads a plausible, steady 25 °C.
     */
    strayThermometer = false
    /**
     * What open() waits for on the display once the device has booted: by default the device
     * asking for START (it does only when it would take one)
     */
    armedText = /\n(READY|SCAN): PRESS START/
    /** the fitting calibration's START press loses this event on the bus */
    fitPressLoses: LostEvent | undefined
    /** the host's stalls of the simulator ("sim") and the VM ("vm") while open */
    readonly stalls: StallWatch
    /**
     * A file holding a provisioned device's flash: when it exists, open() starts the device from
     * it (one boot) instead of provisioning over the bus (two boots and ~50 settings writes);
     * when it does not, open() provisions and saves the flash there for the next session.
     */
    flashSnapshot: string | null = null
    /**
     * true: a device whose nodes already have flash (an earlier run's) boots from it as it was,
     * with its records, calibrations and settings, neither erased nor provisioned again (npm start's
     * clinic resuming)
     */
    keepFlash = false
    /** run by open() once the nodes have booted, before it waits for the device to arm (e.g. a technician's settings change) */
    beforeArm: (() => Promise<void>) | null = null
    private opened = false

    /** image "device" is provisioned with identity, template, bundle and calibrations; "bench" with a bare process */
    /**
     * busPort: the bus relay's TCP port (each simulated applicator has a bus of its own: several
     * run on one machine on different ports, 0 picks a free one; 8082 is DeviceScript's own)
     */
    constructor(readonly m: Manifest, devsFile: string, workDir: string, seed: number, readonly image: SimImage = "device", public busPort = BUS_PORT) {
        this.engine = new SimEngine(seed, m.control.heaterOneShotMs, m.control.pressOneShotMs)
        this.transport = new TcpBusTransport(busPort)
        this.bus = new JDBus([this.transport], { client: false, disableRoleManager: true })
        this.vm = new FirmwareVm(devsFile, workDir, SIM_DEVICE_SERIAL, () => this.engine.now())
        this.vm.busPort = busPort
        this.vm.sched = realtimeAllowed() ? { kind: "rt" } : null
        this.stalls = new StallWatch(() => ({ sim: process.pid, vm: this.vm.pid() }), () => this.engine.now())
        this.vm.onLine(l => this.parse(l.t, l.text))
        // SIM_DEBUG=1 shows the firmware's console
        if (process.env["SIM_DEBUG"]) this.vm.onLine(l => console.log(`[vm ${(l.t / 1000).toFixed(2)}] ${l.text}`))
        this.bus.on(DEVICE_ANNOUNCE, (d: JDDevice) => {
            if (d.services({ serviceClass: SRV_ROLE_MANAGER }).length)
                void this.engine.services.bindRoles(d).catch(() => { /* retried on the next announce */ })
        })
    }

    /**
     * Adds the link node (sim/firmware-link.ts) as a second VM on the bus, with its own flash in
     * workDir: it boots after the controller, and a provisioner writes its settings too.
     */
    withLink(devsFile: string, workDir: string) {
        const l = new FirmwareVm(devsFile, workDir, SIM_LINK_SERIAL, () => this.engine.now())
        l.sched = this.vm.sched
        l.busPort = this.busPort
        l.onLine(x => {
            if (/^link ready/.test(x.text)) this.linkReady++
        })
        if (process.env["SIM_DEBUG"]) l.onLine(x => console.log(`[link ${(x.t / 1000).toFixed(2)}] ${x.text}`))
        this.link = l
    }

    private parse(t: number, text: string) {
        let r: RegExpExecArray | null
        const e = this.engine
        if ((r = /^phase (\w+)/.exec(text))) {
            e.phase = r[1]
            this.events.push({ t, kind: "phase", value: r[1] })
        } else if ((r = /^fault (E\d+)/.exec(text))) {
            this.events.push({ t, kind: "fault", value: r[1] })
            e.phase = r[1] === "E51" || r[1] === "E50" ? "aborted" : "faulted"
        } else if ((r = /^outcome (\d)/.exec(text))) {
            const o = OUTCOMES[r[1]] ?? r[1]
            this.events.push({ t, kind: "outcome", value: o })
            e.phase = o
        } else if ((r = /^fault cleared (E\d+)/.exec(text))) {
            this.events.push({ t, kind: "cleared", value: r[1] })
            e.phase = "idle"
        } else if ((r = /^preflight failed (\d+)/.exec(text))) {
            this.events.push({ t, kind: "preflight", value: r[1] })
        } else if ((r = /^timing ticks \d+ maxGapMs (\d+) late (\d+) skipped \d+ maxTickMs (\d+)/.exec(text))) {
            this.events.push({ t, kind: "timing", value: r[1] + " " + r[2] + " " + r[3] })
        } else if ((r = /^lag maxMs (\d+)/.exec(text))) {
            this.events.push({ t, kind: "lag", value: r[1] })
        } else if (/ready: control period/.test(text)) this.ready++
    }

    /** Runs the firmware at a target chip's speed (sim/target-speed.ts); call before open(). */
    atTargetSpeed(r: Reservation) {
        this.vm.sched = { kind: "reserve", runtimeNs: r.runtimeNs, periodNs: r.periodNs }
    }

    /** Starts bus, physics and firmware; installs the sim template; returns once armed. */
    async open(): Promise<void> {
        // a clear error if the port is taken; port 0: the one picked, for the bus and the VMs
        this.busPort = this.transport.port = this.vm.busPort = await this.relay.listen(this.busPort)
        if (this.link) this.link.busPort = this.busPort
        this.opened = true
        const note = elevateSelf()
        if (note && !NOTED.has(note)) {
            NOTED.add(note)
            console.warn(note)
        }
        this.stalls.start()
        this.engine.services.attach(this.bus)
        if (this.strayThermometer)
            this.bus.addServiceProvider(new JDServerServiceProvider("stray-thermometer",
                [new SensorServer<[number]>(SRV_TEMPERATURE, { readingValues: [25], streamingInterval: 25 })], { deviceId: "0000a11e00000001" }))
        this.bus.start()
        await this.bus.connect()
        this.engine.start()
        const resume = this.keepFlash && this.vm.hasFlash() && (!this.link || this.link.hasFlash())
        if (!resume) {
            this.vm.eraseFlash()
            this.link?.eraseFlash()
        }
        const snap = this.flashSnapshot
        if (resume) { /* boots from its own flash */ }
        else if (snap && existsSync(snap) && (!this.link || existsSync(snap + ".link"))) {
            this.vm.restoreFlash(snap)
            this.link?.restoreFlash(snap + ".link")
        }
        else {
            // provisioning is the technician's bench step, over the bus with acknowledged
            // settings writes: at host speed (a target-speed VM cannot acknowledge in jacdac-ts's
            // retry window); the device then boots at the speed asked for
            const sched = this.vm.sched
            if (sched?.kind === "reserve") this.vm.sched = realtimeAllowed() ? { kind: "rt" } : null
            try {
                await this.provisionOnce(snap)
            } finally {
                this.vm.sched = sched
            }
        }
        await this.boot()
        if (this.beforeArm) await this.beforeArm()
        await waitFor(`the display to show ${this.armedText}`, () => this.armedText.test(this.engine.display), this.armTimeoutMs)
        // the device image scans the patient's arch before each cycle (src/fit.ts): the operator's first press
        if (this.fitFirst && this.engine.display.includes("\nSCAN: PRESS START")) await this.fitArch()
    }

    private async provisionOnce(snap: string | null) {
        await this.boot()
        await waitFor("the firmware to bind its roles", () => this.engine.display.length > 0, 15_000)
        const t0 = Date.now()
        if (this.provisioner) await this.provisioner(this.bus)
        else if (this.image === "device") await provisionTrusted(this.bus, this.vm, this.engine, this.m)
        else await provision(this.bus, this.vm, this.engine, this.m)
        // the VMs write their flash files a moment after the last settings change: a reboot before
        // that loses the provisioning (seen on a loaded host: a link that booted unprovisioned)
        await waitFor("the provisioning to reach the controller's flash", () => this.vm.flashWrittenSince(t0), 15_000)
        // a link the provisioner left alone (the scenarios, the technician tests) writes nothing
        if (this.link) await waitFor("the link's flash", () => this.link!.flashWrittenSince(t0), 3_000).catch(() => undefined)
        await sleep(500)
        await this.vm.kill()
        await this.link?.kill()
        if (snap) this.vm.saveFlash(snap)
        if (snap && this.link) this.link.saveFlash(snap + ".link")
    }

    /**
     * Runs the fitting calibration as an operator does: one start press scans the arch, the
     * firmware fits the template to it, and shows READY once the fit is accepted. Throws with
     * the firmware's own verdict if it asks for a re-scan instead.
     */
    async fitArch(): Promise<void> {
        await this.press("start", 300, this.fitPressLoses)
        await this.fitDone()
    }

    /** After the START press that began a scan: waits for the fit's verdict and the press home (fitArch). */
    async fitDone(): Promise<void> {
        const e = this.engine
        await waitFor("the arch scan and fit", () => /\n(READY|RESCAN)/.test(e.display), this.scanTimeoutMs)
        if (!e.display.includes("\nREADY: PRESS START")) {
            const verdict = this.vm.lines.filter(l => /^fit \d/.test(l.text)).map(l => l.text).pop()
            throw new Error(`the fitting calibration was rejected: ${verdict ?? e.display.replace("\n", " | ")}`)
        }
        // the firmware fits once the press is home (src/fit.ts); a cycle starts only from home
        await waitFor("the press to be home after the scan", () => e.press.homeWithin(this.m.press.homeToleranceUm) && e.press.speedMps() === 0, this.scanTimeoutMs)
    }

    /** Starts the VM (and the link's, if any) and waits for the firmware's ready line(s). */
    async boot(): Promise<void> {
        const before = this.ready
        this.vm.start()
        await waitFor("the firmware to start", () => this.ready > before, 30_000)
        if (this.vm.sched?.kind === "reserve" && !this.vm.schedApplied) throw new Error("target speed: the VM's CPU reservation could not be set (chrt -d)")
        if (this.link) await this.bootLink()
    }

    /** Starts the link's VM (after a crash or a kill: a reboot of the link node) and waits for its ready line. */
    async bootLink(): Promise<void> {
        const l = this.link
        if (!l) throw new Error("this bench has no link node (withLink)")
        const before = this.linkReady
        l.start()
        await waitFor("the link node to start", () => this.linkReady > before, 30_000)
    }

    last(kind: LogEvent["kind"]): LogEvent | undefined {
        for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].kind === kind) return this.events[i]
        return undefined
    }

    first(kind: LogEvent["kind"], after = 0): LogEvent | undefined {
        return this.events.find(e => e.kind === kind && e.t >= after)
    }

    /** Presses a simulated button for holdMs; lose: that event of the press is lost on the bus. */
    async press(button: "start" | "abort", holdMs = 300, lose?: LostEvent) {
        const e = this.engine
        e.setButton(button, true, lose)
        await sleep(holdMs)
        e.setButton(button, false, lose)
    }

    async close(): Promise<void> {
        await this.vm.kill()
        await this.link?.kill()
        lowerSelf()
        this.stalls.stop()
        this.engine.stop()
        if (this.opened) {
            await this.bus.disconnect().catch(() => undefined)
            this.bus.stop()
            await this.relay.close()
        }
    }
}

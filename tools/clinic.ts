// npm start's simulated clinic: a hub with several simulated applicators, each its own physics
// engine, controller VM and link VM on a bus of its own (a real applicator's controller, link and
// sensors share one cable; two applicators never share a bus), kept in the data folder so a later
// run resumes the same clinic: clinic.json names the devices (their ids, keys and bus ports) and
// each node's flash stays under sim/<device id>/, so records, calibrations and settings survive.
// The console's simulator panel (sim-panel.ts) drives these devices' buttons, door and faults.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import type { Manifest } from "../src/core/manifest"
import { faultName } from "../src/core/faults"
import { SimSession, waitFor } from "../sim/session"
import { provisionForHub } from "../sim/hub-link"
import { BusSettingsKv } from "../sim/bus/settings-kv"
import { firmwareDevice, SIM_LINK_SERIAL } from "../sim/provision"
import type { SensorFault } from "../sim/models/faults"
import type { SensorName } from "../sim/engine"

export interface ClinicDeviceSpec {
    deviceId: string
    /** the controller's device key and the link's transport key (the hub holds them too) */
    keyHex: string
    transportKeyHex: string
    /** the physics engine's seed (sensor noise) */
    seed: number
    /** its bus relay's TCP port, for the technician commands' --bus */
    busPort: number
}

export interface ClinicState {
    version: 1
    hubUrl: string
    templateHash: string
    templateId: string
    devices: ClinicDeviceSpec[]
}

const CLINIC_FILE = "clinic.json"

/** The clinic kept in dir, or null for none; throws a one-line error for an unreadable file. */
export function readClinic(dir: string): ClinicState | null {
    const f = join(dir, CLINIC_FILE)
    if (!existsSync(f)) return null
    let st: ClinicState
    try {
        st = JSON.parse(readFileSync(f, "utf8")) as ClinicState
    } catch (e) {
        throw new Error(`${f} is not readable (${(e as Error).message}); start over with --fresh`)
    }
    if (st?.version !== 1 || !Array.isArray(st.devices) || typeof st.templateHash !== "string")
        throw new Error(`${f} is not a clinic this version knows; start over with --fresh`)
    return st
}

/** Writes the clinic (it holds device keys: owner-only), whole or not at all. */
export function writeClinic(dir: string, st: ClinicState) {
    const f = join(dir, CLINIC_FILE)
    writeFileSync(f + ".tmp", JSON.stringify(st, null, 2) + "\n", { mode: 0o600 })
    renameSync(f + ".tmp", f)
}

/** What the panel can do to a simulated device: its buttons and door, and the scenarios' faults. */
export const PANEL_FAULTS: { id: string; label: string; apply: (d: ClinicDevice) => void }[] = [
    { id: "film-open", label: "film sensor open circuit", apply: d => sensor(d, "filmTemp", { kind: "open" }) },
    { id: "film-over-temp", label: "film sensor reads 85 °C high", apply: d => sensor(d, "filmTemp", { kind: "offset", by: 85 }) },
    { id: "film-stuck", label: "film sensor stuck", apply: d => sensor(d, "filmTemp", { kind: "stuck-here" }) },
    { id: "film-lost", label: "film sensor cable pulled", apply: d => d.s.engine.silence("filmTemp") },
    { id: "contact-high", label: "contact sensor reads 25 °C high", apply: d => sensor(d, "contactTemp", { kind: "offset", by: 25 }) },
    { id: "loadcell-disconnected", label: "load cell disconnected (rails)", apply: d => sensor(d, "force", { kind: "rail" }) },
    { id: "heater-disconnected", label: "heater disconnected", apply: d => { d.s.engine.heaterConnected = false } },
    { id: "relay-welded", label: "heater relay welded on", apply: d => { d.s.engine.relayStuckOn = true } },
    { id: "press-stall", label: "press jammed", apply: d => d.s.engine.press.stall(true) },
]

function sensor(d: ClinicDevice, name: SensorName, f: SensorFault) {
    d.s.engine.sensorFaults[name] = f
}

export interface DeviceView {
    deviceId: string
    busPort: number
    up: boolean
    display: string
    phase: string
    doorClosed: boolean
    filmC: number
    forceN: number
    /** the press at home (as the firmware defines it), else its position */
    pressHome: boolean
    pressMm: number
    /** the panel's faults in force on this device */
    faults: string[]
    log: string
}

export class ClinicDevice {
    readonly s: SimSession
    readonly log: string
    up = false
    readonly faults = new Set<string>()

    constructor(m: Manifest, readonly spec: ClinicDeviceSpec, dataDir: string, images: { controller: string; link: string },
        readonly say: (deviceId: string, text: string) => void) {
        const dir = join(dataDir, "sim", spec.deviceId)
        mkdirSync(dir, { recursive: true })
        this.log = join(dir, "device.log")
        this.s = new SimSession(m, images.controller, join(dir, "controller"), spec.seed, "device", spec.busPort)
        this.s.withLink(images.link, join(dir, "link"))
        this.s.keepFlash = true
        this.s.fitFirst = false
        this.s.armTimeoutMs = 90_000
        const write = (node: string, text: string) => {
            try {
                appendFileSync(this.log, `${new Date().toISOString()} ${node} ${text}\n`)
            } catch { /* the log is a convenience; the device runs on */ }
        }
        this.s.vm.onLine(l => {
            write("controller", l.text)
            const e = progressOf(l.text)
            if (e) say(spec.deviceId, e)
        })
        this.s.link!.onLine(l => write("link", l.text))
    }

    /** Boots the device: from its own flash when it has some, else provisioned for the hub first. */
    async start(hubUrl: string, movedFrom: string | null) {
        const resumed = this.s.vm.hasFlash() && this.s.link!.hasFlash()
        this.s.provisioner = bus => provisionForHub(bus, this.spec, hubUrl)
        this.say(this.spec.deviceId, resumed ? "booting from its flash (resumed)" : "provisioning both nodes over its bus (first run)")
        // the hub moved (--port): the link's new hub address is written, as a technician would, and the link restarted
        this.s.beforeArm = resumed && movedFrom && movedFrom !== hubUrl ? async () => {
            this.say(this.spec.deviceId, `the hub moved from ${movedFrom}: writing the link's new hub address and restarting the link`)
            await waitFor("the link on the bus", () => {
                try {
                    return !!firmwareDevice(this.s.bus, SIM_LINK_SERIAL)
                } catch {
                    return false
                }
            }, 15_000)
            await new BusSettingsKv(firmwareDevice(this.s.bus, SIM_LINK_SERIAL)).write("HUB_URL", hubUrl)
            await new Promise(r => setTimeout(r, 500))
            await this.s.link!.kill()
            await this.s.bootLink()
        } : null
        await this.s.open()
        this.up = true
        this.say(this.spec.deviceId, `armed: "${this.s.engine.display.replace("\n", " | ")}"; bus 127.0.0.1:${this.s.busPort}`)
    }

    view(): DeviceView {
        const e = this.s.engine
        return {
            deviceId: this.spec.deviceId, busPort: this.s.busPort, up: this.up, display: e.display, phase: e.phase,
            doorClosed: e.doorClosed, filmC: Math.round(e.thermal.filmC() * 10) / 10, forceN: Math.round(e.press.forceN() * 10) / 10,
            pressHome: e.press.homeWithin(this.s.m.press.homeToleranceUm), pressMm: Math.round(e.press.positionM() * 1e4) / 10,
            faults: [...this.faults], log: this.log,
        }
    }

    /** One panel action; returns what was done, or throws with what is wrong. */
    async act(action: string): Promise<string> {
        const e = this.s.engine
        if (!this.up) throw new Error(`${this.spec.deviceId} is still starting`)
        switch (action) {
            case "start":
            case "abort":
                await this.s.press(action)
                return `${action.toUpperCase()} pressed`
            case "door-open":
                e.setDoor(false)
                return "door opened"
            case "door-close":
                e.setDoor(true)
                return "door closed"
            case "repair":
                // the technician fixes the hardware; the latched fault stays until `tech clear-fault`
                for (const n of Object.keys(e.sensorFaults) as SensorName[]) e.sensorFaults[n] = null
                for (const n of [...e.silenced]) {
                    e.silenced.delete(n)
                    e.services.unmute(e.services[n])
                }
                e.heaterConnected = true
                e.relayStuckOn = false
                e.press.stall(false)
                this.faults.clear()
                return "hardware repaired (a latched fault still needs the technician's clear-fault)"
        }
        const f = PANEL_FAULTS.find(x => "fault:" + x.id === action)
        if (!f) throw new Error(`unknown action ${action}`)
        f.apply(this)
        this.faults.add(f.id)
        return `injected: ${f.label}`
    }

    async stop() {
        this.up = false
        await this.s.close()
    }
}

/** The progress line a controller log line is worth, or null. */
export function progressOf(text: string): string | null {
    let r: RegExpExecArray | null
    if ((r = /^phase (\w+)/.exec(text))) return `phase ${r[1]}`
    if ((r = /^fault E(\d+)/.exec(text)) && !/^fault cleared/.test(text)) return `FAULT E${r[1]} ${faultName(Number(r[1]))}`
    if ((r = /^outcome (\d)/.exec(text))) return `cycle ${["", "complete", "aborted", "faulted"][Number(r[1])] ?? r[1]}`
    if (/^fault cleared|^fit \d|^record \d+ saved|^session |^abort requested|^clock set|^(Exception: |PANIC )/.test(text)) return text
    return null
}

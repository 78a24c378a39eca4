// The technician's link to an applicator: a Jacdac bus over TCP (the `devs devtools` bus on
// 127.0.0.1:8082 with a real device on USB, or the simulator's relay on the same port), the
// applicator's firmware device on it (the one with a settings service), its role bindings
// (role manager `list_roles`), its settings (the flash key-value store the firmware reads),
// and its sensors' raw readings (the sensor servers' `reading` registers: the firmware applies
// the calibration internally, so what is on the bus is uncalibrated).
import { connect } from "node:net"
import {
    JDBus, Packet, jdpack, jdunpack, toHex, InPipeReader, RoleManagerCmd, REPORT_RECEIVE,
    SRV_SETTINGS, SRV_ROLE_MANAGER, type JDDevice, type JDService,
} from "jacdac-ts"
import { TcpBusTransport } from "../../sim/bus/tcp-transport"
import { BusSettingsKv, settingsGet } from "../../sim/bus/settings-kv"
import { KV_MAX_KEY_CHARS, KV_MAX_ENTRY_BYTES } from "../../src/core/store/kv"
import { TechError, UsageError, sleep, type TechIo } from "./common"

export const DEFAULT_BUS = "127.0.0.1:8082"

/** Settings service commands (jacdac-spec settings.md). */
const SETTINGS_SET = 0x81
const SETTINGS_DELETE = 0x84
/** Jacdac's `reading` register (system register 0x101). */
export const REG_READING = 0x101
/** CharacterScreen `message` register. */
const REG_MESSAGE = 0x02

export interface RoleBinding {
    role: string
    /** "" when unbound */
    deviceId: string
    serviceClass: number
    serviceIndex: number
}

export function parseBusAddress(s: string): { host: string; port: number } {
    const m = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(s)
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new UsageError(`--bus must be HOST:PORT, e.g. ${DEFAULT_BUS}`)
    return { host: m[1], port: Number(m[2]) }
}

const NO_BUS_HINT =
    "connect the applicator by USB and run `npx devs devtools` in this folder (it serves the device's Jacdac bus on tcp 8082), " +
    "or start the simulator (`npm run sim -- --scenario nominal`); then run this command again"

/** Fails fast, with what to do, when nothing listens on the bus address. */
async function probe(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
        const s = connect(port, host, () => {
            s.destroy()
            resolve()
        })
        s.setTimeout(3000, () => {
            s.destroy()
            reject(new Error("timed out"))
        })
        s.once("error", reject)
    }).catch((e: Error) => {
        throw new TechError(`no Jacdac bus at ${host}:${port} (${e.message})`, NO_BUS_HINT)
    })
}

export class DeviceLink {
    readonly kv: BusSettingsKv

    constructor(readonly bus: JDBus, readonly device: JDDevice) {
        this.kv = new BusSettingsKv(device)
    }

    private settings(): JDService {
        const s = this.device.services({ serviceClass: SRV_SETTINGS })[0]
        if (!s) throw new TechError(`device ${this.device.shortId} has no settings service`, "is the applicator's firmware running on it?")
        return s
    }

    /** A setting's stored JSON value (an object, a string, ...), or null when the key is not set. */
    async readJson(key: string): Promise<{ value: unknown } | null> {
        const raw = await settingsGet(this.settings(), key, this.device.deviceId, 3000)
        if (raw.length === 0) return null
        const text = new TextDecoder().decode(raw)
        try {
            return { value: JSON.parse(text) }
        } catch {
            return { value: { unparsable: text } }
        }
    }

    /** Writes a JSON value (not a string holding JSON): what the firmware's readSetting() returns as that object. */
    async writeJson(key: string, value: unknown): Promise<void> {
        const text = JSON.stringify(value)
        // the same limits as the firmware's store (src/core/store/kv.ts)
        if (key.length < 1 || key.length > KV_MAX_KEY_CHARS || key.length + text.length > KV_MAX_ENTRY_BYTES)
            throw new Error(`settings entry '${key}' is over the device's limits (key 1..${KV_MAX_KEY_CHARS} characters, ${KV_MAX_ENTRY_BYTES} bytes in all)`)
        const data = jdpack<[string, Uint8Array]>("z b", [key, new TextEncoder().encode(text)])
        await this.settings().sendPacketAsync(Packet.from(SETTINGS_SET, data), true)
    }

    async remove(key: string): Promise<void> {
        await this.settings().sendPacketAsync(Packet.from(SETTINGS_DELETE, jdpack<[string]>("s", [key])), true)
    }

    /**
     * The firmware's roles and what each is bound to (role manager list_roles). A frame lost on
     * the bus loses pipe packets, so the list is asked again (up to 3 times) while any of
     * `expected` is missing; the most complete answer wins.
     */
    async roles(expected: string[] = []): Promise<RoleBinding[]> {
        const rm = this.device.services({ serviceClass: SRV_ROLE_MANAGER })[0]
        if (!rm) throw new TechError(`device ${this.device.shortId} has no role manager`, "is the applicator's DeviceScript firmware running on it?")
        let lastErr: unknown = null
        let best: RoleBinding[] | null = null
        for (let attempt = 0; attempt < 3; attempt++) {
            try {
                const inp = new InPipeReader(this.bus)
                await rm.sendPacketAsync(inp.openCommand(RoleManagerCmd.ListRoles), true)
                const out: RoleBinding[] = []
                for (const buf of await inp.readData(3000)) {
                    const [id, serviceClass, serviceIndex, full] = jdunpack<[Uint8Array, number, number, string]>(buf, "b[8] u32 u8 s")
                    const hex = toHex(id)
                    out.push({ role: full.split("?")[0], deviceId: /^0+$/.test(hex) ? "" : hex, serviceClass, serviceIndex })
                }
                if (!best || out.length > best.length) best = out
                if (expected.every(r => out.some(b => b.role === r))) return out
            } catch (e) {
                lastErr = e
            }
        }
        if (best) return best
        throw new TechError(`the device did not list its roles (${(lastErr as Error)?.message ?? lastErr})`, "check the USB link / devtools, then try again")
    }

    /** The service a role is bound to, when its device is on the bus. */
    service(b: RoleBinding): JDService | undefined {
        if (!b.deviceId) return undefined
        const d = this.bus.device(b.deviceId, true)
        const s = d?.service(b.serviceIndex)
        return s && s.serviceClass === b.serviceClass ? s : undefined
    }

    /**
     * Collects `count` readings of a sensor service (its reports, which the firmware keeps
     * streaming; a register read is sent whenever none arrives for 200 ms), or fewer when
     * `timeoutMs` passes first. `onProgress` is told each count.
     */
    async readings(s: JDService, count: number, timeoutMs: number, onProgress?: (n: number) => void): Promise<number[]> {
        const reg = s.register(REG_READING)
        const got: number[] = []
        let last = Date.now()
        const off = reg.subscribe(REPORT_RECEIVE, () => {
            const v = reg.unpackedValue?.[0]
            const n = typeof v === "boolean" ? (v ? 1 : 0) : Number(v)
            if (Number.isFinite(n) && got.length < count) {
                got.push(n)
                last = Date.now()
                onProgress?.(got.length)
            }
        })
        const t0 = Date.now()
        try {
            while (got.length < count && Date.now() - t0 < timeoutMs) {
                if (Date.now() - last > 200) {
                    last = Date.now()
                    await reg.sendGetAsync().catch(() => undefined)
                }
                await sleep(10)
            }
        } finally {
            off()
        }
        return got
    }

    /** The display's message, if the display role is bound and answers. */
    async displayText(b: RoleBinding | undefined): Promise<string | null> {
        const s = b && this.service(b)
        if (!s) return null
        const reg = s.register(REG_MESSAGE)
        await reg.refresh().catch(() => false)
        const v = reg.unpackedValue?.[0]
        return typeof v === "string" ? v : null
    }

    async close(): Promise<void> {
        await this.bus.disconnect().catch(() => undefined)
        this.bus.stop()
    }
}

/** Joins the bus and finds the applicator's firmware device (the one with a settings service). */
export async function connectDevice(io: TechIo, busAddress: string, timeoutMs: number, deviceId?: string): Promise<DeviceLink> {
    const { host, port } = parseBusAddress(busAddress)
    await probe(host, port)
    const bus = new JDBus([new TcpBusTransport(port, host)], { client: true, disableRoleManager: true })
    bus.start()
    await bus.connect()
    io.out(`joined the Jacdac bus at ${host}:${port}; looking for the applicator (up to ${Math.round(timeoutMs / 1000)} s)...`)
    const t0 = Date.now()
    let found: JDDevice[] = []
    while (Date.now() - t0 < timeoutMs) {
        found = bus.devices({ serviceClass: SRV_SETTINGS }).filter(d => !deviceId || d.deviceId === deviceId.toLowerCase() || d.shortId === deviceId)
        // a moment more after the first one: a second device would make the choice ambiguous
        if (found.length && Date.now() - t0 > 1500) break
        await sleep(50)
    }
    if (found.length === 0) {
        bus.stop()
        throw new TechError(
            deviceId ? `no applicator ${deviceId} on the bus within ${timeoutMs} ms` : `no applicator (a device with a settings service) on the bus within ${timeoutMs} ms`,
            "check the USB cable and that the device is powered and running its firmware (devtools lists it); on the simulator, that it has booted",
        )
    }
    // the applicator's two nodes share its bus: without --device, the controller is the one whose
    // firmware has the sensor roles (the link node's only role is the link service's client)
    if (!deviceId && found.length > 1) {
        const controllers: JDDevice[] = []
        for (const d of found) {
            const roles = await new DeviceLink(bus, d).roles(["filmTemp"]).catch(() => [])
            if (roles.some(b => b.role === "filmTemp")) controllers.push(d)
        }
        if (controllers.length === 1) {
            io.out(`the controller is ${controllers[0].deviceId}; the link node (${found.filter(d => d !== controllers[0]).map(d => d.deviceId).join(", ")}) is left alone`)
            found = controllers
        }
    }
    if (found.length > 1) {
        bus.stop()
        throw new TechError(`${found.length} applicators on the bus: ${found.map(d => d.deviceId).join(", ")}`, "choose one with --device ID")
    }
    const d = found[0]
    io.out(`found applicator firmware on device ${d.deviceId} (${d.shortId})`)
    return new DeviceLink(bus, d)
}

// The core Kv port (src/core/store/kv.ts) implemented over the Jacdac settings service of a
// DeviceScript device: a value written here is what the firmware's readSetting() returns
// (DeviceScript stores settings as JSON text). This is how the simulator, like a technician's
// tool on the device's USB link, installs data into the device's flash.
import { Packet, jdpack, jdunpack, type JDDevice, type JDService, SRV_SETTINGS, REPORT_RECEIVE } from "jacdac-ts"
import { type Kv, checkKvEntry } from "../../src/core/store/kv"

/** Settings service commands (jacdac-spec settings.md). */
const SETTINGS_GET = 0x80
const SETTINGS_SET = 0x81
const SETTINGS_DELETE = 0x84
const READ_TIMEOUT_MS = 2000

export class BusSettingsKv implements Kv {
    constructor(readonly device: JDDevice) {}

    private service() {
        const s = this.device.services({ serviceClass: SRV_SETTINGS })[0]
        if (!s) throw new Error(`device ${this.device.shortId} has no settings service`)
        return s
    }

    /** The key's string value (null: unset, or not a string) */
    async read(key: string): Promise<string | null> {
        const value = await settingsGet(this.service(), key, this.device.shortId)
        if (value.length === 0) return null
        try {
            const v = JSON.parse(new TextDecoder().decode(value))
            return typeof v === "string" ? v : null
        } catch {
            return null
        }
    }

    async write(key: string, value: string): Promise<void> {
        checkKvEntry(key, value)
        const data = jdpack<[string, Uint8Array]>("z b", [key, new TextEncoder().encode(JSON.stringify(value))])
        await this.service().sendPacketAsync(Packet.from(SETTINGS_SET, data), true)
    }

    async remove(key: string): Promise<void> {
        await this.service().sendPacketAsync(Packet.from(SETTINGS_DELETE, jdpack<[string]>("s", [key])), true)
    }
}

/**
 * A settings `get` of key on srv: the raw value (empty when unset). The answer is the service's
 * `get` report for this key: the firmware's own reads are answered with the same reports on the
 * same bus, so another key's report is not ours and is passed over (jacdac-ts'
 * sendCmdAwaitResponseAsync would take the first `get` report of any key).
 */
export function settingsGet(srv: JDService, key: string, who: string, timeoutMs = READ_TIMEOUT_MS): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
        const onReport = (pkt: Packet) => {
            if (pkt.serviceCommand !== SETTINGS_GET) return
            const [k, v] = jdunpack<[string, Uint8Array]>(pkt.data, "z b")
            if (k !== key) return
            clearTimeout(timer)
            srv.off(REPORT_RECEIVE, onReport)
            resolve(v ?? new Uint8Array())
        }
        const timer = setTimeout(() => {
            srv.off(REPORT_RECEIVE, onReport)
            reject(new Error(`device ${who}: no settings answer for '${key}' in ${timeoutMs} ms`))
        }, timeoutMs)
        srv.on(REPORT_RECEIVE, onReport)
        srv.sendPacketAsync(Packet.from(SETTINGS_GET, jdpack<[string]>("s", [key]))).catch(e => {
            clearTimeout(timer)
            srv.off(REPORT_RECEIVE, onReport)
            reject(e)
        })
    })
}

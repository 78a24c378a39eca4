// The core Kv port (src/core/store/kv.ts) implemented over the Jacdac settings service of a
// DeviceScript device: a value written here is what the firmware's readSetting() returns
// (DeviceScript stores settings as JSON text). This is how the simulator, like a technician's
// tool on the device's USB link, installs data into the device's flash.
import { Packet, jdpack, jdunpack, type JDDevice, SRV_SETTINGS } from "jacdac-ts"
import { type Kv, checkKvEntry } from "../../src/core/store/kv"

/** Settings service commands (jacdac-spec settings.md). */
const SETTINGS_GET = 0x80
const SETTINGS_SET = 0x81
const SETTINGS_DELETE = 0x84

export class BusSettingsKv implements Kv {
    constructor(readonly device: JDDevice) {}

    private service() {
        const s = this.device.services({ serviceClass: SRV_SETTINGS })[0]
        if (!s) throw new Error(`device ${this.device.shortId} has no settings service`)
        return s
    }

    async read(key: string): Promise<string | null> {
        const resp = await this.service().sendCmdAwaitResponseAsync(Packet.from(SETTINGS_GET, jdpack<[string]>("s", [key])), 2000)
        const [k, value] = jdunpack<[string, Uint8Array]>(resp.data, "z b")
        if (k !== key) throw new Error(`settings answered for '${k}', asked for '${key}'`)
        if (!value || value.length === 0) return null
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

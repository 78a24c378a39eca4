// The core Kv port on DeviceScript settings (flash). Same limits as MemoryKv, checked before
// the write so an oversize value is a clear error here rather than a panic in the runtime.
import { writeSetting, deleteSetting } from "@devicescript/settings"
import { readSetting } from "./settings-read"
import { Kv, checkKvEntry } from "../core/store/kv"

export class SettingsKv implements Kv {
    async read(key: string): Promise<string | null> {
        const v = await readSetting<any>(key, null)
        return typeof v === "string" ? v : null
    }

    async write(key: string, value: string): Promise<void> {
        checkKvEntry(key, value)
        await writeSetting(key, value)
    }

    async remove(key: string): Promise<void> {
        await deleteSetting(key)
    }
}

// The core Kv port on DeviceScript settings (flash). Same limits as MemoryKv, checked before
// the write so an oversize value is a clear error here rather than a panic in the runtime.
//
// Every write and removal is read back. The runtime's settings service drops a write it has no
// room for without a word: jacdac-c's jd_settings_set_bin returns -3 ("out of space") and
// services/settings.c ignores the result, so a `set` command always looks done. Without the read
// back, a record appended to a full settings area would be reported saved and lost. With it, the
// write throws: the record service keeps the record in RAM and retries (src/records.ts), and no
// new cycle starts while a record waits (logHasRoom). docs/records.md §8.
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
        if ((await this.read(key)) !== value) throw new Error("settings: " + key + " was not stored (settings area full?)")
    }

    async remove(key: string): Promise<void> {
        await deleteSetting(key)
        if ((await this.read(key)) !== null) throw new Error("settings: " + key + " was not removed (settings area full?)")
    }
}

// The durable key-value store core code persists through: DeviceScript settings on the device
// (src/hw/kv-settings.ts), memory in Node tests (MemoryKv, with power cuts). Values are
// strings. The device's limits are enforced on every implementation, so a test fails where
// the chip would: keys of at most 13 characters, key + value of at most 200 bytes.

export const KV_MAX_KEY_CHARS = 13
/** settings values must fit one Jacdac packet (~230 bytes with framing); keep a margin */
export const KV_MAX_ENTRY_BYTES = 200

export interface Kv {
    /** the stored value, or null */
    read(key: string): Promise<string | null>
    /** durable once the promise resolves; throws on a key or value over the limits */
    write(key: string, value: string): Promise<void>
    remove(key: string): Promise<void>
}

export class KvLimitError extends Error {
    constructor(message: string) {
        super()
        this.name = "KvLimitError"
        this.message = message
    }
}

/** Throws KvLimitError when the entry would not fit the device's settings store. */
export function checkKvEntry(key: string, value: string) {
    if (key.length === 0 || key.length > KV_MAX_KEY_CHARS)
        throw new KvLimitError("settings key '" + key + "' must be 1.." + KV_MAX_KEY_CHARS + " characters")
    // stored as JSON: the value's quotes and escapes count too
    const bytes = key.length + JSON.stringify(value).length
    if (bytes > KV_MAX_ENTRY_BYTES)
        throw new KvLimitError("settings entry '" + key + "' is " + bytes + " bytes, over " + KV_MAX_ENTRY_BYTES)
}

export class PowerCut extends Error {
    constructor() {
        super()
        this.name = "PowerCut"
        this.message = "power cut (simulated)"
    }
}

/**
 * In-memory store for tests. `cutAfter(n)` lets n more writes/removes through, then every
 * later one fails with PowerCut without taking effect, as if the power went at that point.
 * `restore()` is the reboot: the contents survive, writes work again.
 */
export class MemoryKv implements Kv {
    private data: { [key: string]: string } = {}
    private budget = -1
    writes = 0

    async read(key: string): Promise<string | null> {
        const v = this.data[key]
        return v === undefined ? null : v
    }

    async write(key: string, value: string): Promise<void> {
        checkKvEntry(key, value)
        this.spend()
        this.data[key] = value
        this.writes++
    }

    async remove(key: string): Promise<void> {
        this.spend()
        delete this.data[key]
        this.writes++
    }

    cutAfter(n: number) {
        this.budget = n
    }

    restore() {
        this.budget = -1
    }

    keys(): string[] {
        return Object.keys(this.data)
    }

    /** total bytes as the settings store would hold them (key + JSON value per entry) */
    bytes(): number {
        let n = 0
        for (const k of Object.keys(this.data)) n += k.length + JSON.stringify(this.data[k]).length
        return n
    }

    private spend() {
        if (this.budget === 0) throw new PowerCut()
        if (this.budget > 0) this.budget--
    }
}

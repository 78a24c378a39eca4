// The device's identity as provisioned by a technician (the hub creates both; `npm run tech
// -- provision` or the simulator writes them into settings): its id and its 32-byte key, from
// which every bundle is verified and every record MAC'd. Missing or malformed: no cycles.
import { readSetting } from "./hw/settings-read"

/** the keys of the .env.local the hub writes when it provisions a device (deployed as settings) */
export const KEY_DEVICE_ID = "DEVICE_ID"
export const KEY_DEVICE_KEY = "DEVICE_KEY"

export interface Identity {
    deviceId: string
    keyHex: string
}

/** The identity, or null with the reason logged. */
export async function loadIdentity(): Promise<Identity | null> {
    const id = await readSetting<any>(KEY_DEVICE_ID, null)
    const key = await readSetting<any>(KEY_DEVICE_KEY, null)
    if (typeof id !== "string" || id.length < 1 || id.length > 32) {
        console.warn("not provisioned: no device id")
        return null
    }
    let hex = typeof key === "string" && key.length === 64
    for (let i = 0; hex && i < 64; i++) hex = "0123456789abcdefABCDEF".indexOf(key[i]) >= 0
    if (!hex) {
        console.warn("not provisioned: device key missing or not 64 hex digits")
        return null
    }
    return { deviceId: id, keyHex: key.toLowerCase() }
}

// The device's identity as provisioned by a technician (the hub creates both; `npm run tech
// -- provision` or the simulator writes them into settings): its id and its 32-byte key, from
// which every bundle is verified and every record MAC'd. Missing or malformed: no cycles.
import { readSetting } from "@devicescript/settings"

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
    if (typeof key !== "string" || key.length !== 64 || !isHex(key)) {
        console.warn("not provisioned: device key missing or not 64 hex digits")
        return null
    }
    return { deviceId: id, keyHex: key.toLowerCase() }
}

function isHex(s: string): boolean {
    for (let i = 0; i < s.length; i++) if ("0123456789abcdefABCDEF".indexOf(s[i]) < 0) return false
    return true
}

// What the technician commands read out of the device's settings, read exactly as the firmware
// reads it: the three calibrations (src/core/calibration/store.ts: one BlobStore per channel,
// verified with verifyCalibration), the latched fault (src/hw/persist.ts: key "latchedFault",
// { v: 1, code, sensor, value, limit }), the identity (src/identity.ts) and the hub address
// (src/sync.ts KEY_HUB_URL).
import type { Kv } from "../../src/core/store/kv"
import { BlobStore, BlobStatus } from "../../src/core/store/blob"
import { CAL_FORMAT, verifyCalibration, type Calibration } from "../../src/core/calibration/calibration"
import { faultName, isLatching } from "../../src/core/faults"
import { nodeCrypto } from "../../src/node/crypto-node"
import type { DeviceLink } from "./device"

/** CalibrationStore's settings prefixes per channel (src/core/calibration/store.ts PREFIX; test/tech/state.test.ts checks them). */
export const CAL_PREFIX: { [channel: string]: string } = { filmTemp: "calfilm", contactTemp: "calcont", force: "calforce" }
export const CHANNEL_NAMES: { [channel: string]: string } = { filmTemp: "film temperature", contactTemp: "contact temperature", force: "force" }

/** src/hw/persist.ts */
export const KEY_LATCHED = "latchedFault"
/** src/identity.ts, src/sync.ts: the names of the hub's .env.local */
export const KEY_DEVICE_ID = "DEVICE_ID"
export const KEY_DEVICE_KEY = "DEVICE_KEY"
export const KEY_HUB_URL = "HUB_URL"

export type CalState =
    | { state: "ok"; cal: Calibration }
    | { state: "missing" | "corrupt" | "old-format"; why: string }

/** One channel's calibration as the firmware would load it at boot. */
export async function loadCalibration(kv: Kv, channel: string): Promise<CalState> {
    const b = await new BlobStore(kv, nodeCrypto, CAL_PREFIX[channel]).load()
    if (b.status === BlobStatus.Missing) return { state: "missing", why: "not calibrated" }
    if (b.status === BlobStatus.Format) return { state: "old-format", why: "stored in an unknown format" }
    if (b.status !== BlobStatus.Ok) return { state: "corrupt", why: "damaged in flash (a chunk or the checksum does not verify)" }
    let c: Calibration
    try {
        c = JSON.parse(b.value as string) as Calibration
    } catch {
        return { state: "corrupt", why: "not JSON" }
    }
    if (!c || typeof c !== "object") return { state: "corrupt", why: "not a record" }
    if (c.v !== CAL_FORMAT) return { state: "old-format", why: `record format ${c.v}, the firmware reads ${CAL_FORMAT}` }
    if (c.channel !== channel) return { state: "corrupt", why: `holds the ${c.channel} channel's record` }
    const bad = verifyCalibration(c, nodeCrypto)
    if (bad) return { state: "corrupt", why: bad }
    return { state: "ok", cal: c }
}

export interface LatchedFault {
    code: number
    sensor: number
    value: number
    limit: number
    /** "E30 S1 v=-2730", as the display shows it */
    label: string
    name: string
}

/** The device's latched fault, null when none; an unreadable stored value is what the firmware latches as E61. */
export async function readLatchedFault(link: DeviceLink): Promise<LatchedFault | null> {
    const got = await link.readJson(KEY_LATCHED)
    if (!got) return null
    const f = got.value as { v?: unknown; code?: unknown; sensor?: unknown; value?: unknown; limit?: unknown } | null
    if (f && typeof f === "object" && f.v === 1 && typeof f.code === "number" && isLatching(f.code)) {
        const sensor = typeof f.sensor === "number" ? f.sensor : 0
        const value = typeof f.value === "number" ? f.value : 0
        return {
            code: f.code, sensor, value, limit: typeof f.limit === "number" ? f.limit : 0,
            label: "E" + f.code + (sensor ? " S" + sensor : "") + " v=" + value, name: faultName(f.code),
        }
    }
    // src/hw/persist.ts loadLatched: unreadable -> a latched control error
    return { code: 61, sensor: 0, value: 0, limit: 0, label: "E61", name: "control logic error (the stored fault is unreadable)" }
}

export function dateOf(unixS: number): string {
    return new Date(unixS * 1000).toISOString().slice(0, 10)
}

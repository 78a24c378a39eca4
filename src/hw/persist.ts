// Flash persistence of what must survive a reboot: the tuned PID gains and a latched fault.
// Written on events only (never per tick: flash wear), keys under 14 characters, values well
// under the ~230-byte settings limit. A value that does not parse or check is never used.
import { writeSetting, deleteSetting } from "@devicescript/settings"
import { readSetting } from "./settings-read"
import { PidGains, gainsValid } from "../core/heater/pid"
import { Fault, FaultCode, SensorId, isLatching, makeFault } from "../core/faults"

const KEY_GAINS = "pidGains"
const KEY_LATCHED = "latchedFault"
const FORMAT = 1

export async function loadGains(defaults: PidGains): Promise<PidGains> {
    const g = await readSetting<any>(KEY_GAINS, null)
    if (!g) return defaults
    if (g.v !== FORMAT || !gainsValid(g)) {
        console.warn("pidGains setting is invalid; using the manifest defaults")
        return defaults
    }
    return { kpMicroPerDegC: g.kpMicroPerDegC, kiMicroPerDegCSec: g.kiMicroPerDegCSec, kdMicroSecPerDegC: g.kdMicroSecPerDegC }
}

export async function saveGains(g: PidGains) {
    await writeSetting(KEY_GAINS, {
        v: FORMAT, kpMicroPerDegC: g.kpMicroPerDegC, kiMicroPerDegCSec: g.kiMicroPerDegCSec, kdMicroSecPerDegC: g.kdMicroSecPerDegC,
    })
}

/**
 * The latched fault, if any. A stored value that cannot be read back is itself treated as a
 * latched control error: failing safe beats silently forgetting a fault.
 */
export async function loadLatched(): Promise<Fault> {
    const f = await readSetting<any>(KEY_LATCHED, null)
    if (!f) return null
    if (f.v === FORMAT && typeof f.code === "number" && isLatching(f.code))
        return makeFault(f.code, f.sensor || SensorId.None, f.value || 0, f.limit || 0, 0)
    console.warn("latchedFault setting is unreadable; latching a control error")
    return makeFault(FaultCode.ControlError, SensorId.None, 0, 0, 0)
}

export async function saveLatched(f: Fault) {
    if (!f) await deleteSetting(KEY_LATCHED)
    else await writeSetting(KEY_LATCHED, { v: FORMAT, code: f.code, sensor: f.sensor, value: f.value, limit: f.limit })
}

// The one-node image's network side (sim/firmware-device.ts): the hub sync (src/sync.ts),
// console sessions (src/session.ts) and live telemetry (src/live.ts) straight from the device
// to its hub, when a hub address is provisioned. The two-node applicator has none of this on its
// controller (src/main.ts): its link node (src/link-main.ts) talks to the hub, and the
// controller serves the link service (src/link-server.ts).
import * as ds from "@devicescript/core"
import { readSetting } from "@devicescript/settings"
import { Controller } from "./core/controller"
import { ControlEvent } from "./core/cycle/events"
import { SensorInputs } from "./hw/sensor-inputs"
import { DeviceSync, KEY_HUB_URL } from "./sync"
import { Sessions } from "./session"
import { Telemetry } from "./live"
import { Parts, Network } from "./compliance"

export async function directNetwork(p: Parts): Promise<Network | null> {
    const hub = await readSetting<any>(KEY_HUB_URL, "")
    if (typeof hub !== "string" || hub.length === 0) {
        console.warn("no hub address (" + KEY_HUB_URL + "): records stay on the device")
        return null
    }
    const r = p.recs
    const s = new DeviceSync(hub.charAt(hub.length - 1) === "/" ? hub.slice(0, hub.length - 1) : hub, p.id, p.kv, p.trust, r, p.ctrl, p.clock)
    r.onSaved = () => s.schedule.kick(ds.millis()) // a record was saved: get it off the device now (unless backing off)
    s.start()
    const sessions = new Sessions(s, p.ctrl, p.builder, () => r.queue.next)
    return {
        onEvent: (e: ControlEvent) => sessions.onEvent(e),
        patient: () => sessions.label(),
        live: (sensors: SensorInputs, ctrl: Controller) => {
            new Telemetry(s, ctrl, sensors, () => r.queue.next)
        },
    }
}

// The link node's composition (src/link-main.ts on the board, sim/firmware-link.ts in the
// simulator): it reads its provisioning, then polls the controller every POLL_MS and runs the
// hub sync, telemetry and sessions (src/link/*) in turn on the VM's one socket.
import * as ds from "@devicescript/core"
import { readSetting } from "../hw/settings-read"
import { LinkRpc } from "./rpc"
import { HubClient } from "./hub-client"
import { LinkSync, St } from "./sync-round"
import { telemetryOnce, sessionOnce } from "./live"

/** the settings a technician writes into the link (the hub's .env.local lines for the link) */
export const KEY_DEVICE_ID = "DEVICE_ID"
export const KEY_LINK_KEY = "LINK_KEY"
export const KEY_HUB_URL = "HUB_URL"
/** how often the link looks at the controller (a saved record, a cycle's start) */
const POLL_MS = 1000
/** sessions are asked for this often while idle */
const SESSION_MS = 3000

export async function startLink() {
    const id = await readSetting<any>(KEY_DEVICE_ID, "")
    const key = await readSetting<any>(KEY_LINK_KEY, "")
    const hubUrl = await readSetting<any>(KEY_HUB_URL, "")
    if (typeof id !== "string" || !id || typeof key !== "string" || key.length !== 64 || typeof hubUrl !== "string" || !hubUrl) {
        console.warn("link not provisioned: DEVICE_ID, LINK_KEY (64 hex digits) and HUB_URL are needed; nothing is sent")
        console.log("link ready: idle")
    } else {
        const rpc = new LinkRpc()
        const hub = new HubClient(hubUrl.charAt(hubUrl.length - 1) === "/" ? hubUrl.slice(0, hubUrl.length - 1) : hubUrl, id, key.toLowerCase())
        const sync = new LinkSync(rpc, hub)
        let lastSessionMs = 0
        let lastNext = -1
        let lastShown = ""
        let busy = false
        console.log("link ready: " + id + " to " + hub.hubUrl)
        setInterval(async () => {
            if (busy) return
            busy = true
            try {
                const st = await rpc.call("status")
                const now = ds.millis()
                const running = !!st && (st[St.State] === 2 || st[St.State] === 4)
                if (st) await telemetryOnce(rpc, hub) // while a cycle runs, and its last samples after
                if (st && !running) {
                    // a record was saved (or some wait): get them off the controller now, unless backing off
                    // ... and a change of state, fault or readiness is told to the hub now, not at the next period
                    const shown = st[St.State] + "/" + st[St.Fault] + "/" + st[St.NotReady]
                    if (st[St.Next] !== lastNext || st[St.Head] < st[St.Next] || shown !== lastShown) sync.schedule.kick(now)
                    lastNext = st[St.Next]
                    lastShown = shown
                    if (sync.schedule.due(now)) {
                        const ok = await sync.round()
                        const delay = sync.schedule.roundEnded(ok, ds.millis(), Math.random())
                        if (!ok) console.warn("sync failed; next try in " + Math.round(delay / 1000) + " s")
                    }
                }
                if (st && ds.millis() - lastSessionMs >= SESSION_MS) {
                    lastSessionMs = ds.millis()
                    await sessionOnce(rpc, hub, !running) // a started session's report goes during its cycle too
                }
            } catch (e) {
                // a bug or an unreadable answer must not panic the link: the next poll tries again
                console.error("link: " + (e as Error).message)
            }
            busy = false
        }, POLL_MS)
    }
}

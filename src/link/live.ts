// The link's console features (hub/src/routes/device-live.ts): live telemetry while the
// controller runs a cycle, and the sessions staff prepare on the console. Both pass the hub's
// MAC'd words to the controller, which alone decides: an abort acts only with the hub's MAC for
// the running cycle, an offer only fresh and MAC'd (src/link-server.ts). Neither is evidence
// (the compliance record is): a telemetry batch that cannot be sent is dropped.
import * as ds from "@devicescript/core"
import { hexBuffer } from "../core/crypto"
import { DEVICE_API } from "../core/sync/signing"
import { samplesJson } from "../core/link/gate"
import { LinkRpc } from "./rpc"
import { HubClient } from "./hub-client"

const NO_HASHES = Buffer.alloc(64)
const SESSION_STATE = ["", "started", "ended"]

/** Telemetry of the running cycle: the controller's samples to the hub, and the console's abort back. */
export async function telemetryOnce(rpc: LinkRpc, hub: HubClient) {
    const t = await rpc.call("telemetry")
    if (!t || t[1].length === 0) return
    const cycle: number = t[0]
    const a = await hub.call("POST", DEVICE_API + "telemetry", "{\"cycle\":" + cycle + ",\"samples\":[" + samplesJson(t[1]) + "]}")
    const b = a[1]
    if (a[0] === 200 && b && b.abort && typeof b.abortMac === "string" && b.abortMac.length === 64) {
        const r = await rpc.call("abort", [cycle, hexBuffer(b.abortMac)])
        console.log("console abort passed to the controller: " + r)
    }
}

/** Sessions: a state the controller has to report goes first; else (offer) the open session is offered. */
export async function sessionOnce(rpc: LinkRpc, hub: HubClient, offer: boolean) {
    const rep = await rpc.call("sessionReport")
    if (!rep) return
    if (rep[1] === 1 || rep[1] === 2) {
        const body = "{\"sessionId\":\"" + rep[3] + "\",\"state\":\"" + SESSION_STATE[rep[1]] + "\"" +
            (rep[1] === 1 ? ",\"cycle\":" + rep[0] : ",\"outcome\":" + rep[2]) + "}"
        const a = await hub.call("POST", DEVICE_API + "session/state", body)
        // taken, or refused for good (4xx: the hub will never take it): either way not again
        if (a[0] > 0 && a[0] < 500) await rpc.call("sessionReportSent", [rep[1], rep[3]])
        return
    }
    if (!offer) return
    const a = await hub.call("GET", DEVICE_API + "session", "")
    const s = a[1]
    if (a[0] === 204) await rpc.call("sessionOffer", [0, "", "", "", NO_HASHES])
    else if (a[0] === 200 && s && typeof s.sessionId === "string") {
        if (s.abort) {
            // aborted on the console before its cycle started: withdrawn here, ended on the hub
            await rpc.call("sessionOffer", [0, "", "", "", NO_HASHES])
            await hub.call("POST", DEVICE_API + "session/state", "{\"sessionId\":\"" + s.sessionId + "\",\"state\":\"ended\",\"outcome\":0}")
            return
        }
        if (typeof s.mac !== "string" || s.mac.length !== 64 || typeof s.templateHash !== "string" || s.templateHash.length !== 64) return
        const r = await rpc.call("sessionOffer", [s.issuedUnixS, s.sessionId, s.operatorId, s.patientRef, hexBuffer(s.mac + s.templateHash)])
        if (r) console.warn("the controller refused session " + s.sessionId.slice(0, 8) + " (" + r + ")")
    }
}


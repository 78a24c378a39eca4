// The link's signed requests to the hub (hub/README.md "Device protocol"): each request is
// signed with the link's transport key (x-signature, src/core/sync/signing.ts) and bounded by
// the sync's timeout on the VM's one socket (src/hw/http.ts). One request at a time: the
// rounds, telemetry and sessions take turns. The link holds no device key: the answers it
// passes on are checked by the controller.
import * as ds from "@devicescript/core"
import { randomBuffer } from "@devicescript/crypto"
import { requestSignature } from "../core/sync/signing"
import { SYNC_TIMING } from "../core/sync/backoff"
import { ClockAnchor, wallUnixS } from "../core/wall-clock"
import { dsCrypto } from "../hw/crypto-ds"
import { httpRequest } from "../hw/http"

export class HubClient {
    /** the hub's time as last seen in its time answer: the link's timestamps only (the controller checks its own) */
    anchor: ClockAnchor | null = null
    private busy = false

    constructor(readonly hubUrl: string, readonly deviceId: string, readonly linkKeyHex: string) {}

    now(): number {
        return wallUnixS(this.anchor, ds.millis())
    }

    /**
     * One signed request: [status (0: no usable answer), the parsed JSON body or null].
     * timestampS: the link's clock unless given (0 on the time route of a link with no clock);
     * nonce: a fresh one unless given (the time route's is the controller's challenge).
     */
    async call(method: string, path: string, body: string, ifNoneMatch?: string, timestampS?: number, nonceHex?: string): Promise<any[]> {
        while (this.busy) await ds.sleep(20)
        this.busy = true
        try {
            const ts = timestampS === undefined ? this.now() : timestampS
            const nonce = nonceHex || randomBuffer(16).toString("hex")
            let h = "x-device-id: " + this.deviceId + "\r\nx-timestamp: " + ts + "\r\nx-nonce: " + nonce + "\r\nx-signature: " +
                requestSignature(dsCrypto, this.linkKeyHex, method, path, body, ts, nonce) + "\r\n"
            if (body) h += "content-type: application/json\r\n"
            if (ifNoneMatch) h += "if-none-match: " + ifNoneMatch + "\r\n"
            const a = await httpRequest(this.hubUrl, method, path, h, body, SYNC_TIMING.fetchTimeoutMs)
            if (a.status === 0) console.warn("hub: " + method + " " + path + ": " + a.text)
            let json: any = null
            try {
                if (a.status > 0 && a.text.length > 0) json = JSON.parse(a.text)
            } catch (e) {
                json = null
            }
            return [a.status, json]
        } finally {
            this.busy = false
        }
    }
}

// The link's sync with the hub (hub/README.md "Device protocol"), one round at a time when due
// (a period, right after the controller saved a record, backing off after a failed round), and
// never while the controller runs a cycle or a scan. A round, in order:
//   time      when the controller's clock is unknown or due: the controller's nonce to the hub,
//             the hub's MAC'd answer back to the controller (which alone decides to take it)
//   bundle    If-None-Match the controller's version; a newer one goes to the controller whole
//   template  the approved one the controller asks for (status want_template)
//   records   the controller's oldest unacknowledged records, two an upload; the hub's MAC'd
//             ack goes back to the controller, which releases only what it verifies
//   status    the controller's state for the console
// The link verifies nothing it cannot: it holds no device key. It passes answers on and lets
// the controller refuse; what the controller refuses is logged here and the round stops.
import * as ds from "@devicescript/core"
import { toHex, hexBuffer } from "../core/crypto"
import { ZERO_HASH } from "../core/codec/ints"
import { DEVICE_API } from "../core/sync/signing"
import { SyncSchedule, SYNC_TIMING } from "../core/sync/backoff"
import { phaseName } from "../core/cycle/events"
import { LinkResult, CHUNK_MAX } from "../core/link/gate"
import { LinkRpc } from "./rpc"
import { HubClient } from "./hub-client"

/** re-read the hub's time this often (the controller's uptime-derived clock drifts) */
const TIME_RESYNC_S = 21600
/** records an upload at most (a sealed record is ~330 bytes: ~1.3 KB of body) */
const BATCH_MAX = 2
/** a try of a command that writes the controller's flash waits this long for its report */
const SLOW_MS = 3000
/** uploads a round at most; the rest waits for the next round */
const UPLOADS_MAX = 24

/** the controller's status report (services/smilelink.md), by field */
export const enum St {
    State = 0,
    Phase = 1,
    Fault = 2,
    Head = 3,
    Next = 4,
    BundleVersion = 5,
    Clock = 6,
    NotReady = 7,
    /** last_hash then want_template, 32 bytes each */
    Hashes = 8,
}

export class LinkSync {
    readonly schedule = new SyncSchedule(SYNC_TIMING)
    private lastTimeSyncS = 0
    private forceTime = false
    running = false

    constructor(readonly rpc: LinkRpc, readonly hub: HubClient) {}

    /** A round; true when it ended well (false: back off). */
    async round(): Promise<boolean> {
        let st = await this.rpc.call("status")
        if (!st) return fail("the controller does not answer")
        if (st[St.State] === 2 || st[St.State] === 4) return true // the cycle's (or the scan's) timing first
        if (st[St.Clock] === 0 || this.forceTime || this.hub.now() - this.lastTimeSyncS >= TIME_RESYNC_S) {
            if (!(await this.time())) return false
            st = await this.rpc.call("status")
            if (!st) return fail("the controller does not answer")
        }
        // bundle: unchanged (304), none yet (404), or a newer one for the controller to check
        let a = await this.get("bundle", st[St.BundleVersion] > 0 ? "\"v" + st[St.BundleVersion] + "\"" : "")
        if (!a) return false
        if (a[0] === 200 && a[1] && typeof a[1].sealedHex === "string") {
            const r = await this.install(1, a[1].sealedHex)
            if (r !== LinkResult.Ok) console.warn("the controller refused the bundle (" + r + ")")
            st = await this.rpc.call("status")
            if (!st) return fail("the controller does not answer")
        }
        const want = toHex(st[St.Hashes].slice(32, 64))
        if (want !== ZERO_HASH) {
            a = await this.get("templates/" + want, "")
            if (!a) return false
            if (a[0] === 200 && a[1] && typeof a[1].bytesHex === "string") {
                const r = await this.install(2, a[1].bytesHex)
                if (r !== LinkResult.Ok) console.warn("the controller refused template " + want.slice(0, 12) + " (" + r + ")")
            }
        }
        if (!(await this.records(st[St.Head], st[St.Next]))) return false
        st = await this.rpc.call("status")
        if (!st) return fail("the controller does not answer")
        const n: number = st[St.Next]
        const body = JSON.stringify({
            state: st[St.State] === 0 && st[St.Phase] === 0 ? "not_ready" : phaseName(st[St.Phase]), phase: st[St.Phase],
            pending: n - st[St.Head], latchedFault: st[St.Fault], head: { seq: n - 1, hash: n > 1 ? toHex(st[St.Hashes].slice(0, 32)) : ZERO_HASH },
        })
        a = await this.hub.call("POST", DEVICE_API + "status", body)
        return a[0] === 200 || a[0] === 204 || fail("status report refused: " + a[0])
    }

    /** a GET that the round can go on from: null after a failure (logged) */
    private async get(path: string, ifNoneMatch: string): Promise<any[] | null> {
        const a = await this.hub.call("GET", DEVICE_API + path, "", ifNoneMatch)
        return this.usable(a) ? a : null
    }

    /** an answer to go on from; a stale timestamp sets the time to be fetched first next round */
    private usable(a: any[]): boolean {
        if (a[0] === 0 || a[0] >= 500 || a[0] === 429) return fail("hub unreachable or busy (" + a[0] + ")")
        if (a[0] === 401) {
            const code = a[1] && a[1].error ? a[1].error.code : ""
            if (code === "stale_timestamp") this.forceTime = true
            return fail("the hub refused the link's request (" + code + ")")
        }
        return true
    }

    /** the controller's nonce to the hub, and the hub's MAC'd time back */
    private async time(): Promise<boolean> {
        const nonce = await this.rpc.call("clockChallenge")
        if (!nonce) return fail("the controller does not answer")
        const hex = toHex(nonce)
        const a = await this.hub.call("GET", DEVICE_API + "time?nonce=" + hex, "", "", 0, hex)
        if (!this.usable(a)) return false
        const b = a[1]
        if (a[0] !== 200 || !b || b.nonce !== hex || typeof b.unixS !== "number" || typeof b.mac !== "string" || b.mac.length !== 64)
            return fail("time answer unusable (" + a[0] + ")")
        const r = await this.rpc.call("clockSet", [b.unixS, hexBuffer(b.mac)])
        if (r !== LinkResult.Ok) return fail("the controller refused the hub's time (" + r + ")")
        this.hub.anchor = { unixS: b.unixS, atUptimeMs: ds.millis() }
        this.lastTimeSyncS = b.unixS
        this.forceTime = false
        return true
    }

    /** bytes (hex) to the controller in chunks; its result */
    async install(kind: number, hex: string): Promise<number> {
        let bytes: Buffer
        try {
            bytes = hexBuffer(hex)
        } catch (e) {
            return LinkResult.Malformed
        }
        let r = await this.rpc.call("installBegin", [bytes.length, kind])
        if (r !== LinkResult.Ok) return r === null ? LinkResult.Busy : r
        for (let off = 0; off < bytes.length;) {
            // (the end clamped here: the VM's Buffer.slice does not clamp it)
            const c = await this.rpc.call("installChunk", [off, bytes.slice(off, Math.min(off + CHUNK_MAX, bytes.length))])
            if (!c) return LinkResult.Busy
            if (c[1] !== LinkResult.Ok) return c[1]
            off = c[0]
        }
        r = await this.rpc.call("installEnd", [], SLOW_MS)
        return r === null ? LinkResult.Busy : r
    }

    /** sealed record seq from the controller, hex ("" when it does not hold it or does not answer) */
    private async read(seq: number): Promise<string> {
        let buf: Buffer | null = null
        for (let off = 0; !buf || off < buf.length;) {
            const c = await this.rpc.call("recordRead", [seq, off])
            if (!c || c[2] === 0 || c[0] !== seq || c[1] !== off || c[3].length === 0) return ""
            if (!buf) buf = Buffer.alloc(c[2])
            buf.set(c[3], off)
            off += c[3].length
        }
        return buf ? toHex(buf) : ""
    }

    /** uploads records head..next-1; false when the round must stop (failed or refused) */
    private async records(head: number, next: number): Promise<boolean> {
        let seq = head
        for (let u = 0; seq < next && u < UPLOADS_MAX; u++) {
            let body = "{\"records\":["
            let n = 0
            for (; n < BATCH_MAX && seq + n < next; n++) {
                const hex = await this.read(seq + n)
                if (!hex) break
                body += (n ? ",\"" : "\"") + hex + "\""
            }
            if (n === 0) return fail("record " + seq + " could not be read from the controller")
            const a = await this.hub.call("POST", DEVICE_API + "records", body + "]}")
            if (!this.usable(a)) return false
            const results = a[1] ? a[1].results : null
            if (a[0] !== 200 || !Array.isArray(results)) return fail("upload refused: " + a[0])
            let i = 0
            while (i < results.length && i < n && results[i] && results[i].seq === seq + i &&
                (results[i].status === "stored" || results[i].status === "duplicate")) i++
            if (i > 0) {
                const ack = a[1].ack
                const ok = !!ack && ack.seq === seq + i - 1 && typeof ack.mac === "string" && ack.mac.length === 64
                const r = ok ? await this.rpc.call("recordAck", [seq + i - 1, hexBuffer(ack.mac)], SLOW_MS) : null
                if (!r || r[1] !== LinkResult.Ok) return fail("the controller did not release record " + (seq + i - 1) + " (" + (r ? r[1] : "no ack") + ")")
                seq = r[0]
            }
            if (i === n) continue
            const x = results[i]
            const reason = x && x.status === "rejected" ? "" + x.reason : ""
            const expected = a[1].expectedSeq
            if (reason === "gap" && typeof expected === "number" && expected >= seq && expected < next) seq = expected
            else return i > 0 || fail("the hub did not take record " + (seq) + ": " + (reason || "no reason"))
        }
        return true
    }
}

function fail(why: string): boolean {
    console.warn("sync: " + why)
    return false
}

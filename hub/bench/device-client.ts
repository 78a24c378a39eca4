// A simulated device for the sync benchmark: the firmware's sync round (time, bundle with
// If-None-Match, upload of its next record, status) as signed HTTP requests over its own
// keep-alive connection (one http.Agent, maxSockets 1: a device holds one connection).
import http from "node:http"
import { randomBytes } from "node:crypto"
import { signDeviceRequest, timeMac } from "../src/auth/device-hmac"
import type { BenchDevice, SealedEntry } from "./records"

export type Kind = "time" | "bundle" | "records" | "status"
export const KINDS: Kind[] = ["time", "bundle", "records", "status"]

export interface Sample {
    kind: Kind
    ms: number
    /** null when the answer was the expected one */
    error: string | null
    /** when the request started, ms since the phase began (for rates) */
    atMs: number
}

interface Answer {
    status: number
    headers: http.IncomingHttpHeaders
    body: string
}

const API = "/api/device/v1/"

export class DeviceClient {
    private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    private next = 0
    private etag: string | null = null
    head = { seq: 0, hash: "0".repeat(64) }

    constructor(readonly device: BenchDevice, readonly port: number, private readonly records: SealedEntry[]) {}

    close() {
        this.agent.destroy()
    }

    private send(method: "GET" | "POST", path: string, body: string, extra: Record<string, string> = {}): Promise<Answer> {
        const url = API + path
        const headers: Record<string, string> = {
            ...signDeviceRequest({
                deviceId: this.device.deviceId, keyHex: this.device.keyHex, method, path: url, body,
                timestampS: Math.floor(Date.now() / 1000), nonce: randomBytes(16).toString("hex"),
            }),
            ...extra,
        }
        if (body.length > 0) {
            headers["content-type"] = "application/json"
            headers["content-length"] = String(Buffer.byteLength(body))
        }
        return new Promise((resolve, reject) => {
            const req = http.request({ host: "127.0.0.1", port: this.port, method, path: url, headers, agent: this.agent }, res => {
                const chunks: Buffer[] = []
                res.on("data", (c: Buffer) => chunks.push(c))
                res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }))
                res.on("error", reject)
            })
            req.on("error", reject)
            req.end(body.length > 0 ? body : undefined)
        })
    }

    private async timed(kind: Kind, t0: number, out: Sample[], fn: () => Promise<string | null>) {
        const start = performance.now()
        let error: string | null
        try {
            error = await fn()
        } catch (e) {
            error = "network: " + (e as Error).message
        }
        out.push({ kind, ms: performance.now() - start, error, atMs: start - t0 })
    }

    /** One sync round; pushes one sample per request. t0: the phase's start (performance.now()). */
    async round(t0: number, out: Sample[]): Promise<void> {
        await this.timed("time", t0, out, async () => {
            const nonce = randomBytes(16).toString("hex")
            const a = await this.send("GET", "time?nonce=" + nonce, "")
            if (a.status !== 200) return "time: HTTP " + a.status + " " + a.body.slice(0, 120)
            const j = JSON.parse(a.body) as { unixS: number; nonce: string; mac: string }
            return j.nonce === nonce && j.mac === timeMac(this.device.keyHex, nonce, j.unixS) ? null : "time: answer does not verify"
        })
        await this.timed("bundle", t0, out, async () => {
            const a = await this.send("GET", "bundle", "", this.etag ? { "if-none-match": this.etag } : {})
            if (a.status === 304 && this.etag) return null
            if (a.status !== 200) return "bundle: HTTP " + a.status + " " + a.body.slice(0, 120)
            const j = JSON.parse(a.body) as { version: number; sealedHex: string }
            this.etag = typeof a.headers.etag === "string" ? a.headers.etag : null
            return this.etag === '"v' + j.version + '"' && j.sealedHex.length > 0 ? null : "bundle: no matching etag"
        })
        const rec = this.records[this.next]
        await this.timed("records", t0, out, async () => {
            if (!rec) return "records: the bench sealed too few records for this client"
            const a = await this.send("POST", "records", JSON.stringify({ records: [rec.sealedHex] }))
            if (a.status !== 200) return "records: HTTP " + a.status + " " + a.body.slice(0, 120)
            const j = JSON.parse(a.body) as { results: { seq: number; status: string; reason?: string }[] }
            const r = j.results[0]
            if (r?.status !== "stored") return "records: seq " + rec.seq + " " + r?.status + " " + (r?.reason ?? "")
            this.next++
            this.head = { seq: rec.seq, hash: rec.hash }
            return null
        })
        await this.timed("status", t0, out, async () => {
            const body = JSON.stringify({ state: "idle", phase: 0, pending: this.records.length - this.next, latchedFault: 0, head: this.head })
            const a = await this.send("POST", "status", body)
            return a.status === 204 ? null : "status: HTTP " + a.status + " " + a.body.slice(0, 120)
        })
    }
}

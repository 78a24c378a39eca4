// A device protocol client in Node: the firmware's sync logic (src/core/sync: planner, signing,
// backoff) and its record queue (src/core/records/queue.ts) over real HTTP, for the
// nothing-lost tests, the benchmark's simulated fleet, and as a reference for the device glue.
// Like the device: one request at a time, one connection per request (node:http, agent off),
// its own timeout around each request, no clock until the hub's time answer verifies.
// The queue lives on a Kv: MemoryKv, or FileKv (one file per key, replaced by rename, so a
// killed process leaves each key either old or new, as the device's settings store does).
//
// As a program (the crash tests run it as a child process):
//   tsx hub/src/device-client.ts --hub URL --device ID --key HEX [--link-key HEX] --dir DIR --records N [--every-ms M]
// appends records up to seq N into the queue in DIR (resuming where a killed run stopped),
// syncs until the hub holds them all, and prints "appended <seq> <hash>", "ack <from> <to>",
// "drained" on stdout.
import { request as httpRequest } from "node:http"
import { randomBytes } from "node:crypto"
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { performance } from "node:perf_hooks"
import { nodeCrypto } from "../../src/node/crypto-node"
import { toHex } from "../../src/core/crypto"
import { Kv, checkKvEntry } from "../../src/core/store/kv"
import { RecordQueue, readRecord, type Appended } from "../../src/core/records/queue"
import { draftRecord } from "../../src/core/records/builder"
import { RecordKind, type ComplianceRecord } from "../../src/core/records/types"
import { BundleStore } from "../../src/core/bundle/store"
import { wallUnixS, type ClockAnchor } from "../../src/core/wall-clock"
import { signRequest } from "../../src/core/sync/signing"
import { SyncRound, SYNC_LIMITS, Step, type SyncEffects, type SyncLimits, type SyncRequest, type SyncAlert } from "../../src/core/sync/planner"
import { SyncSchedule, SYNC_TIMING, type SyncTiming } from "../../src/core/sync/backoff"

/** One key per file; a write goes to a temporary file renamed over the key (atomic on POSIX). */
export class FileKv implements Kv {
    constructor(readonly dir: string) {
        mkdirSync(dir, { recursive: true })
    }

    async read(key: string): Promise<string | null> {
        try {
            return readFileSync(join(this.dir, key), "utf8")
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code === "ENOENT") return null
            throw e
        }
    }

    async write(key: string, value: string): Promise<void> {
        checkKvEntry(key, value)
        const tmp = join(this.dir, key + ".tmp")
        writeFileSync(tmp, value)
        renameSync(tmp, join(this.dir, key))
    }

    async remove(key: string): Promise<void> {
        try {
            unlinkSync(join(this.dir, key))
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e
        }
    }
}

export interface HttpAnswer {
    /** 0 when no complete answer arrived (refused, reset, timed out, no Content-Length) */
    status: number
    body: unknown
    /** why status is 0 */
    error: string
}

/**
 * One request on its own connection, raced against timeoutMs (the device's fetch has no
 * timeout). A body-bearing answer without Content-Length counts as no answer: the device's
 * fetch cannot read chunked bodies.
 */
export function httpCall(base: URL, method: string, path: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<HttpAnswer> {
    return new Promise(done => {
        let settled = false
        const finish = (a: HttpAnswer) => {
            if (settled) return
            settled = true
            clearTimeout(timer)
            req.destroy()
            done(a)
        }
        const h: Record<string, string> = { ...headers }
        if (body.length > 0) {
            h["content-type"] = "application/json"
            h["content-length"] = String(Buffer.byteLength(body))
        }
        const req = httpRequest({ host: base.hostname, port: base.port, method, path, headers: h, agent: false })
        const timer = setTimeout(() => finish({ status: 0, body: null, error: "timeout" }), timeoutMs)
        req.on("error", e => finish({ status: 0, body: null, error: (e as NodeJS.ErrnoException).code ?? e.message }))
        req.on("response", res => {
            const chunks: Buffer[] = []
            res.on("data", (c: Buffer) => chunks.push(c))
            res.on("error", () => finish({ status: 0, body: null, error: "response aborted" }))
            res.on("close", () => finish({ status: 0, body: null, error: "response cut" }))
            res.on("end", () => {
                const status = res.statusCode ?? 0
                const text = Buffer.concat(chunks).toString("utf8")
                if (!res.complete) return finish({ status: 0, body: null, error: "response cut" })
                if (text.length > 0 && res.headers["content-length"] === undefined)
                    return finish({ status: 0, body: null, error: "no content-length" })
                let parsed: unknown = null
                try {
                    parsed = text.length > 0 ? JSON.parse(text) : null
                } catch {
                    parsed = null
                }
                finish({ status, body: parsed, error: "" })
            })
        })
        req.end(body)
    })
}

export interface ClientOptions {
    hubUrl: string
    deviceId: string
    /** the device key (DEVICE_KEY): seals records; the hub's MACs are under it */
    keyHex: string
    /** the transport key (LINK_KEY): signs the requests; without it the device key does (the one-node firmware's way, transitional) */
    linkKeyHex?: string
    queue: RecordQueue
    timing?: Partial<SyncTiming>
    limits?: Partial<SyncLimits>
    /** [0,1): the backoff's jitter */
    random?: () => number
    /** called after the queue released from..to (the hub acknowledged them) */
    onAck?: (fromSeq: number, toSeq: number) => void
    /** called with the counts of "stored" and "duplicate" in each records answer */
    onRecordsAnswer?: (stored: number, duplicates: number) => void
}

export interface ClientStats {
    rounds: number
    failedRounds: number
    requests: number
    /** requests without a usable answer (no connection, reset, timeout) or with a 5xx */
    failedRequests: number
    timeouts: number
    /** per-record answers */
    stored: number
    duplicates: number
    /** records released from the queue */
    acked: number
    alerts: SyncAlert[]
}

export class DeviceClient {
    readonly base: URL
    readonly timing: SyncTiming
    readonly limits: SyncLimits
    readonly schedule: SyncSchedule
    readonly bundles: BundleStore
    anchor: ClockAnchor | null = null
    lastTimeSyncUnixS = 0
    bundleVersion = 0
    approved: string[] = []
    templates: string[] = []
    /** the step of the request on the wire, 0 when none */
    inFlight: Step | 0 = 0
    stats: ClientStats = { rounds: 0, failedRounds: 0, requests: 0, failedRequests: 0, timeouts: 0, stored: 0, duplicates: 0, acked: 0, alerts: [] }
    private readonly t0 = performance.now()
    // appends and acks both rewrite the queue's state key from fields read before an await:
    // interleaved, an ack can write back the state an append just replaced (losing its commit)
    private queueLock: Promise<unknown> = Promise.resolve()

    constructor(readonly o: ClientOptions) {
        this.base = new URL(o.hubUrl)
        this.timing = { ...SYNC_TIMING, ...o.timing }
        this.limits = { ...SYNC_LIMITS, ...o.limits }
        this.schedule = new SyncSchedule(this.timing)
        this.bundles = new BundleStore(o.queue.kv, nodeCrypto, o.deviceId, o.keyHex)
    }

    uptimeMs(): number {
        return Math.floor(performance.now() - this.t0)
    }

    nowUnixS(): number {
        return wallUnixS(this.anchor, this.uptimeMs())
    }

    private locked<T>(fn: () => Promise<T>): Promise<T> {
        const run = this.queueLock.then(fn, fn)
        this.queueLock = run.catch(() => undefined)
        return run
    }

    /** Appends a record (as a finished cycle would) and asks for a sync. */
    async append(draft: ComplianceRecord): Promise<Appended> {
        const a = await this.locked(() => this.o.queue.append(draft))
        this.schedule.kick(this.uptimeMs())
        return a
    }

    /** One sync round; returns it (alerts, ok). */
    async round(): Promise<SyncRound> {
        const q = this.o.queue
        const round = new SyncRound(this.limits, {
            deviceId: this.o.deviceId, keyHex: this.o.keyHex, lastTimeSyncUnixS: this.lastTimeSyncUnixS,
            bundleVersion: this.bundleVersion, approved: this.approved, templates: this.templates,
            queueHead: q.head, queueNext: q.next, lastHash: q.last, state: "idle", phase: 0, latchedFault: 0,
        }, nodeCrypto)
        for (let r = round.next(this.nowUnixS(), nonce()); r; r = round.next(this.nowUnixS(), nonce())) {
            if (r.step === Step.Records && !round.fillRecords(r, await this.readRecords(r.fromSeq, r.toSeq))) continue
            const a = await this.send(r)
            await this.apply(round.onResponse(r, a.status, a.body))
        }
        this.stats.rounds++
        if (!round.ok) this.stats.failedRounds++
        for (const x of round.alerts) this.stats.alerts.push(x)
        const now = this.uptimeMs()
        this.schedule.roundEnded(round.ok, now, this.o.random ? this.o.random() : Math.random())
        if (round.ok && round.head < q.next && round.alerts.length === 0) this.schedule.kick(now) // cut short by requestsMax
        return round
    }

    /** Rounds as scheduled until done() or the deadline (uptime ms); true when done() held. */
    async runUntil(done: () => boolean, deadlineMs: number): Promise<boolean> {
        while (!done()) {
            const now = this.uptimeMs()
            if (now >= deadlineMs) return false
            if (this.schedule.due(now)) await this.round()
            else await sleep(Math.min(20, this.schedule.dueMs - now))
        }
        return true
    }

    private async readRecords(from: number, to: number): Promise<string[]> {
        const out: string[] = []
        for (let s = from; s <= to; s++) {
            const sealed = await readRecord(this.o.queue, s)
            if (!sealed) break
            out.push(toHex(sealed))
        }
        return out
    }

    private async send(r: SyncRequest): Promise<HttpAnswer> {
        const s = signRequest(nodeCrypto, this.o.deviceId, this.o.linkKeyHex ?? this.o.keyHex, r.method, r.path, r.body, r.timestampS, r.nonce)
        const headers: Record<string, string> = { "x-device-id": s.deviceId, "x-timestamp": s.timestamp, "x-nonce": s.nonce, "x-signature": s.signature }
        if (r.ifNoneMatch) headers["if-none-match"] = r.ifNoneMatch
        this.inFlight = r.step
        this.stats.requests++
        const a = await httpCall(this.base, r.method, r.path, headers, r.body, this.timing.fetchTimeoutMs)
        this.inFlight = 0
        if (a.status === 0 || a.status >= 500) this.stats.failedRequests++
        if (a.error === "timeout") this.stats.timeouts++
        const results = r.step === Step.Records && a.status === 200 ? (a.body as { results?: { status?: string }[] } | null)?.results : undefined
        if (Array.isArray(results)) {
            let stored = 0
            let duplicates = 0
            for (const x of results) {
                if (x?.status === "stored") stored++
                else if (x?.status === "duplicate") duplicates++
            }
            this.stats.stored += stored
            this.stats.duplicates += duplicates
            this.o.onRecordsAnswer?.(stored, duplicates)
        }
        return a
    }

    private async apply(fx: SyncEffects) {
        if (fx.clockUnixS > 0) {
            this.anchor = { unixS: fx.clockUnixS, atUptimeMs: this.uptimeMs() }
            this.lastTimeSyncUnixS = fx.clockUnixS
        }
        if (fx.bundle) {
            const b = await this.bundles.install(fx.bundle, this.nowUnixS())
            this.bundleVersion = b.bundleVersion
            this.approved = b.approved.filter(h => !b.revoked.includes(h))
        }
        if (fx.template && !this.templates.includes(fx.templateHash)) this.templates.push(fx.templateHash)
        if (fx.ackTo >= fx.ackFrom && fx.ackFrom > 0) {
            const released = await this.locked(() => this.o.queue.ack(fx.ackFrom, fx.ackTo))
            this.stats.acked += released
            this.o.onAck?.(fx.ackFrom, fx.ackTo)
        }
    }
}

function nonce(): string {
    return randomBytes(16).toString("hex")
}

export function sleep(ms: number): Promise<void> {
    return new Promise(r => setTimeout(r, Math.max(0, ms)))
}

/** A cycle record draft as a finished cycle makes one (seven phases: a realistic size). */
export function cycleDraft(k: number, unixS: number): ComplianceRecord {
    const r = draftRecord(RecordKind.Cycle, 1, 60_000 + k * 1000, unixS)
    r.operatorId = "op-" + (k % 7)
    r.outcome = 1
    for (let p = 1; p <= 7; p++)
        r.phases.push({
            phase: p, durationMs: 2000 + p * 100, samples: 40 + p, filmMinDeciC: 600 + p, filmMaxDeciC: 720 + p, filmMeanDeciC: 700 + p,
            contactMaxDeciC: 400 + p, forceMinMilliN: 19000 + k, forceMaxMilliN: 21000 + k, forceMeanMilliN: 20000 + k,
        })
    return r
}

function option(args: string[], name: string, fallback?: string): string {
    const i = args.indexOf("--" + name)
    const v = i >= 0 ? args[i + 1] : fallback
    if (v === undefined) throw new Error("missing --" + name)
    return v
}

async function main(args: string[]): Promise<number> {
    const n = Number(option(args, "records"))
    const everyMs = Number(option(args, "every-ms", "10"))
    const deviceId = option(args, "device")
    const keyHex = option(args, "key")
    const queue = await RecordQueue.open(new FileKv(resolve(option(args, "dir"))), nodeCrypto, 1000, deviceId, keyHex)
    const client = new DeviceClient({
        hubUrl: option(args, "hub"), deviceId, keyHex, linkKeyHex: option(args, "link-key", "") || undefined, queue,
        timing: { periodMs: 500, backoffBaseMs: 50, backoffCapMs: 800, fetchTimeoutMs: 2000 }, limits: { batchMax: 4 },
        onAck: (from, to) => console.log("ack " + from + " " + to),
        onRecordsAnswer: (stored, duplicates) => console.log("answer " + stored + " " + duplicates),
    })
    let producing = true
    const producer = (async () => {
        while (queue.next <= n) {
            const a = await client.append(cycleDraft(queue.next, 1_750_000_000 + queue.next * 60))
            console.log("appended " + a.seq + " " + a.hash)
            await sleep(everyMs)
        }
        producing = false
    })()
    const ok = await client.runUntil(() => !producing && (queue.next - queue.head) === 0, 120_000)
    await producer
    for (const x of client.stats.alerts) console.log("alert " + x.code + " " + x.seq + " " + x.detail)
    console.log((ok ? "drained " : "gave up ") + JSON.stringify(client.stats))
    return ok ? 0 : 1
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
    main(process.argv.slice(2)).then(code => process.exit(code), e => {
        console.error("device-client: " + ((e as Error).stack ?? e))
        process.exit(1)
    })
}

// Compliance records on the device: every control event feeds the record builder; a finished
// draft is appended to the flash queue on its own fiber (an append is several flash writes,
// far longer than a control tick), and the cycle is shown complete only once it is durable.
// A draft that fails to write stays in RAM and is retried; nothing is dropped. The hub's acks
// (src/sync.ts) go through here too: an append and an ack each rewrite the queue's state, so
// they take turns (the queue refuses an interleaving with queue_busy).
// A cycle that a power loss or a restart cuts short still gets its record: a marker written
// when the cycle starts (KEY_OPEN_CYCLE: the sequence number its record will take, the boot,
// uptime, clock, template hash and bundle version) is removed once a cycle record is durable; one found at boot
// whose sequence number is still the next one becomes a faulted record with E62 (power lost).
import * as ds from "@devicescript/core"
import { RecordQueue } from "./core/records/queue"
import { CycleRecordBuilder, draftRecord } from "./core/records/builder"
import { ComplianceRecord, RecordKind } from "./core/records/types"
import { ControlEvent, EventKind, Phase, Outcome } from "./core/cycle/events"
import { FaultCode } from "./core/faults"
import { ClockAnchor, wallUnixS } from "./core/wall-clock"

const RETRY_MS = 1000
export const KEY_OPEN_CYCLE = "cycOpen"

export class RecordService {
    /** records waiting to be written: while one is, the cycle is not shown complete (read it, never change it) */
    pending: ComplianceRecord[] = []
    private writing?: boolean

    constructor(readonly queue: RecordQueue | null, readonly builder: CycleRecordBuilder, readonly anchor: () => ClockAnchor | null) {}

    /** who asked for the next fault clear (a technician's CLEAR_REQ), for its record */
    clearedBy = ""

    onEvent(e: ControlEvent) {
        if (e.kind === EventKind.PhaseStart && e.phase === Phase.Preflight && this.queue) {
            const c = this.builder.ctx
            const mark = this.queue.next + ":" + this.builder.bootId + ":" + e.atMs + ":" + wallUnixS(this.anchor(), e.atMs) +
                ":" + (c ? c.templateHash + ":" + c.bundleVersion : "")
            const kv = this.queue.kv
            setTimeout(async () => {
                try {
                    await kv.write(KEY_OPEN_CYCLE, mark)
                } catch (err) {
                    console.error("cycle start marker not written: " + (err as Error).message)
                }
            }, 0)
        }
        const draft = this.builder.add(e, this.anchor())
        if (!draft) return
        if (draft.kind === RecordKind.FaultClear) {
            draft.operatorId = this.clearedBy
            this.clearedBy = ""
        }
        this.pending.push(draft)
        this.kick()
    }

    /** A record of another kind than a cycle (template install or revoke, calibration). */
    note(kind: RecordKind, templateHash: string, bundleVersion: number, calibrationIds: string[]) {
        const now = ds.millis()
        const r = draftRecord(kind, this.builder.bootId, now, wallUnixS(this.anchor(), now))
        if (templateHash) r.templateHash = templateHash
        r.bundleVersion = bundleVersion
        r.calibrationIds = calibrationIds
        this.pending.push(r)
        this.kick()
    }

    /** At boot: the record of a cycle that a power loss cut short, if there was one. */
    async recoverInterrupted() {
        const q = this.queue
        const v = q ? await q.kv.read(KEY_OPEN_CYCLE) : null
        if (!v) return
        // its ":"-separated fields (not String.split: its polyfill costs the image ~340 bytes)
        const p: string[] = []
        let from = 0
        for (let i = v.indexOf(":"); i >= 0; i = v.indexOf(":", from)) {
            p.push(v.slice(from, i))
            from = i + 1
        }
        p.push(v.slice(from))
        if (q.next !== parseInt(p[0])) {
            await q.kv.remove(KEY_OPEN_CYCLE) // its record was written before the power went
            return
        }
        const at = parseInt(p[2])
        const r = draftRecord(RecordKind.Cycle, parseInt(p[1]), at, parseInt(p[3]))
        if (p.length >= 6) {
            r.templateHash = p[4] // the approved template; its design id is the hub's to look up
            r.bundleVersion = parseInt(p[5])
        }
        r.faults = [{ code: FaultCode.PowerLost, sensor: 0, value: 0, limit: 0, atMs: at }]
        r.outcome = Outcome.Faulted
        console.warn("cycle of boot " + p[1] + " was cut short by a restart: recording it")
        this.pending.push(r)
        this.kick()
    }

    private kick() {
        if (this.writing || !this.queue) return
        this.writing = true
        setTimeout(this.drain, 0) // a bound method: drain runs on the timer's fiber
    }

    /** Releases records the hub acknowledged, once no append is in progress. */
    async ack(fromSeq: number, toSeq: number) {
        while (this.writing) await ds.sleep(20)
        this.writing = true
        try {
            await this.queue.ack(fromSeq, toSeq)
        } finally {
            this.writing = false
        }
        if (this.pending.length > 0) this.kick()
    }

    private async drain() {
        const q = this.queue
        try {
            while (this.pending.length > 0) {
                await ds.sleep(0)
                const kind = this.pending[0].kind
                const a = await q.append(this.pending[0])
                this.pending.shift()
                console.log("record " + a.seq + " saved " + a.hash.slice(0, 12))
                if (kind === RecordKind.Cycle) await q.kv.remove(KEY_OPEN_CYCLE)
            }
        } catch (e) {
            console.error("record not saved yet: " + (e as Error).message + "; retrying")
            const self = this
            setTimeout(async () => {
                self.writing = false
                self.kick()
            }, RETRY_MS)
            return
        }
        this.writing = false
    }
}

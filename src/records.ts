// Compliance records on the device: every control event feeds the record builder; a finished
// draft is appended to the flash queue on its own fiber (an append is several flash writes,
// far longer than a control tick), and the cycle is shown complete only once it is durable.
// A draft that fails to write stays in RAM and is retried; nothing is dropped. The hub's acks
// (src/sync.ts) go through here too: an append and an ack each rewrite the queue's state, so
// they take turns (the queue refuses an interleaving with queue_busy).
import * as ds from "@devicescript/core"
import { RecordQueue } from "./core/records/queue"
import { CycleRecordBuilder } from "./core/records/builder"
import { ComplianceRecord } from "./core/records/types"
import { ControlEvent } from "./core/cycle/events"
import { ClockAnchor } from "./core/wall-clock"

const RETRY_MS = 1000

export class RecordService {
    private pending: ComplianceRecord[] = []
    private writing = false
    saved = 0
    /** told after each record is durable (the sync gets it off the device) */
    onSaved: () => void = null

    constructor(readonly queue: RecordQueue | null, readonly builder: CycleRecordBuilder, readonly anchor: () => ClockAnchor | null) {}

    /** room for one more cycle's record (the controller's preflight input) */
    hasRoom(): boolean {
        return !!this.queue && this.queue.hasRoom() && this.pending.length === 0
    }

    /** a finished record is still waiting to be written: the cycle is not shown complete */
    savingRecord(): boolean {
        return this.pending.length > 0
    }

    onEvent(e: ControlEvent) {
        const draft = this.builder.add(e, this.anchor())
        if (!draft) return
        this.pending.push(draft)
        this.kick()
    }

    private kick() {
        if (this.writing || !this.queue) return
        this.writing = true
        const self = this
        setTimeout(async () => {
            await self.drain()
        }, 0)
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
                const a = await q.append(this.pending[0])
                this.pending.shift()
                this.saved++
                console.log("record " + a.seq + " saved " + a.hash.slice(0, 12))
                if (this.onSaved) this.onSaved()
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

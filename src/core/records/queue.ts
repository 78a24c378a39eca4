// The compliance record queue on the Kv store (flash on the device). Layout:
//   "rqState"      {"v":1,"head":H,"next":N,"cap":C,"last":"<hex>"}: records H..N-1 are held, N
//                  is the next sequence number, last = hash of record N-1 (the next prevHash),
//                  C = the capacity the slots below were laid out with
//   "r<slot>.<i>"  the record of seq N lives in slot N mod C, as base64(sealed) in chunks;
//                  chunk 0 starts with "<count>|"
// append: writes the chunks into the free slot of the not-yet-committed seq, then the state:
// that single write is the commit point. A power cut before it leaves the old state (the slot
// is free: its chunks are overwritten next time); after it, the new one. A sequence number is
// consumed only by the commit, so none is ever reused or skipped.
// ack: one state write moves the head; nothing else is written. Acked slots keep their bytes
// until reused: keys are never deleted, because the settings store keeps a tombstone for every
// deleted key for good (jacdac-c fstor), and keys named by seq would then fill the flash.
// A full queue refuses the append; nothing is ever dropped or overwritten while held.

import { Crypto } from "../crypto"
import { Kv, KV_MAX_ENTRY_BYTES } from "../store/kv"
import { ValidationError } from "../codec/errors"
import { isInt, checkInt, ZERO_HASH, INT_MAX_ABS } from "../codec/ints"
import { fromBase64 } from "../codec/base64"
import { ComplianceRecord, SEQ_MAX } from "./types"
import { sealRecordText, openRecord } from "./codec"

const KEY_STATE = "rqState"
const STATE_FORMAT = 1
/** chunk indexes are one digit: keys "r<slot>.<i>" */
export const RECORD_MAX_CHUNKS = 10
/** JSON quotes cost 2 and the longest key, "r999.9", 6 (capacity <= 1000); base64 needs no escaping */
const CHUNK_CHARS = KV_MAX_ENTRY_BYTES - 6 - 2

export interface Appended {
    seq: number
    /** SHA-256 (hex) of the record body */
    hash: string
}

function chunkKey(slot: number, i: number): string {
    return "r" + slot + "." + i
}

export class RecordQueue {
    // head, next and last are fields, not getter methods: every method of a class the device
    // constructs costs its image (README, "DeviceScript traps"). Read them; never assign them.
    /** oldest held sequence number (== next when empty) */
    head = 1
    /** the next sequence number; next - head records are held */
    next = 1
    /** hash of record next-1 (the next prevHash) */
    last = ZERO_HASH
    /** the capacity the held records' slots were laid out with (see open()) */
    private layoutCap: number
    private corrupt = false
    /** the mutating operation in progress ("" none): append and ack must not interleave */
    private busy = ""

    private constructor(readonly kv: Kv, readonly crypto: Crypto, readonly capacity: number,
        readonly deviceId: string, readonly keyHex: string) {
        this.layoutCap = capacity
    }

    /**
     * Opens the queue (at boot); a state that does not parse blocks appends (queue_corrupt).
     * capacity: manifest records.queueCapacityRecords. If a firmware update changed it while
     * records are held, the old layout stays until the queue drains, and room is the smaller.
     */
    static async open(kv: Kv, crypto: Crypto, capacity: number, deviceId: string, keyHex: string): Promise<RecordQueue> {
        if (!isInt(capacity) || capacity < 1 || capacity > 1000) throw new RangeError("record queue capacity must be 1..1000")
        const q = new RecordQueue(kv, crypto, capacity, deviceId, keyHex)
        const raw = await kv.read(KEY_STATE)
        if (raw === null) return q
        try {
            // each check throws (checkInt: ValidationError; a property of null: TypeError)
            const s = JSON.parse(raw)
            checkInt(s.v, STATE_FORMAT, STATE_FORMAT, "v")
            checkInt(s.head, 1, SEQ_MAX + 1, "head")
            checkInt(s.next, s.head, SEQ_MAX + 1, "next")
            checkInt(s.cap, 1, INT_MAX_ABS, "cap")
            checkInt(s.next - s.head, 0, s.cap, "held")
            if (typeof s.last !== "string" || s.last.length !== 64) throw new RangeError()
            q.head = s.head
            q.next = s.next
            q.last = s.last
            q.layoutCap = s.next > s.head ? s.cap : capacity
        } catch (e) {
            q.corrupt = true
        }
        return q
    }

    /** false when full or corrupt: the controller's logHasRoom, so no cycle starts without room */
    hasRoom(): boolean {
        const cap = this.layoutCap < this.capacity ? this.layoutCap : this.capacity
        return !this.corrupt && this.next - this.head < cap
    }

    /**
     * Seals the draft as the next record (seq, prevHash and deviceId filled in) and stores it;
     * durable when this resolves. Throws ValidationError queue_full / queue_corrupt /
     * record_too_large or a field's code, changing nothing; a Kv failure propagates.
     */
    async append(draft: ComplianceRecord): Promise<Appended> {
        this.enter("append")
        try {
            if (this.corrupt) throw new ValidationError("queue_corrupt", "(queue)", "record store is unreadable: technician must service the device")
            if (!this.hasRoom())
                throw new ValidationError("queue_full", "(queue)", "record queue full (" + this.capacity + "): sync with the hub before the next cycle")
            const seq = this.next
            // a copy: the draft stays as the caller made it
            const rec: ComplianceRecord = Object.assign({}, draft)
            rec.deviceId = this.deviceId
            rec.seq = seq
            rec.prevHash = this.last
            // an empty queue takes up the manifest's capacity (it may have changed with a firmware update)
            const cap = this.next === this.head ? this.capacity : this.layoutCap
            const s = sealRecordText(rec, this.keyHex, this.crypto)
            // the fewest chunks n whose "<n>|" prefix and the text fit n entries
            let n = 1
            while (s.base64.length + (n + "|").length > n * CHUNK_CHARS) n++
            if (n > RECORD_MAX_CHUNKS) throw new ValidationError("record_too_large", "(record)", "sealed record needs more than " + RECORD_MAX_CHUNKS + " chunks")
            const all = n + "|" + s.base64
            const slot = seq - Math.floor(seq / cap) * cap // seq mod cap, without % (int32 in the VM)
            for (let i = 0; i < n; i++) await this.kv.write(chunkKey(slot, i), all.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS))
            await this.writeState(this.head, seq + 1, cap, s.hash)
            this.next = seq + 1
            this.last = s.hash
            this.layoutCap = cap
            return { seq: seq, hash: s.hash }
        } finally {
            this.busy = ""
        }
    }

    /**
     * Appends and acks each write the queue state; one that started while the other was between
     * its writes would save a state without the other's change (a record lost from flash, its seq
     * reused after a reboot: a fork at the hub). The caller serialises them (src/records.ts runs
     * both on one fiber); this refuses, rather than corrupts, when it does not.
     */
    private enter(op: string) {
        if (this.busy) throw new ValidationError("queue_busy", "(queue)", op + " while " + this.busy + " is in progress: appends and acks must not interleave")
        this.busy = op
    }

    private async writeState(head: number, next: number, cap: number, last: string) {
        await this.kv.write(KEY_STATE, JSON.stringify({ v: STATE_FORMAT, head: head, next: next, cap: cap, last: last }))
    }

    /**
     * The sealed bytes of held record seq as stored (base64), not decoded, or null if not held;
     * throws record_corrupt if unreadable. What the device's upload sends (as hex) without
     * holding the record as an array; the hub checks it. (readRecord decodes and checks it.)
     */
    async readText(seq: number): Promise<string | null> {
        if (this.corrupt || !isInt(seq) || seq < this.head || seq >= this.next) return null
        const slot = seq - Math.floor(seq / this.layoutCap) * this.layoutCap // seq mod layoutCap
        const first = await this.kv.read(chunkKey(slot, 0))
        if (first === null) throw unreadable(seq)
        const bar = first.indexOf("|")
        let n = 0
        for (let i = 0; i < bar; i++) {
            const d = "0123456789".indexOf(first[i])
            if (d < 0) throw unreadable(seq)
            n = n * 10 + d
        }
        if (bar < 1 || bar > 2 || n < 1 || n > RECORD_MAX_CHUNKS) throw unreadable(seq)
        let text = first.slice(bar + 1)
        for (let i = 1; i < n; i++) {
            const part = await this.kv.read(chunkKey(slot, i))
            if (part === null) throw unreadable(seq)
            text += part
        }
        return text
    }

    /**
     * The hub's acknowledgement of records fromSeq..toSeq: releases every held record up to toSeq
     * (one state write). Idempotent (an ack of released records does nothing); refused
     * (ack_range) when it skips the oldest held record or names one not yet written. Returns
     * how many were released.
     */
    async ack(fromSeq: number, toSeq: number): Promise<number> {
        this.enter("ack")
        try {
            if (!isInt(fromSeq) || !isInt(toSeq) || fromSeq > toSeq || fromSeq < 1)
                throw new ValidationError("ack_range", "(ack)", "bad range " + fromSeq + ".." + toSeq)
            if (this.corrupt) throw new ValidationError("queue_corrupt", "(queue)", "record store is unreadable")
            if (toSeq < this.head) return 0
            if (fromSeq > this.head)
                throw new ValidationError("ack_range", "(ack)", "ack " + fromSeq + ".." + toSeq + " skips held record " + this.head)
            if (toSeq >= this.next)
                throw new ValidationError("ack_range", "(ack)", "ack " + fromSeq + ".." + toSeq + " names records not yet written (next " + this.next + ")")
            const released = toSeq + 1 - this.head
            await this.writeState(toSeq + 1, this.next, this.layoutCap, this.last)
            this.head = toSeq + 1
            return released
        } finally {
            this.busy = ""
        }
    }
}

function unreadable(seq: number): ValidationError {
    return new ValidationError("record_corrupt", "r" + seq, "stored record " + seq + " is unreadable")
}

/**
 * The sealed bytes of held record seq, or null if not held; throws record_corrupt if unreadable.
 * A free function, not a method: only Node (hub client, simulator, tools, tests) reads records
 * back decoded, and a method would carry the record decoder into the device image.
 */
export async function readRecord(q: RecordQueue, seq: number): Promise<number[] | null> {
    const text = await q.readText(seq)
    if (text === null) return null
    let sealed: number[] = []
    try {
        sealed = fromBase64(text, "(record)")
        if (openRecord(sealed, q.keyHex, q.crypto).record.seq !== seq) throw unreadable(seq)
    } catch (e) {
        if (e instanceof ValidationError) throw unreadable(seq)
        throw e
    }
    return sealed
}

// Node-only fast path for opening a sealed record at ingest: the same strict canonical rules as
// src/core's decodeRecord (driven by its own field tables, so the two cannot drift apart), but
// reading a Buffer in place, hashing with one-shot node:crypto calls, and keeping only the head
// fields the hub stores. src/core works on number[] so that it runs in the DeviceScript VM;
// there the copy into an array, the per-byte checks and building every phase object cost
// ~19 µs a record, most of an ingest batch's CPU (bench/profile.ts).
// It only ever says "valid" or "not a record": the reason for a refusal comes from src/core
// itself (ingest.ts), and test/hub/record-open.test.ts proves both agree on tampered bytes.
import { hash as sha256Once, timingSafeEqual } from "node:crypto"
import {
    CALIBRATION_IDS_MAX, CALIBRATION_ID_MAX_CHARS, FAULTS_MAX, PHASES_MAX, RecordTable, recordFields, type FieldSpec,
} from "../../src/core/records/codec"
import { RECORD_FORMAT_VERSION, RECORD_TAG } from "../../src/core/records/types"
import { INT_MAX_ABS } from "../../src/core/codec/ints"

/** the fields of a record the hub stores in their own columns or checks (the head table has more) */
export interface RecordHead {
    kind: number
    deviceId: string
    seq: number
    prevHash: string
    wallUnixS: number
    operatorId: string
    templateHash: string
    outcome: number
}

export interface OpenedHead {
    head: RecordHead
    /** SHA-256 (hex) of the body: the next record's prevHash */
    hash: string
    macOk: boolean
}

const MAC_BYTES = 32
/** the field rules of codec.ts's tables (its INT, TEXT, HASH) */
const INT = 0
const TEXT = 1
/** the largest zigzag varint allowed (reader.ts U_MAX) */
const U_MAX = 2 * INT_MAX_ABS

/** thrown inside the reader only; openSealed turns it into null */
const NOT_A_RECORD = new Error("not a canonical record")

class BufferReader {
    pos = 0
    constructor(readonly b: Buffer, readonly end: number) {}

    /** reader.ts int(): minimal varint of at most 7 bytes, zigzag, lo..hi */
    int(lo: number, hi: number): number {
        const b = this.b
        let p = this.pos
        if (p >= this.end) throw NOT_A_RECORD
        let x = b[p++]
        let u = x
        if (x >= 128) {
            // the rare long form: u stays exact (at most 49 bits) in a double
            u = x & 127
            let scale = 128
            for (let n = 1; ; n++) {
                if (p >= this.end || n === 7) throw NOT_A_RECORD
                x = b[p++]
                u += (x & 127) * scale
                if (x < 128) {
                    if (x === 0) throw NOT_A_RECORD
                    break
                }
                scale *= 128
            }
            if (u > U_MAX) throw NOT_A_RECORD
        }
        this.pos = p
        // zigzag: in 32-bit integer steps while u fits (nearly every field), else in doubles
        const v = u <= 0x7fffffff ? (u >>> 1) ^ -(u & 1) : u % 2 === 0 ? u / 2 : -(u + 1) / 2
        if (v < lo || v > hi) throw NOT_A_RECORD
        return v
    }

    /** length-prefixed printable ASCII (0x20..0x7e); checked, and read into a string only when kept */
    text(minLen: number, maxLen: number, keep: boolean): string {
        const n = this.int(minLen, maxLen)
        const b = this.b
        const from = this.pos
        const to = from + n
        if (to > this.end) throw NOT_A_RECORD
        for (let i = from; i < to; i++) {
            const c = b[i]
            if (c < 0x20 || c > 0x7e) throw NOT_A_RECORD
        }
        this.pos = to
        return keep ? b.toString("latin1", from, to) : ""
    }

    /** 32 bytes, as hex only when kept */
    hash(keep: boolean): string {
        const from = this.pos
        if (from + 32 > this.end) throw NOT_A_RECORD
        this.pos = from + 32
        return keep ? this.b.toString("hex", from, from + 32) : ""
    }
}

/**
 * A codec.ts field table compiled for the reader: each field's rule and bounds in typed arrays
 * (the tables' [name, rule, lo, hi] tuples mix strings and heap numbers), and the names kept,
 * which are stored into `into`.
 */
type Reader = (r: BufferReader, into: Record<string, number | string>) => void
function compile(specs: FieldSpec[], kept: string[] = []): Reader {
    const n = specs.length
    const rule = Uint8Array.from(specs, s => s[1])
    const lo = Float64Array.from(specs, s => s[2])
    const hi = Float64Array.from(specs, s => s[3])
    const keep = specs.map(s => (kept.includes(s[0]) ? s[0] : null))
    return (r, into) => {
        for (let i = 0; i < n; i++) {
            const name = keep[i]
            const v = rule[i] === INT ? r.int(lo[i], hi[i]) : rule[i] === TEXT ? r.text(lo[i], hi[i], name !== null) : r.hash(name !== null)
            if (name !== null) into[name] = v
        }
    }
}

/** codec.ts's field tables, compiled once; of the head, the fields RecordHead holds (the rest are
 *  checked and skipped, with no string made) */
const HEAD = compile(recordFields(RecordTable.Head), ["kind", "deviceId", "seq", "prevHash", "wallUnixS", "operatorId", "templateHash"])
const FIT = compile(recordFields(RecordTable.Fit))
const PHASE = compile(recordFields(RecordTable.Phases))
const FAULT = compile(recordFields(RecordTable.Faults))
const NONE: Record<string, number | string> = {}

/** decodeRecord's order of fields, keeping the head, for a body at start..r.end; throws NOT_A_RECORD */
function readBody(r: BufferReader, start: number): RecordHead {
    if (r.end < start + 2 || r.b[start] !== RECORD_TAG || r.b[start + 1] !== RECORD_FORMAT_VERSION) throw NOT_A_RECORD
    r.pos = start + 2
    const head: Record<string, number | string> = {}
    HEAD(r, head)
    const nIds = r.int(0, CALIBRATION_IDS_MAX)
    for (let i = 0; i < nIds; i++) r.text(1, CALIBRATION_ID_MAX_CHARS, false)
    if (r.int(0, 1) === 1) FIT(r, NONE)
    const nPh = r.int(0, PHASES_MAX)
    for (let i = 0; i < nPh; i++) PHASE(r, NONE)
    const nF = r.int(0, FAULTS_MAX)
    for (let i = 0; i < nF; i++) FAULT(r, NONE)
    head["outcome"] = r.int(0, 3)
    if (r.pos !== r.end) throw NOT_A_RECORD
    return head as unknown as RecordHead
}

/** SHA-256's block: HMAC pads its key to it (RFC 2104) */
const BLOCK = 64

/**
 * The scratch every opener writes into: the key's ipad block, then the record. One for the
 * process, because open() is synchronous and writes both before it reads either (a 2 KB
 * zero-filled buffer per batch cost more than opening a record); it only grows.
 */
let scratch = Buffer.alloc(BLOCK + 2048)

/**
 * Opens sealed records under one device key. Each record's bytes are written into the scratch
 * right after the key ⊕ ipad block, so HMAC's inner hash, the body hash and the decode all read
 * them in place: HMAC-SHA256 as RFC 2104's two one-shot hashes, with no Hmac object, no key
 * import and no copy per record (a third of the per-record CPU of checkBatch before).
 * Synchronous: nothing of one open() is read by the next.
 */
export class SealedOpener {
    private readonly ipad = Buffer.allocUnsafe(BLOCK)
    private readonly outer = Buffer.allocUnsafe(BLOCK + 32)
    private readonly mac = Buffer.allocUnsafe(MAC_BYTES)

    constructor(macKey: Buffer) {
        const k = macKey.length > BLOCK ? sha256Once("sha256", macKey, "buffer") : macKey
        for (let i = 0; i < BLOCK; i++) {
            const b = i < k.length ? k[i] : 0
            this.ipad[i] = b ^ 0x36
            this.outer[i] = b ^ 0x5c
        }
    }

    /** the scratch, with room for a record of `bytes` and this key's ipad block in front */
    private scratchFor(bytes: number): Buffer {
        if (BLOCK + bytes > scratch.length) scratch = Buffer.alloc(BLOCK + bytes)
        this.ipad.copy(scratch, 0)
        return scratch
    }

    /**
     * A record given as hex: "not_hex" unless it is lowercase hex of even length, null when the
     * bytes are not a record.
     */
    openHex(hex: string): OpenedHead | null | "not_hex" {
        const s = this.scratchFor(hex.length >> 1)
        const n = s.write(hex, BLOCK, "hex")
        // write stops at the first pair that is not hex and takes upper case: exact only for
        // lowercase hex of even length (toLowerCase returns an all-lowercase string unchanged)
        if (n * 2 !== hex.length || hex.toLowerCase() !== hex) return "not_hex"
        return this.open(s, n)
    }

    openBytes(sealed: Buffer): OpenedHead | null {
        const s = this.scratchFor(sealed.length)
        sealed.copy(s, BLOCK)
        return this.open(s, sealed.length)
    }

    private open(s: Buffer, n: number): OpenedHead | null {
        if (n < 34) return null
        const bodyEnd = BLOCK + n - MAC_BYTES
        let head: RecordHead
        try {
            head = readBody(new BufferReader(s, bodyEnd), BLOCK)
        } catch (e) {
            if (e === NOT_A_RECORD) return null
            throw e
        }
        // the digests come back as latin1 strings (one char a byte) and are written where they
        // go: node:crypto's hash() makes a Buffer for "buffer" at about twice a string's cost
        this.outer.write(sha256Once("sha256", s.subarray(0, bodyEnd), "binary"), BLOCK, "latin1")
        this.mac.write(sha256Once("sha256", this.outer, "binary"), 0, "latin1")
        return { head, hash: sha256Once("sha256", s.subarray(BLOCK, bodyEnd), "hex"), macOk: timingSafeEqual(this.mac, s.subarray(bodyEnd, BLOCK + n)) }
    }
}

/** A sealed record (body ‖ MAC) checked under the device key; null when the bytes are not one. */
export function openSealed(sealed: Buffer, macKey: Buffer): OpenedHead | null {
    return new SealedOpener(macKey).openBytes(sealed)
}

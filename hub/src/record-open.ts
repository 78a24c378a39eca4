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
/** codec.ts's field tables, parsed once (the device parses one when it needs it; here every record reads them) */
const HEAD = recordFields(RecordTable.Head)
const FIT = recordFields(RecordTable.Fit)
const PHASE = recordFields(RecordTable.Phases)
const FAULT = recordFields(RecordTable.Faults)
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
        let u = 0
        let scale = 1
        for (let n = 0; ; n++) {
            if (this.pos >= this.end || n === 7) throw NOT_A_RECORD
            const x = b[this.pos++]
            u += (x & 127) * scale
            if (x < 128) {
                if (x === 0 && n > 0) throw NOT_A_RECORD
                break
            }
            scale *= 128
        }
        if (u > U_MAX) throw NOT_A_RECORD
        const v = Math.floor(u / 2) * 2 === u ? u / 2 : -(u + 1) / 2
        if (v < lo || v > hi) throw NOT_A_RECORD
        return v
    }

    /** length-prefixed printable ASCII (0x20..0x7e); checked, and read into a string only when kept */
    text(minLen: number, maxLen: number, keep: boolean): string {
        const n = this.int(minLen, maxLen)
        if (this.pos + n > this.end) throw NOT_A_RECORD
        for (let i = this.pos; i < this.pos + n; i++) if (this.b[i] < 0x20 || this.b[i] > 0x7e) throw NOT_A_RECORD
        const s = keep ? this.b.toString("latin1", this.pos, this.pos + n) : ""
        this.pos += n
        return s
    }

    /** 32 bytes, as hex only when kept */
    hash(keep: boolean): string {
        if (this.pos + 32 > this.end) throw NOT_A_RECORD
        const s = keep ? this.b.toString("hex", this.pos, this.pos + 32) : ""
        this.pos += 32
        return s
    }

    /** one codec.ts field table; values are kept only when `into` is given and `keep` names them */
    fields(specs: FieldSpec[], into?: Record<string, number | string>, keep?: boolean[]) {
        for (let i = 0; i < specs.length; i++) {
            const s = specs[i]
            const k = into !== undefined && keep![i]
            const v = s[1] === INT ? this.int(s[2], s[3]) : s[1] === TEXT ? this.text(s[2], s[3], k) : this.hash(k)
            if (k) into![s[0]] = v
        }
    }
}

/** the head fields RecordHead holds (the rest are checked and skipped, with no string made) */
const HEAD_KEPT = HEAD.map(s => ["kind", "deviceId", "seq", "prevHash", "wallUnixS", "operatorId", "templateHash"].includes(s[0]))

/** decodeRecord's order of fields, keeping the head, for a body at start..r.end; throws NOT_A_RECORD */
function readBody(r: BufferReader, start: number): RecordHead {
    if (r.end < start + 2 || r.b[start] !== RECORD_TAG || r.b[start + 1] !== RECORD_FORMAT_VERSION) throw NOT_A_RECORD
    r.pos = start + 2
    const head: Record<string, number | string> = {}
    r.fields(HEAD, head, HEAD_KEPT)
    const nIds = r.int(0, CALIBRATION_IDS_MAX)
    for (let i = 0; i < nIds; i++) r.text(1, CALIBRATION_ID_MAX_CHARS, false)
    if (r.int(0, 1) === 1) r.fields(FIT)
    const nPh = r.int(0, PHASES_MAX)
    for (let i = 0; i < nPh; i++) r.fields(PHASE)
    const nF = r.int(0, FAULTS_MAX)
    for (let i = 0; i < nF; i++) r.fields(FAULT)
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

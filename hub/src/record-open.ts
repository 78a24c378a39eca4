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

/** thrown inside the reader only; open() turns it into null */
const NOT_A_RECORD = new Error("not a canonical record")

/** the head fields RecordHead holds (the rest are checked and skipped, with no string made) */
const KEPT = ["kind", "deviceId", "seq", "prevHash", "wallUnixS", "operatorId", "templateHash"]

// The reader is made once, at load, as straight-line JavaScript written from codec.ts's tables:
// one block per field with its bounds as literals. A loop over the tables that dispatched on
// each field's rule cost ~1.3 µs a record (of ~2.7 µs opened, hashes included), this ~0.6
// (hub/bench/check-batch.ts). Nothing but the tables' own names and numbers goes into the
// source, and both are checked below before they do.

/** reader.ts int(): a minimal varint of at most 7 bytes, zigzag, then lo..hi; leaves it in v */
function intCode(lo: number, hi: number): string {
    return "if (p >= e) throw NR; x = b[p++]; u = x;" +
        " if (x >= 128) { u = x & 127; sc = 128; for (n = 1; ; n++) { if (p >= e || n === 7) throw NR; x = b[p++]; u += (x & 127) * sc; if (x < 128) break; sc *= 128 }" +
        " if (x === 0 || u > " + U_MAX + ") throw NR }" +
        " v = u % 2 === 0 ? u / 2 : -(u + 1) / 2; if (v < " + lo + " || v > " + hi + ") throw NR;\n"
}

/** printable ASCII (0x20..0x7e) of a length v just read; into h[name] when kept */
function textBytesCode(keep: string | null): string {
    return "if (p + v > e) throw NR; for (i = p; i < p + v; i++) if (b[i] < 0x20 || b[i] > 0x7e) throw NR;" +
        (keep ? " h." + keep + " = b.toString(\"latin1\", p, p + v);" : "") + " p += v;\n"
}

function fieldsCode(specs: FieldSpec[], keep: boolean): string {
    let c = ""
    for (const [name, rule, lo, hi] of specs) {
        if (!/^[a-zA-Z]+$/.test(name) || !Number.isSafeInteger(lo) || !Number.isSafeInteger(hi))
            throw new Error("record-open: unexpected field table entry " + JSON.stringify([name, rule, lo, hi]))
        const k = keep && KEPT.includes(name) ? name : null
        if (rule === INT) c += intCode(lo, hi) + (k ? "h." + k + " = v;\n" : "")
        else if (rule === TEXT) c += intCode(lo, hi) + textBytesCode(k)
        else c += "if (p + 32 > e) throw NR;" + (k ? " h." + k + " = b.toString(\"hex\", p, p + 32);" : "") + " p += 32;\n"
    }
    return c
}

/** decodeRecord's order of fields, keeping the head, for a body at start..e of b; throws NR */
const READ_HEAD_SOURCE =
    "let p = start, x = 0, u = 0, sc = 0, n = 0, v = 0, i = 0, c = 0;\n" +
    "if (e < start + 2 || b[start] !== " + RECORD_TAG + " || b[start + 1] !== " + RECORD_FORMAT_VERSION + ") throw NR; p = start + 2;\n" +
    "const h = { kind: 0, deviceId: \"\", seq: 0, prevHash: \"\", wallUnixS: 0, operatorId: \"\", templateHash: \"\", outcome: 0 };\n" +
    fieldsCode(HEAD, true) +
    intCode(0, CALIBRATION_IDS_MAX) + "c = v; for (let k = 0; k < c; k++) {\n" + intCode(1, CALIBRATION_ID_MAX_CHARS) + textBytesCode(null) + "}\n" +
    intCode(0, 1) + "if (v === 1) {\n" + fieldsCode(FIT, false) + "}\n" +
    intCode(0, PHASES_MAX) + "c = v; for (let k = 0; k < c; k++) {\n" + fieldsCode(PHASE, false) + "}\n" +
    intCode(0, FAULTS_MAX) + "c = v; for (let k = 0; k < c; k++) {\n" + fieldsCode(FAULT, false) + "}\n" +
    intCode(0, 3) + "h.outcome = v;\n" +
    "if (p !== e) throw NR;\nreturn h;"

// the source is written above from constant tables only
const readHead = new Function("NR", "b", "start", "e", READ_HEAD_SOURCE).bind(null, NOT_A_RECORD) as (b: Buffer, start: number, e: number) => RecordHead

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
            head = readHead(s, BLOCK, bodyEnd)
        } catch (e) {
            if (e === NOT_A_RECORD) return null
            throw e
        }
        const v = viewsFor(s, n)
        // the digests come back as latin1 strings (one char a byte) and are written where they
        // go: node:crypto's hash() makes a Buffer for "buffer" at about twice a string's cost
        this.outer.write(sha256Once("sha256", v.inner, "binary"), BLOCK, "latin1")
        this.mac.write(sha256Once("sha256", this.outer, "binary"), 0, "latin1")
        return { head, hash: sha256Once("sha256", v.body, "hex"), macOk: timingSafeEqual(this.mac, v.mac) }
    }
}

/** the scratch's views for a record of n bytes: key pad + body (HMAC's inner hash), body, MAC */
interface Views {
    inner: Buffer
    body: Buffer
    mac: Buffer
}
/** by record length, for the current scratch: a device's records come in a few lengths, and
 *  making three Buffer views a record cost ~0.2 µs of its ~2.7 µs opening (check-batch.ts) */
let views = new Map<number, Views>()
let viewsOf: Buffer = scratch
const VIEW_LENGTHS_MAX = 512

function viewsFor(s: Buffer, n: number): Views {
    if (s !== viewsOf || views.size >= VIEW_LENGTHS_MAX) {
        views = new Map()
        viewsOf = s
    }
    let v = views.get(n)
    if (!v) {
        const bodyEnd = BLOCK + n - MAC_BYTES
        v = { inner: s.subarray(0, bodyEnd), body: s.subarray(BLOCK, bodyEnd), mac: s.subarray(bodyEnd, BLOCK + n) }
        views.set(n, v)
    }
    return v
}

/** A sealed record (body ‖ MAC) checked under the device key; null when the bytes are not one. */
export function openSealed(sealed: Buffer, macKey: Buffer): OpenedHead | null {
    return new SealedOpener(macKey).openBytes(sealed)
}

/** openers by device key (hex): a batch of one record spent a quarter of its check making one */
const openers = new Map<string, SealedOpener>()
const OPENERS_MAX = 4096

/** The opener for a device key given as hex, made once and kept (at most OPENERS_MAX at a time). */
export function openerFor(keyHex: string): SealedOpener {
    let o = openers.get(keyHex)
    if (!o) {
        if (openers.size >= OPENERS_MAX) openers.clear()
        o = new SealedOpener(Buffer.from(keyHex, "hex"))
        openers.set(keyHex, o)
    }
    return o
}

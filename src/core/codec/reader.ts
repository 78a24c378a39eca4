// Strict reader for the canonical encoding (rules in writer.ts). It accepts exactly the bytes
// the writer produces and nothing else: a non-minimal varint, a value out of range, a
// non-printable character or bytes left over are errors. So decode(bytes) followed by encode
// gives the same bytes back, and a hash or MAC over the bytes covers exactly what is shown.

import { ValidationError } from "./errors"
import { INT_MAX_ABS, join } from "./ints"
import { toHex } from "../crypto"

const HEX = "0123456789abcdef"

/** zigzag of INT_MAX_ABS: the largest unsigned varint value allowed */
const U_MAX = 2 * INT_MAX_ABS

export class ByteReader {
    pos = 0

    constructor(readonly bytes: number[] | Buffer, readonly what: string) {}

    /** one byte; errors name join(field, sub) (joined only then: see writer.ts) */
    byte(field: string, sub?: string): number {
        if (this.pos >= this.bytes.length)
            throw new ValidationError("truncated", named(field, sub), this.what + " ends early at byte " + this.pos)
        const b = this.bytes[this.pos++]
        // not a number 0..255 (an untrusted number[]): NaN, a string or a fraction fails one of these
        if (!(b >= 0 && b <= 255) || (b | 0) !== b) throw new ValidationError("bad_byte", named(field, sub), "byte " + (this.pos - 1) + " is not 0..255")
        return b
    }

    /** the type tag and format version every canonical object starts with */
    header(tag: number, version: number) {
        const t = this.byte("tag")
        if (t !== tag)
            throw new ValidationError("bad_tag", "tag", this.what + " must start with 0x" + toHex([tag]) + ", got 0x" + toHex([t]))
        const v = this.byte("formatVersion")
        if (v !== version) throw new ValidationError("bad_tag", "formatVersion", this.what + " format " + v + " is not supported")
    }

    /** an integer in lo..hi; errors name join(field, sub) (joined only then: see writer.ts) */
    int(field: string, lo: number, hi: number, sub?: string): number {
        const start = this.pos
        let u = 0
        let scale = 1
        for (let n = 0; ; n++) {
            const b = this.byte(field, sub)
            if (n === 7) throw new ValidationError("bad_varint", named(field, sub), "varint at byte " + start + " is too long")
            u += (b & 127) * scale
            if (b < 128) {
                if (b === 0 && n > 0) throw new ValidationError("bad_varint", named(field, sub), "varint at byte " + start + " is not minimal")
                break
            }
            scale *= 128
        }
        if (u > U_MAX) throw new ValidationError("format_range", named(field, sub), "value at byte " + start + " is too large")
        // parity without % (int32 in the VM, see writer.ts)
        const v = Math.floor(u / 2) * 2 === u ? u / 2 : -(u + 1) / 2
        if (v < lo || v > hi) throw new ValidationError("format_range", named(field, sub), v + " is outside " + lo + ".." + hi)
        return v
    }

    text(field: string, minLen: number, maxLen: number, sub?: string): string {
        const n = this.int(field, minLen, maxLen, sub)
        if (this.pos + n > this.bytes.length) throw new ValidationError("truncated", named(field, sub), this.what + " ends early")
        let s = ""
        for (let i = 0; i < n; i++) {
            const c = this.bytes[this.pos++]
            if (!(c >= 0x20 && c <= 0x7e)) throw new ValidationError("bad_string", named(field, sub), "character " + i + " is not printable ASCII")
            s += String.fromCharCode(c) // not fromCharCode(...all): the VM refuses large spreads
        }
        return s
    }

    /** 32 bytes as 64 lowercase hex digits */
    hash(field: string): string {
        if (this.pos + 32 > this.bytes.length)
            throw new ValidationError("truncated", field, this.what + " ends early at byte " + this.bytes.length)
        let s = ""
        for (let i = 0; i < 32; i++) {
            const b = this.byte(field)
            s += HEX[b >> 4] + HEX[b & 15]
        }
        return s
    }

    end() {
        if (this.pos !== this.bytes.length)
            throw new ValidationError("trailing", "(end)", this.what + " has " + (this.bytes.length - this.pos) + " bytes after its last field")
    }
}

/** the name an error gives: join(field, sub), joined only then (see writer.ts) */
function named(field: string, sub?: string): string {
    return sub ? join(field, sub) : field
}

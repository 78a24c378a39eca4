// Canonical byte writer (docs/records.md, "Encoding"). Every value goes through one of four
// rules, so an independent verifier needs only these:
//   int    zigzag (n >= 0 -> 2n, n < 0 -> -2n - 1), then unsigned LEB128, minimal length
//   text   int length, then that many printable-ASCII bytes
//   hash   32 raw bytes (a SHA-256 or HMAC given as 64 hex digits)
//   list   int count, then the elements
// Arithmetic, not bit operations or %: values reach 2^49 after zigzag, beyond 32 bits, and the VM
// evaluates both | and % on int32. Field names are joined only to report an error: the VM
// spends most of an encode on string building otherwise (a fiber has ~128K opcodes per yield).

import { checkInt, checkText, checkHash, join, INT_MAX_ABS } from "./ints"

const HEX = "0123456789abcdef"

export class ByteWriter {
    readonly bytes: number[] = []
    /**
     * When set, bytes go into this Buffer (grown by doubling) instead of `bytes`, `n` of them:
     * an array slot costs the VM 8 bytes and a ~330-byte record's array grew by copies into
     * blocks of ~3 KB, which the device's 64 KB heap could not always find at the end of a
     * cycle. The device's record seal (sealRecordText) writes this way.
     */
    buf: Buffer | null = null
    n = 0

    byte(b: number) {
        let buf = this.buf
        if (!buf) {
            this.bytes.push(b)
            return
        }
        if (this.n === buf.length) {
            const grown = Buffer.alloc(buf.length * 2)
            grown.set(buf, 0)
            this.buf = buf = grown
        }
        buf[this.n++] = b
    }

    /** an integer in lo..hi; the error names join(field, sub), or field alone when sub is "" (as the reader) */
    intIn(v: number, lo: number, hi: number, field: string, sub: string) {
        if (!(typeof v === "number" && Math.floor(v) === v && v >= lo && v <= hi)) checkInt(v, lo, hi, sub ? join(field, sub) : field)
        let u = v >= 0 ? 2 * v : -2 * v - 1
        while (u >= 128) {
            // not u % 128: the VM's % converts to int32 first (wrong above 2^31; golden vectors caught it)
            const q = Math.floor(u / 128)
            this.byte(u - q * 128 + 128)
            u = q
        }
        this.byte(u)
    }

    textIn(s: string, minLen: number, maxLen: number, field: string, sub: string) {
        if (typeof s !== "string" || s.length < minLen || s.length > maxLen) checkText(s, minLen, maxLen, sub ? join(field, sub) : field)
        this.intIn(s.length, 0, maxLen, field, sub)
        for (let i = 0; i < s.length; i++) {
            const c = s.charCodeAt(i)
            if (c < 0x20 || c > 0x7e) checkText(s, minLen, maxLen, sub ? join(field, sub) : field)
            this.byte(c)
        }
    }

    /** 64 lowercase hex digits as 32 raw bytes */
    hash(hex: string, field: string) {
        if (typeof hex !== "string" || hex.length !== 64) checkHash(hex, field)
        for (let i = 0; i < 64; i += 2) {
            const hi = HEX.indexOf(hex[i])
            const lo = HEX.indexOf(hex[i + 1])
            if (hi < 0 || lo < 0) checkHash(hex, field)
            this.byte(hi * 16 + lo)
        }
    }
}

/**
 * Any integer the format allows (|v| <= 2^48 - 1). Free functions, not ByteWriter methods: every
 * method of a class the device constructs costs its image, called or not.
 */
export function writeInt(w: ByteWriter, v: number, field: string) {
    w.intIn(v, -INT_MAX_ABS, INT_MAX_ABS, field, "")
}

/**
 * A text of at most maxLen characters (a free function, not a ByteWriter method: only the
 * hub's encoders use it, and a method of a class the device uses costs its image anyway).
 */
export function writeText(w: ByteWriter, s: string, maxLen: number, field: string) {
    w.textIn(s, 0, maxLen, field, "")
}

// Base64 (RFC 4648 section 4, with padding) for storing canonical bytes in the settings store:
// its alphabet needs no JSON escaping, and it costs 4/3 of the bytes where hex costs 2.

import { ValidationError } from "./errors"

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

export function toBase64(bytes: number[] | Buffer): string {
    // one string grown a quad at a time: an array of one-character strings joined at the end
    // held ~10 KB for a sealed record, and the VM (64 KB heap) ran out there
    let out = ""
    for (let i = 0; i < bytes.length; i += 3) {
        const n = bytes.length - i
        const b0 = bytes[i]
        const b1 = n > 1 ? bytes[i + 1] : 0
        const b2 = n > 2 ? bytes[i + 2] : 0
        out += ALPHABET[b0 >> 2] + ALPHABET[((b0 & 3) << 4) | (b1 >> 4)] +
            (n > 1 ? ALPHABET[((b1 & 15) << 2) | (b2 >> 6)] : "=") + (n > 2 ? ALPHABET[b2 & 63] : "=")
    }
    return out
}

/** Strict: length a multiple of 4, only alphabet characters, padding only at the end, zero pad bits. */
export function fromBase64(s: string, field: string): number[] {
    return decode(s, field, false) as number[]
}

/**
 * fromBase64 into a Buffer: one byte each, where a number[] costs the VM an 8-byte slot per
 * byte (a template read back as an array took ~5 KB of the device's 64 KB heap). Same checks.
 */
export function base64Buffer(s: string, field: string): Buffer {
    return decode(s, field, true) as Buffer
}

function decode(s: string, field: string, asBuffer: boolean): number[] | Buffer {
    if (typeof s !== "string" || s.length % 4 !== 0) throw new ValidationError("bad_base64", field, "length is not a multiple of 4")
    const pad = s.length > 0 && s[s.length - 1] === "=" ? (s[s.length - 2] === "=" ? 2 : 1) : 0
    const out: any = asBuffer ? Buffer.alloc((s.length / 4) * 3 - pad) : []
    let n = 0
    for (let i = 0; i < s.length; i += 4) {
        const last = i + 4 === s.length
        const c0 = ALPHABET.indexOf(s[i])
        const c1 = ALPHABET.indexOf(s[i + 1])
        const p2 = last && s[i + 2] === "=" && s[i + 3] === "="
        const p3 = last && s[i + 3] === "="
        const c2 = p2 ? 0 : ALPHABET.indexOf(s[i + 2])
        const c3 = p3 ? 0 : ALPHABET.indexOf(s[i + 3])
        if (c0 < 0 || c1 < 0 || c2 < 0 || c3 < 0) throw new ValidationError("bad_base64", field, "bad character near " + i)
        if ((p2 && (c1 & 15) !== 0) || (p3 && !p2 && (c2 & 3) !== 0))
            throw new ValidationError("bad_base64", field, "non-zero padding bits")
        out[n++] = (c0 << 2) | (c1 >> 4)
        if (!p2) out[n++] = ((c1 & 15) << 4) | (c2 >> 2)
        if (!p3) out[n++] = ((c2 & 3) << 6) | c3
    }
    return out
}

/** base64 (as toBase64 writes it) to lowercase hex, with no byte array in between (the device's upload). */
export function base64Hex(s: string): string {
    const HEX = "0123456789abcdef"
    let out = ""
    for (let i = 0; i + 3 < s.length; i += 4) {
        const n = ALPHABET.indexOf(s[i]) * 262144 + ALPHABET.indexOf(s[i + 1]) * 4096 +
            (s[i + 2] === "=" ? 0 : ALPHABET.indexOf(s[i + 2]) * 64) + (s[i + 3] === "=" ? 0 : ALPHABET.indexOf(s[i + 3]))
        const bytes = s[i + 2] === "=" ? 1 : s[i + 3] === "=" ? 2 : 3
        for (let k = 0; k < bytes; k++) {
            const b = Math.floor(n / (k === 0 ? 65536 : k === 1 ? 256 : 1)) & 255
            out += HEX[b >> 4] + HEX[b & 15]
        }
    }
    return out
}

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
    return base64Buffer(s, field, true) as any as number[]
}

/**
 * fromBase64 into a Buffer: one byte each, where a number[] costs the VM an 8-byte slot per
 * byte (a template read back as an array took ~5 KB of the device's 64 KB heap). Same checks.
 * (asArray: a number[] instead, for fromBase64; one function, not a wrapper pair: each function
 * costs the device image a descriptor.)
 */
export function base64Buffer(s: string, field: string, asArray?: boolean): Buffer {
    if (typeof s !== "string" || s.length % 4 !== 0) throw new ValidationError("bad_base64", field, "length is not a multiple of 4")
    // "=" is not in ALPHABET: padding anywhere but in the last two places is a bad character
    const pad = s.length > 0 && s[s.length - 1] === "=" ? (s[s.length - 2] === "=" ? 2 : 1) : 0
    const out: any = asArray ? [] : Buffer.alloc((s.length / 4) * 3 - pad)
    let n = 0
    // six bits a character into acc; a byte out whenever 8 are there (acc stays below 2^14)
    let acc = 0
    let bits = 0
    for (let i = 0; i < s.length - pad; i++) {
        const c = ALPHABET.indexOf(s[i])
        if (c < 0) throw new ValidationError("bad_base64", field, "bad character near " + (i - (i & 3)))
        acc = ((acc & 255) << 6) | c
        bits += 6
        if (bits >= 8) {
            bits -= 8
            out[n++] = (acc >> bits) & 255
        }
    }
    // the bits left over (4 after "==", 2 after "=") are padding and must be zero
    if ((acc & ((1 << bits) - 1)) !== 0) throw new ValidationError("bad_base64", field, "non-zero padding bits")
    return out
}

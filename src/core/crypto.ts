// Crypto is injected into core: @devicescript/crypto on the device (src/hw/crypto-ds.ts),
// node:crypto in Node (src/node/crypto-node.ts). Bytes travel as number[] (0..255) so core
// code is identical in the VM and in Node; digests and MACs come back as lowercase hex.

export interface Crypto {
    /** SHA-256 of the bytes, 64 lowercase hex characters */
    sha256Hex(data: number[] | Buffer): string
    /** HMAC-SHA256 of the bytes under a key given as hex, 64 lowercase hex characters */
    hmacSha256Hex(keyHex: string, data: number[] | Buffer): string
}

const HEX = "0123456789abcdef"

export function toHex(bytes: number[] | Buffer): string {
    let s = ""
    for (let i = 0; i < bytes.length; i++) s += HEX[(bytes[i] >> 4) & 15] + HEX[bytes[i] & 15]
    return s
}

/**
 * bytes[from..to) as a copy of the same kind. For a Buffer the call is made on a value typed
 * Buffer: the DeviceScript compiler includes a library method (Buffer's slice) only where it
 * can see it used, and on a `number[] | Buffer` it compiled Array's (seen: "undefined called").
 */
export function sliceBytes(b: number[] | Buffer, from: number, to: number): number[] | Buffer {
    if (b instanceof Buffer) return (b as Buffer).slice(from, to)
    return (b as number[]).slice(from, to)
}

/**
 * fromHex into a Buffer: one byte each, where a number[] costs the VM an 8-byte slot per byte
 * (a bundle as an array took ~8 KB of the device's 64 KB heap). Same checks as fromHex.
 */
export function hexBuffer(hex: string): Buffer {
    if (hex.length % 2 !== 0) throw new RangeError("hex string has odd length")
    const out = Buffer.alloc(hex.length / 2)
    const lower = hex.toLowerCase()
    for (let i = 0; i < lower.length; i += 2) {
        const hi = HEX.indexOf(lower[i])
        const lo = HEX.indexOf(lower[i + 1])
        if (hi < 0 || lo < 0) throw new RangeError("not a hex digit at " + i)
        out[i / 2] = hi * 16 + lo
    }
    return out
}

/** Parses lowercase or uppercase hex; throws RangeError on odd length or a non-hex digit. */
export function fromHex(hex: string): number[] {
    if (hex.length % 2 !== 0) throw new RangeError("hex string has odd length")
    const out: number[] = []
    const lower = hex.toLowerCase()
    for (let i = 0; i < lower.length; i += 2) {
        const hi = HEX.indexOf(lower[i])
        const lo = HEX.indexOf(lower[i + 1])
        if (hi < 0 || lo < 0) throw new RangeError("not a hex digit at " + i)
        out.push(hi * 16 + lo)
    }
    return out
}

/** Bytes of an ASCII string (callers validate that strings are printable ASCII). */
export function asciiBytes(s: string): Buffer {
    // a Buffer, not a number[]: a blob's checksum covers up to ~2 KB of text, 16 KB as an array in the VM
    const out = Buffer.alloc(s.length)
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff
    return out
}

/** Constant-time comparison of two hex strings of equal length (MAC checks). */
export function hexEqual(a: string, b: string): boolean {
    if (a.length !== b.length) return false
    let diff = 0
    for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
    return diff === 0
}

// What the controller checks before it acts on anything the link brings (docs/link-service.md).
// The link is untrusted: it can delay or drop, never forge. The clock is taken only as the
// hub's MAC'd answer to the controller's own fresh nonce, once, within CLOCK_WINDOW_MS of the
// challenge; an install is assembled in order, bounded, and verified whole before anything is
// stored (the glue: BundleStore.install, the template's hash against the installed bundle); a
// record is released only against the hub's MAC over the controller's own record's hash
// (signing.ts checkAck); an abort and a session offer carry the hub's MAC (signing.ts).
// Pure: runs in the VM and in Node with the same vectors.

import { Crypto, toHex, hexEqual } from "../crypto"
import { timeMac } from "../sync/signing"

/** results in every report that has one (services/smilelink.md) */
export enum LinkResult {
    Ok = 0,
    /** out of order, malformed, or nothing to act on */
    Malformed = 1,
    /** a MAC or a hash did not verify: nothing changed */
    Refused = 2,
    /** a cycle or a scan runs: try later */
    Busy = 3,
    TooLarge = 4,
}

/** a clock challenge is answered within this (a link that holds an answer longer moves the clock by at most this) */
export const CLOCK_WINDOW_MS = 20000
/** bytes in one install chunk or record chunk at most (a Jacdac packet carries 236) */
export const CHUNK_MAX = 200
/** an install's bytes at most: a sealed bundle or a template's canonical bytes */
export const INSTALL_MAX = 4096

export enum InstallKind {
    Bundle = 1,
    Template = 2,
}

/** The controller's clock challenge: one nonce at a time, answered once. */
export class ClockGate {
    nonceHex = ""
    private atMs = 0

    /** a fresh challenge (nonce: 16 random bytes) at uptime nowMs */
    challenge(nonce: Buffer, nowMs: number) {
        this.nonceHex = toHex(nonce)
        this.atMs = nowMs
    }

    /**
     * The hub's time for the current challenge, or 0: no challenge, too late, or a MAC that is
     * not the hub's under this key over this nonce and time. The challenge is spent either way.
     */
    accept(c: Crypto, keyHex: string, nowMs: number, unixS: number, mac: Buffer): number {
        const nonce = this.nonceHex
        this.nonceHex = ""
        if (!nonce || nowMs - this.atMs > CLOCK_WINDOW_MS || !(unixS > 0) || mac.length !== 32) return 0
        return hexEqual(timeMac(c, keyHex, nonce, unixS), toHex(mac)) ? unixS : 0
    }
}

/** One install in progress: bytes taken in order into room for the announced length. */
export class Assembly {
    kind = 0
    next = 0
    /** the announced length (0: no install in progress) */
    length = 0
    /**
     * The bytes' room, kept from one install to the next and grown only for a longer one: a link
     * that begins over and over allocates nothing (each allocation of a few KB can fail on the
     * controller's fragmented heap).
     */
    private room: Buffer | null = null

    begin(kind: number, length: number): LinkResult {
        this.kind = 0
        this.length = 0
        this.next = 0
        if (kind !== InstallKind.Bundle && kind !== InstallKind.Template) return LinkResult.Malformed
        if (!(length > 0)) return LinkResult.Malformed
        if (length > INSTALL_MAX) return LinkResult.TooLarge
        if (!this.room || this.room.length < length) this.room = Buffer.alloc(length)
        this.kind = kind
        this.length = length
        return LinkResult.Ok
    }

    /** data at offset: stored when it is the next one, a repeat is answered Ok and not stored again */
    chunk(offset: number, data: Buffer): LinkResult {
        if (!this.length || !this.room || data.length === 0 || data.length > CHUNK_MAX) return LinkResult.Malformed
        if (offset + data.length <= this.next && offset >= 0) return LinkResult.Ok // a repeat of one taken
        if (offset !== this.next || offset + data.length > this.length) return LinkResult.Malformed
        this.room.set(data, offset)
        this.next = offset + data.length
        return LinkResult.Ok
    }

    /** the assembled bytes (a copy) when all arrived (the install then ends), else null */
    take(): Buffer | null {
        const done = this.length > 0 && this.next === this.length && !!this.room
        const out = done ? Buffer.alloc(this.length) : null
        if (out && this.room) for (let i = 0; i < this.length; i++) out[i] = this.room[i]
        this.kind = 0
        this.length = 0
        this.next = 0
        return out
    }
}

/** bytes of one live sample (services/smilelink.md telemetry): u32 ms, u8 phase, i16 film, i16 contact, i32 force */
export const SAMPLE_BYTES = 13

export function putSample(b: Buffer, i: number, atMs: number, phase: number, filmDeciC: number, contactDeciC: number, forceMilliN: number) {
    const o = i * SAMPLE_BYTES
    putLe(b, o, atMs, 4)
    putLe(b, o + 4, phase, 1)
    putLe(b, o + 5, filmDeciC, 2)
    putLe(b, o + 7, contactDeciC, 2)
    putLe(b, o + 9, forceMilliN, 4)
}

/** the samples as [ms, phase, film, contact, force] rows, comma-separated (the hub's telemetry body) */
export function samplesJson(b: Buffer): string {
    let s = ""
    for (let o = 0; o + SAMPLE_BYTES <= b.length; o += SAMPLE_BYTES)
        s += (o ? ",[" : "[") + getLe(b, o, 4, false) + "," + b[o + 4] + "," + getLe(b, o + 5, 2, true) + "," +
            getLe(b, o + 7, 2, true) + "," + getLe(b, o + 9, 4, true) + "]"
    return s
}

// little-endian by arithmetic, the same in the VM (whose | and % are int32) and in Node
function putLe(b: Buffer, o: number, v: number, n: number) {
    let u = v < 0 ? v + Math.pow(256, n) : v
    for (let i = 0; i < n; i++) {
        const r = u - Math.floor(u / 256) * 256
        b[o + i] = r
        u = (u - r) / 256
    }
}

function getLe(b: Buffer, o: number, n: number, signed: boolean): number {
    let u = 0
    for (let i = n - 1; i >= 0; i--) u = u * 256 + b[o + i]
    const half = Math.pow(256, n) / 2
    return signed && u >= half ? u - half * 2 : u
}

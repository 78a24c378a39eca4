// Atomic, checksummed blobs over the Kv store, for values larger than one settings entry.
// Layout under a prefix P (at most 10 characters):
//   P + "h"          header: {"v":1,"slot":0|1,"n":chunks,"len":chars,"sum":sha256 hex,"gen":k}
//   P + "a" + i      chunks of slot 0 (i = 0, 1, ...)
//   P + "b" + i      chunks of slot 1
// A save writes the new value into the slot the header does NOT name, then writes the header
// last: the header write is the commit point. A power cut before it leaves the old value; after
// it, the new one. A load checks the length and SHA-256 against the header, so a torn or edited
// chunk is reported as corrupt and never used.

import { Kv, KV_MAX_ENTRY_BYTES } from "./kv"
import { Crypto, asciiBytes } from "../crypto"

export const BLOB_FORMAT = 1

export enum BlobStatus {
    Ok = 0,
    Missing = 1,
    Corrupt = 2,
    /** written by a newer or unknown format */
    Format = 3,
}

export interface BlobLoad {
    status: BlobStatus
    value: string | null
    /** generation: counts saves, so callers can see which copy they have */
    gen: number
}

interface Header {
    v: number
    slot: number
    n: number
    len: number
    sum: string
    gen: number
}

function chunkKey(prefix: string, slot: number, i: number): string {
    return prefix + (slot === 0 ? "a" : "b") + i
}

export class BlobStore {
    constructor(readonly kv: Kv, readonly crypto: Crypto, readonly prefix: string) {
        if (prefix.length < 1 || prefix.length > 10) throw new RangeError("blob prefix must be 1..10 characters")
    }

    private async header(): Promise<Header | null> {
        const raw = await this.kv.read(this.prefix + "h")
        if (raw === null) return null
        try {
            return JSON.parse(raw) as Header
        } catch (e) {
            return { v: -1, slot: 0, n: 0, len: 0, sum: "", gen: 0 }
        }
    }

    /** Writes value atomically (old or new survives a power cut at any point). */
    async save(value: string): Promise<void> {
        for (let i = 0; i < value.length; i++)
            if (value.charCodeAt(i) > 126) throw new RangeError("blob values must be ASCII (char " + i + ")")
        const h = await this.header()
        const slot = h && h.v === BLOB_FORMAT && h.slot === 0 ? 1 : 0
        const gen = h && h.v === BLOB_FORMAT ? h.gen + 1 : 1
        let n = 0
        let pos = 0
        while (pos < value.length) {
            const key = chunkKey(this.prefix, slot, n)
            // how many characters from pos fit one entry under key (JSON quotes and escapes counted)
            const room = KV_MAX_ENTRY_BYTES - key.length
            let take = value.length - pos
            if (take > room - 2) take = room - 2
            let len = JSON.stringify(value.slice(pos, pos + take)).length
            while (len > room) {
                // a character costs 1 or 2 bytes: dropping half the overshoot never drops too many
                take -= Math.ceil((len - room) / 2)
                len = JSON.stringify(value.slice(pos, pos + take)).length
            }
            await this.kv.write(key, value.slice(pos, pos + take))
            pos += take
            n++
        }
        const hdr: Header = { v: BLOB_FORMAT, slot: slot, n: n, len: value.length, sum: this.crypto.sha256Hex(asciiBytes(value)), gen: gen }
        await this.kv.write(this.prefix + "h", JSON.stringify(hdr))
    }

    async load(): Promise<BlobLoad> {
        const h = await this.header()
        if (!h) return { status: BlobStatus.Missing, value: null, gen: 0 }
        if (h.v !== BLOB_FORMAT) return { status: BlobStatus.Format, value: null, gen: 0 }
        let value = ""
        for (let i = 0; i < h.n; i++) {
            const part = await this.kv.read(chunkKey(this.prefix, h.slot, i))
            if (part === null) return { status: BlobStatus.Corrupt, value: null, gen: h.gen }
            value += part
        }
        if (value.length !== h.len || this.crypto.sha256Hex(asciiBytes(value)) !== h.sum)
            return { status: BlobStatus.Corrupt, value: null, gen: h.gen }
        return { status: BlobStatus.Ok, value: value, gen: h.gen }
    }
}

/**
 * Removes a blob, header first (a cut leaves it missing, never half there). For Node tools and
 * tests: a free function, so the firmware image, which never clears a blob, does not carry it.
 */
export async function clearBlob(kv: Kv, prefix: string): Promise<void> {
    const raw = await kv.read(prefix + "h")
    await kv.remove(prefix + "h")
    let n = 0
    try {
        n = raw ? (JSON.parse(raw) as Header).n : 0
    } catch (e) {
        n = 0
    }
    for (let s = 0; s < 2; s++) for (let i = 0; i < n; i++) await kv.remove(chunkKey(prefix, s, i))
}

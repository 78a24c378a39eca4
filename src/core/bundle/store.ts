// The installed approval bundle in the settings store: the sealed bytes (base64) in an atomic
// BlobStore under "bndl", and a separate high-water mark "bndlVer" of the newest version ever
// installed, so a restored older copy of the blob is refused too. Install order: the mark first,
// then the blob. A cut between leaves the old bundle under the new mark: load() refuses it (fail
// closed: no template runs) until the same install is repeated, which install() then accepts.
// (Blob first, as before, left a window where the mark lagged the blob, and a restored copy of
// the older bundle was accepted: a rollback.) A mark that is present but unreadable is refused
// too, by load() and install(): it is never taken for "never installed".
// load() re-checks the MAC: flash contents are not trusted either.

import { Crypto } from "../crypto"
import { Kv } from "../store/kv"
import { BlobStore, BlobStatus } from "../store/blob"
import { ValidationError } from "../codec/errors"
import { toBase64, base64Buffer } from "../codec/base64"
import { Bundle } from "./types"
import { openBundle } from "./codec"
import { checkInstall } from "./decide"

const KEY_HIGH_WATER = "bndlVer"

export class BundleStore {
    private readonly blob: BlobStore

    constructor(readonly kv: Kv, readonly crypto: Crypto, readonly deviceId: string, readonly keyHex: string) {
        this.blob = new BlobStore(kv, crypto, "bndl")
    }

    /** The installed bundle, or null when none; throws ValidationError when it can't be trusted. */
    async load(): Promise<Bundle | null> {
        const r = await this.blob.load()
        if (r.status === BlobStatus.Missing) return null
        if (r.status !== BlobStatus.Ok) throw new ValidationError("store_corrupt", "(bundle)", "stored bundle is unreadable: sync again")
        const b = openBundle(base64Buffer(r.value as string, "(bundle)"), this.keyHex, this.crypto)
        if (b.deviceId !== this.deviceId) throw new ValidationError("wrong_device", "deviceId", "stored bundle is for " + b.deviceId)
        if (b.bundleVersion < (await highWater(this.kv)))
            throw new ValidationError("rollback", "bundleVersion", "stored bundle is older than one installed before")
        return b
    }

    /** Verifies and installs a sealed bundle; returns it. Throws ValidationError, changing nothing. */
    async install(sealed: number[] | Buffer, nowUnixS: number): Promise<Bundle> {
        const b = openBundle(sealed, this.keyHex, this.crypto)
        const mark = await highWater(this.kv)
        let cur = 0
        const r = await this.blob.load()
        if (r.status === BlobStatus.Ok) {
            try {
                cur = openBundle(base64Buffer(r.value as string, "(bundle)"), this.keyHex, this.crypto).bundleVersion
            } catch (e) {
                if (!(e instanceof ValidationError)) throw e
            }
        }
        // a blob older than the mark is an install cut between its two writes: that version may be
        // installed again (a blob newer than the mark is one written by the older blob-first order)
        checkInstall(b, this.deviceId, cur >= mark ? cur : mark - 1, nowUnixS)
        await this.kv.write(KEY_HIGH_WATER, "" + b.bundleVersion)
        await this.blob.save(toBase64(sealed))
        return b
    }
}

/** The newest version ever installed (0 = never); throws store_corrupt when the mark is there but unreadable. */
async function highWater(kv: Kv): Promise<number> {
    const raw = await kv.read(KEY_HIGH_WATER)
    if (raw === null) return 0
    let v: any = -1
    try {
        v = JSON.parse(raw)
    } catch (e) {
        v = -1
    }
    if (typeof v !== "number" || !(v >= 1) || Math.round(v) !== v)
        throw new ValidationError("store_corrupt", KEY_HIGH_WATER, "the bundle high-water mark is unreadable: no bundle is trusted until a technician restores the device's settings")
    return v
}

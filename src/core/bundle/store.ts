// The installed approval bundle in the settings store: the sealed bytes (base64) in an atomic
// BlobStore under "bndl", and a separate high-water mark "bndlVer" of the newest version ever
// installed, so a restored older copy of the blob is refused too. Install order: blob first,
// then the mark (a cut between leaves the new bundle with an older mark, which load() accepts).
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
        let installed = await highWater(this.kv)
        const r = await this.blob.load()
        if (r.status === BlobStatus.Ok) {
            // the blob can be newer than the mark (a cut between the two writes)
            try {
                const cur = openBundle(base64Buffer(r.value as string, "(bundle)"), this.keyHex, this.crypto)
                if (cur.bundleVersion > installed) installed = cur.bundleVersion
            } catch (e) {
                if (!(e instanceof ValidationError)) throw e
            }
        }
        checkInstall(b, this.deviceId, installed, nowUnixS)
        await this.blob.save(toBase64(sealed))
        await this.kv.write(KEY_HIGH_WATER, "" + b.bundleVersion)
        return b
    }
}

/** the newest version ever installed (0 = never) */
async function highWater(kv: Kv): Promise<number> {
    const raw = await kv.read(KEY_HIGH_WATER)
    let v: any = 0
    try {
        v = raw === null ? 0 : JSON.parse(raw)
    } catch (e) {
        v = 0
    }
    return typeof v === "number" && v > 0 ? v : 0
}

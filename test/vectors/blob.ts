// BlobStore behaviour, shared by vitest and the VM: round trip, corruption detected, and a
// power cut at every single write leaving exactly the old or the new value.
import { Crypto } from "../../src/core/crypto"
import { MemoryKv } from "../../src/core/store/kv"
import { BlobStore, BlobStatus } from "../../src/core/store/blob"

function text(n: number, seed: number): string {
    let s = ""
    for (let i = 0; i < n; i++) s += String.fromCharCode(32 + ((i * 7 + seed) % 94)) // printable ASCII, includes " and \
    return s
}

/** pause: awaited between steps in the VM (ds.sleep(0)): a fiber is killed after ~128K opcodes without yielding */
export interface BlobCheck { name: string; run: (c: Crypto, pause: () => Promise<void>) => Promise<string> }

export const BLOB_CHECKS: BlobCheck[] = [
    {
        name: "round trip of a 900-character value across chunks",
        run: async c => {
            const kv = new MemoryKv()
            const b = new BlobStore(kv, c, "cal")
            const v = text(900, 3)
            await b.save(v)
            const r = await b.load()
            return r.status === BlobStatus.Ok && r.value === v && r.gen === 1 ? "ok" : "status " + r.status
        },
    },
    {
        name: "a missing blob is reported as missing",
        run: async c => {
            const r = await new BlobStore(new MemoryKv(), c, "cal").load()
            return r.status === BlobStatus.Missing && r.value === null ? "ok" : "status " + r.status
        },
    },
    {
        name: "an edited chunk is reported as corrupt, never returned",
        run: async c => {
            const kv = new MemoryKv()
            const b = new BlobStore(kv, c, "cal")
            await b.save(text(500, 1))
            const first = await kv.read("cala0")
            await kv.write("cala0", "X" + (first as string).slice(1))
            const r = await b.load()
            return r.status === BlobStatus.Corrupt && r.value === null ? "ok" : "status " + r.status
        },
    },
    {
        name: "an unknown header format is refused",
        run: async c => {
            const kv = new MemoryKv()
            await kv.write("calh", "{\"v\":2,\"slot\":0,\"n\":0,\"len\":0,\"sum\":\"\",\"gen\":1}")
            const r = await new BlobStore(kv, c, "cal").load()
            return r.status === BlobStatus.Format ? "ok" : "status " + r.status
        },
    },
    {
        name: "a power cut at every write leaves the old or the new value",
        run: async (c, pause) => {
            const oldV = text(700, 5)
            const newV = text(650, 9)
            for (let cut = 0; cut < 20; cut++) {
                await pause()
                const kv = new MemoryKv()
                const b = new BlobStore(kv, c, "cal")
                await b.save(oldV)
                kv.cutAfter(cut)
                let completed = true
                try {
                    await pause()
                    await b.save(newV)
                } catch (e) {
                    completed = false
                }
                kv.restore()
                const r = await new BlobStore(kv, c, "cal").load()
                if (r.status !== BlobStatus.Ok) return "cut " + cut + ": status " + r.status
                if (completed && r.value !== newV) return "cut " + cut + ": completed save lost"
                if (!completed && r.value !== oldV) return "cut " + cut + ": torn value"
            }
            return "ok"
        },
    },
]

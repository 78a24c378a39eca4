import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { BLOB_CHECKS } from "../vectors/blob"
import { MemoryKv } from "../../src/core/store/kv"
import { BlobStore } from "../../src/core/store/blob"

describe("blob store (shared checks)", () => {
    it.each(BLOB_CHECKS.map(v => [v.name, v] as const))("%s", async (_n, v) => {
        expect(await v.run(nodeCrypto, async () => {})).toBe("ok")
    })
})

describe("blob store", () => {
    it("every entry it writes fits the device's settings limit", async () => {
        const kv = new MemoryKv() // MemoryKv throws on any entry over 200 bytes
        const b = new BlobStore(kv, nodeCrypto, "longprefix")
        const quotes = '"\\'.repeat(400) // worst case: every character escapes to two
        await b.save(quotes)
        expect((await b.load()).value).toBe(quotes)
    })
    it("refuses non-ASCII values", async () => {
        await expect(new BlobStore(new MemoryKv(), nodeCrypto, "p").save("é")).rejects.toThrow(/ASCII/)
    })
})

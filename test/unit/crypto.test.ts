import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { CRYPTO_VECTORS } from "../vectors/crypto"
import { MemoryKv, KvLimitError, PowerCut } from "../../src/core/store/kv"

describe("crypto port (shared vectors)", () => {
    it.each(CRYPTO_VECTORS.map(v => [v.name, v] as const))("%s", (_n, v) => {
        expect(v.run(nodeCrypto)).toBe(v.expect)
    })
})

describe("MemoryKv", () => {
    it("enforces the device's key and entry limits", async () => {
        const kv = new MemoryKv()
        await expect(kv.write("fourteen_chars", "x")).rejects.toBeInstanceOf(KvLimitError)
        // 13-char key + JSON of a 185-char string (187 bytes) = 200: fits; one more does not
        await kv.write("thirteen_char", "a".repeat(185))
        await expect(kv.write("thirteen_char", "a".repeat(186))).rejects.toThrow(/201 bytes, over 200/)
    })
    it("a power cut stops every later write without applying it", async () => {
        const kv = new MemoryKv()
        kv.cutAfter(1)
        await kv.write("a", "1")
        await expect(kv.write("b", "2")).rejects.toBeInstanceOf(PowerCut)
        await expect(kv.remove("a")).rejects.toBeInstanceOf(PowerCut)
        kv.restore()
        expect(await kv.read("a")).toBe("1")
        expect(await kv.read("b")).toBeNull()
    })
})

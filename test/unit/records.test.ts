import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { CHAIN_CHECKS } from "../vectors/record-chain-checks"
import { QUEUE_CHECKS } from "../vectors/record-queue-checks"

describe("record chain and verifier (shared checks)", () => {
    it.each(CHAIN_CHECKS.map(v => [v.name, v] as const))("%s", async (_n, v) => {
        expect(await v.run(nodeCrypto, async () => {})).toBe("ok")
    })
})

describe("record queue (shared checks)", () => {
    it.each(QUEUE_CHECKS.map(v => [v.name, v] as const))("%s", async (_n, v) => {
        expect(await v.run(nodeCrypto, async () => {})).toBe("ok")
    })
})

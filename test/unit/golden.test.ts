import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { GOLDEN_CHECKS } from "../vectors/golden-checks"

describe("golden vectors (shared with the VM)", () => {
    it.each(GOLDEN_CHECKS.map(v => [v.name, v] as const))("%s", (_n, v) => {
        expect(v.run(nodeCrypto)).toBe(v.expect)
    })
})

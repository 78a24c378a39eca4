import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { LINK_CHECKS } from "../vectors/link"

describe("controller's link checks (shared with the VM)", () => {
    it.each(LINK_CHECKS.map(v => [v.name, v] as const))("%s", async (_n, v) => {
        expect(await v.run(nodeCrypto)).toBe("ok")
    })
})

import { describe, it, expect } from "vitest"
import { readManifest } from "../../tools/manifest-node"
import { FAULT_CONTRACTS } from "../vectors/fault-contracts"

const m = readManifest()

describe("fault contracts (shared with the VM)", () => {
    it.each(FAULT_CONTRACTS.map(c => [c.name, c] as const))("%s", async (_n, c) => {
        expect(await c.run(m, async () => {})).toBe("ok")
    })
})

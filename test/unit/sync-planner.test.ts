// The sync protocol logic of src/core/sync (signing, backoff, the round planner) through the
// shared checks of test/vectors/sync.ts, which the VM runs too.
import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { SYNC_CHECKS } from "../vectors/sync"

describe("device sync (shared checks)", () => {
    it.each(SYNC_CHECKS.map(v => [v.name, v] as const))("%s", async (_n, v) => {
        expect(await v.run(nodeCrypto, async () => {})).toBe("ok")
    })
})

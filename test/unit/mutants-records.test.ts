// Record verification edges that issue 14's mutation run found untested (docs/mutation.md): a
// truncation of a single record at the end (the existing vector drops two), and the boundary
// where nothing is missing.
import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { chain, findings } from "../vectors/record-helpers"

const noPause = async () => {}

describe("truncation at the end of an export", () => {
    it("records 1..5 of a device that reported 6: truncated at 6", async () => {
        const l = await chain(nodeCrypto, 6, noPause)
        expect(await findings(l.slice(0, 5), nodeCrypto, { lastSeq: 6 }, noPause)).toBe("truncated@6")
    })
    it("records 1..6 of a device that reported 6: ok", async () => {
        const l = await chain(nodeCrypto, 6, noPause)
        expect(await findings(l, nodeCrypto, { lastSeq: 6 }, noPause)).toBe("ok")
    })
    it("after an anchor at 4, records 5..5 of a device that reported 6: truncated at 6", async () => {
        const l = await chain(nodeCrypto, 6, noPause)
        const anchor = await findings(l.slice(0, 4), nodeCrypto, {}, noPause)
        expect(anchor).toBe("ok")
        // the anchor's hash is record 5's prevHash; without it the chain check has nothing to compare
        expect(await findings(l.slice(4, 5), nodeCrypto, { anchorSeq: 4, lastSeq: 6 }, noPause)).toBe("truncated@6")
    })
})

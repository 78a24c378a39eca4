import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { readManifest } from "../../tools/manifest-node"
import { BUNDLE_CHECKS } from "../vectors/bundle-checks"
import { openBundle, sealBundle } from "../../src/core/bundle/codec"
import { ValidationError } from "../../src/core/codec/errors"
import { goldenBundle, GOLDEN_KEY } from "../vectors/golden"
import { Prng } from "../vectors/prng"

const m = readManifest()

describe("approval bundles (shared checks)", () => {
    it.each(BUNDLE_CHECKS.map(v => [v.name, v] as const))("%s", async (_n, v) => {
        expect(await v.run(nodeCrypto, m, async () => {})).toBe("ok")
    })
})

describe("approval bundles", () => {
    it("any single-byte change to a sealed bundle is refused with a ValidationError", () => {
        const sealed = sealBundle(goldenBundle(), GOLDEN_KEY, nodeCrypto)
        const r = new Prng(5)
        for (let k = 0; k < 2000; k++) {
            const s = sealed.slice()
            const at = r.int(0, s.length - 1)
            s[at] = (s[at] + r.int(1, 255)) & 255
            expect(() => openBundle(s, GOLDEN_KEY, nodeCrypto)).toThrow(ValidationError)
        }
    })
})

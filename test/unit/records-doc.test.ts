import { describe, it, expect } from "vitest"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../../tools/manifest-node"
import * as G from "../vectors/golden"

// docs/records.md is the auditor's specification: its worked examples must be the golden vectors
const doc = readFileSync(join(ROOT, "docs/records.md"), "utf8")
const compact = doc.replace(/\s+/g, "")

describe("docs/records.md", () => {
    it("carries the golden record's bytes, hash and MAC", () => {
        expect(compact).toContain(G.GOLDEN_RECORD_HEX)
        expect(doc).toContain(G.GOLDEN_RECORD_HASH)
        expect(doc).toContain(G.GOLDEN_RECORD_MAC)
    })
    it("carries the golden template's id and hash, the profile bytes and the bundle MAC", () => {
        expect(doc).toContain(G.GOLDEN_TEMPLATE_ID)
        expect(doc).toContain(G.GOLDEN_TEMPLATE_HASH)
        expect(compact).toContain(G.GOLDEN_PROFILE_HEX)
        expect(doc).toContain(G.GOLDEN_BUNDLE_MAC)
        expect(doc).toContain(G.GOLDEN_KEY)
    })
})

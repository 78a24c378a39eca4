import { describe, it, expect } from "vitest"
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { execFileSync } from "node:child_process"
import { readManifest, MANIFEST_PATH, ROOT } from "../../tools/manifest-node"
import { MANIFEST_SECTIONS } from "../../src/core/manifest-schema"

describe("devicescript.json", () => {
    it("documents every key with a range and a description", () => {
        for (const [section, keys] of Object.entries(MANIFEST_SECTIONS)) {
            for (const [key, [lo, hi, doc]] of Object.entries(keys)) {
                expect(lo, `${section}.${key}`).toBeLessThan(hi)
                expect(doc.length, `${section}.${key}`).toBeGreaterThan(10)
                // units in the name
                expect(key, `${section}.${key} has no unit in its name`).toMatch(/(DeciC|MilliN|Um|Ms|Permille|Ticks|Cycles|PerDegC|DegCSec|SecPerDegC|PerN|PerMm|Records|Points|PerPoint|Iterations|Ppm|MicroRad)$/)
            }
        }
    })

    it("a bad file stops the generator with a message naming the key, and writes nothing", () => {
        const dir = mkdtempSync(join(tmpdir(), "manifest-"))
        const bad = JSON.parse(readFileSync(MANIFEST_PATH, "utf8"))
        bad.limits.contactMaxDeciC = 600
        const path = join(dir, "devicescript.json")
        writeFileSync(path, JSON.stringify(bad))
        expect(() => readManifest(path)).toThrow(/limits\.contactMaxDeciC: 600 is outside 350\.\.450/)
        writeFileSync(path, "{ not json")
        expect(() => readManifest(path)).toThrow(/not valid JSON/)
    })

    it("the generated firmware module carries the manifest's values unchanged", async () => {
        execFileSync(process.execPath, ["--import", "tsx", "tools/generate.ts"], { cwd: ROOT })
        const gen = readFileSync(join(ROOT, "src/gen/manifest.ts"), "utf8")
        // the module parses one string literal at boot: decode the literal, then the JSON in it
        const literal = gen.slice(gen.indexOf("JSON.parse(") + "JSON.parse(".length, gen.lastIndexOf(")"))
        expect(JSON.parse(JSON.parse(literal))).toEqual(readManifest())
    })
})

describe("docs/manifest.md", () => {
    it("is up to date with the key table and the values (run `npm run docs`)", async () => {
        const { manifestDoc, MANIFEST_DOC_PATH } = await import("../../tools/manifest-doc")
        expect(readFileSync(MANIFEST_DOC_PATH, "utf8")).toBe(manifestDoc(readManifest()))
    })
})

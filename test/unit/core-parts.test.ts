import { describe, it, expect } from "vitest"
import { readManifest } from "../../tools/manifest-node"
import { PRESS_VECTORS, runPressVector } from "../vectors/press"
import { STATS_VECTORS, runStatsVector, PROCESS_VECTORS, runProcessVector } from "../vectors/cycle-parts"
import { MANIFEST_VECTORS, runManifestVector } from "../vectors/manifest"

const m = readManifest()

describe("press controller (shared vectors)", () => {
    it.each(PRESS_VECTORS.map(v => [v.name, v] as const))("%s", (_n, v) => {
        expect(runPressVector(v, m)).toBeNull()
    })
})

describe("phase statistics (shared vectors)", () => {
    it.each(STATS_VECTORS.map(v => [v.name, v] as const))("%s", (_n, v) => {
        expect(runStatsVector(v)).toEqual(v.expect)
    })
})

describe("process check (shared vectors)", () => {
    it.each(PROCESS_VECTORS.map(v => [v.name, v] as const))("%s", (_n, v) => {
        expect(runProcessVector(v, m)).toBe(v.bad)
    })
})

describe("manifest validation (shared vectors)", () => {
    it.each(MANIFEST_VECTORS.map(v => [v.name, v] as const))("%s", (_n, v) => {
        const msg = runManifestVector(v, m)
        if (v.error === "") expect(msg).toBe("")
        else expect(msg).toContain(v.error)
    })
})

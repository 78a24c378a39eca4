// Press, phase-statistics, process-check and manifest vectors inside the DeviceScript VM.
import { describe, test, expect } from "@devicescript/test"
import { MANIFEST } from "../../src/gen/manifest"
import { PRESS_VECTORS, runPressVector } from "../vectors/press"
import { STATS_VECTORS, runStatsVector, PROCESS_VECTORS, runProcessVector } from "../vectors/cycle-parts"
import { MANIFEST_VECTORS, runManifestVector } from "../vectors/manifest"

describe("press vectors", () => {
    PRESS_VECTORS.forEach(v => {
        test(v.name, () => {
            const r = runPressVector(v, MANIFEST)
            if (r) console.log(r)
            expect(r).toBe(null)
        })
    })
})

describe("phase statistics vectors", () => {
    STATS_VECTORS.forEach(v => {
        test(v.name, () => {
            expect(runStatsVector(v).join(",")).toBe(v.expect.join(","))
        })
    })
})

describe("process check vectors", () => {
    PROCESS_VECTORS.forEach(v => {
        test(v.name, () => {
            expect(runProcessVector(v, MANIFEST)).toBe(v.bad)
        })
    })
})

describe("manifest vectors", () => {
    MANIFEST_VECTORS.forEach(v => {
        test(v.name, () => {
            const msg = runManifestVector(v, MANIFEST)
            if (v.error === "") expect(msg).toBe("")
            else expect(msg.indexOf(v.error) >= 0).toBe(true)
        })
    })
})

// Press, phase-statistics, process-check and manifest vectors inside the DeviceScript VM, and the
// names cut or parsed from constant strings (phase and fault names).
import { describe, test, expect } from "@devicescript/test"
import { MANIFEST } from "../../src/gen/manifest"
import { PRESS_VECTORS, runPressVector } from "../vectors/press"
import { STATS_VECTORS, runStatsVector, PROCESS_VECTORS, runProcessVector } from "../vectors/cycle-parts"
import { MANIFEST_VECTORS, runManifestVector } from "../vectors/manifest"
import { Phase, PHASE_COUNT, phaseName } from "../../src/core/cycle/events"
import { FaultCode, faultName } from "../../src/core/faults"

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

describe("names from constant strings", () => {
    test("phase names by value, as in Node", () => {
        const names: string[] = []
        for (let p = 0; p < PHASE_COUNT; p++) names.push(phaseName(p))
        expect(names.join(",")).toBe("idle,preflight,preheat,approach,press,cure,release,cool,complete,aborted,faulted,autotune,scan")
        expect(phaseName(Phase.Scan)).toBe("scan")
        expect(phaseName(PHASE_COUNT)).toBe("")
    })
    test("fault names by code", () => {
        expect(faultName(FaultCode.FilmOverTemp)).toBe("film over temperature")
        expect(faultName(FaultCode.AutotuneRejected)).toBe("autotune rejected")
        expect(faultName(FaultCode.ForceImplausible)).toBe("force implausible: press past contact")
        expect(faultName(14)).toBe("unknown fault")
        expect(faultName(99)).toBe("unknown fault")
    })
})

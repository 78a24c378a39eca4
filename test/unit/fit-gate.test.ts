// The fitting gate's checks (test/vectors/fit-gate.ts) under Node; test/vm/fit-gate.vm.ts runs
// the same ones inside the DeviceScript VM.
import { describe, it, expect } from "vitest"
import { readManifest } from "../../tools/manifest-node"
import { FIT_GATE_CHECKS } from "../vectors/fit-gate"

const m = readManifest()

describe("the fitting gate: no cycle starts without an accepted fit", () => {
    it.each(FIT_GATE_CHECKS.map(c => [c.name, c] as const))("%s", (_name, c) => {
        expect(c.run(m)).toBe("ok")
    })
})

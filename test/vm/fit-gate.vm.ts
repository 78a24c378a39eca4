// The fitting gate's checks of test/unit/fit-gate.test.ts inside the DeviceScript VM: the
// controller holds the pending scan itself, so no cycle starts without an accepted fit.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { MANIFEST } from "../../src/gen/manifest"
import { FIT_GATE_CHECKS } from "../vectors/fit-gate"

describe("fitting gate in the VM", () => {
    FIT_GATE_CHECKS.forEach(c => {
        test(c.name, async () => {
            await ds.sleep(0)
            expect(c.run(MANIFEST)).toBe("ok")
        })
    })
})

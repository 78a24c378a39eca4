// The scan-run vectors of test/unit/scan-run.test.ts inside the DeviceScript VM: the same
// tick-by-tick inputs give the same points, counts and speeds.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { MANIFEST } from "../../src/gen/manifest"
import { SCAN_CHECKS } from "../vectors/scan-run"

describe("scan run in the VM", () => {
    SCAN_CHECKS.forEach(c => {
        test(c.name, async () => {
            await ds.sleep(0)
            expect(c.run(MANIFEST.fitting)).toBe("ok")
        })
    })
})

// The record builder checks of test/unit/record-builder.test.ts inside the DeviceScript VM.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { BUILDER_CHECKS } from "../vectors/builder-checks"

describe("record builder in the VM", () => {
    BUILDER_CHECKS.forEach(v => {
        test(v.name, async () => {
            await ds.sleep(0)
            expect(v.run()).toBe("ok")
        })
    })
})

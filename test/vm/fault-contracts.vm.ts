// The fault contracts of test/unit/fault-contracts.test.ts inside the DeviceScript VM.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { MANIFEST } from "../../src/gen/manifest"
import { FAULT_CONTRACTS } from "../vectors/fault-contracts"

const pause = async () => { await ds.sleep(0) }

describe("fault contracts in the VM", () => {
    FAULT_CONTRACTS.forEach(c => {
        test(c.name, async () => {
            expect(await c.run(MANIFEST, pause)).toBe("ok")
        })
    })
})

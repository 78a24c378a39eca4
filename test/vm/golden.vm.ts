// The golden vectors of test/unit/golden.test.ts inside the DeviceScript VM, with the device's
// crypto: the same bytes, hashes and MACs as Node, byte for byte.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { dsCrypto } from "../../src/hw/crypto-ds"
import { GOLDEN_CHECKS } from "../vectors/golden-checks"

describe("golden vectors in the VM", () => {
    GOLDEN_CHECKS.forEach(v => {
        test(v.name, async () => {
            await ds.sleep(0)
            expect(v.run(dsCrypto)).toBe(v.expect)
        })
    })
})

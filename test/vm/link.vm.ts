// The controller's link checks (test/vectors/link.ts) inside the DeviceScript VM with the
// device's crypto: the same checks vitest runs (test/unit/link-gate.test.ts).
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { dsCrypto } from "../../src/hw/crypto-ds"
import { LINK_CHECKS } from "../vectors/link"

describe("link checks in the VM", () => {
    LINK_CHECKS.forEach(v => {
        test(v.name, async () => {
            await ds.sleep(0)
            expect(await v.run(dsCrypto)).toBe("ok")
        })
    })
})

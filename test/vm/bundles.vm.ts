// The approval bundle checks of test/unit/bundle.test.ts inside the DeviceScript VM.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { MANIFEST } from "../../src/gen/manifest"
import { dsCrypto } from "../../src/hw/crypto-ds"
import { BUNDLE_CHECKS } from "../vectors/bundle-checks"

const pause = async () => { await ds.sleep(0) }

describe("approval bundles in the VM", () => {
    BUNDLE_CHECKS.forEach(v => {
        test(v.name, async () => {
            await pause()
            expect(await v.run(dsCrypto, MANIFEST, pause)).toBe("ok")
        })
    })
})

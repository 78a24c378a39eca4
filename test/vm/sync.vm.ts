// The device sync logic's checks (test/vectors/sync.ts) inside the DeviceScript VM, with the
// device's crypto: the same checks vitest runs (test/unit/sync-planner.test.ts).
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { dsCrypto } from "../../src/hw/crypto-ds"
import { SYNC_CHECKS } from "../vectors/sync"

const pause = async () => { await ds.sleep(0) }

describe("device sync in the VM", () => {
    SYNC_CHECKS.forEach(v => {
        test(v.name, async () => {
            await pause()
            expect(await v.run(dsCrypto, pause)).toBe("ok")
        })
    })
})

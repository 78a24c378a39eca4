// The record queue checks of test/unit/records.test.ts inside the DeviceScript VM (power cuts
// at every write included), with the device's crypto.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { dsCrypto } from "../../src/hw/crypto-ds"
import { QUEUE_CHECKS } from "../vectors/record-queue-checks"

const pause = async () => { await ds.sleep(0) }

describe("record queue in the VM", () => {
    QUEUE_CHECKS.forEach(v => {
        test(v.name, async () => {
            await pause()
            expect(await v.run(dsCrypto, pause)).toBe("ok")
        })
    })
})

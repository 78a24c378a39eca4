// The record chain and verifier checks of test/unit/records.test.ts inside the DeviceScript VM,
// with the device's crypto.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { dsCrypto } from "../../src/hw/crypto-ds"
import { CHAIN_CHECKS } from "../vectors/record-chain-checks"

const pause = async () => { await ds.sleep(0) }

describe("record chain and verifier in the VM", () => {
    CHAIN_CHECKS.forEach(v => {
        test(v.name, async () => {
            await pause()
            expect(await v.run(dsCrypto, pause)).toBe("ok")
        })
    })
})

// The calibration vectors and store checks of test/unit/calibration.test.ts inside the
// DeviceScript VM, with the device's crypto: the same gains, offsets, ids and calibrated
// integers as Node, and the same refusals.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { dsCrypto } from "../../src/hw/crypto-ds"
import { TWO_POINT_VECTORS, BAD_INPUTS, CAL_CHECKS, runTwoPointVector, runBadInput } from "../vectors/calibration"

describe("two-point calibration in the VM", () => {
    TWO_POINT_VECTORS.forEach(v => {
        test(v.input.channel, () => {
            expect(runTwoPointVector(v, dsCrypto)).toBe("")
        })
    })
    BAD_INPUTS.forEach(b => {
        test("refused: " + b.name, () => {
            expect(runBadInput(b, dsCrypto)).toBe("")
        })
    })
})

describe("calibration store in the VM", () => {
    CAL_CHECKS.forEach(v => {
        test(v.name, async () => {
            await ds.sleep(0)
            expect(await v.run(dsCrypto, async () => { await ds.sleep(0) })).toBe("ok")
        })
    })
})

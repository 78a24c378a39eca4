// The injected crypto on the device matches the published vectors (and so Node).
import { describe, test, expect } from "@devicescript/test"
import { dsCrypto } from "../../src/hw/crypto-ds"
import { CRYPTO_VECTORS } from "../vectors/crypto"

describe("crypto port in the VM", () => {
    CRYPTO_VECTORS.forEach(v => {
        test(v.name, () => {
            expect(v.run(dsCrypto)).toBe(v.expect)
        })
    })
})

// BlobStore checks in the VM, with the device's crypto.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { dsCrypto } from "../../src/hw/crypto-ds"
import { BLOB_CHECKS } from "../vectors/blob"

describe("blob store in the VM", () => {
    BLOB_CHECKS.forEach(v => {
        test(v.name, async () => {
            await ds.sleep(0)
            expect(await v.run(dsCrypto, async () => { await ds.sleep(0) })).toBe("ok")
        })
    })
})

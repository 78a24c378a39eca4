// Template validation cases and a shorter fuzz run inside the DeviceScript VM: the same
// rejections, codes and fields as in Node, and the fuzz properties hold on the device too.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { MANIFEST } from "../../src/gen/manifest"
import { dsCrypto } from "../../src/hw/crypto-ds"
import { TEMPLATE_CASES, runTemplateCase } from "../vectors/template-checks"
import { fuzzTemplates } from "../vectors/template-fuzz"

const pause = async () => { await ds.sleep(0) }

describe("template validation in the VM", () => {
    TEMPLATE_CASES.forEach(v => {
        test(v.name, async () => {
            await pause()
            expect(runTemplateCase(v, MANIFEST, dsCrypto)).toBe("ok")
        })
    })
    test("fuzz: 300 templates, seed 7", async () => {
        await pause()
        const s = await fuzzTemplates(dsCrypto, MANIFEST, 7, 300, pause)
        console.log("    accepted " + s.accepted + ", decoded " + s.decoded + ", codes " + s.codes.length)
        expect(s.failure).toBe("")
        expect(s.runs).toBe(300)
        expect(s.accepted > 5).toBe(true)
        expect(s.codes.length >= 10).toBe(true)
    })
})

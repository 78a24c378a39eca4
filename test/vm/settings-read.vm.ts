// src/hw/settings-read.ts in the VM: values, missing keys and unparseable values, and many
// fibers reading at once, each getting its own key's answer. The race it fixes (the report
// arriving while the reader is still in its send) depends on bus timing this VM without a bus
// does not have: @devicescript/settings' own readSetting passes these tests here too.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { writeSetting, deleteSetting, settings } from "@devicescript/settings"
import { readSetting } from "../../src/hw/settings-read"

const N = 12

describe("readSetting", () => {
    test("a value, a missing key, an unparseable value", async () => {
        await writeSetting("sr_a", { v: 7 })
        expect((await readSetting<any>("sr_a", null)).v).toBe(7)
        await deleteSetting("sr_none")
        expect(await readSetting<any>("sr_none", "dflt")).toBe("dflt")
        await settings.set("sr_bad", Buffer.from("{not json"))
        expect(await readSetting<any>("sr_bad", "dflt")).toBe("dflt")
    })

    test(N + " fibers reading different keys at once each get their own value", async () => {
        for (let i = 0; i < N; i++) await writeSetting("sr_k" + i, "value " + i)
        const got: string[] = []
        let done = 0
        for (let i = 0; i < N; i++) startReader(i, got, () => done++)
        for (let t = 0; t < 200 && done < N; t++) await ds.sleep(20)
        expect(done).toBe(N)
        for (let i = 0; i < N; i++) expect(got[i]).toBe("value " + i)
    })
})

function startReader(i: number, got: string[], finished: () => void) {
    ds.setTimeout(async () => {
        got[i] = await readSetting<any>("sr_k" + i, "missing")
        finished()
    }, 0)
}

// src/hw/kv-settings.ts in the VM: a write the settings area has no room for throws instead of
// being reported done (the runtime's settings service drops it silently: jacdac-c jd_fstor.c
// jd_settings_set_bin returns -3 and services/settings.c ignores it), and everything a write
// reported done reads back.
//
// Expected figures, by hand from jacdac-c source/jd_fstor.c: `devs run` gives the VM 128 KB of
// flash (runtime/posix/flash.c), 32 pages of 4,096 B; the small settings live in the header
// pages, 32 / 16 = 2 pages = 8,192 B, after a 24-byte header and one 24-byte entry per key, with
// two entries' room (48 B) always kept free. The program itself is one large entry (`*prog`,
// its data in the data pages, its 24-byte entry in the header). tools/test-vm.ts starts each
// suite with --clear-flash, so the area holds only that entry here.
// Each test key: "kf" + 2 digits, a 180-character string value, stored as JSON (182 bytes,
// padded to 8: 184) under a 24-byte entry: 208 B a write. Free space = the lowest data offset
// - the START of the last entry - 48 (entries are 24 B from offset 24); a write is taken while
// free >= its 208 B, else the store compacts (the live entries copied to the other header) and
// tries once more.
// Before the fill (after the first test): 3 entries, *prog, "kvs_a" = "hello" (8 B of data) and
// its removal (a zero-length entry that still takes 8 B of data); the last starts at 72, data
// starts at 8,192 - 16: free = 8,176 - 72 - 48 = 8,056 B. Writes k = 0..37 fit
// (8,056 - 208 k >= 208): 38 of them. The 39th compacts to 40 live entries (*prog, the removal,
// 38 keys; the last starts at 24 + 39 x 24 = 960) and 8 + 38 x 184 = 7,000 B of data (from
// 1,192): free = 1,192 - 960 - 48 = 184 < 208, refused.
import { describe, test, expect } from "@devicescript/test"
import { SettingsKv } from "../../src/hw/kv-settings"

const VALUE_CHARS = 180
/** worked out above */
const FITS = 38

function key(i: number): string {
    return "kf" + (i < 10 ? "0" : "") + i
}

function value(i: number): string {
    let s = "v" + i + ":"
    while (s.length < VALUE_CHARS) s += "x"
    return s
}

describe("SettingsKv", () => {
    test("a value written reads back; a removed key reads as absent", async () => {
        const kv = new SettingsKv()
        await kv.write("kvs_a", "hello")
        expect(await kv.read("kvs_a")).toBe("hello")
        await kv.remove("kvs_a")
        expect(await kv.read("kvs_a")).toBe(null)
        await kv.remove("kvs_a")
    })

    test("a write the settings area has no room for throws; every write that returned reads back", async () => {
        const kv = new SettingsKv()
        // the first test's key and its removal took 2 entries and 8 B of data: start past them
        await kv.remove("kvs_a")
        let stored = 0
        let error = ""
        for (let i = 0; i < 60 && !error; i++) {
            try {
                await kv.write(key(i), value(i))
                stored++
            } catch (e) {
                error = (e as Error).message
            }
        }
        expect(error.indexOf("was not stored") >= 0).toBe(true)
        expect(error.indexOf(key(stored)) >= 0).toBe(true)
        expect(stored).toBe(FITS)
        for (let i = 0; i < stored; i++) expect(await kv.read(key(i))).toBe(value(i))
        expect(await kv.read(key(stored))).toBe(null)
    })
})

// The firmware VM's clock (sim/vm-clock.cjs): the DeviceScript runtime's time is Date.now() in
// the VM's process, and a step of the machine's wall clock made the firmware see every reading
// as seconds old (E31). The preload makes Date.now() the start's wall time plus monotonic time.
import { describe, it, expect } from "vitest"
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { VM_CLOCK } from "../../sim/firmware"

const ROOT = resolve(import.meta.dirname, "../..")

describe("the firmware VM's clock", () => {
    it("the devs runtime takes its time from Date.now(), looked up at each call (what the preload replaces)", () => {
        const cli = readFileSync(resolve(ROOT, "node_modules/@devicescript/cli/built/devicescript-cli.cjs"), "utf8")
        expect(cli).toMatch(/function em_time_now\(\) \{\s*return Date\.now\(\);\s*\}/)
    })

    it("under the preload, Date.now() is the start's wall time plus monotonic time, and never goes back", () => {
        const script = `
            const { performance } = require("node:perf_hooks")
            let outside = 0, back = 0, prev = Date.now()
            for (let i = 0; i < 200000; i++) {
                const d = Date.now(), m = Math.floor(performance.timeOrigin + performance.now()), d2 = Date.now()
                if (m < d || m > d2) outside++
                if (d < prev) back++
                prev = d2
            }
            console.log(JSON.stringify({ outside, back, replaced: !/native code/.test(Date.now.toString()) }))`
        const r = spawnSync(process.execPath, ["-r", VM_CLOCK, "-e", script], { encoding: "utf8" })
        expect(r.status, r.stderr).toBe(0)
        const o = JSON.parse(r.stdout)
        // the monotonic time read between two Date.now() calls lies between them
        expect(o.outside).toBe(0)
        expect(o.back).toBe(0)
        expect(o.replaced).toBe(true)
    })
})

// The bus commands (self-test, calibrate, clear-fault) as a technician runs them, as child
// processes, against the simulated applicator: the firmware in the DeviceScript VM on the
// simulator's bus relay (tcp 8082, as `devs devtools` serves a real device). One firmware boot
// for the whole file. Port 8082 is shared machine-wide: run under `flock /tmp/smile-bus.lock`.
//
// Image: the device image (sim/firmware-device.ts), the one a clinic runs: a build failure fails
// the file (it once fell back to the bench image and greped the source to choose what to expect).
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { readManifest } from "../../tools/manifest-node"
import { buildFirmware } from "../../sim/firmware"
import { SimSession, sleep, waitFor } from "../../sim/session"
import { firmwareDevice, writeSimCalibrations, SIM_DEVICE_SERIAL, SIM_LINK_SERIAL } from "../../sim/provision"
import { BusSettingsKv, settingsGet } from "../../sim/bus/settings-kv"
import { SRV_SETTINGS } from "jacdac-ts"
import { clearBlob } from "../../src/core/store/blob"
import { CAL_CHANNELS } from "../../src/core/calibration/calibration"
import { nodeCrypto } from "../../src/node/crypto-node"
import { CAL_PREFIX, loadCalibration } from "../../tools/tech/device-state"
import { runtimeImage } from "../../tools/tech/flash"
import { main } from "../../tools/tech/cli"
import { TechProcess, runTech, recordingIo } from "./support"

const KEY = "5eed".repeat(16)
let dir = ""
let s: SimSession
let kv: BusSettingsKv
/** the link node's settings */
let linkKv: BusSettingsKv

beforeAll(async () => {
    console.debug = () => undefined // jacdac-ts narrates its transport
    dir = mkdtempSync(join(tmpdir(), "tech-sim-"))
    const m = readManifest()
    const devs = buildFirmware(join(dir, "fw"), "device")
    s = new SimSession(m, devs, join(dir, "device"), 1, "device")
    // the applicator's two nodes on its bus: the commands must find the controller by themselves
    s.withLink(buildFirmware(join(dir, "fw"), "link"), join(dir, "link"))
    await s.open()
    kv = new BusSettingsKv(firmwareDevice(s.bus))
    linkKv = new BusSettingsKv(firmwareDevice(s.bus, SIM_LINK_SERIAL))
}, 120_000)

afterAll(async () => {
    await s?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
})

/** the provisioning a technician does, written straight into the device's settings */
async function provisionDevice() {
    await kv.write("DEVICE_ID", "SFA1-TECHSIM")
    await kv.write("DEVICE_KEY", KEY)
    await linkKv.write("DEVICE_ID", "SFA1-TECHSIM")
    await linkKv.write("LINK_KEY", "7ab1".repeat(16))
    await linkKv.write("HUB_URL", "http://127.0.0.1:9/")
}

describe("tech commands on the simulated applicator", () => {
    it("self-test reports what a fresh device lacks, with what to do", async () => {
        for (const k of ["DEVICE_ID", "DEVICE_KEY"]) await kv.remove(k)
        for (const k of ["DEVICE_ID", "LINK_KEY", "HUB_URL"]) await linkKv.remove(k)
        for (const ch of CAL_CHANNELS) await clearBlob(kv, CAL_PREFIX[ch])
        const r = await runTech(["self-test", "--timeout-ms", "10000"])
        expect(r.code, r.out).toBe(1)
        for (const role of ["filmTemp", "contactTemp", "force", "pressPos", "distance", "door", "start", "abort", "heater", "press", "display"])
            expect(r.out).toMatch(new RegExp(`PASS  ${role} +.*bound to`))
        expect(r.out).toMatch(/sensors\n {2}PASS {2}filmTemp +2\d\.\d °C \(10 readings/)
        expect(r.out).toMatch(/FAIL {2}DEVICE_ID +missing/)
        expect(r.out).toMatch(/FAIL {2}DEVICE_KEY +missing/)
        expect(r.out).toMatch(/FAIL {2}HUB_URL +no link node on the bus/)
        expect(r.out).toMatch(/FAIL {2}force +force: not calibrated/)
        expect(r.out).toContain("PASS  latched      none")
        expect(r.out).toContain("self-test FAILED: 6 of")
        expect(r.out).toContain("what to do: calibrate it: npm run tech -- calibrate --channel filmTemp --technician NAME")
        expect(r.out).toContain("what to do: provision the device")
    }, 60_000)

    it("calibrate guides a two-point force calibration over stdin, writes it and reads it back", async () => {
        const p = new TechProcess(["calibrate", "--channel", "force", "--technician", "tech.anna", "--readings", "10"])
        try {
            let at = await p.waitFor("reference instrument (make, model")
            p.send("FG-100 SN 4711")
            at = await p.waitFor("press Enter to read the sensor", 30_000, at)
            p.send("")
            at = await p.waitFor("reference instrument's value at the low point (N):", 30_000, at)
            expect(p.out).toMatch(/low point: raw 0\.\d{3} N \(mean of 10 readings, spread \d+\.\d{3} N/) // the sim's load cell is noisy
            p.send("0")
            at = await p.waitFor("press Enter to read the sensor", 30_000, at)
            s.engine.sensorFaults.force = { kind: "offset", by: 2 } // 2 kg on the load cell: 19.613 N
            await sleep(300)
            p.send("")
            at = await p.waitFor("reference instrument's value at the high point (N):", 30_000, at)
            expect(p.out).toMatch(/high point: raw (19|20)\.\d{3} N/)
            p.send("19.5") // the reference gauge reads a little lower than the cell
            at = await p.waitFor("write it to the device? [y/N]", 30_000, at)
            p.send("y")
            expect(await p.done, p.out).toBe(0)
        } finally {
            s.engine.sensorFaults.force = null
            p.kill()
        }
        expect(p.out).toMatch(/calibration [0-9a-f]{16} for force stored and verified on the device/)
        expect(p.out).toContain("the device applies it within 5 s once idle")
        // the firmware loads it again without a restart, and names the new force calibration
        const id = /calibration ([0-9a-f]{16}) for force stored/.exec(p.out)![1]
        await waitFor("the firmware to apply the calibration", () => s.vm.lines.some(l => l.text.startsWith("calibrations applied: ") && l.text.includes(id)), 10_000)
        const back = await loadCalibration(kv, "force")
        expect(back.state).toBe("ok")
        if (back.state !== "ok") return
        expect(back.cal.technician).toBe("tech.anna")
        expect(back.cal.reference).toBe("FG-100 SN 4711")
        expect(back.cal.refLow).toBe(0)
        expect(back.cal.readLow).toBeGreaterThanOrEqual(0)
        expect(back.cal.readLow).toBeLessThan(500)
        expect(back.cal.refHigh).toBe(19500)
        expect(back.cal.readHigh - back.cal.readLow).toBeGreaterThan(19300) // 2 kg = 19613 mN, give or take the noise
        expect(back.cal.readHigh - back.cal.readLow).toBeLessThan(19900)
        expect(back.cal.gainPpm).toBe(Math.round(19500e6 / (back.cal.readHigh - back.cal.readLow)))
        expect(back.cal.expiresUnixS - back.cal.atUnixS).toBe(365 * 86400)
    }, 60_000)

    it("calibrate --yes waits for the high reference and refuses points that make no valid calibration, writing nothing", async () => {
        const before = await loadCalibration(kv, "force")
        const p = new TechProcess(["calibrate", "--channel", "force", "--technician", "tech.anna", "--reference", "FG-100", "--readings", "10",
            "--low-ref", "0", "--high-ref", "40", "--yes", "--settle-ms", "20000"])
        try {
            await p.waitFor("waiting up to 20 s for the high reference")
            s.engine.sensorFaults.force = { kind: "offset", by: 2 }
            expect(await p.done, p.out).toBe(1)
        } finally {
            s.engine.sensorFaults.force = null
            p.kill()
        }
        expect(p.out).toMatch(/high point: raw (19|20)\.\d{3} N/)
        expect(p.out).toContain("the points do not make a valid calibration: calibration readHigh: gives a gain of")
        expect(p.out).toContain("Nothing was written to the device")
        const after = await loadCalibration(kv, "force")
        expect(after).toEqual(before)
    }, 60_000)

    it("clear-fault refuses when no fault is latched", async () => {
        const r = await runTech(["clear-fault", "--technician", "tech.anna"])
        expect(r.code, r.out).toBe(1)
        expect(r.out).toContain("the device has no latched fault: nothing to clear")
    }, 30_000)

    it("self-test passes on a provisioned, calibrated device and never prints the key", async () => {
        await provisionDevice()
        await writeSimCalibrations(kv, "sim-tech", Math.floor(Date.now() / 1000))
        const r = await runTech(["self-test"])
        expect(r.code, r.out).toBe(0)
        expect(r.out).toContain("PASS  DEVICE_ID    SFA1-TECHSIM")
        expect(r.out).toContain("PASS  DEVICE_KEY   present (64 hex digits; not shown)")
        expect(r.out).toContain("the controller is " + SIM_DEVICE_SERIAL)
        expect(r.out).toContain("PASS  HUB_URL      http://127.0.0.1:9/ (link node " + SIM_LINK_SERIAL + ")")
        expect(r.out).toMatch(/PASS {2}filmTemp +id [0-9a-f]{16}, by sim-tech/)
        expect(r.out).toMatch(/self-test PASSED: \d+ checks/)
        expect(r.out).not.toContain(KEY)
        expect(r.out).not.toContain("5eed5eed")
    }, 60_000)

    it("a latched fault fails the self-test; clear-fault asks the device to clear it", async () => {
        // an open film thermistor while idle: E30, latched in flash
        s.engine.sensorFaults.filmTemp = { kind: "open" }
        await waitFor("the firmware to latch E30", () => s.last("fault")?.value === "E30", 10_000)
        s.engine.sensorFaults.filmTemp = null // the technician fixes the wiring
        // the firmware persists the latch (src/hw/persist.ts) a moment after the fault report
        const dev = firmwareDevice(s.bus)
        const latched = async () => (await settingsGet(dev.services({ serviceClass: SRV_SETTINGS })[0], "latchedFault", dev.shortId)).length > 0
        for (const t0 = Date.now(); !(await latched()); await sleep(50))
            if (Date.now() - t0 > 10_000) throw new Error("the latch never reached the device's settings")
        const st = await runTech(["self-test"])
        expect(st.code, st.out).toBe(1)
        expect(st.out).toMatch(/FAIL {2}latched +E30 S1 v=-2730: sensor reading implausible/)
        expect(st.out).toContain("Check the sensor wiring and connector")
        expect(st.out).toContain("npm run tech -- clear-fault --technician NAME")

        const r = await runTech(["clear-fault", "--technician", "tech.anna", "--timeout-ms", "20000"])
        expect(r.out).toContain("latched fault E30 S1 v=-2730: sensor reading implausible")
        expect(r.out).toContain('sent the clear request (CLEAR_REQ {"by":"tech.anna","code":30,"atUnixS":')
        expect(r.code, r.out).toBe(0)
        expect(r.out).toContain("fault E30 S1 v=-2730 cleared by the device")
        expect(await kv.read("CLEAR_REQ")).toBeNull()
        const after = await runTech(["clear-fault", "--technician", "tech.anna"])
        expect(after.out).toContain("the device has no latched fault")

        // the bench gesture clears a fault too: START and ABORT held together for 5 s
        const t1 = s.engine.now()
        s.engine.sensorFaults.filmTemp = { kind: "open" }
        await waitFor("the firmware to latch E30 again", () => s.first("fault", t1)?.value === "E30", 10_000)
        s.engine.sensorFaults.filmTemp = null
        const held = s.engine.now()
        s.engine.setButton("start", true)
        s.engine.setButton("abort", true)
        try {
            await waitFor("the gesture to clear the fault", () => s.first("cleared", t1)?.value === "E30", 15_000)
        } finally {
            s.engine.setButton("start", false)
            s.engine.setButton("abort", false)
        }
        // not before the whole hold (src/control-loop.ts CLEAR_HOLD_MS)
        expect(s.first("cleared", t1)!.t - held).toBeGreaterThanOrEqual(5000)
    }, 120_000)
})

describe("tech flash, up to the hardware (after the simulator's image is built: builds share .devicescript/bin)", () => {
    it("with the runtime image in place, builds the board's firmware and stops before the device (--dry-run)", async () => {
        const rt = runtimeImage("esp32c3")
        const planted = !existsSync(rt.path)
        if (planted) {
            // a stand-in image: --dry-run never hands it to devs
            mkdirSync(dirname(rt.path), { recursive: true })
            writeFileSync(rt.path, Buffer.alloc(128 * 1024, 0xff))
        }
        try {
            const io = recordingIo()
            const code = await main(["flash", "--board", "smile_c3", "--dry-run"], io)
            const t = io.text()
            expect(t).toContain("[2/4] DeviceScript runtime image for esp32c3")
            expect(t).toContain("[3/4] building the controller firmware for smile_c3")
            if (code === 0) {
                expect(t).toMatch(/built\/smile_c3\/bytecode\.devs, \d+ bytes/)
                expect(t).toContain("devs bundle src/main.ts --board smile_c3 --flash-file built/smile_c3/bundle-smile_c3-0x0.bin")
                expect(t).toContain("devs flash esp32 --board smile_c3 --file built/smile_c3/bundle-smile_c3-0x0.bin")
            } else {
                // a firmware that does not build (e.g. over the VM's 64 KB function area) is refused clearly
                expect(code).toBe(1)
                expect(t).toContain("the firmware build for smile_c3 failed")
                expect(t).toContain("what to do:")
            }
        } finally {
            if (planted) rmSync(rt.path)
        }
    }, 120_000)

})

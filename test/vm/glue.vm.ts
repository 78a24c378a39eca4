// Firmware glue in the VM (no bus: roles stay unbound, so no write may block): flash
// persistence round trips and refuses what it cannot trust, and a control tick that throws
// fails safe instead of panicking the VM.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { writeSetting, deleteSetting } from "@devicescript/settings"
import { MANIFEST } from "../../src/gen/manifest"
import { loadGains, saveGains, loadLatched, saveLatched } from "../../src/hw/persist"
import { startIo } from "../../src/hw/board-io"
import { Housekeeping } from "../../src/hw/housekeeping"
import { SensorInputs } from "../../src/hw/sensor-inputs"
import { OutputWriter } from "../../src/hw/outputs"
import { ControlLoop } from "../../src/control-loop"
import { Controller, ControllerInputs, ControllerOutputs } from "../../src/core/controller"
import { FaultCode, SensorId, makeFault } from "../../src/core/faults"
import { statusLines } from "../../src/hw/status-ui"
import { PreflightReason } from "../../src/core/cycle/events"
import { TEST_PROCESS } from "../vectors/cycle-runs"

const NO_CAL = { apply: (channel: string, raw: number) => raw }
const DEFAULTS = { kpMicroPerDegC: 1, kiMicroPerDegCSec: 2, kdMicroSecPerDegC: 3 }

describe("flash persistence", () => {
    test("gains round trip", async () => {
        await saveGains({ kpMicroPerDegC: 58000, kiMicroPerDegCSec: 2000, kdMicroSecPerDegC: 120000 })
        const g = await loadGains(DEFAULTS)
        expect(g.kpMicroPerDegC).toBe(58000)
        expect(g.kiMicroPerDegCSec).toBe(2000)
        expect(g.kdMicroSecPerDegC).toBe(120000)
    })
    test("missing or invalid gains fall back to the defaults", async () => {
        await deleteSetting("pidGains")
        expect((await loadGains(DEFAULTS)).kpMicroPerDegC).toBe(1)
        await writeSetting("pidGains", { v: 1, kpMicroPerDegC: -5, kiMicroPerDegCSec: 2, kdMicroSecPerDegC: 3 })
        expect((await loadGains(DEFAULTS)).kpMicroPerDegC).toBe(1)
        await writeSetting("pidGains", { v: 99, kpMicroPerDegC: 5, kiMicroPerDegCSec: 2, kdMicroSecPerDegC: 3 })
        expect((await loadGains(DEFAULTS)).kpMicroPerDegC).toBe(1)
    })
    test("a latched fault round trips and clears", async () => {
        await saveLatched(makeFault(FaultCode.FilmOverTemp, SensorId.FilmTemp, 951, 950, 1234))
        const f = await loadLatched()
        expect(f.code).toBe(FaultCode.FilmOverTemp)
        expect(f.sensor).toBe(SensorId.FilmTemp)
        expect(f.value).toBe(951)
        await saveLatched(null)
        expect(await loadLatched()).toBe(null)
    })
    test("an unreadable latched fault latches a control error", async () => {
        await writeSetting("latchedFault", { v: 1, code: "E10" })
        expect((await loadLatched()).code).toBe(FaultCode.ControlError)
        await writeSetting("latchedFault", { v: 1, code: FaultCode.Abort })
        expect((await loadLatched()).code).toBe(FaultCode.ControlError)
        await saveLatched(null)
    })
})

class ThrowingController extends Controller {
    override tick(i: ControllerInputs): ControllerOutputs {
        throw new Error("injected failure")
    }
}

// roles are named once per program: every test shares one set
const io = startIo()
const hk = new Housekeeping()

describe("housekeeping writes", () => {
    test("written oldest first, one per call; a newer write for a key replaces the waiting one", async () => {
        const q = new Housekeeping()
        const log: string[] = []
        q.post("display", async () => { log.push("text 1") })
        q.post("lamp", async () => { log.push("lamp") })
        q.post("display", async () => { log.push("text 2") })
        expect(q.keys.length).toBe(2)
        expect(q.replaced).toBe(1)
        await q.runOne()
        expect(log.join(",")).toBe("text 2")
        await q.runOne()
        await q.runOne() // nothing left: no effect
        expect(log.join(",")).toBe("text 2,lamp")
        expect(q.done).toBe(2)
    })
    test("a failing write is logged and the queue goes on", async () => {
        const q = new Housekeeping()
        const log: string[] = []
        q.post("a", async () => { throw new Error("bus gone") })
        q.post("b", async () => { log.push("b") })
        await q.runOne()
        await q.runOne()
        expect(log.join(",")).toBe("b")
        expect(q.done).toBe(1)
        expect(q.keys.length).toBe(0)
    })
    test("afterTick makes one write on its own fiber", async () => {
        const q = new Housekeeping()
        const log: string[] = []
        q.post("a", async () => { log.push("a") })
        q.post("b", async () => { log.push("b") })
        q.afterTick()
        q.afterTick() // still running: no second fiber
        // polled, not a fixed sleep: the write's fiber may start late on a loaded host
        await until(() => log.length >= 1)
        await ds.sleep(50) // a second fiber, had one started, would have written by now
        expect(log.join(",")).toBe("a")
        q.afterTick()
        await until(() => log.length >= 2)
        expect(log.join(",")).toBe("a,b")
    })
})

describe("control loop", () => {
    test("a tick that throws latches a control error and keeps the VM alive", async () => {
        const ctrl = new ThrowingController(MANIFEST, DEFAULTS)
        const loop = new ControlLoop(io, ctrl, new SensorInputs(io, hk, MANIFEST.control.periodMs, NO_CAL), new OutputWriter(io), hk, () => true)
        await loop.safeTick()
        expect(ctrl.latchedFault.code).toBe(FaultCode.ControlError)
        expect(ctrl.outputs.heaterOn).toBe(false)
        expect(ctrl.outputs.pressSpeedPermille).toBe(0)
        await saveLatched(null)
    })
    test("healthy ticks with no hardware bound keep the heater off and never block", async () => {
        const ctrl = new Controller(MANIFEST, DEFAULTS)
        const loop = new ControlLoop(io, ctrl, new SensorInputs(io, hk, MANIFEST.control.periodMs, NO_CAL), new OutputWriter(io), hk, () => true)
        for (let i = 0; i < 5; i++) await loop.safeTick()
        expect(loop.ticks).toBe(5)
        expect(ctrl.outputs.heaterOn).toBe(false)
        expect(ctrl.latchedFault).toBe(null)
    })
    test("the armed line asks for START only when the controller would take one", () => {
        const ctrl = new Controller(MANIFEST, DEFAULTS)
        ctrl.arm(TEST_PROCESS)
        const line = (b: PreflightReason) => {
            ctrl.startBlock = b
            return statusLines(ctrl, 220, 0, "", false)[1]
        }
        expect(line(PreflightReason.DoorOpen)).toBe("CLOSE THE DOOR")
        expect(line(PreflightReason.SensorNotReady)).toBe("WAIT: SENSORS")
        expect(line(PreflightReason.PressNotHome)).toBe("WAIT: PRESS HOME")
        expect(line(PreflightReason.LogFull)).toBe("LOG FULL: SYNC")
        expect(line(PreflightReason.Ok)).toBe("READY: PRESS START")
    })
    test("status lines fit the 16-character display", () => {
        const ctrl = new Controller(MANIFEST, DEFAULTS)
        ctrl.restoreLatched(makeFault(FaultCode.SensorImplausible, SensorId.FilmTemp, -2731, -200, 0))
        const l = statusLines(ctrl, -2731, 0, "", false)
        expect(l[1]).toBe("E30 S1 v=-2731")
        expect(l[0].length <= 16).toBe(true)
    })
})

/** waits (at most 2 s) until cond holds */
async function until(cond: () => boolean) {
    for (let t = 0; t < 100 && !cond(); t++) await ds.sleep(20)
}

// The output writer (src/hw/outputs.ts) against a relay and a motor served in the same VM: which
// ticks write which output. A changed output goes on its tick, a heater on and a press moving
// every tick (the one-shots' re-arm on the simulator), and safe outputs (heater off, press
// stopped) only every SAFE_RESEND_TICKS: each write is one of the runtime's 50 sends a second.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { Server, startServer } from "../../src/hw/drivers/server-core"
import { OutputWriter, SAFE_RESEND_TICKS } from "../../src/hw/outputs"
import { ControllerOutputs } from "../../src/core/controller"
import { Phase } from "../../src/core/cycle/events"

class RelayServer extends Server {
    writes = 0
    enabled = false
    constructor() { super(ds.Relay.spec) }
    set_enabled(v: boolean) {
        this.writes++
        this.enabled = v
    }
}
class MotorServer extends Server {
    writes = 0
    speed = 0
    enabled = false
    constructor() { super(ds.Motor.spec) }
    set_speed(v: number) {
        this.writes++
        this.speed = v
    }
    set_enabled(v: boolean) { this.enabled = v }
}

// started before the tests: servers added after the device's first announce are not bound by roles
const relay = new RelayServer()
const motor = new MotorServer()
const io: any = {
    heater: new ds.Relay(startServer(relay, "heaterT")),
    press: new ds.Motor(startServer(motor, "pressT")),
    kickHeaterOneShot: () => {},
    kickPressOneShot: () => {},
}

function out(heaterOn: boolean, speed: number): ControllerOutputs {
    return { heaterOn: heaterOn, dutyPermille: heaterOn ? 1000 : 0, pressSpeedPermille: speed, filmTargetDeciC: -1, phase: Phase.Idle }
}

/** n ticks of the same outputs; the writes each server took meanwhile, "heater/press" */
async function ticks(w: OutputWriter, n: number, o: ControllerOutputs): Promise<string> {
    const h0 = relay.writes, p0 = motor.writes
    for (let i = 0; i < n; i++) await w.write(o)
    await ds.sleep(100) // the last packets handled
    return relay.writes - h0 + "/" + (motor.writes - p0)
}

describe("output writer", () => {
    test("changes and outputs in use every tick, safe outputs every SAFE_RESEND_TICKS", async () => {
        const end = ds.millis() + 3000
        while (!(io.heater.isBound && io.press.isBound)) {
            if (ds.millis() > end) throw new Error("the relay and motor roles did not bind")
            await ds.sleep(20)
        }
        const w = new OutputWriter(io)
        await ds.sleep(200) // the writer's first, binding, writes (off, stopped, enabled) are done
        expect(SAFE_RESEND_TICKS).toBe(10)
        // the first tick writes the press (its speed not yet written by this writer), then 19 safe
        // ticks: the heater at ticks 10 and 20, the press at 1, 10 and 20
        expect(await ticks(w, 20, out(false, 0))).toBe("2/3")
        // heater on and press moving: every tick, 5 ticks (21-25)
        expect(await ticks(w, 5, out(true, 300))).toBe("5/5")
        expect(relay.enabled).toBe(true)
        expect(Math.round(motor.speed * 1000)).toBe(300)
        // a new speed with the heater still on (tick 26): both again
        expect(await ticks(w, 1, out(true, -200))).toBe("1/1")
        // both back to safe (tick 27): a change, written on its tick
        expect(await ticks(w, 1, out(false, 0))).toBe("1/1")
        expect(relay.enabled).toBe(false)
        expect(motor.speed).toBe(0)
        // ticks 28-29 safe and unchanged: nothing; tick 30: both again
        expect(await ticks(w, 2, out(false, 0))).toBe("0/0")
        expect(await ticks(w, 1, out(false, 0))).toBe("1/1")
        // the heater on alone, press stopped (ticks 31-40): the heater every tick, the press at 40 only
        expect(await ticks(w, 10, out(true, 0))).toBe("10/1")
    })
})

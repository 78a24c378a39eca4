// Writes the controller's outputs to the actuator roles. Every tick the heater relay is
// written; a tick with the heater on also re-arms the heater's hardware one-shot (on the
// simulator the "on" write is the re-arm), so after a fault or a hang the heater loses power
// within the one-shot window even if its relay is welded on. The press driver's own one-shot
// is re-armed every tick, and the press speed is written every tick too: on the simulator each
// speed write is that one-shot's re-arm (control.pressOneShotMs, 4 ticks: docs/roles.md), so a
// dead program leaves the press undriven within the window. A write to an unbound role would
// block until a server appears, so every write is guarded by the role's binding: a control tick
// must never wait on the bus.
import { Io } from "./roles"
import { ControllerOutputs } from "../core/controller"

export class OutputWriter {
    private lastHeater = false

    constructor(readonly io: Io) {
        // an actuator that (re)connects starts in the safe state, before any tick decides
        io.heater.binding().subscribe(async bound => {
            if (bound) await io.heater.enabled.write(false)
        })
        io.press.binding().subscribe(async bound => {
            if (bound) {
                await io.press.speed.write(0)
                // a Jacdac motor moves only while enabled; speed 0 keeps it still meanwhile
                await io.press.enabled.write(true)
            }
        })
    }

    async write(o: ControllerOutputs) {
        const io = this.io
        if (o.heaterOn) io.kickHeaterOneShot()
        io.kickPressOneShot()
        const motorDue = io.press.isBound
        // each write waits for the bus: a changed heater goes before the press, otherwise the
        // press (changed or not) goes first, so a fault that changes only the press (over force,
        // door) is not delayed by the heater's routine re-assert
        const heaterChanged = o.heaterOn !== this.lastHeater
        if (motorDue && !heaterChanged) await this.io.press.speed.write(o.pressSpeedPermille / 1000)
        if (io.heater.isBound) {
            this.lastHeater = o.heaterOn
            await io.heater.enabled.write(o.heaterOn)
        }
        if (motorDue && heaterChanged) await this.io.press.speed.write(o.pressSpeedPermille / 1000)
    }

    /** Heater off and press stopped, whatever state the program is in (boot, crash handler). */
    async allOff() {
        const io = this.io
        if (io.heater.isBound) await io.heater.enabled.write(false)
        if (io.press.isBound) await io.press.speed.write(0)
    }
}

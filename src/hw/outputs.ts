// Writes the controller's outputs to the actuator roles. Every tick the heater relay is
// written; a tick with the heater on also re-arms the heater's hardware one-shot (on the
// simulator the "on" write is the re-arm), so after a fault or a hang the heater loses power
// within the one-shot window even if its relay is welded on. The press driver's own one-shot
// is re-armed every tick. A write to an unbound role would block until a server appears, so every write
// is guarded by the role's binding: a control tick must never wait on the bus.
import { Io } from "./roles"
import { ControllerOutputs } from "../core/controller"

/** Refresh the motor speed at least this often even if unchanged, ticks. */
const MOTOR_REFRESH_TICKS = 10

export class OutputWriter {
    private lastSpeed = 9999
    private lastHeater = false
    private sinceMotor = 0

    constructor(readonly io: Io) {
        // an actuator that (re)connects starts in the safe state, before any tick decides
        const self = this
        io.heater.binding().subscribe(async bound => {
            if (bound) await io.heater.enabled.write(false)
        })
        io.press.binding().subscribe(async bound => {
            if (bound) {
                self.lastSpeed = 0
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
        this.sinceMotor++
        const motorDue = io.press.isBound && (o.pressSpeedPermille !== this.lastSpeed || this.sinceMotor >= MOTOR_REFRESH_TICKS)
        // each write waits for the bus: a changed output goes before the routine re-assert of
        // the other, so a fault that changes only the press (over force, door) is not delayed
        const heaterChanged = o.heaterOn !== this.lastHeater
        if (motorDue && !heaterChanged) await this.writeMotor(o.pressSpeedPermille)
        if (io.heater.isBound) {
            this.lastHeater = o.heaterOn
            await io.heater.enabled.write(o.heaterOn)
        }
        if (motorDue && heaterChanged) await this.writeMotor(o.pressSpeedPermille)
    }

    private async writeMotor(speedPermille: number) {
        this.lastSpeed = speedPermille
        this.sinceMotor = 0
        await this.io.press.speed.write(speedPermille / 1000)
    }

    /** Heater off and press stopped, whatever state the program is in (boot, crash handler). */
    async allOff() {
        const io = this.io
        this.lastSpeed = 0
        if (io.heater.isBound) await io.heater.enabled.write(false)
        if (io.press.isBound) await io.press.speed.write(0)
    }
}

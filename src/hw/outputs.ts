// Writes the controller's outputs to the actuator roles. A changed output is written on its
// tick. A heater that stays on is written every tick: on the board each tick with the heater on
// also re-arms the heater's hardware one-shot (on the simulator the "on" write is the re-arm), so
// after a fault or a hang the heater loses power within the one-shot window even if its relay is
// welded on. A press that keeps moving is written every tick too: on the simulator each speed
// write is the press one-shot's re-arm (control.pressOneShotMs, 4 ticks: docs/roles.md), so a
// dead program leaves the press undriven within the window; the board's keep-alive pin is
// toggled every tick either way. An output that stays safe (heater off, press stopped) is written
// again only every SAFE_RESEND_TICKS: the one-shots keep it safe meanwhile, and every packet the
// program sends costs it 20 ms of the runtime's send budget of 50 a second (docs/target-speed.md,
// "The send budget"), which every-tick writes of both outputs took 80 % of while idle. A write to
// an unbound role would block until a server appears, so every write is guarded by the role's
// binding: a control tick must never wait on the bus.
import { Io } from "./roles"
import { ControllerOutputs } from "../core/controller"

/** an output that stays safe (heater off, press stopped) is written again every this many ticks */
export const SAFE_RESEND_TICKS = 10

export class OutputWriter {
    private lastHeater = false
    /** the press speed last written, permille (NaN: none yet) */
    private lastSpeed = NaN
    /** ticks since the safe outputs were last written whatever they were */
    private sinceResend = 0

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
        const resend = ++this.sinceResend >= SAFE_RESEND_TICKS
        if (resend) this.sinceResend = 0
        const v = o.pressSpeedPermille
        const pressDue = motorDue && (resend || v !== 0 || v !== this.lastSpeed)
        if (pressDue && !heaterChanged) await this.speed(v)
        if (io.heater.isBound && (resend || heaterChanged || o.heaterOn)) {
            this.lastHeater = o.heaterOn
            await io.heater.enabled.write(o.heaterOn)
        }
        if (pressDue && heaterChanged) await this.speed(v)
    }

    private async speed(permille: number) {
        this.lastSpeed = permille
        await this.io.press.speed.write(permille / 1000)
    }

    /** Heater off and press stopped, whatever state the program is in (boot, crash handler). */
    async allOff() {
        const io = this.io
        if (io.heater.isBound) await io.heater.enabled.write(false)
        if (io.press.isBound) await this.speed(0)
    }
}

// The press motor driver's enable, gated by a hardware one-shot (boards/README.md: the
// DRV8874's nSLEEP comes from the second half of the 74HC123, whose keep-alive the firmware
// toggles every control tick). On the simulator every press speed write is the keep-alive, as
// the heater relay's "on" write is the heater's (docs/roles.md): without a write for windowMs
// the driver sleeps, its outputs go Hi-Z and the motor coasts, whatever the speed register
// still says. A dead firmware therefore leaves the press undriven within one window.
import { HeaterOneShot } from "./heater-oneshot"

export class PressDriver {
    readonly oneShot: HeaterOneShot
    /** the last speed written, -1 .. 1 */
    private speed = 0

    constructor(readonly windowMs: number) {
        this.oneShot = new HeaterOneShot(windowMs)
    }

    /** A speed write at nowMs: the new command, and a kick of the one-shot. */
    write(nowMs: number, speed: number): void {
        this.speed = speed
        this.oneShot.kick(nowMs)
    }

    /** Enabled (nSLEEP high) for windowMs after the last write: [write, write + windowMs). */
    enabled(nowMs: number): boolean {
        return this.oneShot.powered(nowMs)
    }

    /** The command the motor gets at nowMs: the last speed while enabled, else 0 (coasting). */
    drive(nowMs: number): number {
        return this.enabled(nowMs) ? this.speed : 0
    }
}

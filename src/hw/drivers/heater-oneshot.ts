// Keep-alive for the heater's hardware one-shot (74HC123, boards/README.md). Each rising edge
// on the pin retriggers the monostable whose output gates the SSR; a static level - high or
// low, e.g. a hung or crashed program - lets it time out and the heater drops. kick() toggles
// the pin, so calling it every control tick gives one rising edge per two ticks.
import * as ds from "@devicescript/core"
import "./pin-natives"

export class HeaterOneShot {
    private high?: boolean
    private configured?: boolean

    /** Touches no hardware; pass undefined in the simulator (kick() then does nothing). */
    constructor(private readonly pin: ds.OutputPin) {}

    /** One native call per tick: cheap enough for every 50 ms control tick. */
    kick() {
        if (!this.pin) return
        if (!this.configured) {
            this.pin.setMode(ds.GPIOMode.OutputLow)
            this.configured = true
            this.high = false
        }
        this.high = !this.high
        this.pin.setMode(this.high ? ds.GPIOMode.OutputHigh : ds.GPIOMode.OutputLow)
    }
}

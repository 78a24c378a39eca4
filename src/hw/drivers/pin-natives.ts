// The two GPIO natives the drivers use (DeviceScript 2.16 runtime: GPIO.prototype.setMode and
// the `value` getter), declared here instead of importing @devicescript/gpio for its types.
// That package also installs pin.write and pin.subscribe polyfills, which the compiler keeps
// whenever any class has a `write` or `subscribe` method (nearly 300 bytes of the 64 KB
// function area) although no pin here is written through them or watched.
import * as ds from "@devicescript/core"

declare module "@devicescript/core" {
    export interface PinBase {
        /** native: switches the pin's mode (OutputHigh/OutputLow also drive it) */
        setMode(mode: GPIOMode): void
    }

    export interface InputPin {
        /** native: 0 | 1 for a digital pin, 0..1 for an analog one (GPIOMode.AnalogIn) */
        value: DigitalValue | number
    }
}

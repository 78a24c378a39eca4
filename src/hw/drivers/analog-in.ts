// One ADC input, read from TypeScript. What the runtime really supports (DeviceScript 2.16,
// runtime/devicescript/impl_gpio.c and devicescript-esp32 main/adc.c):
// - a pin object (`pins.X` or `ds.gpio(n)`) switched to GPIOMode.AnalogIn returns `value` as
//   a fraction 0..1 = raw << 4 / 65536 of a single adc_oneshot_read();
// - only ADC1 pins can do it (C3: GPIO0-4, S3: GPIO1-10); setMode throws on other pins;
// - attenuation is fixed at 11 dB and the reading is uncalibrated (no eFuse line fitting), so
//   millivolts need a per-chip full-scale constant (analog-math.ts) and a per-unit trim;
// - in the simulator (JD_HOSTED) `value` is always undefined: simulated sensors never get here.
import * as ds from "@devicescript/core"
import "./pin-natives"
import { AdcScale } from "./analog-math"

/** Samples averaged per reading: the ESP32 ADC has several LSB of noise (Espressif ADC docs
 *  recommend multisampling); 8 one-shot reads take well under a millisecond. */
const SAMPLES = 8

export class AnalogIn {
    private configured?: boolean

    /** Touches no hardware; the pin is switched to analog mode on the first read. */
    constructor(
        private readonly pin: ds.AnalogInPin,
        /** the chip's ADC scale (read-only; the servers' conversions use it too) */
        readonly adc: AdcScale
    ) {}

    /** Average pin voltage in mV (uncalibrated, see AdcScale). */
    millivolts(): number {
        if (!this.configured) {
            this.pin.setMode(ds.GPIOMode.AnalogIn)
            this.configured = true
        }
        const input = this.pin as unknown as ds.InputPin
        let sum = 0
        for (let i = 0; i < SAMPLES; i++) sum += input.value as number
        return (sum / SAMPLES) * this.adc.fullScaleMv // adcMillivolts(), inline
    }
}

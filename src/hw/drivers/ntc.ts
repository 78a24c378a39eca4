// NTC thermistor on an ADC pin, served as a Jacdac Temperature sensor.
// Circuit (boards/README.md): 3V3 -> NTC -> pin -> fixed resistor -> GND, 100 nF at the pin.
// With the NTC on the high side an open thermistor reads 0 V and a shorted one reads the rail,
// both reported as out-of-range temperatures (NTC_OPEN_C / NTC_SHORT_C), never clamped to a
// plausible value: the safety layer turns them into sensor faults.
import * as ds from "@devicescript/core"
import { SensorServer, FAST_MIN_INTERVAL_MS } from "./server-core"
import { AnalogIn } from "./analog-in"
import { AdcScale, NtcParams, NTC_OPEN_C, NTC_SHORT_C, ntcCelsius } from "./analog-math"

/** The NTC and the constant registers (board-io.ts parses them from a string). */
export interface NtcOptions {
    ntc: NtcParams
    /** the range the divider resolves, degC (served as the minReading/maxReading registers) */
    minReading: number
    maxReading: number
    /** estimated error inside that range, degC (uncalibrated ADC gain dominates; readingError register) */
    readingError: number
}

/**
 * A Jacdac Temperature server (ds.TemperatureServerSpec; its constant registers come from the
 * options). Start it with startLocalServer(role, NtcTemperatureServer, pin, adc, opts).
 */
export class NtcTemperatureServer extends SensorServer {
    private readonly input: AnalogIn

    constructor(pin: ds.AnalogInPin, adc: AdcScale, private readonly opts: NtcOptions) {
        super(ds.Temperature.spec, FAST_MIN_INTERVAL_MS)
        this.input = new AnalogIn(pin, adc)
        this.regs = opts
    }

    reading() {
        return ntcCelsius(this.input.millivolts(), this.input.adc, this.opts.ntc)
    }
}

export { NTC_OPEN_C, NTC_SHORT_C }

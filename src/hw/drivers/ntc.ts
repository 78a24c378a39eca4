// NTC thermistor on an ADC pin, served as a Jacdac Temperature sensor.
// Circuit (boards/README.md): 3V3 -> NTC -> pin -> fixed resistor -> GND, 100 nF at the pin.
// With the NTC on the high side an open thermistor reads 0 V and a shorted one reads the rail,
// both reported as out-of-range temperatures (NTC_OPEN_C / NTC_SHORT_C), never clamped to a
// plausible value: the safety layer turns them into sensor faults.
import * as ds from "@devicescript/core"
import { FastSensorServer } from "./fast-sensor"
import { AnalogIn } from "./analog-in"
import { AdcScale, NtcParams, NTC_OPEN_C, NTC_SHORT_C, ntcCelsius } from "./analog-math"
import { startLocalServer } from "./local-server"

/**
 * 100 kOhm at 25 degC, B(25/50) = 3950 K: the "100K NTC 3950" glass bead used on 3D-printer
 * hot ends (e.g. Marlin's thermistor table for "100k NTC 3950"); check the part's datasheet.
 * (Parsed from a string, as the firmware's other tables: README, "DeviceScript traps".)
 */
export const NTC_100K_3950: { r25Ohm: number; betaK: number } = JSON.parse('{"r25Ohm":100000,"betaK":3950}')

export interface NtcOptions {
    /** role and instance name (ROLE.filmTemp, ROLE.contactTemp) */
    name: string
    pin: ds.AnalogInPin
    adc: AdcScale
    ntc: NtcParams
    /** the range the divider resolves, degC (reported as min/max reading) */
    minC: number
    maxC: number
    /** estimated error inside that range, degC (uncalibrated ADC gain dominates) */
    errorC: number
}

class NtcTemperatureServer extends FastSensorServer implements ds.TemperatureServerSpec {
    private readonly input: AnalogIn

    constructor(private readonly opts: NtcOptions) {
        super(ds.Temperature.spec)
        this.input = new AnalogIn(opts.pin, opts.adc)
    }

    reading() {
        return ntcCelsius(this.input.millivolts(), this.opts.adc, this.opts.ntc)
    }
    minReading() {
        return this.opts.minC
    }
    maxReading() {
        return this.opts.maxC
    }
    readingError() {
        return this.opts.errorC
    }
}

/** Starts the NTC server on the device (the simulated one in the simulator). */
export function startNtcTemperature(opts: NtcOptions): ds.Temperature {
    return new ds.Temperature(startLocalServer(opts.name, () => new NtcTemperatureServer(opts)))
}

export { NTC_OPEN_C, NTC_SHORT_C }

// An analog distance or position front-end served as a Jacdac Distance sensor, in m. The
// conversion is passed in (linearPositionM for the press potentiometer, inverseDistanceM for
// the IR arch-scan sensor) with its parameters; out-of-range readings come back as
// DISTANCE_OUT_OF_RANGE_M.
import * as ds from "@devicescript/core"
import { SensorServer, FAST_MIN_INTERVAL_MS } from "./server-core"
import { AnalogIn } from "./analog-in"
import { AdcScale } from "./analog-math"

/** pin voltage (mV) -> metres, with the front-end's parameters */
export type ToMeters = (mv: number, adc: AdcScale, params: any) => number

/** The conversion's parameters and the constant registers (board-io.ts parses them from a string). */
export interface AnalogDistanceOptions {
    /** passed to the conversion */
    params: any
    /** measurable range, m (served as the minReading/maxReading registers) */
    minReading: number
    maxReading: number
    /** estimated absolute error, m (readingError register) */
    readingError: number
    variant?: ds.DistanceVariant
}

/**
 * A Jacdac Distance server (ds.DistanceServerSpec; its constant registers come from the
 * options). Start it with startLocalServer(role, AnalogDistanceServer, pin, adc, opts, toMeters).
 */
export class AnalogDistanceServer extends SensorServer {
    private readonly input: AnalogIn

    constructor(pin: ds.AnalogInPin, adc: AdcScale, private readonly opts: AnalogDistanceOptions, private readonly toMeters: ToMeters) {
        super(ds.Distance.spec, FAST_MIN_INTERVAL_MS)
        this.input = new AnalogIn(pin, adc)
        this.regs = opts
    }

    reading() {
        return this.toMeters(this.input.millivolts(), this.input.adc, this.opts.params)
    }
}

// An analog distance or position front-end served as a Jacdac Distance sensor, in m. The
// conversion is passed in (linearPositionM for the press potentiometer, inverseDistanceM for
// the IR arch-scan sensor); out-of-range readings come back as DISTANCE_OUT_OF_RANGE_M.
import * as ds from "@devicescript/core"
import { FastSensorServer } from "./fast-sensor"
import { AnalogIn } from "./analog-in"
import { AdcScale } from "./analog-math"
import { startLocalServer } from "./local-server"

export interface AnalogDistanceOptions {
    /** role and instance name (ROLE.pressPos, ROLE.distance) */
    name: string
    pin: ds.AnalogInPin
    adc: AdcScale
    /** pin voltage (mV) -> metres */
    toMeters: (mv: number) => number
    /** measurable range, m */
    minM: number
    maxM: number
    /** estimated absolute error, m */
    errorM: number
    variant?: ds.DistanceVariant
}

class AnalogDistanceServer extends FastSensorServer implements ds.DistanceServerSpec {
    private readonly input: AnalogIn

    constructor(private readonly opts: AnalogDistanceOptions) {
        super(ds.Distance.spec)
        this.input = new AnalogIn(opts.pin, opts.adc)
    }

    reading() {
        return this.opts.toMeters(this.input.millivolts())
    }
    minReading() {
        return this.opts.minM
    }
    maxReading() {
        return this.opts.maxM
    }
    readingError() {
        return this.opts.errorM
    }
    variant() {
        return this.opts.variant
    }
}

/** Starts the distance server on the device (the simulated one in the simulator). */
export function startAnalogDistance(opts: AnalogDistanceOptions): ds.Distance {
    return new ds.Distance(startLocalServer(opts.name, () => new AnalogDistanceServer(opts)))
}

// Load cell through an instrumentation amplifier with an analog output (INA333-style: output =
// REF + G x bridge), served as a Jacdac WeightScale in kg (force = kg x 9.80665 N).
// Nominal offset/gain come from the circuit (boards/README.md); the WeightScale zeroOffset and
// gain registers and the calibrate commands trim them per unit at run time (not persisted here:
// the caller stores them in settings and writes them back at start).
import * as ds from "@devicescript/core"
import { FastSensorServer } from "./fast-sensor"
import { AnalogIn } from "./analog-in"
import { AdcScale, FORCE_OUT_OF_RANGE_KG, LoadCellParams, loadCellKg } from "./analog-math"
import { startLocalServer } from "./local-server"

export interface LoadCellOptions {
    /** role and instance name (ROLE.force) */
    name: string
    pin: ds.AnalogInPin
    adc: AdcScale
    amp: LoadCellParams
    /** rated capacity of the cell, kg */
    maxKg: number
    /** one ADC step expressed in kg (reported as reading resolution) */
    resolutionKg: number
}

class AnalogLoadCellServer extends FastSensorServer implements ds.WeightScaleServerSpec {
    private readonly input: AnalogIn
    private offsetKg = 0
    private gainFactor = 1

    constructor(private readonly opts: LoadCellOptions) {
        super(ds.WeightScale.spec)
        this.input = new AnalogIn(opts.pin, opts.adc)
    }

    private rawKg() {
        return loadCellKg(this.input.millivolts(), this.opts.adc, this.opts.amp)
    }

    /**
     * Calibrated load in kg. Negative loads (pull, drift below zero) read as 0 because the
     * Jacdac register is unsigned (u16.16); a railed amplifier reads FORCE_OUT_OF_RANGE_KG.
     */
    reading() {
        const raw = this.rawKg()
        if (raw === FORCE_OUT_OF_RANGE_KG) return raw
        return Math.max(0, (raw - this.offsetKg) * this.gainFactor)
    }
    zeroOffset() {
        return this.offsetKg
    }
    set_zeroOffset(kg: number) {
        this.offsetKg = kg
    }
    gain() {
        return this.gainFactor
    }
    set_gain(value: number) {
        if (value > 0) this.gainFactor = value
    }
    minReading() {
        return 0
    }
    maxReading() {
        return this.opts.maxKg
    }
    readingResolution() {
        return this.opts.resolutionKg
    }
    /** Call with nothing on the press head. */
    calibrateZeroOffset() {
        const raw = this.rawKg()
        if (raw !== FORCE_OUT_OF_RANGE_KG) this.offsetKg = raw
    }
    /** Call with a known load (kg) on the press head, after calibrateZeroOffset(). */
    calibrateGain(kg: number) {
        const raw = this.rawKg()
        const span = raw - this.offsetKg
        if (raw !== FORCE_OUT_OF_RANGE_KG && kg > 0 && span > 0) this.gainFactor = kg / span
    }
}

/** Starts the load-cell server on the device (the simulated one in the simulator). */
export function startAnalogLoadCell(opts: LoadCellOptions): ds.WeightScale {
    return new ds.WeightScale(startLocalServer(opts.name, () => new AnalogLoadCellServer(opts)))
}

// Load cell through an instrumentation amplifier with an analog output (INA333-style: output =
// REF + G x bridge), served as a Jacdac WeightScale in kg (force = kg x 9.80665 N).
// Nominal offset/gain come from the circuit (boards/README.md); the WeightScale zeroOffset and
// gain registers and the calibrate commands trim them per unit at run time (not persisted here:
// the caller stores them in settings and writes them back at start).
import * as ds from "@devicescript/core"
import { SensorServer, FAST_MIN_INTERVAL_MS } from "./server-core"
import { AnalogIn } from "./analog-in"
import { AdcScale, FORCE_OUT_OF_RANGE_KG, LoadCellParams, loadCellKg } from "./analog-math"

/** The amplifier and the constant registers (board-io.ts parses them from a string). */
export interface LoadCellOptions {
    amp: LoadCellParams
    /** 0: a pull reads as no load (served as the minReading register) */
    minReading: number
    /** rated capacity of the cell, kg (maxReading register) */
    maxReading: number
    /** one ADC step expressed in kg (readingResolution register) */
    readingResolution: number
}

/**
 * A Jacdac WeightScale server (ds.WeightScaleServerSpec; its constant registers come from the
 * options). Start it with startLocalServer(role, AnalogLoadCellServer, pin, adc, opts).
 */
export class AnalogLoadCellServer extends SensorServer {
    private readonly input: AnalogIn
    /** the zeroOffset and gain registers (fields: server-core.ts) */
    zeroOffset = 0
    gain = 1

    constructor(pin: ds.AnalogInPin, adc: AdcScale, private readonly opts: LoadCellOptions) {
        super(ds.WeightScale.spec, FAST_MIN_INTERVAL_MS)
        this.input = new AnalogIn(pin, adc)
        this.regs = opts
    }

    private rawKg() {
        return loadCellKg(this.input.millivolts(), this.input.adc, this.opts.amp)
    }

    /**
     * Calibrated load in kg. Negative loads (pull, drift below zero) read as 0 because the
     * Jacdac register is unsigned (u16.16); a railed amplifier reads FORCE_OUT_OF_RANGE_KG.
     */
    reading() {
        const raw = this.rawKg()
        if (raw === FORCE_OUT_OF_RANGE_KG) return raw
        return Math.max(0, (raw - this.zeroOffset) * this.gain)
    }
    set_zeroOffset(kg: number) {
        this.zeroOffset = kg
    }
    set_gain(value: number) {
        if (value > 0) this.gain = value
    }
    /** Call with nothing on the press head. */
    calibrateZeroOffset() {
        const raw = this.rawKg()
        if (raw !== FORCE_OUT_OF_RANGE_KG) this.zeroOffset = raw
    }
    /** Call with a known load (kg) on the press head, after calibrateZeroOffset(). */
    calibrateGain(kg: number) {
        const raw = this.rawKg()
        const span = raw - this.zeroOffset
        if (raw !== FORCE_OUT_OF_RANGE_KG && kg > 0 && span > 0) this.gain = kg / span
    }
}

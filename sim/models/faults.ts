// Sensor faults, applied between a model's true value and the reading the firmware gets.
// Each is what the board's driver would report for that failure (docs/faults.md lists the
// firmware's reaction):
//   open    thermistor open circuit: the divider reads full scale, the driver -273 °C
//   short   thermistor shorted: the driver 999 °C
//   stuck   the reading freezes at a given value; stuck-here at the first value it sees
//   offset  reads high (or low) by a constant, in the reading's unit
//   scale   gain error: the reading times a factor
//   rail    load cell disconnected: the HX711-class driver rails at 1000 kg
//   spike   the next `samples` readings are `value` (a knock, EMI), then normal again
//   drift   the zero drifts from the moment the fault is applied: reads trueValue + perS x
//           seconds since (a load cell's bridge creeping, a warming amplifier); negative = low
//   saturate  the reading clips at `at` (an amplifier railing below the load): min(true, at)
// Stateful kinds (stuck-here, spike, drift) keep their state in a FaultState, one per sensor; it
// restarts whenever a different fault object is applied, so re-injecting arms it again.

/** Thermistor open circuit, °C. */
export const OPEN_READING_C = -273
/** Thermistor short circuit, °C. */
export const SHORT_READING_C = 999
/** A disconnected load cell's railed reading, kg. */
export const LOAD_CELL_RAIL_KG = 1000

export type SensorFault =
    | { kind: "open" }
    | { kind: "short" }
    | { kind: "stuck"; value: number }
    | { kind: "stuck-here" }
    | { kind: "offset"; by: number }
    | { kind: "scale"; by: number }
    | { kind: "rail" }
    | { kind: "spike"; value: number; samples: number }
    | { kind: "drift"; perS: number }
    | { kind: "saturate"; at: number }

export interface FaultState {
    /** the fault this state belongs to */
    fault: SensorFault | null
    /** stuck-here: the frozen value (NaN until the first reading) */
    frozen: number
    /** spike: readings still to replace */
    spikeLeft: number
    /** drift: when the fault was applied, ms (NaN until the first reading) */
    sinceMs: number
}

export function newFaultState(): FaultState {
    return { fault: null, frozen: NaN, spikeLeft: 0, sinceMs: NaN }
}

/** The reading a sensor reports for trueValue at nowMs under fault (null: healthy). */
export function applyFault(trueValue: number, fault: SensorFault | null, state: FaultState, nowMs = 0): number {
    if (state.fault !== fault) {
        state.fault = fault
        state.frozen = NaN
        state.sinceMs = nowMs
        state.spikeLeft = fault && fault.kind === "spike" ? fault.samples : 0
    }
    if (fault === null) return trueValue
    switch (fault.kind) {
        case "open":
            return OPEN_READING_C
        case "short":
            return SHORT_READING_C
        case "stuck":
            return fault.value
        case "stuck-here":
            if (Number.isNaN(state.frozen)) state.frozen = trueValue
            return state.frozen
        case "offset":
            return trueValue + fault.by
        case "scale":
            return trueValue * fault.by
        case "rail":
            return LOAD_CELL_RAIL_KG
        case "spike":
            if (state.spikeLeft > 0) {
                state.spikeLeft--
                return fault.value
            }
            return trueValue
        case "drift":
            return trueValue + (fault.perS * (nowMs - state.sinceMs)) / 1000
        case "saturate":
            return Math.min(trueValue, fault.at)
    }
}

// Pure conversions for the applicator's analog front-ends: ADC fraction -> millivolts ->
// engineering units. No @devicescript imports, so the same file runs in the VM and in Node
// tests. Circuits and the sources of every constant: boards/README.md.

/** How the chip's ADC maps to volts, and the top of the range the front-ends are designed for. */
export interface AdcScale {
    /** mV at a raw reading of 100 % (uncalibrated; trim per unit) */
    fullScaleMv: number
    /** readings above this are outside the ADC's accurate range: treated as over-range */
    validMaxMv: number
    /** the rail that excites the ratiometric dividers (NTCs, potentiometer, bridge) */
    supplyMv: number
}

/**
 * ESP32-C3, 11 dB attenuation (the DeviceScript runtime's only setting). Espressif's C3
 * datasheet gives an effective range of 0-2500 mV (+-35 mV) at this attenuation; the raw
 * reading saturates near 2.8 V on uncalibrated parts (field measurements, e.g. Arduino forum
 * "ESP32-C3 ADC issue - reading 4095 at 2.8V"). The ADC reference spreads 1000-1200 mV chip
 * to chip (ESP-IDF ADC docs), so the gain must be trimmed per unit.
 */
// (this table and the next are parsed from strings, as the firmware's other tables: README, "DeviceScript traps")
export const ADC_ESP32C3: AdcScale = JSON.parse('{"fullScaleMv":2800,"validMaxMv":2450,"supplyMv":3300}')

/**
 * ESP32-S3, 11 dB: raw full scale ~3100 mV (ESP-IDF S3 ADC docs, "0 mV ~ 3100 mV"). The
 * front-ends are the same as on the C3 board, so they stay below 2450 mV here too.
 */
export const ADC_ESP32S3: AdcScale = JSON.parse('{"fullScaleMv":3100,"validMaxMv":2450,"supplyMv":3300}')

/** A reading this close to 0 V means an open circuit or a lost supply on every front-end. */
export const ADC_OPEN_MAX_MV = 15

export function adcMillivolts(fraction: number, adc: AdcScale): number {
    return fraction * adc.fullScaleMv
}

// ---- NTC thermistor, NTC on the high side: 3V3 -> NTC -> pin -> fixedOhm -> GND ----

/** Reported for an open NTC (pin at 0 V): absolute zero, below every plausible limit. */
export const NTC_OPEN_C = -273
/** Reported for a shorted NTC or a reading past the accurate ADC range. */
export const NTC_SHORT_C = 999

const KELVIN_0C = 273.15
const T25_K = 298.15

export interface NtcParams {
    /** NTC resistance at 25 degC, ohm */
    r25Ohm: number
    /** Beta (25/50 degC), K */
    betaK: number
    /** fixed resistor from the ADC pin to ground, ohm */
    fixedOhm: number
}

/** NTC resistance from the divider voltage; Infinity when the pin reads 0 V. */
export function ntcOhm(mv: number, supplyMv: number, p: NtcParams): number {
    if (mv <= 0) return Infinity
    return (p.fixedOhm * (supplyMv - mv)) / mv
}

/** Beta equation: 1/T = 1/T25 + ln(R/R25)/B (T in kelvin). */
export function ntcCelsiusFromOhm(ohm: number, p: NtcParams): number {
    return 1 / (1 / T25_K + Math.log(ohm / p.r25Ohm) / p.betaK) - KELVIN_0C
}

/** Temperature from the pin voltage, with open/short reported as out-of-range values. */
export function ntcCelsius(mv: number, adc: AdcScale, p: NtcParams): number {
    if (mv < ADC_OPEN_MAX_MV) return NTC_OPEN_C
    if (mv > adc.validMaxMv) return NTC_SHORT_C
    // ntcCelsiusFromOhm(ntcOhm(mv, adc.supplyMv, p), p), inline (mv > 0 here): each function
    // the firmware calls costs its 64 KB function area a 16-byte descriptor
    const ohm = (p.fixedOhm * (adc.supplyMv - mv)) / mv
    return 1 / (1 / T25_K + Math.log(ohm / p.r25Ohm) / p.betaK) - KELVIN_0C
}

// ---- Load cell through an instrumentation amplifier (output = REF + gain x bridge) ----

/** Reported when the amplifier output sits on a rail (lost REF, open bridge, saturation). */
export const FORCE_OUT_OF_RANGE_KG = 1000

export interface LoadCellParams {
    /** amplifier output at zero load, mV (its REF voltage) */
    zeroMv: number
    /** amplifier output change per kg, mV/kg */
    mvPerKg: number
}

/** Uncalibrated load in kg (may be slightly negative); rails report FORCE_OUT_OF_RANGE_KG. */
export function loadCellKg(mv: number, adc: AdcScale, p: LoadCellParams): number {
    if (mv < ADC_OPEN_MAX_MV || mv > adc.validMaxMv) return FORCE_OUT_OF_RANGE_KG
    return (mv - p.zeroMv) / p.mvPerKg
}

// ---- Distances ----

/** Reported when a distance/position front-end is open, shorted or out of its range. */
export const DISTANCE_OUT_OF_RANGE_M = 10

/** Range checks tolerate float rounding at the exact end points (1 um). */
const EDGE_M = 1e-6

export interface LinearPositionParams {
    /** wiper voltage at position 0 (press at home), mV */
    zeroMv: number
    /** wiper voltage change per metre of travel, mV/m */
    mvPerM: number
    /** readings below this position (m, negative) are reported as out of range */
    minM: number
    /** readings above this position (m) are reported as out of range */
    maxM: number
}

/**
 * Linear potentiometer position in m. Small negative positions (just behind home) are
 * reported as 0: Jacdac Distance is unsigned (u16.16), a negative value would clamp anyway.
 */
export function linearPositionM(mv: number, adc: AdcScale, p: LinearPositionParams): number {
    if (mv < ADC_OPEN_MAX_MV || mv > adc.validMaxMv) return DISTANCE_OUT_OF_RANGE_M
    const m = (mv - p.zeroMv) / p.mvPerM
    if (m < p.minM - EDGE_M || m > p.maxM + EDGE_M) return DISTANCE_OUT_OF_RANGE_M
    return Math.max(0, m)
}

export interface InverseDistanceParams {
    /** constant k of d = k / (v - v0), mV*m */
    kMvM: number
    /** voltage offset v0, mV */
    v0Mv: number
    /** sensor range, m: outside it the reading is reported as out of range */
    minM: number
    maxM: number
}

/**
 * Sharp-style IR distance sensor: output voltage roughly inverse to distance, d = k / (v - v0).
 * k and v0 come from two calibration points (inverseDistanceFit).
 */
export function inverseDistanceM(mv: number, adc: AdcScale, p: InverseDistanceParams): number {
    if (mv < ADC_OPEN_MAX_MV || mv > adc.validMaxMv || mv <= p.v0Mv) return DISTANCE_OUT_OF_RANGE_M
    const m = p.kMvM / (mv - p.v0Mv)
    if (m < p.minM - EDGE_M || m > p.maxM + EDGE_M) return DISTANCE_OUT_OF_RANGE_M
    return m
}

/** k and v0 of d = k / (v - v0) through two (mV, m) points. */
export function inverseDistanceFit(
    nearMv: number,
    nearM: number,
    farMv: number,
    farM: number
): { kMvM: number; v0Mv: number } {
    // nearM (nearMv - v0) = farM (farMv - v0)  =>  v0 = (nearM nearMv - farM farMv) / (nearM - farM)
    const v0Mv = (nearM * nearMv - farM * farMv) / (nearM - farM)
    return { kMvM: nearM * (nearMv - v0Mv), v0Mv }
}

// Parameter validation shared by the models: every key present, finite and inside its range,
// and no key the model does not know (a typo in a scenario's override is an error, not a
// silently ignored option). Ranges are inclusive.

export type ParamRanges<T> = { [K in keyof T]: [number, number] }

export function checkParams<T extends object>(model: string, p: T, ranges: ParamRanges<T>): T {
    const obj = p as unknown as Record<string, unknown>
    const spec = ranges as unknown as Record<string, [number, number]>
    for (const key of Object.keys(obj))
        if (!(key in spec)) throw new RangeError(`${model}: unknown parameter "${key}"`)
    for (const key of Object.keys(spec)) {
        const v = obj[key]
        const [lo, hi] = spec[key]!
        if (typeof v !== "number" || !(v >= lo && v <= hi))
            throw new RangeError(`${model}: parameter "${key}" must be a number in [${lo}, ${hi}], got ${String(v)}`)
    }
    return p
}

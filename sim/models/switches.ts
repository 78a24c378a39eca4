// Door switch and buttons: a level, plus an optional timed press (on from a time for a hold
// time, e.g. a scenario's "press START for 300 ms"). Time is passed in.

export class Switch {
    private level: boolean
    private pulseFromMs = 0
    private pulseUntilMs = -Infinity

    constructor(initiallyOn: boolean) {
        this.level = initiallyOn
    }

    /** Sets the resting level (door closed, button held down); cancels a pending timed press. */
    set(on: boolean): void {
        this.level = on
        this.pulseUntilMs = -Infinity
    }

    /** On during [fromMs, fromMs + holdMs), then back to the resting level. */
    pressFor(fromMs: number, holdMs: number): void {
        if (!(holdMs > 0)) throw new RangeError(`Switch.pressFor: holdMs must be > 0, got ${holdMs}`)
        this.pulseFromMs = fromMs
        this.pulseUntilMs = fromMs + holdMs
    }

    isOn(nowMs: number): boolean {
        return this.level || (nowMs >= this.pulseFromMs && nowMs < this.pulseUntilMs)
    }
}

/** The door/lid switch: on = closed (the applicator starts with it closed). */
export function doorSwitch(): Switch {
    return new Switch(true)
}

/** A push button (START, ABORT): on = pressed. */
export function button(): Switch {
    return new Switch(false)
}

// Time-proportioned relay output: a duty (permille) becomes on/off ticks over a window.
// Each window is on for round(duty x ticks) ticks at its start; the rounding remainder is
// carried into the next window, so the long-run mean equals the commanded duty exactly
// (a 1 s window at 20 Hz alone would quantise to 5 %). A duty change takes effect at the
// next window boundary, except that a drop to zero switches off at once (safety).

export class TimeProportioner {
    private tick = 0
    private onTicks = 0
    private carryPermilleTicks = 0

    constructor(readonly windowTicks: number) {
        if (windowTicks < 2) throw new RangeError("window must be at least 2 ticks")
    }

    reset() {
        this.tick = 0
        this.onTicks = 0
        this.carryPermilleTicks = 0
    }

    /** Call once per control tick with the current duty; returns whether the relay is on. */
    step(dutyPermille: number): boolean {
        if (dutyPermille <= 0) {
            this.reset()
            return false
        }
        if (this.tick === 0) {
            // permille x ticks, kept integer so the carry never drifts; a duty above 100 %
            // counts as 100 % (else its excess would pile up in the carry and keep the heater
            // on for whole windows after the duty came down)
            const duty = dutyPermille > 1000 ? 1000 : dutyPermille
            const want = duty * this.windowTicks + this.carryPermilleTicks
            this.onTicks = Math.floor((want + 500) / 1000)
            if (this.onTicks > this.windowTicks) this.onTicks = this.windowTicks
            this.carryPermilleTicks = want - this.onTicks * 1000
        }
        const on = this.tick < this.onTicks
        this.tick = (this.tick + 1) % this.windowTicks
        return on
    }
}

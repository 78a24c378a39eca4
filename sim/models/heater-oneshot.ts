// The heater's hardware one-shot (boards/README.md): a retriggerable monostable fed by the
// firmware's keep-alive. Each kick holds its output high for windowMs; the SSR gets power only
// while it is high, whatever the relay says, so a hung or crashed program stops heating within
// one window. The heater is powered only when the relay is on AND powered(now) is true.

export class HeaterOneShot {
    /** time of the last kick, ms; none yet: unpowered */
    private lastKickMs: number | null = null

    constructor(readonly windowMs: number) {
        if (!(windowMs > 0) || !Number.isFinite(windowMs)) throw new RangeError(`HeaterOneShot: windowMs must be > 0, got ${windowMs}`)
    }

    /** A re-assert at nowMs restarts the window. */
    kick(nowMs: number): void {
        this.lastKickMs = nowMs
    }

    /** High for windowMs after the last kick: [kick, kick + windowMs). */
    powered(nowMs: number): boolean {
        if (this.lastKickMs === null) return false
        const since = nowMs - this.lastKickMs
        return since >= 0 && since < this.windowMs
    }

    /** Forget every kick (power cycle of the board). */
    reset(): void {
        this.lastKickMs = null
    }
}

// Press stall: motion commanded at or above a minimum speed must show a minimum travel over
// the last window (sliding: a jam is caught one window after it happens, however the window
// lines up). Applies only to free motion (approach, release); in contact the force loop
// legitimately pushes with almost no travel.

export class StallDetector {
    /** positions of the last ticks of uninterrupted commanded motion, oldest first */
    private posUm: number[] = []
    private tMs: number[] = []
    /** the travel seen over the window that tripped, µm */
    value = 0

    constructor(readonly windowMs: number, readonly minProgressUm: number, readonly minSpeedPermille: number) {}

    reset() {
        this.posUm = []
        this.tMs = []
    }

    update(nowMs: number, positionUm: number, commandedSpeedPermille: number, freeMotion: boolean): boolean {
        const speed = commandedSpeedPermille < 0 ? -commandedSpeedPermille : commandedSpeedPermille
        if (!freeMotion || speed < this.minSpeedPermille) {
            this.reset()
            return false
        }
        this.posUm.push(positionUm)
        this.tMs.push(nowMs)
        // drop samples older than one window, keeping the one at the window's start
        while (this.tMs.length > 1 && nowMs - this.tMs[1] >= this.windowMs) {
            this.tMs.shift()
            this.posUm.shift()
        }
        if (nowMs - this.tMs[0] < this.windowMs) return false
        const travel = positionUm - this.posUm[0]
        this.value = travel < 0 ? -travel : travel
        return this.value < this.minProgressUm
    }
}

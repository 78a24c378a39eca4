// Press stall: motion commanded at or above a minimum speed must show a minimum travel within
// each window. Applies only to free motion (approach, release); in contact the force loop
// legitimately pushes with almost no travel.

export class StallDetector {
    private startMs = -1
    private startUm = 0
    /** the travel seen in the window that tripped, µm */
    value = 0

    constructor(readonly windowMs: number, readonly minProgressUm: number, readonly minSpeedPermille: number) {}

    reset() {
        this.startMs = -1
    }

    update(nowMs: number, positionUm: number, commandedSpeedPermille: number, freeMotion: boolean): boolean {
        const speed = commandedSpeedPermille < 0 ? -commandedSpeedPermille : commandedSpeedPermille
        if (!freeMotion || speed < this.minSpeedPermille) {
            this.startMs = -1
            return false
        }
        if (this.startMs < 0) {
            this.startMs = nowMs
            this.startUm = positionUm
            return false
        }
        if (nowMs - this.startMs < this.windowMs) return false
        const travel = positionUm - this.startUm
        this.value = travel < 0 ? -travel : travel
        if (this.value < this.minProgressUm) return true
        this.startMs = nowMs
        this.startUm = positionUm
        return false
    }
}

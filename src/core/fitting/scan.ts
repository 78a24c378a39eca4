// The arch scan. Geometry (chosen so that no trigonometry is needed anywhere, see
// docs/fitting.md): the press carries the distance sensor across the arch along its own axis,
// which is the scan's x axis; at each step the sensor looks straight ahead (+y, at a right
// angle to the press axis) and measures the distance to the first arch surface it meets.
// Every reading is then a point (x = press position, y = distance) in µm, with no angle to
// resolve. Templates are drawn in the same orientation: x across the arch, y growing away
// from the sensor (front teeth at small y, molars at large y).

import type { FittingSettings } from "../manifest"

export interface ArchScan {
    /** valid points [xUm, yUm], integers, in scan order */
    pointsUm: number[][]
    /** scan positions visited */
    positions: number
    /** positions dropped: the press was off the plan, or too few of its readings were valid */
    dropped: number
    /** single distance readings that were invalid (out of the sensor's range, not a number) */
    invalidReadings: number
}

/** The press positions (µm) to read the distance sensor at: start, start + step, ... <= end. */
export function scanPlanUm(s: FittingSettings): number[] {
    const plan: number[] = []
    for (let x = s.scanStartUm; x <= s.scanEndUm; x += s.scanStepUm) plan.push(x)
    return plan
}

/**
 * Collects the scan as the scan routine steps the press: at each position it passes the
 * measured press position and fitting.readingsPerPoint distance readings, all in µm. The
 * valid readings are averaged into one point (the sensor's noise falls by sqrt(n), and the
 * fit's accuracy with it, see docs/fitting.md); a position whose readings are mostly invalid
 * is at the edge of what the sensor sees and is dropped. Everything dropped is counted, so
 * the operator sees how much of the scan was usable. The builder is its own result: fields
 * only, so the device compiles two methods.
 */
export class ArchScanBuilder implements ArchScan {
    pointsUm: number[][] = []
    positions = 0
    dropped = 0
    invalidReadings = 0

    constructor(private readonly s: FittingSettings) {}

    /** Returns true when the position gave a point. */
    addPoint(positionUm: number, readingsUm: number[]): boolean {
        const s = this.s
        this.positions++
        let sum = 0
        let valid = 0
        // the range checks also refuse NaN and infinities (a sensor driver's error values)
        for (let i = 0; i < readingsUm.length; i++) {
            const d = readingsUm[i]
            // (nested ifs: `&&` costs the VM more bytecode)
            if (typeof d === "number")
                if (d >= s.distanceMinUm)
                    if (d <= s.distanceMaxUm) {
                        sum += d
                        valid++
                    }
        }
        this.invalidReadings += readingsUm.length - valid
        // a position outside the plan (by more than a step) means the press did not go
        // where it was sent: the x of that point is not trustworthy
        if (typeof positionUm === "number")
            if (positionUm >= s.scanStartUm - s.scanStepUm)
                if (positionUm <= s.scanEndUm + s.scanStepUm)
                    if (valid > 0)
                        if (valid * 2 >= readingsUm.length) {
                            this.pointsUm.push([Math.floor(positionUm + 0.5), Math.floor(sum / valid + 0.5)])
                            return true
                        }
        this.dropped++
        return false
    }

    /** The scan so far (this builder itself). */
    result(): ArchScan {
        return this
    }
}

// The arch scan as the controller runs it, one control tick at a time (docs/fitting.md, "Scan
// run"). The press moves forward at a constant speed from home through the scan plan; each
// fresh distance reading counts toward the plan position nearest the press (its bin), up to
// fitting.readingsPerPoint per bin, and when the press moves on to the next bin the finished
// one becomes a point (mean press position of its readings, the readings) in ArchScanBuilder.
// If a bin has under half its readings past its middle, the press waits there (a sensor
// slower than the press). It never heats. The controller counts a running scan as free
// motion (stall detection) and active (abort button, tick timing); a force at the contact
// threshold means the press touched something: the scan fails and the press retracts.
//
// The position and the distance are the latest samples when a distance reading arrives: on
// the simulator both come in one report; on a board they come from two sensor servers
// sampling every control period, so up to one period apart (at 5 mm/s, <= 0.25 mm of x).

import type { FittingSettings } from "../manifest"
import { ArchScanBuilder } from "./scan"

export enum ScanState {
    /** waiting for the operator's start press (the controller starts it) */
    Pending = 0,
    Running = 1,
    /** the press reached the plan's end: b.result() is the scan */
    Done = 2,
    /** stopped early: why says why; a new scan is needed */
    Failed = 3,
}

/** control ticks without a fresh distance reading before a running scan gives up */
const SILENT_TICKS = 40

export class ScanRun {
    state = ScanState.Pending
    /** the operator's message: why the last scan or fit failed ("" none) */
    why = ""
    readonly b: ArchScanBuilder
    /** the plan index (bin) the readings being gathered belong to */
    private k = 0
    private readings: number[] = []
    /** sum and count of the press positions of the bin's valid readings */
    private posSum = 0
    private valid = 0
    /** time of the last distance reading used (each reading counts once), ms */
    private lastAtMs = -1
    /** control ticks since the last fresh distance reading */
    private silent = 0

    constructor(readonly s: FittingSettings, readonly speedPermille: number, readonly contactMilliN: number) {
        this.b = new ArchScanBuilder(s)
    }

    /**
     * One control tick of a running scan; returns the press speed (permille). posUm: the press
     * position (posOk: it has one); distUm and distAtMs: the latest distance reading and when it came.
     */
    step(posUm: number, posOk: boolean, distUm: number, distAtMs: number, forceMilliN: number, doorClosed: boolean): number {
        if (this.state !== ScanState.Running) return 0
        if (forceMilliN >= this.contactMilliN) return this.fail("press touched something")
        if (!doorClosed) return this.fail("door opened")
        if (++this.silent > SILENT_TICKS) return this.fail("no distance readings")
        if (!posOk) return 0 // the supervisor faults a position that stays lost
        const s = this.s
        const step = s.scanStepUm
        const k = Math.round((posUm - s.scanStartUm) / step)
        if (distAtMs > this.lastAtMs) {
            this.lastAtMs = distAtMs
            this.silent = 0
            if (k !== this.k) this.flush(k)
            if (k >= 0 && this.readings.length < s.readingsPerPoint) {
                this.readings.push(distUm)
                // the point's x is where its valid readings were taken: at an end of the arch,
                // where it is steepest, the misses of a bin lie beyond the end
                if (distUm >= s.distanceMinUm && distUm <= s.distanceMaxUm) {
                    this.posSum += posUm
                    this.valid++
                }
            }
        }
        if (posUm >= s.scanEndUm) {
            this.flush(k)
            this.state = ScanState.Done
            return 0
        }
        // wait past the middle of a bin that has under half its readings (a sensor slower than the press)
        if (k >= 0 && this.readings.length * 2 < s.readingsPerPoint && posUm >= s.scanStartUm + k * step + step / 4) return 0
        return this.speedPermille
    }

    /** The readings gathered so far become bin k's point; gathering moves to bin next. */
    private flush(next: number) {
        if (this.readings.length > 0) this.b.addPoint(this.valid > 0 ? this.posSum / this.valid : this.s.scanStartUm + this.k * this.s.scanStepUm, this.readings)
        this.readings = []
        this.posSum = 0
        this.valid = 0
        this.k = next
    }

    /** Stops a running scan (a fault, the abort button); the controller retracts the press. */
    fail(why: string): number {
        if (this.state === ScanState.Running) {
            this.state = ScanState.Failed
            this.why = why
        }
        return 0
    }
}

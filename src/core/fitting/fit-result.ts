// What a fit reports, why it was rejected, and the summary a compliance record carries.
// All integers in the units their names carry, so the record's canonical bytes are the same
// in the VM and in Node.

import type { FittingSettings } from "../manifest"

/** Stable codes (records and the hub keep them): never renumber, only append. */
export enum FitReason {
    Accepted = 0,
    /** fewer valid scan points than fitting.minPoints */
    TooFewPoints = 1,
    /** the points or the template do not pin the fit down (all on one spot, template too short) */
    Degenerate = 2,
    /** the scan covers too little of the template's arch */
    PoorCoverage = 3,
    /** RMS residual over fitting.maxRmsUm: a noisy scan or the wrong template shape */
    TooNoisy = 4,
    /** one point farther than fitting.maxWorstUm from the fitted arch */
    PointTooFar = 5,
    /** fitted scale outside fitting.scaleMinPpm..scaleMaxPpm: the template's size does not fit */
    ScaleOutOfRange = 6,
    /** fitted rotation beyond fitting.maxRotationMicroRad: the patient is not aligned */
    Misaligned = 7,
}

export interface FitResult {
    accepted: boolean
    reason: FitReason
    /** valid points fitted, and readings dropped as invalid by the scan */
    points: number
    dropped: number
    iterations: number
    rmsUm: number
    worstUm: number
    /** share of the template's arch length covered by scan points, 1/1000 */
    coveragePermille: number
    /**
     * The similarity placing the template in the scan frame:
     * p_scan = scale R(rotation) (p_template - centre) + offset, where centre is the template's
     * arch centre, the midpoint of its first and last points; offset is where it lands.
     */
    scalePpm: number
    rotationMicroRad: number
    offsetXUm: number
    offsetYUm: number
}

/** The fit as a compliance record carries it (accepted: 1 or 0, to keep the record all-integer). */
export interface FitSummary {
    rmsUm: number
    worstUm: number
    coveragePermille: number
    scalePpm: number
    offsetXUm: number
    offsetYUm: number
    rotationMicroRad: number
    accepted: number
}

export function toFitSummary(r: FitResult): FitSummary {
    return {
        rmsUm: r.rmsUm,
        worstUm: r.worstUm,
        coveragePermille: r.coveragePermille,
        scalePpm: r.scalePpm,
        offsetXUm: r.offsetXUm,
        offsetYUm: r.offsetYUm,
        rotationMicroRad: r.rotationMicroRad,
        accepted: r.accepted ? 1 : 0,
    }
}

/** The operator's message: what went wrong, with the number against its limit, and what to do. */
export function fitMessage(r: FitResult, s: FittingSettings): string {
    const k = r.reason
    if (k === FitReason.Accepted) return "fit accepted: RMS " + r.rmsUm + " um, scale " + r.scalePpm + " ppm"
    // every rejection asks for a re-scan
    let m = "fit rejected (reason " + k + ")"
    if (k === FitReason.TooFewPoints)
        m = "too few valid scan points: " + r.points + " (need " + s.minPoints + ", " + r.dropped + " dropped); check the patient is in the sensor's range"
    if (k === FitReason.Degenerate) m = "scan has no usable arch shape (or the template has none); check the template and the sensor"
    if (k === FitReason.PoorCoverage) m = "scan covers " + r.coveragePermille + " permille of the arch (need " + s.minCoveragePermille + "); centre the patient"
    if (k === FitReason.TooNoisy)
        m = "scan does not match the template: RMS " + r.rmsUm + " um (limit " + s.maxRmsUm + "); keep the patient still or choose the right template"
    if (k === FitReason.PointTooFar)
        m = "a scan point is " + r.worstUm + " um off the arch (limit " + s.maxWorstUm + "); clear the lips or retractor from the sensor's path"
    if (k === FitReason.ScaleOutOfRange)
        m = "arch is " + r.scalePpm + " ppm of the template's size (allowed " + s.scaleMinPpm + ".." + s.scaleMaxPpm + "); choose another template size"
    if (k === FitReason.Misaligned) m = "arch is rotated " + r.rotationMicroRad + " urad (limit " + s.maxRotationMicroRad + "); align the patient"
    return m + "; re-scan"
}

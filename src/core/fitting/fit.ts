// Fits a template's arch curve to an arch scan by least squares, and accepts or rejects it
// against the manifest's fitting limits.
//
// Model: a similarity p_scan = s R(theta) p_template + t, written with A = s cos(theta) and
// B = s sin(theta). It is linear in (A, B, tx, ty), so each step is an exact linear least-
// squares solve and no sin/cos is needed (the VM has none); s = sqrt(A^2 + B^2) and theta =
// atan2(B, A) come out at the end. Method: iterative closest point with point-to-line
// residuals: each scan point is paired with its closest point on the current template
// polyline, and its error is measured along that segment's normal, so points may slide along
// the arch (the scan's x spacing is arbitrary) but not off it. Points beyond the template's
// ends are measured to the end point in both x and y. Converges in 3-25 steps from the
// extent-based start below; docs/fitting.md has the derivation and accuracy figures.

import type { FittingSettings } from "../manifest"
import { ArchScan } from "./scan"
import { ArchPolyline, coveragePermille } from "./polyline"
import { NormalEquations4 } from "./normal-equations"
import { atan2Rad, roundInt } from "./angle"
import { FitReason, FitResult, judgeFit, rejected } from "./fit-result"

/**
 * Closest-segment tests between two pauses. With the per-point work around them they cost
 * over 100 VM opcodes each: 1000 per pause overran the VM's ~128K-opcode budget, 200 keeps a
 * wide margin.
 */
const WORK_PER_PAUSE = 200
/** converged when no vertex of the placed template moves more than this in one step, µm */
const CONVERGED_UM = 0.05

/**
 * Only the distance (y) is noisy; the press position (x) is known to a few µm. An error across
 * a steep stretch of arch shows up as a large y error, so each residual is measured along y
 * (the normal's y part divided out): the maximum-likelihood weighting for y noise. It puts
 * the weight on the arch's sides, which pin the rotation; plain perpendicular distances leave
 * rotation and x offset more interchangeable (~1.4x the errors on the synthetic set). Capped
 * where the arch runs almost parallel to y (|ny| below this): a point's y error is ill-defined.
 */
const MIN_NORMAL_Y = 0.2

export type Pause = () => Promise<void>

export async function fitArch(archPointsUm: number[][], scan: ArchScan, s: FittingSettings, pause?: Pause): Promise<FitResult> {
    const pts = scan.pointsUm
    const n = pts.length
    if (n < s.minPoints || n < 3) return rejected(FitReason.TooFewPoints, n, scan.dropped)
    const poly = new ArchPolyline(archPointsUm)
    if (poly.count() < 2 || poly.radiusUm <= 0) return rejected(FitReason.Degenerate, n, scan.dropped)

    const st = new FitState(poly, pts, pause)
    if (!st.start()) return rejected(FitReason.Degenerate, n, scan.dropped)
    let iterations = 0
    let converged = false
    while (iterations < s.maxIterations && !converged) {
        iterations++
        const step = await st.step()
        if (step < 0) return rejected(FitReason.Degenerate, n, scan.dropped)
        converged = step < CONVERGED_UM
    }
    return await st.finish(s, iterations, scan.dropped)
}

class FitState {
    private readonly eq = new NormalEquations4()
    // current parameters in µm: vertices land at [[a, -b], [b, a]] u + (ex, ey)
    a = 0
    b = 0
    ex = 0
    ey = 0
    private work = 0
    /** the pose before the last solve and its cost (-1: none yet) */
    private readonly prev: number[] = [0, 0, 0, 0]
    private prevCost = -1
    /** the lowest-cost pose seen */
    private readonly best: number[] = [0, 0, 0, 0]
    private bestCost = -1

    constructor(private readonly poly: ArchPolyline, private readonly pts: number[][], private readonly pause: Pause | undefined) {}

    /**
     * Start: no rotation, the scale that makes the template as wide as the scan, the template's
     * x centre on the scan's and its front-most point on the scan's. The scan sees the whole
     * width of a seated arch, so this is within a few percent; ICP does the rest.
     */
    start(): boolean {
        const p = this.poly
        const pts = this.pts
        let sx0 = pts[0][0]
        let sx1 = sx0
        let sy0 = pts[0][1]
        pts.forEach(q => {
            if (q[0] < sx0) sx0 = q[0]
            if (q[0] > sx1) sx1 = q[0]
            if (q[1] < sy0) sy0 = q[1]
        })
        let ux0 = p.ux[0]
        let ux1 = ux0
        let uy0 = p.uy[0]
        for (let i = 1; i < p.count(); i++) {
            if (p.ux[i] < ux0) ux0 = p.ux[i]
            if (p.ux[i] > ux1) ux1 = p.ux[i]
            if (p.uy[i] < uy0) uy0 = p.uy[i]
        }
        if (ux1 <= ux0 || sx1 <= sx0) return false
        this.a = (sx1 - sx0) / (ux1 - ux0)
        this.b = 0
        this.ex = (sx0 + sx1) / 2 - (this.a * (ux0 + ux1)) / 2
        this.ey = sy0 - this.a * uy0
        return true
    }

    private async spend(segments: number) {
        this.work += segments
        if (this.work >= WORK_PER_PAUSE) {
            this.work = 0
            if (this.pause) await this.pause()
        }
    }

    /**
     * One ICP step; returns the largest vertex move (µm), or -1 when the system is singular.
     * A step that raised the cost (a point switching segments can make ICP cycle between two
     * poses) is halved back toward the previous pose instead, so the cost only goes down;
     * finish() uses the lowest-cost pose seen.
     */
    async step(): Promise<number> {
        const cost = await this.linearise()
        if (this.bestCost < 0 || cost < this.bestCost) this.keepBest(cost)
        if (this.prevCost >= 0 && cost > this.prevCost) {
            return this.moveTo((this.prev[0] + this.a) / 2, (this.prev[1] + this.b) / 2, (this.prev[2] + this.ex) / 2, (this.prev[3] + this.ey) / 2)
        }
        this.prevCost = cost
        this.prev[0] = this.a
        this.prev[1] = this.b
        this.prev[2] = this.ex
        this.prev[3] = this.ey
        if (!this.eq.solve()) return -1
        const x = this.eq.x
        return this.moveTo(x[0], x[1], x[2], x[3])
    }

    private keepBest(cost: number) {
        this.bestCost = cost
        this.best[0] = this.a
        this.best[1] = this.b
        this.best[2] = this.ex
        this.best[3] = this.ey
    }

    private moveTo(a: number, b: number, ex: number, ey: number): number {
        // |u| <= 1, so the largest parameter change bounds the move of every vertex
        const move = Math.max(Math.max(Math.abs(a - this.a), Math.abs(b - this.b)), Math.max(Math.abs(ex - this.ex), Math.abs(ey - this.ey)))
        this.a = a
        this.b = b
        this.ex = ex
        this.ey = ey
        return move
    }

    /** Pairs every scan point with the placed template, fills the normal equations, returns the cost (µm²). */
    private async linearise(): Promise<number> {
        const p = this.poly
        const eq = this.eq
        p.transform(this.a, this.b, this.ex, this.ey)
        eq.reset()
        let cost = 0
        const last = p.count() - 1
        for (let i = 0; i < this.pts.length; i++) {
            const qx = this.pts[i][0]
            const qy = this.pts[i][1]
            p.closest(qx, qy)
            await this.spend(last)
            const j = p.seg
            const t = p.t
            // the paired template point, normalised units
            const ux = p.ux[j] + t * (p.ux[j + 1] - p.ux[j])
            const uy = p.uy[j] + t * (p.uy[j + 1] - p.uy[j])
            if ((j === 0 && t === 0) || (j === last - 1 && t === 1)) {
                // beyond an end of the template: both coordinates count
                eq.addRow(ux, -uy, 1, 0, qx)
                eq.addRow(uy, ux, 0, 1, qy)
                cost += p.dist2
                continue
            }
            let nx = 0
            let ny = 0
            const cx = p.vx[j] + t * (p.vx[j + 1] - p.vx[j])
            const cy = p.vy[j] + t * (p.vy[j + 1] - p.vy[j])
            const d = Math.sqrt(p.dist2)
            if ((t === 0 || t === 1) && d > 1e-6) {
                // at a vertex between two segments: the normal is the direction to the point
                nx = (qx - cx) / d
                ny = (qy - cy) / d
            } else {
                const dx = p.vx[j + 1] - p.vx[j]
                const dy = p.vy[j + 1] - p.vy[j]
                const len = Math.sqrt(dx * dx + dy * dy)
                nx = -dy / len
                ny = dx / len
            }
            // n . ([[a, -b], [b, a]] u + e) = n . q, linear in (a, b, ex, ey); divided by |ny|
            // so that it measures the error along y, where the sensor's noise is
            let w = Math.abs(ny)
            if (w < MIN_NORMAL_Y) w = MIN_NORMAL_Y
            nx = nx / w
            ny = ny / w
            eq.addRow(nx * ux + ny * uy, ny * ux - nx * uy, nx, ny, nx * qx + ny * qy)
            cost += p.dist2 / (w * w)
        }
        return cost
    }

    /** Residuals, coverage and the limits, at the final parameters. */
    async finish(s: FittingSettings, iterations: number, dropped: number): Promise<FitResult> {
        const p = this.poly
        const pts = this.pts
        const n = pts.length
        // the last step's pose was never costed: compare it with the best one seen
        const cost = await this.linearise()
        if (this.bestCost < 0 || cost < this.bestCost) this.keepBest(cost)
        this.moveTo(this.best[0], this.best[1], this.best[2], this.best[3])
        p.transform(this.a, this.b, this.ex, this.ey)
        let sum2 = 0
        let worst2 = 0
        const along: number[] = []
        for (let i = 0; i < n; i++) {
            p.closest(pts[i][0], pts[i][1])
            await this.spend(p.count())
            sum2 += p.dist2
            if (p.dist2 > worst2) worst2 = p.dist2
            along.push(p.alongAtClosest())
        }
        // back from normalised units: scale = |(a, b)| / radius. The offset reported is where
        // the template's arch centre (midpoint of its two ends) lands: rotation is the fit's
        // weakest parameter (a round arch turned about its centre barely changes), so a point
        // near that centre is pinned far better than the template's origin, which a small
        // rotation error swings sideways (docs/fitting.md)
        const r = p.radiusUm
        const last = p.count() - 1
        const cu = (p.ux[0] + p.ux[last]) / 2
        const cv = (p.uy[0] + p.uy[last]) / 2
        const am = this.a / r
        const bm = this.b / r
        const scale = Math.sqrt(am * am + bm * bm)
        // NaN (never seen; the solve refuses singular systems) must not pass as a good fit
        if (!(sum2 >= 0) || !(scale >= 0)) return rejected(FitReason.Degenerate, n, dropped)
        const res: FitResult = {
            accepted: false,
            reason: FitReason.Accepted,
            points: n,
            dropped: dropped,
            iterations: iterations,
            rmsUm: bounded(Math.sqrt(sum2 / n), 0, REPORT_MAX),
            worstUm: bounded(Math.sqrt(worst2), 0, REPORT_MAX),
            coveragePermille: coveragePermille(along, p.length(), scale > 0 ? s.coverageGapUm / (scale * r) : 0),
            scalePpm: bounded(scale * 1000000, 0, SCALE_MAX_PPM),
            rotationMicroRad: roundInt(atan2Rad(bm, am) * 1000000),
            offsetXUm: bounded(this.a * cu - this.b * cv + this.ex, -REPORT_MAX, REPORT_MAX),
            offsetYUm: bounded(this.b * cu + this.a * cv + this.ey, -REPORT_MAX, REPORT_MAX),
        }
        res.reason = judgeFit(res, s)
        res.accepted = res.reason === FitReason.Accepted
        return res
    }
}

/**
 * Reported figures are kept within what a compliance record holds (±1e6, e.g. 1 m): a fit
 * that lands outside is rejected anyway (RMS, scale), and its record must still encode.
 */
const REPORT_MAX = 1000000
/** the record holds a scale up to 10x */
const SCALE_MAX_PPM = 10000000

function bounded(v: number, lo: number, hi: number): number {
    const r = roundInt(v)
    return r < lo ? lo : r > hi ? hi : r
}

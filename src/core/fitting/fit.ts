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
//
// Written for the device's bytecode space: one function with plain locals (every function
// or method costs a descriptor and each `this.` access costs bytes), nested ifs instead of
// `&&`, the placed template computed vertex by vertex instead of kept (the VM heap is small);
// only addRow and solve4 are separate, so the tests can check them.

import type { FittingSettings } from "../manifest"
import { ArchScan } from "./scan"
import { atan2Rad } from "./angle"
import { FitReason, FitResult } from "./fit-result"

/**
 * Closest-segment tests between two pauses. With the per-point work around them (and the
 * vertex placement inside them) they cost ~100 VM opcodes each: 1000 per pause overran the
 * VM's ~128K-opcode budget. The control tick runs only at a pause, so a pause's work is also
 * how late a tick can be: at ESP32-C3 speed 200 tests took up to ~140 ms and made ticks 110-190
 * ms apart (docs/target-speed.md); 40 keep a step to ~25 ms there.
 */
const WORK_PER_PAUSE = 40
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
/** a pivot this small relative to its column's diagonal means the rows do not pin that unknown */
const SINGULAR_RATIO = 1e-10
/**
 * Reported figures are kept within what a compliance record holds (±1e6, e.g. 1 m): a fit
 * that lands outside is rejected anyway (RMS, scale), and its record must still encode.
 */
const REPORT_MAX = 1000000
/** the record holds a scale up to 10x */
const SCALE_MAX_PPM = 10000000

export type Pause = () => Promise<void>

/**
 * archPointsUm: the template's arch, [x, y] µm in arch order (consecutive duplicates are
 * skipped: a zero-length segment has no direction). pause is awaited every WORK_PER_PAUSE
 * closest-segment tests (the VM kills a fiber after ~128K opcodes without an await).
 */
export async function fitArch(archPointsUm: number[][], scan: ArchScan, s: FittingSettings, pause?: Pause): Promise<FitResult> {
    const pts = scan.pointsUm
    const n = pts.length
    // filled in as the fit gets through its checks; a rejection returns it as it stands
    const res: FitResult = {
        accepted: false,
        reason: FitReason.TooFewPoints,
        points: n,
        dropped: scan.dropped,
        iterations: 0,
        rmsUm: 0,
        worstUm: 0,
        coveragePermille: 0,
        scalePpm: 0,
        rotationMicroRad: 0,
        offsetXUm: 0,
        offsetYUm: 0,
    }
    if (n < 3) return res
    if (n < s.minPoints) return res
    res.reason = FitReason.Degenerate

    // The template as the fit sees it: centred on its vertices' centroid and divided by its
    // radius, so every coordinate is within [-1, 1] and the least-squares system stays well
    // conditioned (µm-sized and unit-sized columns would differ by ~1e9).
    const ux: number[] = []
    const uy: number[] = []
    let m = 0
    let cx = 0
    let cy = 0
    // the last vertex kept (NaN equals nothing)
    let lx = NaN
    let ly = NaN
    for (let i = 0; i < archPointsUm.length; i++) {
        const x = archPointsUm[i][0]
        const y = archPointsUm[i][1]
        // (nested ifs here and below: `&&` costs the VM more bytecode)
        if (x === lx) if (y === ly) continue
        lx = x
        ly = y
        ux[m] = x
        uy[m] = y
        cx += x
        cy += y
        m++
    }
    if (m < 2) return res
    cx = cx / m
    cy = cy / m
    let r = 0
    for (let i = 0; i < m; i++) {
        const d2 = (ux[i] - cx) * (ux[i] - cx) + (uy[i] - cy) * (uy[i] - cy)
        if (d2 > r) r = d2
    }
    r = Math.sqrt(r)
    if (!(r > 0)) return res
    // along[j]: arch length from the first vertex to vertex j; and the extents, normalised units
    const along: number[] = []
    let len = 0
    let ux0 = 2
    let ux1 = -2
    let uy0 = 2
    for (let i = 0; i < m; i++) {
        ux[i] = (ux[i] - cx) / r
        uy[i] = (uy[i] - cy) / r
        if (i > 0) {
            const dx = ux[i] - ux[i - 1]
            const dy = uy[i] - uy[i - 1]
            len += Math.sqrt(dx * dx + dy * dy)
        }
        along.push(len)
        if (ux[i] < ux0) ux0 = ux[i]
        if (ux[i] > ux1) ux1 = ux[i]
        if (uy[i] < uy0) uy0 = uy[i]
    }

    // Start: no rotation, the scale that makes the template as wide as the scan, the template's
    // x centre on the scan's and its front-most point on the scan's. The scan sees the whole
    // width of a seated arch, so this is within a few percent; ICP does the rest.
    let sx0 = pts[0][0]
    let sx1 = sx0
    let sy0 = pts[0][1]
    for (let i = 1; i < n; i++) {
        const q = pts[i]
        if (q[0] < sx0) sx0 = q[0]
        if (q[0] > sx1) sx1 = q[0]
        if (q[1] < sy0) sy0 = q[1]
    }
    if (ux1 <= ux0) return res
    if (sx1 <= sx0) return res
    // current pose in µm: vertices land at [[a, -b], [b, a]] u + (ex, ey)
    let a = (sx1 - sx0) / (ux1 - ux0)
    let b = 0
    let ex = (sx0 + sx1) / 2 - (a * (ux0 + ux1)) / 2
    let ey = sy0 - a * uy0
    // the pose before the last solve and its cost (Infinity: none yet), the lowest-cost pose seen
    let pa = 0
    let pb = 0
    let pex = 0
    let pey = 0
    let prevCost = Infinity
    let ba = 0
    let bb = 0
    let bex = 0
    let bey = 0
    let bestCost = Infinity

    // normal equations, augmented 4 x 5 [AtA | Atb] row-major; 20..23: the diagonal at the solve
    const eq: number[] = []
    // the row being added: c0 a + c1 b + c2 ex + c3 ey = c4
    const c: number[] = []
    // each point's position along the arch (normalised units) at the last pass, for coverage
    const pos: number[] = []
    let sum2 = 0
    let worst2 = 0
    let work = 0
    let iterations = 0
    let done = false
    let last = false
    // Each pass pairs every scan point with the placed template, fills the normal equations and
    // sums the cost; after the last iteration one more pass at the best pose measures the fit.
    for (;;) {
        for (let k = 0; k < 20; k++) eq[k] = 0
        let cost = 0
        sum2 = 0
        worst2 = 0
        for (let i = 0; i < n; i++) {
            const qx = pts[i][0]
            const qy = pts[i][1]
            // closest point of the placed polyline: segment j from (x0, y0) by (dx, dy), at t in 0..1
            let d2 = Infinity
            let j = 0
            let t = 0
            let x0 = 0
            let y0 = 0
            let dx = 0
            let dy = 0
            let px = 0
            let py = 0
            for (let k = 0; k < m; k++) {
                // vertex k placed in the scan frame; the segment tested ends at it
                const vx = a * ux[k] - b * uy[k] + ex
                const vy = b * ux[k] + a * uy[k] + ey
                if (k > 0) {
                    const sx = vx - px
                    const sy = vy - py
                    const wx = qx - px
                    const wy = qy - py
                    // clamped to the segment; NaN (a zero-length segment: only under a zero scale) is 0
                    let tk = (wx * sx + wy * sy) / (sx * sx + sy * sy)
                    if (!(tk > 0)) tk = 0
                    else if (tk > 1) tk = 1
                    const fx = wx - tk * sx
                    const fy = wy - tk * sy
                    const e2 = fx * fx + fy * fy
                    if (e2 < d2) {
                        d2 = e2
                        j = k - 1
                        t = tk
                        x0 = px
                        y0 = py
                        dx = sx
                        dy = sy
                    }
                }
                px = vx
                py = vy
            }
            work += m - 1
            if (work >= WORK_PER_PAUSE) {
                work = 0
                if (pause) await pause()
            }
            sum2 += d2
            if (d2 > worst2) worst2 = d2
            pos[i] = along[j] + t * (along[j + 1] - along[j])
            // the paired template point, normalised units
            const tx = ux[j] + t * (ux[j + 1] - ux[j])
            const ty = uy[j] + t * (uy[j + 1] - uy[j])
            // n . ([[a, -b], [b, a]] u + e) = n . q is linear in (a, b, ex, ey). Beyond an end of
            // the template both coordinates count: two rows, n = (1, 0) and (0, 1).
            let nx = 1
            let ny = 0
            let w = 1
            let rows = 2
            // an end is (j, t) = (0, 0) or (m - 2, 1), i.e. a zero product: j + t is 0 only at the
            // first, and j + 1 - m, an integer <= -1, plus t in 0..1 is 0 only at the second
            if ((j + t) * (j + 1 - m + t) !== 0) {
                rows = 1
                const l = Math.sqrt(dx * dx + dy * dy)
                nx = -dy / l
                ny = dx / l
                const d = Math.sqrt(d2)
                // at a vertex between two segments (t is 0 or 1): the normal is the direction to the point
                if (t * (1 - t) === 0)
                    if (d > 1e-6) {
                        nx = (qx - (x0 + t * dx)) / d
                        ny = (qy - (y0 + t * dy)) / d
                    }
                // divided by |ny| so that it measures the error along y, where the sensor's noise is
                w = Math.abs(ny)
                if (w < MIN_NORMAL_Y) w = MIN_NORMAL_Y
                nx = nx / w
                ny = ny / w
            }
            cost += d2 / (w * w)
            for (; rows > 0; rows--) {
                c[0] = nx * tx + ny * ty
                c[1] = ny * tx - nx * ty
                c[2] = nx
                c[3] = ny
                c[4] = nx * qx + ny * qy
                addRow(eq, c)
                nx = 0
                ny = 1
            }
        }
        if (last) break
        if (cost < bestCost) {
            bestCost = cost
            ba = a
            bb = b
            bex = ex
            bey = ey
        }
        if (iterations >= s.maxIterations) done = true
        if (done) {
            // measure the lowest-cost pose seen
            a = ba
            b = bb
            ex = bex
            ey = bey
            last = true
            continue
        }
        iterations++
        // A step that raised the cost (a point switching segments can make ICP cycle between
        // two poses) is halved back toward the previous pose instead, so the cost only goes down.
        let na = (pa + a) / 2
        let nb = (pb + b) / 2
        let nex = (pex + ex) / 2
        let ney = (pey + ey) / 2
        if (!(cost > prevCost)) {
            prevCost = cost
            pa = a
            pb = b
            pex = ex
            pey = ey
            if (!solve4(eq)) return res
            na = eq[4]
            nb = eq[9]
            nex = eq[14]
            ney = eq[19]
        }
        // |u| <= 1, so the largest parameter change bounds the move of every vertex
        done = Math.max(Math.abs(na - a), Math.abs(nb - b), Math.abs(nex - ex), Math.abs(ney - ey)) < CONVERGED_UM
        a = na
        b = nb
        ex = nex
        ey = ney
    }

    // back from normalised units: scale = |(a, b)| / radius. The offset reported is where the
    // template's arch centre (midpoint of its two ends) lands: rotation is the fit's weakest
    // parameter (a round arch turned about its centre barely changes), so a point near that
    // centre is pinned far better than the template's origin, which a small rotation error
    // swings sideways (docs/fitting.md)
    const am = a / r
    const bm = b / r
    const scale = Math.sqrt(am * am + bm * bm)
    // NaN (never seen; the solve refuses singular systems) must not pass as a good fit
    if (!(sum2 >= 0)) return res
    if (!(scale >= 0)) return res
    // coverage: share of the arch length between the first and last scan point, counting only
    // gaps up to coverageGapUm
    const maxGap = scale > 0 ? s.coverageGapUm / (scale * r) : 0
    let covered = 0
    // positions sorted (insertion sort: they arrive nearly in order; Array.sort would pull
    // its polyfill into the image)
    for (let i = 1; i < n; i++) {
        const v = pos[i]
        let k = i
        for (; k > 0; k--) {
            if (!(pos[k - 1] > v)) break
            pos[k] = pos[k - 1]
        }
        pos[k] = v
    }
    for (let i = 1; i < n; i++) {
        const gap = pos[i] - pos[i - 1]
        if (gap <= maxGap) covered += gap
    }
    const cu = (ux[0] + ux[m - 1]) / 2
    const cv = (uy[0] + uy[m - 1]) / 2
    const rms = bounded(Math.sqrt(sum2 / n), REPORT_MAX)
    const worst = bounded(Math.sqrt(worst2), REPORT_MAX)
    const cov = Math.floor((covered / along[m - 1]) * 1000 + 0.5)
    const ppm = bounded(scale * 1000000, SCALE_MAX_PPM)
    const rot = Math.floor(atan2Rad(bm, am) * 1000000 + 0.5)
    // the checks in the order an operator should hear about them (the first failing one is
    // the reason): whether the shape matches at all (a wrong template also drifts to a poor
    // coverage or an odd size, but "does not match" is what to act on), then how much was
    // seen, then size and pose
    let reason = FitReason.Accepted
    if (Math.abs(rot) > s.maxRotationMicroRad) reason = FitReason.Misaligned
    if (ppm < s.scaleMinPpm) reason = FitReason.ScaleOutOfRange
    if (ppm > s.scaleMaxPpm) reason = FitReason.ScaleOutOfRange
    if (cov < s.minCoveragePermille) reason = FitReason.PoorCoverage
    if (worst > s.maxWorstUm) reason = FitReason.PointTooFar
    if (rms > s.maxRmsUm) reason = FitReason.TooNoisy
    res.accepted = reason === FitReason.Accepted
    res.reason = reason
    res.iterations = iterations
    res.rmsUm = rms
    res.worstUm = worst
    res.coveragePermille = cov
    res.scalePpm = ppm
    res.rotationMicroRad = rot
    res.offsetXUm = bounded(a * cu - b * cv + ex, REPORT_MAX)
    res.offsetYUm = bounded(b * cu + a * cv + ey, REPORT_MAX)
    return res
}

/** Adds the row c[0] a + c[1] b + c[2] ex + c[3] ey = c[4] to the normal equations eq (below). */
export function addRow(eq: number[], c: number[]) {
    for (let k = 0; k < 4; k++) for (let l = 0; l < 5; l++) eq[k * 5 + l] = eq[k * 5 + l] + c[k] * c[l]
}

/**
 * Solves the normal equations eq, the augmented 4 x 5 matrix [AtA | Atb] row-major, in place:
 * the solution lands in its last column (eq[4], eq[9], eq[14], eq[19]); eq[20..23] are
 * scratch. False when the rows do not pin every unknown down. Gauss-Jordan elimination: AtA
 * is symmetric positive semi-definite, so it needs no pivoting; each pivot is the part of its
 * unknown's diagonal the others do not explain, and one under SINGULAR_RATIO of it (or a
 * column no row touches) means the system is singular. The fit feeds it unit-scaled columns.
 */
export function solve4(eq: number[]): boolean {
    for (let k = 0; k < 4; k++) eq[20 + k] = eq[k * 6]
    // Gauss-Jordan: each column is cleared from every other row, leaving a diagonal system
    for (let col = 0; col < 4; col++) {
        const p = eq[col * 6]
        if (!(p > SINGULAR_RATIO * eq[20 + col])) return false
        for (let row = 0; row < 4; row++)
            if (row !== col) {
                const f = eq[row * 5 + col] / p
                for (let k = col; k < 5; k++) eq[row * 5 + k] = eq[row * 5 + k] - f * eq[col * 5 + k]
            }
    }
    for (let row = 0; row < 4; row++) eq[row * 5 + 4] = eq[row * 5 + 4] / eq[row * 6]
    return true
}

/** v rounded (halves up) and kept within -max..max (the figures that cannot be negative aren't) */
function bounded(v: number, max: number): number {
    const r = Math.floor(v + 0.5)
    return r < -max ? -max : r > max ? max : r
}

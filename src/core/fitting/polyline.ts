// The template's arch curve as the fit sees it: the polyline through archPointsUm, centred on
// its vertices' centroid and divided by its radius, so every coordinate is within [-1, 1] and
// the least-squares system stays well conditioned (µm-sized and unit-sized columns would
// differ by ~1e9). Closest-point queries write into fields instead of returning objects:
// the fit runs them thousands of times and the VM's heap is small.

import { roundInt } from "./angle"

export class ArchPolyline {
    /** vertices in normalised template units: (p - centre) / radiusUm */
    readonly ux: number[] = []
    readonly uy: number[] = []
    /** arch length from the first vertex to vertex j, normalised units */
    readonly along: number[] = []
    readonly radiusUm: number
    /** vertices after the current transform (µm, scan frame) */
    readonly vx: number[] = []
    readonly vy: number[] = []

    // result of the last closest() call
    seg = 0
    t = 0
    dist2 = 0

    /** archPointsUm: [x, y] µm; consecutive duplicates are skipped (a zero-length segment has no direction). */
    constructor(archPointsUm: number[][]) {
        let cx = 0
        let cy = 0
        const px: number[] = []
        const py: number[] = []
        archPointsUm.forEach(p => {
            const n = px.length
            if (n > 0 && px[n - 1] === p[0] && py[n - 1] === p[1]) return
            px.push(p[0])
            py.push(p[1])
            cx += p[0]
            cy += p[1]
        })
        const n = px.length
        cx = n > 0 ? cx / n : 0
        cy = n > 0 ? cy / n : 0
        let r2 = 0
        for (let i = 0; i < n; i++) {
            const d2 = (px[i] - cx) * (px[i] - cx) + (py[i] - cy) * (py[i] - cy)
            if (d2 > r2) r2 = d2
        }
        const r = Math.sqrt(r2)
        this.radiusUm = r
        let len = 0
        for (let i = 0; i < n; i++) {
            this.ux.push(r > 0 ? (px[i] - cx) / r : 0)
            this.uy.push(r > 0 ? (py[i] - cy) / r : 0)
            if (i > 0) {
                const dx = this.ux[i] - this.ux[i - 1]
                const dy = this.uy[i] - this.uy[i - 1]
                len += Math.sqrt(dx * dx + dy * dy)
            }
            this.along.push(len)
            this.vx.push(0)
            this.vy.push(0)
        }
    }

    count(): number {
        return this.ux.length
    }

    /** total arch length, normalised units */
    length(): number {
        const n = this.along.length
        return n > 0 ? this.along[n - 1] : 0
    }

    /** Places the vertices in the scan frame: v = [[A, -B], [B, A]] u + (ex, ey), all in µm. */
    transform(a: number, b: number, ex: number, ey: number) {
        const n = this.ux.length
        for (let i = 0; i < n; i++) {
            this.vx[i] = a * this.ux[i] - b * this.uy[i] + ex
            this.vy[i] = b * this.ux[i] + a * this.uy[i] + ey
        }
    }

    /** Closest point of the transformed polyline to (qx, qy): sets seg, t (0..1 along seg) and dist2 (µm²). */
    closest(qx: number, qy: number) {
        const vx = this.vx
        const vy = this.vy
        let best = -1
        let bestT = 0
        let bestSeg = 0
        const last = vx.length - 1
        for (let j = 0; j < last; j++) {
            const dx = vx[j + 1] - vx[j]
            const dy = vy[j + 1] - vy[j]
            const wx = qx - vx[j]
            const wy = qy - vy[j]
            const len2 = dx * dx + dy * dy
            let t = len2 > 0 ? (wx * dx + wy * dy) / len2 : 0
            if (t < 0) t = 0
            else if (t > 1) t = 1
            const ex = wx - t * dx
            const ey = wy - t * dy
            const d2 = ex * ex + ey * ey
            if (best < 0 || d2 < best) {
                best = d2
                bestT = t
                bestSeg = j
            }
        }
        this.seg = bestSeg
        this.t = bestT
        this.dist2 = best < 0 ? 0 : best
    }

    /** Position along the arch (normalised units) of the last closest() result. */
    alongAtClosest(): number {
        const j = this.seg
        return this.along[j] + this.t * (this.along[j + 1] - this.along[j])
    }
}

/**
 * Share (1/1000) of the arch length between the first and last scan point, counting only gaps
 * of at most maxGap (normalised units): sparse stretches are not covered. Positions are sorted
 * in place (insertion sort: a scan's points arrive nearly in arch order).
 */
export function coveragePermille(along: number[], length: number, maxGap: number): number {
    if (length <= 0) return 0
    for (let i = 1; i < along.length; i++) {
        const v = along[i]
        let j = i - 1
        while (j >= 0 && along[j] > v) {
            along[j + 1] = along[j]
            j--
        }
        along[j + 1] = v
    }
    let covered = 0
    for (let i = 1; i < along.length; i++) {
        const gap = along[i] - along[i - 1]
        if (gap <= maxGap) covered += gap
    }
    return roundInt((covered / length) * 1000)
}

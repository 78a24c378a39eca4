// Linear least squares in four unknowns through the normal equations: rows are added one at a
// time (no matrix of rows is kept: the VM heap is small), then the 4 x 4 system is solved by
// Gaussian elimination with partial pivoting. The fit feeds it unit-scaled columns, so a
// relative pivot threshold is enough to call the system singular.

/** a pivot this small relative to its column's diagonal means the rows do not pin that unknown */
const SINGULAR_RATIO = 1e-10

export class NormalEquations4 {
    /** augmented 4 x 5 matrix [AtA | Atb], row-major */
    private m: number[] = []
    /** the solution of the last successful solve() */
    readonly x: number[] = [0, 0, 0, 0]

    constructor() {
        for (let i = 0; i < 20; i++) this.m.push(0)
    }

    reset() {
        for (let i = 0; i < 20; i++) this.m[i] = 0
    }

    /** Adds the row c0 x0 + c1 x1 + c2 x2 + c3 x3 = rhs (written out: no allocation per row). */
    addRow(c0: number, c1: number, c2: number, c3: number, rhs: number) {
        this.acc(0, c0, c0, c1, c2, c3, rhs)
        this.acc(5, c1, c0, c1, c2, c3, rhs)
        this.acc(10, c2, c0, c1, c2, c3, rhs)
        this.acc(15, c3, c0, c1, c2, c3, rhs)
    }

    private acc(r: number, ci: number, c0: number, c1: number, c2: number, c3: number, rhs: number) {
        const m = this.m
        m[r] += ci * c0
        m[r + 1] += ci * c1
        m[r + 2] += ci * c2
        m[r + 3] += ci * c3
        m[r + 4] += ci * rhs
    }

    /** Solves into x; false when the system is singular (x unchanged). */
    solve(): boolean {
        const a: number[] = []
        for (let i = 0; i < 20; i++) a.push(this.m[i])
        const diag = [a[0], a[6], a[12], a[18]]
        for (let col = 0; col < 4; col++) {
            let p = col
            for (let r = col + 1; r < 4; r++) if (Math.abs(a[r * 5 + col]) > Math.abs(a[p * 5 + col])) p = r
            const piv = a[p * 5 + col]
            if (!(Math.abs(piv) > SINGULAR_RATIO * diag[col]) || diag[col] <= 0) return false
            if (p !== col) {
                for (let k = 0; k < 5; k++) {
                    const tmp = a[col * 5 + k]
                    a[col * 5 + k] = a[p * 5 + k]
                    a[p * 5 + k] = tmp
                }
            }
            for (let r = col + 1; r < 4; r++) {
                const f = a[r * 5 + col] / a[col * 5 + col]
                for (let k = col; k < 5; k++) a[r * 5 + k] -= f * a[col * 5 + k]
            }
        }
        const x = [0, 0, 0, 0]
        for (let row = 3; row >= 0; row--) {
            let s = a[row * 5 + 4]
            for (let k = row + 1; k < 4; k++) s -= a[row * 5 + k] * x[k]
            x[row] = s / a[row * 5 + row]
        }
        for (let i = 0; i < 4; i++) this.x[i] = x[i]
        return true
    }
}

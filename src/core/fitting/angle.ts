// Arctangent without trigonometry: the DeviceScript VM has no Math.atan/atan2 (only sqrt, pow,
// exp, log). Only the fit's reported rotation needs an angle; the fit itself works on
// a = s cos(theta), b = s sin(theta), which are linear, so no sin/cos is ever evaluated.
// Accuracy: better than 1e-12 rad over the whole range (test/unit/fitting-angle.test.ts checks
// it against Node's Math.atan2), far below the 1 µrad the fit reports.

const HALF_PI = 1.5707963267948966
const PI = 3.141592653589793

/** atan(z) in rad for any finite z. */
export function atanRad(z: number): number {
    let sign = 1
    if (z < 0) {
        sign = -1
        z = -z
    }
    let base = 0
    let dir = 1
    if (z > 1) {
        // atan(z) = pi/2 - atan(1/z)
        base = HALF_PI
        dir = -1
        z = 1 / z
    }
    // two half-angle reductions, atan(z) = 2 atan(z / (1 + sqrt(1 + z^2))): |z| <= tan(pi/16)
    // ~ 0.199, where the odd series below converges to ~1e-15 by the z^17 term
    z = z / (1 + Math.sqrt(1 + z * z))
    z = z / (1 + Math.sqrt(1 + z * z))
    const z2 = z * z
    let term = z
    let sum = z
    for (let k = 3; k <= 17; k += 2) {
        term = -term * z2
        sum += term / k
    }
    return sign * (base + dir * 4 * sum)
}

/** atan2(y, x) in rad, in (-pi, pi]; atan2(0, 0) = 0. */
export function atan2Rad(y: number, x: number): number {
    if (x > 0) return atanRad(y / x)
    if (x < 0) return y >= 0 ? atanRad(y / x) + PI : atanRad(y / x) - PI
    if (y > 0) return HALF_PI
    if (y < 0) return -HALF_PI
    return 0
}

/** Nearest integer, halves up (Math.round's rule, written out so both runtimes agree). */
export function roundInt(v: number): number {
    return Math.floor(v + 0.5)
}

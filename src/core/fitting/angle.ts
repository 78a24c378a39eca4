// Arctangent without trigonometry: the DeviceScript VM has no Math.atan/atan2 (only sqrt, pow,
// exp, log). Only the fit's reported rotation needs an angle; the fit itself works on
// a = s cos(theta), b = s sin(theta), which are linear, so no sin/cos is ever evaluated.
// Accuracy: better than 1e-12 rad over the whole range (test/unit/fitting-parts.test.ts checks
// it against Node's Math.atan2), far below the 1 µrad the fit reports.

const PI = 3.141592653589793

/** atan2(y, x) in rad, in (-pi, pi]; atan2(0, 0) = 0. For |x|, |y| up to 1e150. */
export function atan2Rad(y: number, x: number): number {
    if (y === 0) return x < 0 ? PI : 0
    // 28 half-angle steps, atan2(y, x) = 2 atan2(y, x + |(x, y)|), leave an angle under
    // pi / 2^28 ~ 1.2e-8 rad, where atan(z) = z within z^3 / 3, 5e-17 of it: below a double's
    // precision. For x < 0, x + |(x, y)| is written y^2 / (|(x, y)| - x): no cancellation.
    // Rounding over the steps stays within ~1e-14 rad.
    for (let k = 0; k < 28; k++) {
        const r = Math.sqrt(x * x + y * y)
        x = x < 0 ? (y * y) / (r - x) : x + r
    }
    return (268435456 * y) / x
}

/** atan(z) in rad for any finite z. */
export function atanRad(z: number): number {
    return atan2Rad(z, 1)
}

/** Nearest integer, halves up (Math.round's rule, written out so both runtimes agree). */
export function roundInt(v: number): number {
    return Math.floor(v + 0.5)
}

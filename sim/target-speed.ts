// How much slower the target chips run the DeviceScript VM than this host does, and the CPU
// reservation that makes a VM process on this host run that much slower (docs/target-speed.md).
//
// The factor comes from CoreMark, the benchmark chip vendors publish:
//   factor = host CoreMark / WASM slow-down / chip CoreMark
// The chip runs the DeviceScript interpreter as native C; the simulator runs the same C compiled
// to WebAssembly in Node, which costs the host about 1.55x against native code (Jangda et al.,
// "Not So Fast: Analyzing the Performance of WebAssembly vs. Native Code", USENIX ATC 2019:
// mean slow-down 1.45x in Firefox, 1.55x in Chrome/V8 on SPEC CPU). The chip figures are
// Espressif's datasheet CoreMark scores for one core.

export type TargetId = "esp32c3" | "esp32s3"

export interface TargetChip {
    id: TargetId
    /** CoreMark iterations/s on one core, from the vendor's datasheet */
    coremark: number
    mhz: number
    source: string
}

export const TARGETS: { [id in TargetId]: TargetChip } = {
    esp32c3: { id: "esp32c3", coremark: 407.22, mhz: 160, source: "Espressif ESP32-C3 datasheet: 407.22 CoreMark, 1 core at 160 MHz" },
    esp32s3: { id: "esp32s3", coremark: 613.86, mhz: 240, source: "Espressif ESP32-S3 datasheet: 613.86 CoreMark, 1 core at 240 MHz" },
}

/**
 * CoreMark 1.0 on one core of these machines (2-core AMD EPYC, Debian 12; every developer
 * machine and CI run is this kind): 33,434, 34,574 and 33,822 iterations/s in three runs of
 * eembc/coremark (gcc 12.2 -O2, PORT_DIR=linux, 2K performance run, `chrt -f 50`), Dec 2026;
 * the median. Another host: measure it and pass --host-coremark.
 */
export const HOST_COREMARK = 33822
/** the WebAssembly VM against native code, on V8 (see above) */
export const WASM_SLOWDOWN = 1.55

/** How many times slower the chip runs the VM than this host's WASM VM does. */
export function slowdownFactor(chip: TargetChip, hostCoremark = HOST_COREMARK, wasmSlowdown = WASM_SLOWDOWN): number {
    if (!(hostCoremark > 0) || !(wasmSlowdown > 0)) throw new RangeError("host CoreMark and WASM slow-down must be positive")
    return hostCoremark / wasmSlowdown / chip.coremark
}

/**
 * The share of the VM process's CPU time spent in the WebAssembly interpreter; the rest is
 * Node's glue (socket streams, timers, the CLI's JavaScript), which the chip does natively or
 * not at all. Measured with a V8 CPU profile of the VM process (SIM_VM_NODE_ARGS="--cpu-prof
 * --cpu-prof-dir=DIR"): 37 % armed and idle, 34 % over a nominal cycle (Dec 2026,
 * docs/target-speed.md); the larger is kept (the slower emulation).
 */
export const VM_WASM_SHARE = 0.37

/**
 * How much slower the whole VM process must run so that its WebAssembly part runs `factor`
 * times slower while the glue keeps its host cost: share x factor + (1 - share). A slower-run
 * glue is not the chip's work; a faster-run interpreter would hide the chip's load. Long runs
 * of interpreter work (a fit, sealing a record) take factor/processFactor times longer on the
 * chip than at this emulation: chipMs() scales them.
 */
export function processFactor(factor: number, share = VM_WASM_SHARE): number {
    if (!(share > 0 && share <= 1)) throw new RangeError("the WASM share must be in (0, 1]")
    return share * factor + (1 - share)
}

/** ms of interpreter work measured at the process factor, as ms on the chip */
export function chipMs(measuredMs: number, factor: number, share = VM_WASM_SHARE): number {
    return (measuredMs * factor) / processFactor(factor, share)
}

export function parseTarget(s: string): TargetChip {
    const t = (TARGETS as { [k: string]: TargetChip })[s]
    if (!t) throw new RangeError(`unknown target '${s}': use ${Object.keys(TARGETS).join(" or ")}`)
    return t
}

/**
 * The SCHED_DEADLINE reservation: the VM's thread may run `runtimeNs` in every `periodNs`. A
 * short period keeps each wait for the next budget short (at most one period, 1 ms, against a
 * 50 ms control period), as a slow chip spreads its work evenly instead of in bursts.
 */
export const RESERVATION_PERIOD_NS = 1_000_000
/** the kernel refuses a runtime under 1,024 ns */
export const MIN_RUNTIME_NS = 1024

/**
 * The runtime for `factor` from every measurement so far ([runtimeNs, slow-down] pairs): the
 * speed left, 1/slow-down, is close to a straight line in the runtime (period/(runtime -
 * overhead)), so a least-squares line through all points averages the host's noise; with one
 * point, nextRuntimeNs.
 */
export function fitRuntimeNs(points: [number, number][], factor: number, periodNs = RESERVATION_PERIOD_NS): number {
    if (points.length === 0) return clampRuntime(Math.round(periodNs / factor), periodNs)
    if (points.length === 1) return nextRuntimeNs(points[0][0], points[0][1], factor, periodNs)
    const n = points.length
    let sx = 0, sy = 0, sxx = 0, sxy = 0
    for (const [r, f] of points) {
        sx += r
        sy += 1 / f
        sxx += r * r
        sxy += r / f
    }
    const d = n * sxx - sx * sx
    const a = d === 0 ? 0 : (n * sxy - sx * sy) / d
    if (!(a > 0)) return nextRuntimeNs(points[n - 1][0], points[n - 1][1], factor, periodNs)
    const b = (sy - a * sx) / n
    return clampRuntime(Math.round((1 / factor - b) / a), periodNs)
}

function clampRuntime(r: number, periodNs: number): number {
    return Math.min(periodNs, Math.max(MIN_RUNTIME_NS, r))
}

/**
 * The next runtime to try, from one measurement: with `runtimeNs` a CPU-bound loop ran
 * `measured` times slower than unreserved; the wanted slow-down is `factor`. Each period costs
 * a fixed overhead besides the work (scheduling, cache refill), so the slow-down is close to
 * period / (runtime - overhead): the overhead estimated from the measurement gives the runtime
 * for the wanted factor.
 */
export function nextRuntimeNs(runtimeNs: number, measured: number, factor: number, periodNs = RESERVATION_PERIOD_NS): number {
    if (!(measured > 0) || !(factor > 0)) throw new RangeError("slow-downs must be positive")
    const overhead = runtimeNs - periodNs / measured
    // a loop that ran faster than its runtime allows got CPU beyond it (no overhead to estimate):
    // scale the runtime by the slow-down still missing, so the next run moves toward the factor
    // (with the overhead clamped to 0 it asked for the same runtime again, and never converged)
    if (overhead < 0) return clampRuntime(Math.round((runtimeNs * measured) / factor), periodNs)
    return clampRuntime(Math.round(periodNs / factor + overhead), periodNs)
}

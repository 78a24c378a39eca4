// How the simulator and its firmware VMs share this host's CPUs (docs/target-speed.md).
//   - Real-time priority: the simulator's main thread (physics, sensor reports, the bus relay)
//     and each VM run SCHED_FIFO, so other load on the host (a build, a test suite, CPU hogs)
//     cannot starve them; a starved simulator would stop reporting and the firmware would rightly
//     see a lost sensor (E31). The kernel still keeps 5 % of each CPU for everything else
//     (/proc/sys/kernel/sched_rt_runtime_us).
//   - Target speed: a VM's main thread gets a SCHED_DEADLINE reservation (runtime per 1 ms
//     period) that makes it run as many times slower as the target chip (sim/target-speed.ts).
//     A reservation is also the highest scheduling class, so host load cannot starve it either.
//   - Host stalls: /proc/PID/schedstat counts each thread's time waiting for a CPU while ready;
//     a jump there is the host, not the firmware (StallWatch).
// Both need root (CAP_SYS_NICE in the first user namespace) and chrt (util-linux). Without them
// the simulator runs as before and says so once; SIM_RT=0 turns real-time priority off.
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { RESERVATION_PERIOD_NS, fitRuntimeNs } from "./target-speed"

/** the VMs' real-time priority; the simulator's is one above, so that the physics and the
 *  sensors (the world) are never held up by a VM's long run (the firmware) */
export const RT_PRIORITY = 20
export const SIM_RT_PRIORITY = RT_PRIORITY + 1

let rtChecked: boolean | null = null

/** True when this process may give threads real-time policies (root, chrt present, SIM_RT not 0). */
export function realtimeAllowed(): boolean {
    if (rtChecked !== null) return rtChecked
    rtChecked = false
    if (process.env["SIM_RT"] === "0" || typeof process.getuid !== "function" || process.getuid() !== 0) return false
    rtChecked = spawnSync("chrt", ["-f", String(RT_PRIORITY), "true"], { stdio: "ignore" }).status === 0
    return rtChecked
}

function chrt(args: string[]): boolean {
    return spawnSync("chrt", args, { stdio: "ignore" }).status === 0
}

let selfElevated = false

/**
 * Back to normal priority between runs: what the simulator does after a run (plots, reports,
 * the next run's set-up) is not the world's real time, and at real-time priority it held a CPU
 * from the other --jobs worker's firmware.
 */
export function lowerSelf() {
    if (!selfElevated) return
    selfElevated = false
    chrt(["-o", "-p", "0", String(process.pid)])
}

/**
 * This process's main thread at real-time priority, with reset-on-fork: the threads and
 * children it starts later (a browser in a test, worker threads) run at normal priority. The
 * VMs get theirs explicitly (elevate). Returns a note when it cannot.
 */
export function elevateSelf(): string | null {
    if (selfElevated) return null
    if (!realtimeAllowed()) return "sim: not at real-time priority (needs root and chrt; SIM_RT=0 turns it off): host load can starve the simulator"
    selfElevated = chrt(["-R", "-f", "-p", String(SIM_RT_PRIORITY), String(process.pid)])
    return selfElevated ? null : "sim: chrt could not raise the simulator's priority"
}

/**
 * pid's main thread (a VM's interpreter and bus I/O) at real-time priority, with reset-on-fork:
 * its helper threads (V8's compiler and GC workers) stay at normal priority, or a WASM compile
 * at start-up would hold both CPUs from the simulator for tens of ms (measured: 40-80 ms waits
 * when every thread of the VM was raised). Called once the VM has printed its first line: the
 * CLI's own loading (~1 s of JavaScript) at real-time priority held a CPU from the other
 * simulator run of `--jobs 2` for up to ~300 ms.
 */
export function elevate(pid: number): boolean {
    return realtimeAllowed() && chrt(["-R", "-f", "-p", String(RT_PRIORITY), String(pid)])
}

/**
 * pid's main thread (the VM's interpreter and its bus I/O) under a SCHED_DEADLINE reservation
 * of runtimeNs every periodNs; its other threads keep their policy. Reset-on-fork, since a
 * deadline thread may not otherwise start threads.
 */
export function reserve(pid: number, runtimeNs: number, periodNs = RESERVATION_PERIOD_NS): boolean {
    return realtimeAllowed() && chrt(["-R", "-d", "--sched-runtime", String(runtimeNs), "--sched-deadline", String(periodNs),
        "--sched-period", String(periodNs), "-p", "0", String(pid)])
}

const SPIN_MS = 1000
// the loop also keeps the longest time between two of its steps: how long the reservation can
// hold a busy process still at once (the kernel charges it at its scheduler tick)
const SPIN = `const t0=performance.now();let n=0,l=t0,g=0;for(let t=t0;t-t0<${SPIN_MS};t=performance.now()){for(let i=0;i<1000;i++)n+=i%7;if(t-l>g)g=t-l;l=t}console.log(n+" "+g.toFixed(1))`

/** loop iterations of a CPU-bound JS loop in SPIN_MS under `prefix` (a chrt command line), and its longest stall (ms) */
function spin(prefix: string[]): { n: number; stallMs: number } {
    const r = spawnSync(prefix[0], [...prefix.slice(1), process.execPath, "-e", SPIN], { encoding: "utf8" })
    const [n, stallMs] = r.stdout.trim().split(" ").map(Number)
    if (r.status !== 0 || !(n > 0)) throw new Error(`target speed: the calibration loop failed: ${r.stderr || r.stdout}`)
    return { n, stallMs }
}

export interface Reservation {
    runtimeNs: number
    periodNs: number
    /** the slow-down the reservation gave a CPU-bound loop in the last calibration run */
    measuredFactor: number
    factor: number
    /**
     * the longest the reservation held that busy loop still at once, ms: the kernel charges a
     * deadline task at its scheduler tick (4 ms at CONFIG_HZ=250, without the HRTICK_DL feature),
     * so a busy VM runs up to a tick at full speed and then waits out the debt, ~tick x factor.
     * A chip that is evenly slow never stops; a tick late by up to this much within a busy
     * stretch may be the reservation's (docs/target-speed.md, "The reservation's own stalls").
     */
    stallMs: number
}

/**
 * The reservation that slows a CPU-bound Node loop by `factor`, found by measurement: the loop
 * at real-time priority against the loop under a reservation, corrected by a line through all measurements up to five times
 * (each run ~1 s) until within 5 %. Throws where reservations are not allowed.
 */
export function calibrateReservation(factor: number, log: (s: string) => void = () => undefined): Reservation {
    if (!realtimeAllowed()) throw new Error("target speed needs root and chrt (SCHED_DEADLINE reservations): run as root, or without --target")
    const full = spin(["chrt", "-f", String(RT_PRIORITY)]).n
    let runtimeNs = Math.round(RESERVATION_PERIOD_NS / factor)
    let measured = 0
    let stallMs = 0
    const points: [number, number][] = []
    for (let i = 0; i < 6; i++) {
        const slow = spin(["chrt", "-R", "-d", "--sched-runtime", String(runtimeNs), "--sched-deadline", String(RESERVATION_PERIOD_NS),
            "--sched-period", String(RESERVATION_PERIOD_NS), "0"])
        measured = full / slow.n
        stallMs = slow.stallMs
        log(`target speed: runtime ${runtimeNs} ns per ${RESERVATION_PERIOD_NS / 1e6} ms slows a loop ${measured.toFixed(1)}x (want ${factor.toFixed(1)}x); a busy loop held still up to ${stallMs} ms at once`)
        if (Math.abs(measured / factor - 1) <= 0.05) break
        points.push([runtimeNs, measured])
        runtimeNs = fitRuntimeNs(points, factor)
    }
    return { runtimeNs, periodNs: RESERVATION_PERIOD_NS, measuredFactor: measured, factor, stallMs }
}

export interface SchedStat {
    /** ns on a CPU */
    cpuNs: number
    /** ns ready to run but waiting for a CPU */
    waitNs: number
}

/** /proc/PID/schedstat of the main thread, or null when gone. */
export function schedstat(pid: number): SchedStat | null {
    try {
        const f = readFileSync(`/proc/${pid}/schedstat`, "utf8").trim().split(/\s+/)
        return { cpuNs: Number(f[0]), waitNs: Number(f[1]) }
    } catch {
        return null
    }
}

export interface HostStall {
    /** which process waited: "sim" or "vm" */
    who: string
    /** ms on the simulator's clock when the sample that saw it was taken */
    t: number
    /** ms the process was ready but not running in the sampling interval */
    waitMs: number
}

/**
 * Samples schedstat of named processes every SAMPLE_MS and keeps each interval in which one
 * waited for a CPU at least minWaitMs: the host kept it from running. With real-time priority
 * this should stay empty; if it does not, a fault in that window may be the host's doing.
 */
export class StallWatch {
    static readonly SAMPLE_MS = 100
    readonly stalls: HostStall[] = []
    /** the largest wait seen in one interval, per process */
    readonly maxWaitMs: { [who: string]: number } = {}
    /**
     * per process, each interval's CPU time: [the simulator's clock at its end (ms), wall ms of the
     * interval, ms on a CPU]; kept only when recordCpu is set (a benchmark's run: a clinic's
     * session runs for hours, and 20 entries a second would only grow)
     */
    readonly cpu: { [who: string]: [number, number, number][] } = {}
    recordCpu = false
    private last = new Map<string, SchedStat>()
    private lastWall = 0
    private timer: NodeJS.Timeout | null = null

    constructor(readonly pids: () => { [who: string]: number | null }, readonly clock: () => number, readonly minWaitMs = 20) {}

    start() {
        this.timer = setInterval(() => this.sample(), StallWatch.SAMPLE_MS)
    }

    stop() {
        if (this.timer) clearInterval(this.timer)
        this.timer = null
    }

    sample() {
        const ps = this.pids()
        const wall = performance.now()
        const wallMs = this.lastWall ? wall - this.lastWall : 0
        this.lastWall = wall
        for (const who of Object.keys(ps)) {
            const pid = ps[who]
            const s = pid ? schedstat(pid) : null
            const prev = this.last.get(who + pid)
            if (!s) continue
            this.last.set(who + pid, s)
            if (!prev) continue
            const waitMs = (s.waitNs - prev.waitNs) / 1e6
            if (this.recordCpu && wallMs > 0) (this.cpu[who] ??= []).push([Math.round(this.clock()), wallMs, (s.cpuNs - prev.cpuNs) / 1e6])
            if (waitMs > (this.maxWaitMs[who] ?? 0)) this.maxWaitMs[who] = Math.round(waitMs * 10) / 10
            if (waitMs >= this.minWaitMs) this.stalls.push({ who, t: Math.round(this.clock()), waitMs: Math.round(waitMs) })
        }
    }
}

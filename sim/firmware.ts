// The firmware under simulation: src/main.ts compiled once, then run in the DeviceScript VM
// (`devs run FILE.devs --tcp`) as a child process that joins the bus relay. Each device gets
// its own working folder, so its flash (settings: latched faults, gains, ...) lives there and
// survives a restart of the VM, as flash survives a power cycle.
import { spawn, type ChildProcess } from "node:child_process"
import { existsSync, mkdirSync, copyFileSync, rmSync, statSync } from "node:fs"
import { resolve, join, dirname } from "node:path"
import { createInterface } from "node:readline"
import { ROOT } from "../tools/manifest-node"
import { generateAll } from "../tools/generate"
import { devs } from "../tools/devs"
import { elevate, reserve } from "./host-sched"

const CLI = resolve(ROOT, "node_modules/@devicescript/cli/built/devicescript-cli.cjs")
const PORT_REDIRECT = resolve(ROOT, "sim/bus/port-redirect.cjs")
/** preloaded into every VM process: its clock monotonic, as a chip's timer is (sim/vm-clock.cjs) */
export const VM_CLOCK = resolve(ROOT, "sim/vm-clock.cjs")

/** The simulator's images: the controller (scenarios), the bench image (npm run bench) and the link node (npm start). */
export type SimImage = "device" | "bench" | "link"

/** Compiles an image (sim/firmware-<image>.ts, default board) into dir/<image>.devs. */
export function buildFirmware(dir: string, image: SimImage = "device"): string {
    generateAll()
    const r = devs(["build", `sim/firmware-${image}.ts`], { quiet: true })
    if (r.status !== 0) throw new Error(`firmware build failed:\n${r.stdout}${r.stderr}`)
    mkdirSync(dir, { recursive: true })
    const out = join(dir, `${image}.devs`)
    copyFileSync(resolve(ROOT, ".devicescript/bin/bytecode.devs"), out)
    return out
}

export interface FirmwareLine {
    /** ms on the simulator's clock */
    t: number
    text: string
}

/** Every VM child alive, so that an interrupted run (Ctrl-C, crash) never leaves one behind. */
const LIVE = new Set<ChildProcess>()
function killAll() {
    for (const c of LIVE) c.kill("SIGKILL")
    LIVE.clear()
}
process.on("exit", killAll)
for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.on(sig, () => {
        killAll()
        // a program with a handler of its own (npm start's clinic) ends itself, with its own exit code
        if (process.listenerCount(sig) === 1) process.exit(sig === "SIGINT" ? 130 : 143)
    })

/**
 * How the VM process is scheduled (sim/host-sched.ts), from its first line on (the CLI's own
 * start-up in Node is not the chip's work): "rt" real-time priority at host speed; a reservation
 * runs it at a target chip's speed; null as the host pleases.
 */
export type VmSched = { kind: "rt" } | { kind: "reserve"; runtimeNs: number; periodNs: number } | null

/**
 * V8 flags for every VM process. The VM is Node running the devs CLI, with a ~90 MB JavaScript
 * heap that V8 collects on the main thread, the thread a target speed's reservation slows 20-fold:
 * a chip has no V8, so its pauses must not stop the emulated chip (docs/target-speed.md, "V8's
 * garbage collector, not the firmware"). Measured with --trace-gc over a nominal cycle.
 */
const VM_NODE_FLAGS = [
    // the memory reducer's mark-compact, ~8 s after start in a process that looks idle: a 20 ms
    // pause and ~35 ms of marking steps (E31 at the scan at ESP32-C3 speed)
    "--no-memory-reducer",
    // an old generation the ~100 MB heap does not outgrow in a run: no mark-compact at all
    "--initial-old-space-size=512",
    // small young generations: scavenges after start-up take at most ~0.7 ms, not 3-5 ms
    "--max-semi-space-size=1",
]

/** One VM process; start() again after kill() is a power cycle with the same flash. */
export class FirmwareVm {
    private child: ChildProcess | null = null
    readonly lines: FirmwareLine[] = []
    private listeners: ((l: FirmwareLine) => void)[] = []
    sched: VmSched = null
    /** the bus relay's TCP port this VM joins (8082, the CLI's fixed port, unless sim/bus/port-redirect.cjs moves it) */
    busPort = 8082
    /** false when the scheduling asked for could not be applied to the running VM */
    schedApplied = true

    constructor(readonly devsFile: string, readonly workDir: string, readonly deviceId: string, readonly clock: () => number) {}

    /** Wipes the device's flash (a factory-fresh device). */
    eraseFlash() {
        rmSync(join(this.workDir, ".devicescript"), { recursive: true, force: true })
    }

    /** where `devs run` keeps the device's flash (settings) */
    private flashFile(): string {
        return join(this.workDir, ".devicescript", "flash", "sim.bin")
    }

    /** true when the device has flash from an earlier run (a provisioned, used device) */
    hasFlash(): boolean {
        return existsSync(this.flashFile())
    }

    /** true once the VM has written its flash file at or after `sinceMs` (Date.now() time) */
    flashWrittenSince(sinceMs: number): boolean {
        try {
            return statSync(this.flashFile()).mtimeMs >= sinceMs
        } catch {
            return false
        }
    }

    /** Copies the flash (the VM stopped) to `file`. */
    saveFlash(file: string) {
        mkdirSync(dirname(file), { recursive: true })
        copyFileSync(this.flashFile(), file)
    }

    /** Starts from the flash saved in `file` (a device provisioned the same way). */
    restoreFlash(file: string) {
        mkdirSync(dirname(this.flashFile()), { recursive: true })
        copyFileSync(file, this.flashFile())
    }

    onLine(fn: (l: FirmwareLine) => void) {
        this.listeners.push(fn)
    }

    start() {
        if (this.child) throw new Error("firmware already running")
        mkdirSync(this.workDir, { recursive: true })
        // SIM_VM_NODE_ARGS: node options for the VM process (e.g. --cpu-prof, to see where its time goes)
        const nodeArgs = [...VM_NODE_FLAGS, "-r", VM_CLOCK, ...(process.env["SIM_VM_NODE_ARGS"] ?? "").split(" ").filter(a => a)]
        if (this.busPort !== 8082) nodeArgs.push("-r", PORT_REDIRECT)
        const child = spawn(process.execPath, [...nodeArgs, CLI, "run", this.devsFile, "--tcp", "--device-id", this.deviceId], {
            cwd: this.workDir,
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", SIM_BUS_PORT: String(this.busPort) },
        })
        this.child = child
        LIVE.add(child)
        const sched = this.sched
        let reserved = false
        const take = (s: NodeJS.ReadableStream) =>
            createInterface({ input: s }).on("line", raw => {
                if (sched && !reserved && child.pid) {
                    reserved = true
                    this.schedApplied = sched.kind === "rt" ? elevate(child.pid) : reserve(child.pid, sched.runtimeNs, sched.periodNs)
                }
                // eslint-disable-next-line no-control-regex
                const text = raw.replace(/\x1b\[[0-9;]*m/g, "").replace(/^WASM> /, "")
                const l = { t: this.clock(), text }
                this.lines.push(l)
                for (const f of this.listeners) f(l)
            })
        take(child.stdout!)
        take(child.stderr!)
        child.on("exit", () => {
            LIVE.delete(child)
            if (this.child === child) this.child = null
        })
    }

    running(): boolean {
        return this.child !== null
    }

    /** the VM process's pid while it runs */
    pid(): number | null {
        return this.child?.pid ?? null
    }

    /** SIGKILL: the program stops mid-instruction, as in a crash or a power cut. */
    async kill(): Promise<void> {
        const c = this.child
        if (!c) return
        this.child = null
        await new Promise<void>(resolve => {
            c.once("exit", () => resolve())
            c.kill("SIGKILL")
        })
    }
}

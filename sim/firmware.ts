// The firmware under simulation: src/main.ts compiled once, then run in the DeviceScript VM
// (`devs run FILE.devs --tcp`) as a child process that joins the bus relay. Each device gets
// its own working folder, so its flash (settings: latched faults, gains, ...) lives there and
// survives a restart of the VM, as flash survives a power cycle.
import { spawn, type ChildProcess } from "node:child_process"
import { mkdirSync, copyFileSync, rmSync } from "node:fs"
import { resolve, join, dirname } from "node:path"
import { createInterface } from "node:readline"
import { ROOT } from "../tools/manifest-node"
import { generateAll } from "../tools/generate"
import { devs } from "../tools/devs"

const CLI = resolve(ROOT, "node_modules/@devicescript/cli/built/devicescript-cli.cjs")

/** The simulator's two images: the device composition (scenarios) and the bench image (npm run bench). */
export type SimImage = "device" | "bench"

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
        process.exit(130)
    })

/** One VM process; start() again after kill() is a power cycle with the same flash. */
export class FirmwareVm {
    private child: ChildProcess | null = null
    readonly lines: FirmwareLine[] = []
    private listeners: ((l: FirmwareLine) => void)[] = []

    constructor(readonly devsFile: string, readonly workDir: string, readonly deviceId: string, readonly clock: () => number) {}

    /** Wipes the device's flash (a factory-fresh device). */
    eraseFlash() {
        rmSync(join(this.workDir, ".devicescript"), { recursive: true, force: true })
    }

    /** where `devs run` keeps the device's flash (settings) */
    private flashFile(): string {
        return join(this.workDir, ".devicescript", "flash", "sim.bin")
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
        const child = spawn(process.execPath, [CLI, "run", this.devsFile, "--tcp", "--device-id", this.deviceId], {
            cwd: this.workDir,
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
        })
        this.child = child
        LIVE.add(child)
        const take = (s: NodeJS.ReadableStream) =>
            createInterface({ input: s }).on("line", raw => {
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

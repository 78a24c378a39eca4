// Helpers for the technician command tests: an in-process TechIo that records what a command
// prints, and a child-process runner for the real `npm run tech` entry point (tsx tools/tech/cli.ts)
// that a test can talk to through stdin while it watches stdout.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process"
import { resolve } from "node:path"
import { ROOT } from "../../tools/manifest-node"
import type { TechIo } from "../../tools/tech/common"

export interface RecordingIo extends TechIo {
    lines: string[]
    errLines: string[]
    /** stdout and stderr together */
    text(): string
}

export function recordingIo(o: { env?: NodeJS.ProcessEnv; stdin?: string[]; cwd?: string } = {}): RecordingIo {
    const stdin = [...(o.stdin ?? [])]
    const io: RecordingIo = {
        lines: [],
        errLines: [],
        out: l => io.lines.push(l),
        err: l => io.errLines.push(l),
        env: o.env ?? {},
        cwd: o.cwd ?? ROOT,
        interactive: false,
        readLine: async () => stdin.shift() ?? null,
        text: () => [...io.lines, ...io.errLines].join("\n"),
    }
    return io
}

const TSX = resolve(ROOT, "node_modules/.bin/tsx")

export class TechProcess {
    readonly child: ChildProcessWithoutNullStreams
    out = ""
    readonly done: Promise<number>

    constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
        this.child = spawn(TSX, ["tools/tech/cli.ts", ...args], { cwd: ROOT, env: { ...process.env, ...env, NO_COLOR: "1" } })
        this.child.stdout.on("data", (c: Buffer) => { this.out += c.toString() })
        this.child.stderr.on("data", (c: Buffer) => { this.out += c.toString() })
        this.done = new Promise(r => this.child.on("close", code => r(code ?? -1)))
    }

    /** Resolves once the output contains `text` (counting from `from` characters), or fails after timeoutMs. */
    async waitFor(text: string, timeoutMs = 30_000, from = 0): Promise<number> {
        const t0 = Date.now()
        for (;;) {
            const i = this.out.indexOf(text, from)
            if (i >= 0) return i + text.length
            if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for '${text}' in:\n${this.out}`)
            if (this.child.exitCode !== null) throw new Error(`exited ${this.child.exitCode} before '${text}':\n${this.out}`)
            await new Promise(r => setTimeout(r, 20))
        }
    }

    send(line: string) {
        this.child.stdin.write(line + "\n")
    }

    kill() {
        if (this.child.exitCode === null) this.child.kill("SIGKILL")
    }
}

/** Runs a tech command to its end: exit code and everything it printed. */
export async function runTech(args: string[], o: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<{ code: number; out: string }> {
    const p = new TechProcess(args, o.env)
    p.child.stdin.end(o.stdin ?? "")
    const code = await p.done
    return { code, out: p.out }
}

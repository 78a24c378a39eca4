// What every technician command shares: its input and output (so tests can drive a command in
// process), the two kinds of failure (bad arguments exit 2 with the usage; a runtime failure
// exits 1 with what to do next), a small option parser and the stdin prompt.
import { createInterface, type Interface } from "node:readline"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../manifest-node"

/** Bad arguments: the command prints the message and its usage, exit 2. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message)
        this.name = "UsageError"
    }
}

/** A runtime failure: the message, then what to do next; exit 1. */
export class TechError extends Error {
    constructor(message: string, readonly next: string) {
        super(message)
        this.name = "TechError"
    }
}

export interface TechIo {
    out(line: string): void
    err(line: string): void
    env: NodeJS.ProcessEnv
    /** the next line of standard input, or null at its end */
    readLine(): Promise<string | null>
    /** the working directory (relative paths in options resolve against it) */
    cwd: string
    /** stdin is a terminal (prompts are shown); false for pipes and tests */
    interactive: boolean
}

/** The process's own stdin/stdout/stderr. */
export function processIo(): TechIo {
    let rl: Interface | null = null
    const queue: string[] = []
    const waiting: ((l: string | null) => void)[] = []
    let ended = false
    const open = () => {
        if (rl) return
        rl = createInterface({ input: process.stdin, terminal: false })
        rl.on("line", l => {
            const w = waiting.shift()
            if (w) w(l)
            else queue.push(l)
        })
        rl.on("close", () => {
            ended = true
            for (const w of waiting.splice(0)) w(null)
        })
    }
    return {
        out: l => process.stdout.write(l + "\n"),
        err: l => process.stderr.write(l + "\n"),
        env: process.env,
        cwd: process.cwd(),
        interactive: !!process.stdin.isTTY,
        readLine() {
            open()
            const l = queue.shift()
            if (l !== undefined) return Promise.resolve(l)
            if (ended) return Promise.resolve(null)
            return new Promise(resolve => waiting.push(resolve))
        },
        close() {
            rl?.close()
        },
    } as TechIo & { close(): void }
}

export type Options = { [name: string]: string | true }

/**
 * Parses `--name value` and `--flag` options. `valued` lists the options that take a value,
 * `flags` those that do not; anything else, and any positional argument, is a UsageError.
 */
export function parseOptions(argv: string[], valued: string[], flags: string[] = []): Options {
    const o: Options = {}
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]
        if (!a.startsWith("--")) throw new UsageError(`unexpected argument '${a}'`)
        const eq = a.indexOf("=")
        const name = a.slice(2, eq < 0 ? undefined : eq)
        if (flags.includes(name)) {
            if (eq >= 0) throw new UsageError(`--${name} takes no value`)
            o[name] = true
        } else if (valued.includes(name)) {
            const v = eq >= 0 ? a.slice(eq + 1) : argv[++i]
            if (v === undefined || (eq < 0 && v.startsWith("--"))) throw new UsageError(`--${name} needs a value`)
            o[name] = v
        } else throw new UsageError(`unknown option --${name}`)
    }
    return o
}

export function str(o: Options, name: string): string | undefined {
    const v = o[name]
    return typeof v === "string" ? v : undefined
}

export function need(o: Options, name: string): string {
    const v = str(o, name)
    if (v === undefined || v === "") throw new UsageError(`--${name} is required`)
    return v
}

/** An integer option within lo..hi, or the default. */
export function intOption(o: Options, name: string, dflt: number, lo: number, hi: number): number {
    const v = str(o, name)
    if (v === undefined) return dflt
    const n = Number(v)
    if (!/^-?\d+$/.test(v) || n < lo || n > hi) throw new UsageError(`--${name} must be an integer in ${lo}..${hi}`)
    return n
}

/** A name that fits a compliance record's operator field and the fault-clear request: 1-32 of A-Z a-z 0-9 . _ - */
export const TECHNICIAN_PATTERN = /^[A-Za-z0-9._-]{1,32}$/

export function technicianOption(o: Options): string {
    const t = need(o, "technician")
    if (!TECHNICIAN_PATTERN.test(t)) throw new UsageError("--technician must be 1-32 of A-Z a-z 0-9 . _ - (it goes into the device's records)")
    return t
}

/** Asks a question on stdout and returns the answer line (trimmed); end of input is a TechError. */
export async function ask(io: TechIo, question: string): Promise<string> {
    io.out(question)
    const l = await io.readLine()
    if (l === null) throw new TechError("standard input ended before the answer to: " + question, "run the command in a terminal, or give the values as options (see --help)")
    return l.trim()
}

export function sleep(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms))
}

/** A fault's name and what to do, from docs/faults.md's table (the technician's reference). */
export function faultAdvice(code: number): { name: string; todo: string } {
    try {
        const doc = readFileSync(join(ROOT, "docs/faults.md"), "utf8")
        const row = doc.split("\n").find(l => l.startsWith(`| E${code} |`))
        if (row) {
            const cells = row.split("|").map(c => c.trim())
            return { name: cells[2], todo: cells[5] }
        }
    } catch {
        // the docs folder is not shipped: fall through
    }
    return { name: "fault E" + code, todo: "see docs/faults.md" }
}

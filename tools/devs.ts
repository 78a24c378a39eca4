// Runs the pinned DeviceScript CLI from node_modules (never a global one).
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process"
import { resolve } from "node:path"
import { ROOT } from "./manifest-node"

export const DEVS_CLI = resolve(ROOT, "node_modules/@devicescript/cli/devicescript")

export function devs(args: string[], opts: { quiet?: boolean; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
    return spawnSync(process.execPath, [DEVS_CLI, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
        timeout: opts.timeoutMs ?? 300_000,
        stdio: opts.quiet ? "pipe" : "inherit",
        maxBuffer: 64 * 1024 * 1024,
    })
}

/** The same, without blocking this process's event loop (a test that serves the VM over HTTP meanwhile). */
export function devsAsync(args: string[], timeoutMs = 300_000): Promise<{ status: number | null; out: string }> {
    return new Promise(done => {
        const child = spawn(process.execPath, [DEVS_CLI, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } })
        let out = ""
        child.stdout.on("data", (c: Buffer) => { out += c.toString() })
        child.stderr.on("data", (c: Buffer) => { out += c.toString() })
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
        child.on("close", status => {
            clearTimeout(timer)
            done({ status, out })
        })
    })
}

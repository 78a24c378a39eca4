// Runs the pinned DeviceScript CLI from node_modules (never a global one).
import { spawnSync, type SpawnSyncReturns } from "node:child_process"
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

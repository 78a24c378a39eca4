// npm run build: validates the manifest, then compiles src/main.ts once per board listed in
// devicescript.json (each board selected through the generated src/gen/board.ts), copies
// each image to built/<board>/bytecode.devs and prints the bytecode sizes.
// Exits non-zero if the manifest is invalid or any board fails to build. `npm run tech -- flash`
// builds its one board with buildBoards().
import { copyFileSync, mkdirSync, statSync, writeFileSync } from "node:fs"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { ROOT, readManifest } from "./manifest-node"
import { generateManifestModule, selectBoard } from "./generate"
import { devs } from "./devs"
import type { Manifest } from "../src/core/manifest"

export interface BuiltBoard {
    board: string
    bytes: number
    /** built/<board>/bytecode.devs */
    file: string
}

/**
 * Compiles src/main.ts for each board (each selected through src/gen/board.ts) into
 * built/<board>/bytecode.devs. Returns what was built and, per failed board, the compiler's
 * output. Leaves the manifest's first board selected (for `devs run` and the VM tests).
 */
export function buildBoards(m: Manifest, boards: string[]): { built: BuiltBoard[]; failed: { board: string; output: string }[] } {
    generateManifestModule(m)
    const built: BuiltBoard[] = []
    const failed: { board: string; output: string }[] = []
    try {
        for (const board of boards) {
            try {
                selectBoard(m, board)
            } catch (e) {
                failed.push({ board, output: (e as Error).message })
                continue
            }
            const r = devs(["build", "src/main.ts"], { quiet: true })
            if (r.status !== 0) {
                failed.push({ board, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? r.error.message : ""}` })
                continue
            }
            const out = resolve(ROOT, "built", board)
            mkdirSync(out, { recursive: true })
            const file = resolve(out, "bytecode.devs")
            copyFileSync(resolve(ROOT, ".devicescript/bin/bytecode.devs"), file)
            built.push({ board, bytes: statSync(file).size, file })
        }
    } finally {
        selectBoard(m, m.boards[0])
    }
    return { built, failed }
}

function main(): number {
    let m
    try {
        m = readManifest()
    } catch (e) {
        console.error(`build: ${(e as Error).message}`)
        return 1
    }
    const { built: rows, failed } = buildBoards(m, m.boards)
    for (const f of failed) console.error(`build: ${f.board} failed:\n${f.output}`)
    console.log("\nboard        bytecode")
    for (const r of rows) console.log(`${r.board.padEnd(12)} ${r.bytes} bytes (${(r.bytes / 1024).toFixed(1)} KiB)`)
    mkdirSync(resolve(ROOT, "built"), { recursive: true })
    writeFileSync(resolve(ROOT, "built/sizes.json"), JSON.stringify(Object.fromEntries(rows.map(r => [r.board, r.bytes])), null, 2) + "\n")
    return failed.length ? 1 : 0
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.exit(main())

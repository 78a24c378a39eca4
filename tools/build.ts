// npm run build: validates the manifest, then compiles src/main.ts once per board listed in
// devicescript.json (each board selected through the generated src/gen/board.ts), copies
// each image to built/<board>/bytecode.devs and prints the bytecode sizes.
// Exits non-zero if the manifest is invalid or any board fails to build.
import { copyFileSync, mkdirSync, statSync, writeFileSync } from "node:fs"
import { resolve } from "node:path"
import { ROOT, readManifest } from "./manifest-node"
import { generateManifestModule, selectBoard } from "./generate"
import { devs } from "./devs"

function main(): number {
    let m
    try {
        m = readManifest()
    } catch (e) {
        console.error(`build: ${(e as Error).message}`)
        return 1
    }
    generateManifestModule(m)
    const rows: { board: string; bytes: number }[] = []
    let failed = 0
    for (const board of m.boards) {
        try {
            selectBoard(m, board)
        } catch (e) {
            console.error(`build: ${(e as Error).message}`)
            failed++
            continue
        }
        const r = devs(["build", "src/main.ts"], { quiet: true })
        if (r.status !== 0) {
            console.error(`build: ${board} failed:\n${r.stdout}${r.stderr}`)
            failed++
            continue
        }
        const out = resolve(ROOT, "built", board)
        mkdirSync(out, { recursive: true })
        copyFileSync(resolve(ROOT, ".devicescript/bin/bytecode.devs"), resolve(out, "bytecode.devs"))
        rows.push({ board, bytes: statSync(resolve(out, "bytecode.devs")).size })
    }
    // leave the default board selected for `devs run` and the VM tests
    selectBoard(m, m.boards[0])
    console.log("\nboard        bytecode")
    for (const r of rows) console.log(`${r.board.padEnd(12)} ${r.bytes} bytes (${(r.bytes / 1024).toFixed(1)} KiB)`)
    writeFileSync(resolve(ROOT, "built/sizes.json"), JSON.stringify(Object.fromEntries(rows.map(r => [r.board, r.bytes])), null, 2) + "\n")
    return failed ? 1 : 0
}

process.exit(main())

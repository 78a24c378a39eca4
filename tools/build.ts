// npm run build: validates the manifest, then compiles each board's node image (NODE_IMAGES:
// the controller, src/main.ts, for smile_c3; the link, src/link-main.ts, for smile_s3), each
// board selected through the generated src/gen/board.ts, copies each image to
// built/<board>/bytecode.devs and prints the bytecode sizes and each image's function area
// against the VM verifier's limit and the design's budget (75 % of it, ../shared/DESIGN.md §3
// "Budgets").
// Exits non-zero if the manifest is invalid, any board fails to build, or an image's functions
// pass the verifier's limit (the device would refuse it) or its budget, unless BUDGET_WAIVERS
// names the image (printed with its reason at every build). `npm run tech -- flash` builds its
// one board with buildBoards().
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { ROOT, readManifest } from "./manifest-node"
import { generateManifestModule, selectBoard } from "./generate"
import { devs } from "./devs"
import type { Manifest } from "../src/core/manifest"
import { recordCapacities } from "./settings-budget"

/**
 * The VM's verifier rejects an image whose function data ends at or past offset 0x10000
 * (error 1051, runtime/devicescript/verify.c): with the image's header and tables before it,
 * a "Function TOTAL" of at most ~65,420 bytes (README, "DeviceScript traps").
 */
export const FUNCTION_AREA_LIMIT = 65_420
/** each image stays within this share of the limit, for room to grow (../shared/DESIGN.md §3) */
export const FUNCTION_AREA_BUDGET = 0.75

/** the node image each board runs (docs/link-service.md): the controller and the link */
export const NODE_IMAGES: Record<string, { entry: string; node: string }> = {
    smile_c3: { entry: "src/main.ts", node: "controller" },
    smile_s3: { entry: "src/link-main.ts", node: "link" },
}

/**
 * Images allowed over the budget (never over the limit), each with why: the build prints the
 * waiver every time and fails for any image over budget that is not named here.
 */
export const BUDGET_WAIVERS: Record<string, string> = {
    controller: "the split moved the network code to the link (64,728 B -> 61,596 B); the link service and its checks added ~6 KB back; a first diet (string priming recounted, dead fields and library pulls) took it to 60,400 B, and the display's readiness lines, the flood bounds, the send budget, the buttons' streamed levels and the fitting gate since to 62,852 B (Dec 2026; issue 12; npm run sizes shows where the bytes are)",
}

/** the entry file of a board's image (throws for a board with none) */
export function imageOf(board: string): { entry: string; node: string } {
    const i = NODE_IMAGES[board]
    if (!i) throw new Error(`no node image for board ${board} (tools/build.ts NODE_IMAGES: ${Object.keys(NODE_IMAGES).join(", ")})`)
    return i
}

/** "Function TOTAL" of the last build, from .devicescript/bin/bytecode-sizes.md (null when absent) */
export function functionTotal(): number | null {
    try {
        const m = /^\s*(\d+) \| Function TOTAL/m.exec(readFileSync(resolve(ROOT, ".devicescript/bin/bytecode-sizes.md"), "utf8"))
        return m ? Number(m[1]) : null
    } catch {
        return null
    }
}

export interface BuiltBoard {
    board: string
    /** "controller" or "link" */
    node: string
    bytes: number
    /** the function area the image uses (the verifier's limit: FUNCTION_AREA_LIMIT) */
    functionBytes: number | null
    /** built/<board>/bytecode.devs */
    file: string
}

/**
 * Compiles each board's node image (each board selected through src/gen/board.ts) into
 * built/<board>/bytecode.devs. Returns what was built and, per failed board, the compiler's
 * output. Leaves the manifest's first board selected (for `devs run` and the VM tests).
 */
export function buildBoards(m: Manifest, boards: string[]): { built: BuiltBoard[]; failed: { board: string; output: string }[] } {
    generateManifestModule(m)
    const built: BuiltBoard[] = []
    const failed: { board: string; output: string }[] = []
    try {
        for (const board of boards) {
            let image
            try {
                image = imageOf(board)
                selectBoard(m, board)
            } catch (e) {
                failed.push({ board, output: (e as Error).message })
                continue
            }
            const r = devs(["build", image.entry], { quiet: true })
            if (r.status !== 0) {
                failed.push({ board, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? r.error.message : ""}` })
                continue
            }
            const out = resolve(ROOT, "built", board)
            mkdirSync(out, { recursive: true })
            const file = resolve(out, "bytecode.devs")
            copyFileSync(resolve(ROOT, ".devicescript/bin/bytecode.devs"), file)
            built.push({ board, node: image.node, bytes: statSync(file).size, functionBytes: functionTotal(), file })
        }
    } finally {
        selectBoard(m, m.boards[0])
    }
    return { built, failed }
}

async function main(): Promise<number> {
    let m
    try {
        m = readManifest()
    } catch (e) {
        console.error(`build: ${(e as Error).message}`)
        return 1
    }
    const { built: rows, failed } = buildBoards(m, m.boards)
    for (const f of failed) console.error(`build: ${f.board} failed:\n${f.output}`)
    const budget = Math.floor(FUNCTION_AREA_LIMIT * FUNCTION_AREA_BUDGET)
    console.log(`\nboard        node        bytecode              functions (limit ${FUNCTION_AREA_LIMIT} B, budget ${budget} B = ${FUNCTION_AREA_BUDGET * 100} %)`)
    let bad = 0
    for (const r of rows) {
        const f = r.functionBytes
        const waived = BUDGET_WAIVERS[r.node]
        const verdict = f === null ? "unknown" : f > FUNCTION_AREA_LIMIT ? "OVER THE LIMIT: the VM refuses this image"
            : f > budget ? (waived ? "OVER BUDGET (waived, see below)" : "OVER BUDGET") : "within budget"
        if (f === null || f > FUNCTION_AREA_LIMIT || (f > budget && !waived)) bad++
        console.log(`${r.board.padEnd(12)} ${r.node.padEnd(11)} ${`${r.bytes} bytes (${(r.bytes / 1024).toFixed(1)} KiB)`.padEnd(21)} ` +
            `${f === null ? "?" : `${f} B (${((100 * f) / FUNCTION_AREA_LIMIT).toFixed(1)} %)`}  ${verdict}`)
    }
    for (const r of rows)
        if (r.functionBytes !== null && r.functionBytes > budget && BUDGET_WAIVERS[r.node])
            console.log(`budget waiver for the ${r.node}: ${BUDGET_WAIVERS[r.node]}; over budget by ${r.functionBytes - budget} B`)
    mkdirSync(resolve(ROOT, "built"), { recursive: true })
    writeFileSync(resolve(ROOT, "built/sizes.json"), JSON.stringify(Object.fromEntries(rows.map(r => [r.board, { node: r.node, bytes: r.bytes, functionBytes: r.functionBytes }])), null, 2) + "\n")
    if (bad) console.error(`build: ${bad} image(s) over the limit or over budget without a waiver`)
    // the controller's record queue must fit its board's settings area with every record the
    // largest the firmware makes (tools/settings-budget.ts, docs/records.md §8)
    const cap = (await recordCapacities(m))[0]
    const want = m.records.queueCapacityRecords
    console.log(`record queue: ${want} records (manifest records.queueCapacityRecords); the board's ${cap.areaBytes} B settings area holds ${cap.records} of the largest (${cap.largestRecordBytes} B each) beside ${cap.fixedBytes} B of the rest`)
    if (want > cap.records) {
        console.error(`build: records.queueCapacityRecords ${want} is more than the board's settings area holds (${cap.records}): a full queue would lose records`)
        bad++
    }
    return failed.length || bad ? 1 : 0
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main().then(code => process.exit(code))

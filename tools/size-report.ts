// npm run sizes [-- --board smile_s3] [--no-build] [--strings] [FILE ...]: where a node image's
// function bytes go. Builds the board's image (default smile_c3, the controller; tools/build.ts
// NODE_IMAGES), then prints the function area per source file (bytes, functions) from
// .devicescript/bin/bytecode-dbg.json, and for each FILE named (a path as printed, e.g.
// src/link-server.ts) its functions by size. Every function costs a 16-byte descriptor besides
// its code; a class method also costs an assignment (~7-11 bytes) in the compiler's `prototype`
// function, which main.ts's line shows.
// --strings: the string-priming list (README, "DeviceScript traps"; src/compliance.ts): counts
// every reference to an ASCII string in `devs disasm -d`, and prints the names that should hold
// the first 248 indexes (one-byte references) in the order to list them, with the bytes the
// current list wins and what the recounted one would.
// Leaves the manifest's first board selected, like tools/build.ts.
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { ROOT, readManifest } from "./manifest-node"
import { generateManifestModule, selectBoard } from "./generate"
import { devs } from "./devs"
import { imageOf, functionTotal } from "./build"

interface DbgFunction {
    name: string
    location?: [number, number]
    size: number
}

export interface FileSize {
    file: string
    bytes: number
    functions: { name: string; bytes: number }[]
}

/** function bytes per source file of the last build, largest first */
export function sizesByFile(dbgPath = resolve(ROOT, ".devicescript/bin/bytecode-dbg.json")): FileSize[] {
    const d = JSON.parse(readFileSync(dbgPath, "utf8")) as { sources: { path: string; length: number }[]; functions: DbgFunction[] }
    const starts: { off: number; path: string }[] = []
    let off = 0
    for (const s of d.sources) {
        starts.push({ off, path: s.path })
        off += s.length
    }
    const fileOf = (pos: number) => {
        let f = "?"
        for (const s of starts) {
            if (s.off <= pos) f = s.path
            else break
        }
        return f
    }
    const byFile = new Map<string, FileSize>()
    for (const f of d.functions) {
        const file = f.location ? fileOf(f.location[0]) : "?"
        let e = byFile.get(file)
        if (!e) byFile.set(file, (e = { file, bytes: 0, functions: [] }))
        e.bytes += f.size
        e.functions.push({ name: f.name, bytes: f.size })
    }
    const out = [...byFile.values()].sort((a, b) => b.bytes - a.bytes)
    for (const e of out) e.functions.sort((a, b) => b.bytes - a.bytes)
    return out
}

/** the first index that takes a three-byte reference */
const ONE_BYTE_STRINGS = 248

export interface StringCount {
    text: string
    /** references outside the start-up function (main_F0), where the priming list stands */
    refs: number
    /** its index in the last build */
    index: number
    /** referenced from the start-up function too */
    inMain: boolean
}

/** every ASCII string literal or name referenced in a `devs disasm -d` listing */
export function stringRefs(listing: string): StringCount[] {
    const counts = new Map<string, StringCount>()
    let inMain = false
    for (const line of listing.split("\n")) {
        const head = /^(proc|method|ctor|fun|function)\s+(\S+?)\(/.exec(line)
        if (head) inMain = head[2].startsWith("main_F")
        for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"\{A(\d+)\}/g)) {
            const text = JSON.parse(`"${m[1]}"`) as string
            let e = counts.get(text)
            if (!e) counts.set(text, (e = { text, refs: 0, index: Number(m[2]), inMain: false }))
            if (inMain) e.inMain = true
            else e.refs++
        }
    }
    return [...counts.values()]
}

/**
 * The names to prime: the most-referenced strings, as many as fit below index 248 after those
 * the start-up code numbers before the list (they keep their low index anyway), leaving out
 * names referenced once (listing one costs about as much as it saves).
 */
export function primingList(counts: StringCount[], before: Set<string>): string[] {
    const slots = ONE_BYTE_STRINGS - before.size
    return counts
        .filter(c => !before.has(c.text) && c.refs >= 2)
        .sort((a, b) => b.refs - a.refs || a.index - b.index)
        .slice(0, slots)
        .map(c => c.text)
}

function main(): number {
    const args = process.argv.slice(2)
    const flag = (f: string) => {
        const i = args.indexOf(f)
        if (i >= 0) args.splice(i, 1)
        return i >= 0
    }
    const bi = args.indexOf("--board")
    const board = bi >= 0 ? args.splice(bi, 2)[1] : "smile_c3"
    const noBuild = flag("--no-build")
    const strings = flag("--strings")
    if (!noBuild) {
        const m = readManifest()
        generateManifestModule(m)
        try {
            selectBoard(m, board)
            const r = devs(["build", imageOf(board).entry], { quiet: true })
            if (r.status !== 0) {
                console.error(`sizes: ${board} failed to build:\n${r.stdout ?? ""}${r.stderr ?? ""}`)
                return 1
            }
        } finally {
            selectBoard(m, m.boards[0])
        }
    }
    const files = sizesByFile()
    console.log(`${board}: function area ${functionTotal()} B (functions ${files.reduce((n, f) => n + f.bytes, 0)} B)`)
    for (const f of files) console.log(`${String(f.bytes).padStart(6)} ${String(f.functions.length).padStart(4)}  ${f.file}`)
    for (const name of args) {
        const f = files.find(x => x.file === name || x.file.endsWith("/" + name))
        console.log(`\n${name}: ${f ? f.functions.map(x => `${x.name} ${x.bytes}`).join(", ") : "no functions in this image"}`)
    }
    if (strings) {
        const r = devs(["disasm", "-d", ".devicescript/bin/bytecode-dbg.json"], { quiet: true })
        if (r.status !== 0) {
            console.error(`sizes: devs disasm failed:\n${r.stderr ?? ""}`)
            return 1
        }
        const counts = stringRefs(r.stdout)
        const primed = new Set(primedNow())
        // numbered before the list: referenced from the start-up code but not listed, at a low index
        const before = new Set(counts.filter(c => c.inMain && !primed.has(c.text) && c.index < ONE_BYTE_STRINGS).map(c => c.text))
        const won = (low: (c: StringCount) => boolean) => counts.filter(low).reduce((n, c) => n + c.refs, 0)
        const list = primingList(counts, before)
        const inList = new Set(list)
        console.log(`\nstring references: ${counts.reduce((n, c) => n + c.refs, 0)} to ${counts.length} ASCII strings; ` +
            `one-byte now ${won(c => c.index < ONE_BYTE_STRINGS)}, with the list below ${won(c => before.has(c.text) || inList.has(c.text))} ` +
            `(each one-byte reference saves 2 bytes; each listed name costs ~2.8)`)
        console.log(`priming list (${list.length} names, src/compliance.ts):`)
        console.log(JSON.stringify(list).slice(1, -1).replace(/","/g, '", "'))
    }
    return 0
}

/** the names src/compliance.ts primes today */
function primedNow(): string[] {
    const src = readFileSync(resolve(ROOT, "src/compliance.ts"), "utf8")
    const m = /if \(ds\.millis\(\) < 0\) console\.log\(\[([\s\S]*?)\]\)/.exec(src)
    return m ? (JSON.parse(`[${m[1].replace(/,\s*$/, "")}]`) as string[]) : []
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.exit(main())

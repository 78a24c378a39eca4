// tsx hub/bench/profile-summary.ts FILE.cpuprofile [--top N] [--last MS]
// Self time per function (and per file) of a V8 CPU profile (node --cpu-prof), largest first:
// where a benchmark's CPU went, as text. --last MS keeps only the profile's last MS milliseconds
// (a bench's phase without the process's start-up).
import { readFileSync } from "node:fs"

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const file = process.argv[2]
const topI = process.argv.indexOf("--top")
const top = topI > 0 ? Number(process.argv[topI + 1]) : 30
const lastI = process.argv.indexOf("--last")
const lastMs = lastI > 0 ? Number(process.argv[lastI + 1]) : Infinity
if (!file || !(top > 0) || !(lastMs > 0)) {
    console.error("usage: tsx hub/bench/profile-summary.ts FILE.cpuprofile [--top N] [--last MS]")
    process.exit(2)
}
const p = JSON.parse(readFileSync(file, "utf8")) as Profile
const byId = new Map(p.nodes.map(n => [n.id, n]))
const selfUs = new Map<number, number>()
// sample i was taken at startTime + the sum of timeDeltas[0..i]
const fromUs = p.endTime - lastMs * 1000
let at = p.startTime
for (let i = 0; i < p.samples.length; i++) {
    at += p.timeDeltas[i] ?? 0
    if (at >= fromUs) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
}
const total = Math.min(p.endTime - p.startTime, lastMs * 1000)
const fn = new Map<string, number>()
const files = new Map<string, number>()
for (const [id, us] of selfUs) {
    const c = byId.get(id)!.callFrame
    const short = c.url.replace(/^.*\/(node_modules\/|hub\/|src\/)/, "$1")
    const k = (c.functionName || "(anonymous)") + " " + short + (c.url ? ":" + (c.lineNumber + 1) : "")
    fn.set(k, (fn.get(k) ?? 0) + us)
    const f = c.url ? short : c.functionName
    files.set(f, (files.get(f) ?? 0) + us)
}
// inclusive: a sample counts once for every distinct function on its stack
const parent = new Map<number, number>()
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const nameOf = (id: number) => {
    const c = byId.get(id)!.callFrame
    return (c.functionName || "(anonymous)") + " " + c.url.replace(/^.*\/(node_modules\/|hub\/|src\/)/, "$1") + (c.url ? ":" + (c.lineNumber + 1) : "")
}
const incl = new Map<string, number>()
for (const [id, us] of selfUs) {
    const seen = new Set<string>()
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) seen.add(nameOf(x))
    for (const k of seen) incl.set(k, (incl.get(k) ?? 0) + us)
}
const pct = (us: number) => (100 * us / total).toFixed(1).padStart(5) + "%"
console.log(`total ${(total / 1000).toFixed(0)} ms; self time by function:`)
for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(us) + "  " + k)
console.log("\ninclusive (the function and what it calls):")
for (const [k, us] of [...incl].filter(([k]) => !k.startsWith("(root)")).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(pct(us) + "  " + k)
console.log("\nby file:")
for (const [k, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(pct(us) + "  " + k)

// Where a firmware VM's time goes, from a V8 CPU profile of its process: time a second spent in
// the interpreter (the DeviceScript runtime compiled to WebAssembly: what a chip runs as native
// C, docs/target-speed.md), in the CLI's JavaScript glue, and idle; the runtime's functions by
// self time and by inclusive time (e.g. jd_client_handle_packet: all the work packets cause).
//   SIM_VM_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" npm run sim -- --scenario NAME
//   npx tsx tools/vm-profile.ts DIR/CPU.*.cpuprofile [--last SECONDS] [--top N]
// A VM writes its profile only when it exits by itself (SIGINT), not when the simulator kills it.
import { readFileSync } from "node:fs"

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] }

const file = process.argv[2]
if (!file || file.startsWith("--")) {
    console.error("usage: npx tsx tools/vm-profile.ts FILE.cpuprofile [--last SECONDS] [--top N]")
    process.exit(2)
}
const opt = (name: string, dflt: number) => {
    const i = process.argv.indexOf(name)
    const v = i > 0 ? Number(process.argv[i + 1]) : dflt
    if (!(v > 0)) throw new Error(`${name} must be a positive number`)
    return v
}
const top = opt("--top", 25)
const p = JSON.parse(readFileSync(file, "utf8")) as Profile
const byId = new Map<number, ProfileNode>()
const parent = new Map<number, number>()
for (const n of p.nodes) {
    byId.set(n.id, n)
    for (const c of n.children ?? []) parent.set(c, n.id)
}
const times: number[] = []
let t = p.startTime
for (const d of p.timeDeltas) times.push((t += d))
const end = times[times.length - 1]
// the whole profile unless --last: the steady state at its end (e.g. armed and idle)
const last = process.argv.includes("--last") ? opt("--last", 20) * 1e6 : end - p.startTime
const secs = last / 1e6

const category: Record<string, number> = {}
const self: Record<string, number> = {}
const inclusive: Record<string, number> = {}
// The longest stretches the process was busy without a break (consecutive samples, none idle):
// at a target speed each is stretched by the process factor, and a ready fiber waits that long.
// The sampling interval bounds what shows (--cpu-prof-interval 100 for 0.1 ms). Each with what it
// was, by category: V8's "(garbage collector)" (the CLI's heap; a chip has none), the interpreter, glue.
const stretches: { start: number; ms: number; by: Record<string, number> }[] = []
let run: (typeof stretches)[number] | null = null
for (let i = 0; i < p.samples.length; i++) {
    if (times[i] < end - last) continue
    // a sample's time is the gap to the next sample, ms
    const ms = (p.timeDeltas[i + 1] ?? 0) / 1000
    const n = byId.get(p.samples[i])!
    const name = n.callFrame.functionName
    const c = name === "(idle)" ? "idle" : n.callFrame.url.startsWith("wasm://") ? "interpreter (wasm)" : name.startsWith("(") ? name : "glue (js)"
    category[c] = (category[c] ?? 0) + ms
    if (c === "idle") {
        if (run) stretches.push(run)
        run = null
    } else {
        run ??= { start: times[i], ms: 0, by: {} }
        run.ms += ms
        run.by[c] = (run.by[c] ?? 0) + ms
    }
    if (c !== "interpreter (wasm)") continue
    self[name] = (self[name] ?? 0) + ms
    const seen = new Set<string>()
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
        const f = byId.get(id)!.callFrame
        if (f.url.startsWith("wasm://")) seen.add(f.functionName)
    }
    for (const f of seen) inclusive[f] = (inclusive[f] ?? 0) + ms
}
const rows = (o: Record<string, number>, n: number) =>
    Object.entries(o).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `  ${k.padEnd(40)} ${(v / secs).toFixed(2).padStart(7)} ms/s`)
console.log(`${file}: the last ${secs.toFixed(1)} s`)
console.log(rows(category, 10).join("\n"))
console.log("interpreter functions, self time:")
console.log(rows(self, top).join("\n"))
console.log("interpreter functions, inclusive time:")
console.log(rows(inclusive, top).join("\n"))

if (run) stretches.push(run)
stretches.sort((a, b) => b.ms - a.ms)
console.log(`longest busy stretches (${stretches.length} in all), seconds from the profile's start:`)
for (const s of stretches.slice(0, Math.min(top, 10)))
    console.log(`  ${((s.start - p.startTime) / 1e6).toFixed(2).padStart(7)} s ${s.ms.toFixed(2).padStart(7)} ms  ` +
        Object.entries(s.by).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", "))

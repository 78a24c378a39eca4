// Per-area kill rates from Stryker's JSON report (test-output/mutation/mutation.json, or FILE):
// `npx tsx tools/mutation-table.ts [FILE]` prints one markdown row per area (docs/mutation.md),
// and with `--survivors` each surviving mutant's file, line and change.
import { readFileSync } from "node:fs"

const args = process.argv.slice(2)
const showSurvivors = args.includes("--survivors")
const file = args.find(a => !a.startsWith("--")) ?? "test-output/mutation/mutation.json"
const report = JSON.parse(readFileSync(file, "utf8")) as {
    files: Record<string, { source: string; mutants: { status: string; mutatorName: string; replacement?: string; location: { start: { line: number; column: number } } }[] }>
}

/** the area a file belongs to: src/core/<dir> or the file itself, hub/src/auth */
function area(path: string): string {
    const p = path.replace(/\\/g, "/")
    const m = /src\/core\/([^/]+)\//.exec(p)
    if (m) return m[1]
    if (p.includes("hub/src/auth/")) return "hub auth"
    return p.replace(/^.*\//, "").replace(/\.ts$/, "")
}

const rows = new Map<string, Record<string, number>>()
const survivors: string[] = []
for (const [path, f] of Object.entries(report.files)) {
    const r = rows.get(area(path)) ?? {}
    for (const mu of f.mutants) {
        r[mu.status] = (r[mu.status] ?? 0) + 1
        if (mu.status === "Survived" || mu.status === "NoCoverage") {
            const line = f.source.split("\n")[mu.location.start.line - 1]?.trim() ?? ""
            survivors.push(`${mu.status} ${path}:${mu.location.start.line} ${mu.mutatorName} -> ${JSON.stringify(mu.replacement ?? "")}   | ${line}`)
        }
    }
    rows.set(area(path), r)
}
console.log("| area | mutants | killed | survived | timeout | no coverage | score |")
console.log("|---|---|---|---|---|---|---|")
for (const [a, r] of [...rows].sort()) {
    const killed = r["Killed"] ?? 0, timeout = r["Timeout"] ?? 0, survived = r["Survived"] ?? 0, none = r["NoCoverage"] ?? 0
    const valid = killed + timeout + survived + none
    const score = valid === 0 ? 0 : (100 * (killed + timeout)) / valid
    console.log(`| ${a} | ${valid} | ${killed} | ${survived} | ${timeout} | ${none} | ${score.toFixed(1)} % |`)
}
if (showSurvivors) for (const s of survivors) console.log(s)

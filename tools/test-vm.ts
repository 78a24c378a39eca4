// Runs every firmware-in-VM suite (test/vm/*.vm.ts) in the DeviceScript WASM VM with
// `devs run FILE --test --test-self-exit` (without --test-self-exit the tests never run),
// parses each suite's "tests: N, pass: P, error: E" line, and exits non-zero on any failure,
// a missing summary line, or a VM that did not exit cleanly.
import { readdirSync, rmSync } from "node:fs"
import { resolve } from "node:path"
import { ROOT } from "./manifest-node"
import { generateAll } from "./generate"
import { devs } from "./devs"

const dir = resolve(ROOT, "test/vm")
const filter = process.argv[2]
const files = readdirSync(dir)
    .filter(f => f.endsWith(".vm.ts") && (!filter || f.includes(filter)))
    .sort()
if (files.length === 0) {
    console.error("test:vm: no test/vm/*.vm.ts suites found")
    process.exit(1)
}
generateAll()

let passed = 0
let failed = 0
const bad: string[] = []
for (const f of files) {
    const rel = "test/vm/" + f
    // each suite starts from empty settings, whatever the one before it stored (kv-settings.vm.ts
    // fills the settings area on purpose): `devs run` keeps its flash in this file
    rmSync(resolve(ROOT, ".devicescript/flash/sim.bin"), { force: true })
    // GC stress mode is on in `devs run --test`; long suites need more than the 5 s default
    const r = devs(["run", rel, "--test", "--test-self-exit", "-T", "600000"], { quiet: true, timeoutMs: 660_000 })
    const out = (r.stdout ?? "") + (r.stderr ?? "")
    const m = /tests: (\d+), pass: (\d+), error: (\d+)/.exec(out)
    const ok = r.status === 0 && m !== null && m[3] === "0" && m[1] === m[2]
    if (m) {
        passed += Number(m[2])
        failed += Number(m[3]) + (Number(m[1]) - Number(m[2]) - Number(m[3]))
    }
    if (!ok) {
        if (!m) failed++
        bad.push(f)
        console.log(out.replace(/\x1b\[[0-9;]*m/g, ""))
    }
    console.log(`${ok ? "ok  " : "FAIL"} ${rel}  ${m ? `${m[2]}/${m[1]} passed` : "no test summary (compile error or crash)"}`)
}
console.log(`\nVM suites: ${files.length}, failing: ${bad.length ? bad.join(", ") : "none"}`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(bad.length ? 1 : 0)

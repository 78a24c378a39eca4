// Prints the fit's accuracy over the synthetic arches of test/vectors/fitting.ts against their
// ground truth (scale, offset, rotation errors; max and mean), the wrong-template and
// rejection cases, and the goal verdict. With --vm it also runs test/vm/fitting.vm.ts in the
// DeviceScript VM and checks that every fit the VM printed has exactly Node's integers.
// --readings N overrides fitting.readingsPerPoint (the shipped value averages 4 readings).
//   npx tsx tools/fit-accuracy.ts [--vm] [--readings N]
import { readManifest } from "./manifest-node"
import { generateAll } from "./generate"
import { devs } from "./devs"
import {
    EXACT_FIT_VECTORS, MATCH_CASES, WRONG_TEMPLATE_CASES, REJECT_CASES, GOAL_OFFSET_UM, GOAL_SCALE_PPM,
    runExactVector, runSyntheticCase, truthErrors, judgeMatch, fitNumbers,
} from "../test/vectors/fitting"
import { templateFromShape, type SyntheticCase } from "../test/vectors/synthetic-arch"
import type { FitResult } from "../src/core/fitting/fit-result"

const argReadings = process.argv.indexOf("--readings")
const s = { ...readManifest().fitting }
if (argReadings > 0) s.readingsPerPoint = Number(process.argv[argReadings + 1])
const noPause = async () => {}
const pad = (v: string | number, n: number) => String(v).padStart(n)

async function main() {
    const nodeLines = new Map<string, string>()
    const keep = (kind: string, name: string, r: FitResult) => nodeLines.set(`${kind} ${name}`, fitNumbers(r).join(","))

    for (const v of EXACT_FIT_VECTORS) keep("exact", v.name, await runExactVector(v, s, noPause))

    console.log(`Synthetic arches: ${MATCH_CASES.length}, ${s.readingsPerPoint} reading(s) averaged per point (goal: scale within ${GOAL_SCALE_PPM} ppm, offset within ${GOAL_OFFSET_UM} µm)`)
    console.log(`${"case".padEnd(54)} pts drop  rms worst cov  | dScale ppm  dX µm  dY µm  dRot µrad  iter`)
    const errs: number[][] = []
    const originErrs: number[] = []
    let failures = 0
    for (const c of MATCH_CASES) {
        const r = await runSyntheticCase(c, s, noPause)
        keep("match", c.name, r)
        const e = truthErrors(c, r)
        errs.push(e)
        originErrs.push(originError(c, r))
        const verdict = judgeMatch(c, r)
        if (verdict !== "ok") failures++
        console.log(
            `${c.name.padEnd(54)}${pad(r.points, 3)}${pad(r.dropped, 5)}${pad(r.rmsUm, 5)}${pad(r.worstUm, 6)}${pad(r.coveragePermille, 5)}  |` +
                `${pad(e[0], 11)}${pad(e[1], 7)}${pad(e[2], 7)}${pad(e[3], 11)}${pad(r.iterations, 6)}${verdict === "ok" ? "" : "  FAIL: " + verdict}`
        )
    }
    const stat = (i: number) => {
        const a = errs.map(e => Math.abs(e[i]))
        return `max ${Math.max(...a)}, mean ${(a.reduce((x, y) => x + y, 0) / a.length).toFixed(1)}`
    }
    const offset = errs.map(e => Math.hypot(e[1], e[2]))
    console.log(`\n|scale error| ppm: ${stat(0)}`)
    console.log(`|offset x error| µm: ${stat(1)};  |offset y error| µm: ${stat(2)}`)
    console.log(`|offset error| µm (distance): max ${Math.max(...offset).toFixed(1)}, mean ${(offset.reduce((x, y) => x + y, 0) / offset.length).toFixed(1)}`)
    console.log(`|rotation error| µrad: ${stat(3)}`)
    console.log(
        `(for comparison, where the template's origin, its front point, lands: |error| µm max ${Math.max(...originErrs).toFixed(1)}, ` +
            `mean ${(originErrs.reduce((x, y) => x + y, 0) / originErrs.length).toFixed(1)}: rotation error swings it sideways)`
    )

    console.log(`\nWrong template (must be rejected):`)
    for (const c of WRONG_TEMPLATE_CASES) {
        const r = await runSyntheticCase(c, s, noPause)
        keep("wrong", c.name, r)
        if (r.accepted) failures++
        console.log(`  ${c.name.padEnd(44)} ${r.accepted ? "ACCEPTED (FAIL)" : "rejected, reason " + r.reason}  rms ${r.rmsUm} µm, worst ${r.worstUm} µm`)
    }
    console.log(`\nRejection reasons:`)
    for (const rc of REJECT_CASES) {
        const r = await runSyntheticCase(rc.c, s, noPause)
        keep("reject", rc.c.name, r)
        if (r.reason !== rc.reason) failures++
        console.log(`  ${rc.c.name.padEnd(44)} reason ${r.reason} (expected ${rc.reason})  points ${r.points}, rms ${r.rmsUm}, worst ${r.worstUm}, coverage ${r.coveragePermille}, scale ${r.scalePpm}`)
    }
    console.log(`\n${failures === 0 ? "all goals met" : failures + " FAILURES"}`)

    if (process.argv.includes("--vm")) failures += compareWithVm(nodeLines)
    process.exit(failures === 0 ? 0 : 1)
}

/** Distance (µm) between where the fit and the truth put the template's origin (0, 0). */
function originError(c: SyntheticCase, r: FitResult): number {
    const t = templateFromShape(c.template)
    const cx = (t[0][0] + t[t.length - 1][0]) / 2
    const cy = (t[0][1] + t[t.length - 1][1]) / 2
    const sc = r.scalePpm / 1e6
    const th = r.rotationMicroRad / 1e6
    // origin = offset + s R (0 - centre)
    const fx = r.offsetXUm - sc * (Math.cos(th) * cx - Math.sin(th) * cy)
    const fy = r.offsetYUm - sc * (Math.sin(th) * cx + Math.cos(th) * cy)
    return Math.hypot(fx - c.truth[2], fy - c.truth[3])
}

/** Runs the VM suite and compares its FIT lines with Node's; returns the number of mismatches. */
function compareWithVm(nodeLines: Map<string, string>): number {
    generateAll()
    const r = devs(["run", "test/vm/fitting.vm.ts", "--test", "--test-self-exit", "-T", "600000"], { quiet: true, timeoutMs: 660_000 })
    const out = ((r.stdout ?? "") + (r.stderr ?? "")).replace(/\x1b\[[0-9;]*m/g, "")
    let compared = 0
    let bad = 0
    for (const m of out.matchAll(/FIT (\w+ .*): ([-\d,]+)\s*$/gm)) {
        compared++
        const node = nodeLines.get(m[1])
        if (node !== m[2]) {
            bad++
            console.log(`VM differs: ${m[1]}\n  VM   ${m[2]}\n  Node ${node}`)
        }
    }
    if (compared === 0) bad++
    console.log(`\nVM vs Node: ${compared} fits compared, ${bad === 0 ? "all identical" : bad + " differ"} (VM exit ${r.status})`)
    return bad + (r.status === 0 ? 0 : 1)
}

main()

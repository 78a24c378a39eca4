// The fitting vectors of test/unit/fitting.test.ts inside the DeviceScript VM: the exact
// vectors must give the same integers, and a subset of the synthetic arches (the VM runs with
// GC stress) must meet the same accuracy goal and rejections. Each fit's integers are printed
// as a "FIT" line; `npx tsx tools/fit-accuracy.ts --vm` compares them with Node's, digit for digit.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { MANIFEST } from "../../src/gen/manifest"
import {
    EXACT_FIT_VECTORS, MATCH_CASES, VM_MATCH_CASES, WRONG_TEMPLATE_CASES, VM_WRONG_CASES, REJECT_CASES,
    runExactVector, runSyntheticCase, exactNumbers, fitNumbers, judgeMatch,
} from "../vectors/fitting"
import { atanRad } from "../../src/core/fitting/angle"

// a fiber running ~128K opcodes without an await is killed: the fit pauses through this
const pause = async () => { await ds.sleep(0) }
const s = MANIFEST.fitting

describe("fitting: exact vectors", () => {
    EXACT_FIT_VECTORS.forEach(v => {
        test(v.name, async () => {
            await pause()
            const r = await runExactVector(v, s, pause)
            console.log("FIT exact " + v.name + ": " + fitNumbers(r).join(","))
            expect(exactNumbers(r).join(",")).toBe(v.expect.join(","))
        })
    })
    test("atan without trigonometry: atan(1) = pi/4, atan(13/84) as in the vector", () => {
        // pi/4 = 0.785398163397448; the 13/84 value is the vector's rotation, 153544 µrad
        expect(Math.floor(atanRad(1) * 1e9 + 0.5)).toBe(785398163)
        expect(Math.floor(atanRad(13 / 84) * 1e6 + 0.5)).toBe(153544)
    })
})

describe("fitting: synthetic arches (VM subset)", () => {
    MATCH_CASES.slice(0, VM_MATCH_CASES).forEach(c => {
        test(c.name, async () => {
            await pause()
            const r = await runSyntheticCase(c, s, pause)
            console.log("FIT match " + c.name + ": " + fitNumbers(r).join(","))
            expect(judgeMatch(c, r)).toBe("ok")
        })
    })
    WRONG_TEMPLATE_CASES.slice(0, VM_WRONG_CASES).forEach(c => {
        test("wrong template rejected: " + c.name, async () => {
            await pause()
            const r = await runSyntheticCase(c, s, pause)
            console.log("FIT wrong " + c.name + ": " + fitNumbers(r).join(","))
            expect(r.accepted).toBe(false)
        })
    })
    REJECT_CASES.forEach(rc => {
        test("rejected with reason " + rc.reason + ": " + rc.c.name, async () => {
            await pause()
            const r = await runSyntheticCase(rc.c, s, pause)
            console.log("FIT reject " + rc.c.name + ": " + fitNumbers(r).join(","))
            expect(r.reason).toBe(rc.reason)
        })
    })
})

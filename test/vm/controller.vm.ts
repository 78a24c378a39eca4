// The closed-loop controller runs of test/unit/controller.test.ts, inside the DeviceScript VM:
// the same plant, scripts and expected ends, so the VM and Node provably agree.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { MANIFEST } from "../../src/gen/manifest"
import { runCycle, TEST_PROCESS } from "../vectors/cycle-runs"
import { CONTROLLER_RUNS } from "../vectors/controller-runs"

const pause = async () => { await ds.sleep(0) }

describe("controller closed loop in the VM", () => {
    CONTROLLER_RUNS.forEach(c => {
        test(c.script.name, async () => {
            const r = await runCycle(c.script, MANIFEST, pause)
            expect(r.outcome).toBe(c.outcome)
            expect(r.faultCode).toBe(c.faultCode)
            expect(r.finalPhase).toBe(c.finalPhase)
            expect(r.latched).toBe(c.latched)
            expect(r.heaterOnAfterStop).toBe(0)
            expect(r.heaterOnAtEnd).toBe(false)
            expect(r.speedAtEnd).toBe(0)
            expect(r.homeAtEnd).toBe(c.homeAtEnd)
            expect(r.maxTipDeciC <= TEST_PROCESS.contactMaxDeciC).toBe(true)
            expect(r.maxFilmDeciC <= MANIFEST.limits.filmMaxDeciC).toBe(true)
            console.log("    ticks=" + r.ticks + " maxFilm=" + r.maxFilmDeciC + " maxTip=" + r.maxTipDeciC + " maxForce=" + r.maxForceMilliN)
        })
    })
})

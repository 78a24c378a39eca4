// The supervisor vectors of test/unit/supervisor.test.ts, run inside the DeviceScript VM.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { MANIFEST } from "../../src/gen/manifest"
import { SUPERVISOR_VECTORS, runSupervisorVector } from "../vectors/supervisor"

describe("supervisor vectors in the VM", () => {
    SUPERVISOR_VECTORS.forEach(v => {
        test(v.name, async () => {
            const r = await runSupervisorVector(v, MANIFEST, async () => { await ds.sleep(0) })
            expect(r.code).toBe(v.code)
            expect(r.sensor).toBe(v.sensor)
            expect(r.tick).toBe(v.tripTick(MANIFEST))
        })
    })
})

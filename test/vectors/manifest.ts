// Manifest validation vectors (Node and VM): a mutation of a valid manifest and the key the
// error must name ("" = accepted).

import { Manifest } from "../../src/core/manifest"
import { validateManifest, ManifestError } from "../../src/core/manifest-schema"

export interface ManifestVector {
    name: string
    mutate: (m: any) => void
    /** expected substring of the error message ("" = valid) */
    error: string
}

export const MANIFEST_VECTORS: ManifestVector[] = [
    { name: "the manifest as shipped", mutate: m => { }, error: "" },
    { name: "unknown top-level key", mutate: m => { m.limit = {} }, error: "limit: unknown key" },
    { name: "unknown key in a section (typo)", mutate: m => { m.limits.filmMaxDeciCC = 900 }, error: "limits.filmMaxDeciCC: unknown key" },
    { name: "missing key", mutate: m => { m.safety.staleTicks = undefined }, error: "safety.staleTicks: missing" },
    { name: "value above range", mutate: m => { m.limits.contactMaxDeciC = 451 }, error: "limits.contactMaxDeciC: 451 is outside 350..450" },
    { name: "value below range", mutate: m => { m.control.periodMs = 9 }, error: "control.periodMs: 9 is outside" },
    { name: "not an integer", mutate: m => { m.press.travelMaxUm = 1.5 }, error: "press.travelMaxUm: must be an integer" },
    { name: "a string where a number goes", mutate: m => { m.cycle.coolMaxMs = "600000" }, error: "cycle.coolMaxMs: must be an integer" },
    { name: "missing section", mutate: m => { m.autotune = undefined }, error: "autotune: missing section" },
    { name: "no boards", mutate: m => { m.boards = [] }, error: "boards: must list" },
    { name: "overrun not above two periods", mutate: m => { m.control.overrunMs = 2 * m.control.periodMs }, error: "control.overrunMs: must exceed" },
    { name: "late-tick allowance not below its window", mutate: m => { m.control.maxLateTicks = m.control.lateWindowTicks }, error: "control.maxLateTicks: must be below" },
    { name: "one-shot shorter than a tick", mutate: m => { m.control.heaterOneShotMs = m.control.periodMs }, error: "control.heaterOneShotMs" },
    { name: "press one-shot shorter than a tick", mutate: m => { m.control.pressOneShotMs = m.control.periodMs }, error: "control.pressOneShotMs" },
    { name: "film limit at the sensor's range", mutate: m => { m.limits.filmMaxDeciC = 1500; m.limits.filmSensorMaxDeciC = 1500 }, error: "limits.filmMaxDeciC: must be below" },
]

function copy(v: any): any {
    return JSON.parse(JSON.stringify(v))
}

/** Returns the validation error message, or "" when the mutated manifest is valid. */
export function runManifestVector(v: ManifestVector, base: Manifest): string {
    const m = copy(base)
    v.mutate(m)
    try {
        validateManifest(m)
        return ""
    } catch (e) {
        if (!(e instanceof ManifestError)) return "unexpected error type: " + (e as Error).message
        return (e as Error).message
    }
}

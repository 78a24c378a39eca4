// Prints ticks-to-trip for every supervisor fault vector (the figures quoted in issue notes):
//   npx tsx tools/fault-table.ts
// Reaction = trip tick - tick of the first sample beyond the limit (or of the event).
import { readManifest } from "./manifest-node"
import { SUPERVISOR_VECTORS, runSupervisorVector } from "../test/vectors/supervisor"

const m = readManifest()
const P = m.control.periodMs
console.log(`control period ${P} ms\n`)
console.log("fault".padEnd(8) + "vector".padEnd(52) + "ticks".padStart(6) + "ms".padStart(8))
for (const v of SUPERVISOR_VECTORS) {
    const r = await runSupervisorVector(v, m)
    if (r.tick < 0) {
        console.log("-".padEnd(8) + v.name.padEnd(52) + "none".padStart(6))
        continue
    }
    const ticks = r.tick - v.eventTick
    console.log(`E${r.code}`.padEnd(8) + v.name.slice(0, 51).padEnd(52) + String(ticks).padStart(6) + String(ticks * P).padStart(8))
}

// A probe in the simulator's images (never in a board's): the longest a ready fiber waited for
// the VM, i.e. the longest run of other work without a yield (the fit, sealing a record, a
// codec) plus the scheduler's own delay. DeviceScript's fibers are cooperative: a timer due at
// t runs only when whatever runs at t yields. Logged every LOG_MS as "lag maxMs N" (the worst
// since the last line); npm run bench and the scenarios read it (docs/target-speed.md).
import * as ds from "@devicescript/core"

const PROBE_MS = 20
const LOG_MS = 5000

let lastMs = ds.millis()
let maxLateMs = 0
setInterval(() => {
    const now = ds.millis()
    const late = now - lastMs - PROBE_MS
    lastMs = now
    if (late > maxLateMs) maxLateMs = late
}, PROBE_MS)
setInterval(() => {
    console.log("lag maxMs " + maxLateMs)
    maxLateMs = 0
}, LOG_MS)

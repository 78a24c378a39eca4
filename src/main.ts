// Smile Film applicator firmware: the device image. A cycle can start only with a provisioned
// identity, an approved template in a valid bundle, unexpired calibrations and a known wall
// clock (src/compliance.ts). The clock, the bundle and the template come from the hub
// (src/sync.ts, HUB_URL in the device's settings); until the hub's MAC'd time answer arrives
// the device shows NOT READY: clock_unknown and never starts a cycle.
import { startApplicator } from "./app"
import { complianceOptions } from "./compliance"

await startApplicator(complianceOptions(null))

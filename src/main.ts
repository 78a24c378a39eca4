// Smile Film applicator firmware: the device image. A cycle can start only with a provisioned
// identity, an approved template in a valid bundle, unexpired calibrations and a known wall
// clock (src/compliance.ts). The clock comes from the hub's time answer, which arrives with the
// device sync client (not composed yet): until then this image shows NOT READY: clock_unknown
// and never starts a cycle, the safe default the design's invariants ask for.
import { startApplicator } from "./app"
import { complianceOptions } from "./compliance"

await startApplicator(complianceOptions(() => null))

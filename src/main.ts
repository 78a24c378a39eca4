// Smile Film applicator firmware: the device image.
//
// Not yet composed here: the approval/template check that arms the controller and the
// compliance-record queue (src/core has both, tested in Node and the VM; wiring them in
// exceeded the VM's 64 KB heap, see README "Status"). Until they are, no template is ever
// armed and the record store reports no room, so this image never starts a cycle: the safe
// default the design's invariants 2 and 3 ask for.
import { startApplicator } from "./app"

await startApplicator({
    arm: async () => "no approved template",
    logHasRoom: () => false,
})

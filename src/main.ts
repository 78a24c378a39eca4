// Smile Film applicator, the controller node (ESP32-C3 board): every sensor and actuator, the
// control loop, safety, the cycle, the fitting scan and fit, calibrations, the approval check,
// the template and bundle store, and the sealed record queue (src/app.ts, src/compliance.ts).
// It holds the device key and has no network code: the link node (src/link-main.ts) talks to
// the hub and reaches the controller only through the link service it serves
// (src/link-server.ts, docs/link-service.md), which acts on nothing the hub did not MAC. A cycle
// can start only with a provisioned identity, an approved template in a valid bundle,
// unexpired calibrations and a known wall clock; until the hub's MAC'd time arrives through
// the link the controller shows NOT READY: clock_unknown and never starts a cycle.
import { startApplicator } from "./app"
import { complianceOptions } from "./compliance"
import { linkNetwork } from "./link-server"

await startApplicator(complianceOptions(null, linkNetwork))

// The simulator's controller image: the composition of src/main.ts (src/compliance.ts:
// identity, calibrations, approval check, compliance records; src/link-server.ts: the link
// service), with one difference: the scenarios have no hub, so the simulator writes the Unix
// time into the "simClock" setting just before it boots the VM and the image starts its clock
// from it. With a hub (npm start) there is no simClock and the clock comes from the hub's MAC'd
// time answer that the link node (sim/firmware-link.ts) brings, as on a device.
import { readSetting } from "../src/hw/settings-read"
import "./firmware-lag"
import { startApplicator } from "../src/app"
import { complianceOptions } from "../src/compliance"
import { linkNetwork } from "../src/link-server"
import { ClockAnchor } from "../src/core/wall-clock"

const v = await readSetting<any>("simClock", "")
const unixS = typeof v === "string" ? parseInt(v) : 0
const anchor: ClockAnchor | null = unixS > 0 ? { unixS: unixS, atUptimeMs: 0 } : null
await startApplicator(complianceOptions(anchor, linkNetwork))

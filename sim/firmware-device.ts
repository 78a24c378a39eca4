// The simulator's device image: the device composition of src/main.ts (src/compliance.ts:
// identity, calibrations, approval check, compliance records), with one difference: the wall
// clock. On a device it will come from the hub's MAC'd time answer (the sync client, not yet
// composed); here the simulator writes the Unix time into the "simClock" setting just before
// it boots the VM, and the image anchors its clock to it at boot. Built only by the simulator.
import { readSetting } from "@devicescript/settings"
import { startApplicator } from "../src/app"
import { complianceOptions } from "../src/compliance"
import { ClockAnchor } from "../src/core/wall-clock"

const v = await readSetting<any>("simClock", "")
const unixS = typeof v === "string" ? parseInt(v) : 0
const anchor: ClockAnchor | null = unixS > 0 ? { unixS: unixS, atUptimeMs: 0 } : null
await startApplicator(complianceOptions(() => anchor))

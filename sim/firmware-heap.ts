// The simulator's heap probe image (tools/heap-probe.ts): the device image of
// sim/firmware-device.ts, plus a probe that measures the VM's GC heap from inside, since the
// runtime's own heap statistics (devs_dump_heap) are not reachable from TypeScript. Allocation
// failure panics the program, so the probe logs what it holds before each allocation and the
// tool reads the last line before the panic:
//   "heap free N":  N bytes held in 120-byte buffers (128 B blocks, 8 B array slots): the free total
//   "heap block N": a single N-byte buffer allocated and dropped: the largest free block
// The setting "heapProbe" says when: "free:MS" or "block:MS" (MS after start; 0: before the
// application starts) or "free:cycle" / "block:cycle" (3 s after a cycle's outcome).
import * as ds from "@devicescript/core"
import { readSetting } from "../src/hw/settings-read"
import { startApplicator } from "../src/app"
import { complianceOptions } from "../src/compliance"
import { linkNetwork } from "../src/link-server"
import { ClockAnchor } from "../src/core/wall-clock"
import { EventKind } from "../src/core/cycle/events"

const v = await readSetting<any>("simClock", "")
const unixS = typeof v === "string" ? parseInt(v) : 0
const anchor: ClockAnchor | null = unixS > 0 ? { unixS: unixS, atUptimeMs: 0 } : null
const probe = await readSetting<any>("heapProbe", "")
const mode = typeof probe === "string" ? probe.split(":")[0] : ""
const atMs = typeof probe === "string" ? parseInt(probe.split(":")[1]) : 0

async function measure() {
    if (mode === "free") {
        // 64 buffers per inner array keeps every array block small (64 x 8 B), so no large block is needed
        const outer: Buffer[][] = []
        let inner: Buffer[] = []
        outer.push(inner)
        for (let n = 0; ; n++) {
            console.log("heap free " + n * 136)
            if (inner.length === 64) {
                inner = []
                outer.push(inner)
            }
            inner.push(Buffer.alloc(120))
            if (n % 16 === 15) await ds.sleep(1)
        }
    } else if (mode === "block") {
        for (let n = 128; ; n += 64) {
            console.log("heap block " + n)
            Buffer.alloc(n)[0] = 1
            await ds.sleep(1)
        }
    }
}
if (mode && atMs === 0) await measure()
const opts = complianceOptions(anchor, linkNetwork)
if (mode && probe.split(":")[1] === "cycle") {
    // 3 s after a cycle's outcome: its record saved, the next patient's scan pending
    const sink = opts.onEvent
    opts.onEvent = e => {
        sink(e)
        if (e.kind === EventKind.Outcome) setTimeout(measure, 3000)
    }
}
await startApplicator(opts)
if (mode && atMs > 0) setTimeout(measure, atMs)

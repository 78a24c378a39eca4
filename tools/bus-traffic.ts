// The simulated applicator's bus traffic, armed and idle (or over one nominal cycle, --cycle):
// packets a second by sender, service and command, counted at the bus relay (sim/bus/relay.ts).
// Every packet to the controller costs its runtime a fiber, and every packet it sends one of its
// runtime's 50 sends a second (docs/target-speed.md): the controller's sends are summed, with
// their busiest second. Uses the bus port 8082: run it alone, or
//   unshare -n bash -c 'ip link set lo up; npx tsx tools/bus-traffic.ts [--seconds N | --cycle]'
import { join } from "node:path"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { Packet } from "jacdac-ts"
import { readManifest } from "./manifest-node"
import { SimSession, sleep, waitFor } from "../sim/session"
import { buildFirmware } from "../sim/firmware"
import { SIM_DEVICE_ID, SIM_ROLES } from "../sim/services"

if (!process.env["SIM_DEBUG"]) console.debug = () => undefined
const i = process.argv.indexOf("--seconds")
let seconds = i > 0 ? Number(process.argv[i + 1]) : 10
if (!(seconds > 0)) throw new Error("--seconds must be a positive number")
const cycle = process.argv.includes("--cycle")
const dir = mkdtempSync(join(tmpdir(), "bus-traffic-"))
const s = new SimSession(readManifest(), buildFirmware(join(dir, "fw"), "device"), join(dir, "dev"), 1, "device")
s.fitFirst = cycle // a cycle needs the arch fitted first; armed and idle is before the scan
try {
    await s.open()
    await sleep(3000)
    const tally = new Map<string, number>()
    let packets = 0
    /** the controller's sends (commands to the I/O, its own reports) per whole second of the count */
    const sends: number[] = []
    const t0 = Date.now()
    s.relay.tap = f => {
        // a frame's device id: the sender of a report, the addressee of a command
        const dev = Buffer.from(f.subarray(4, 12)).toString("hex")
        for (const p of Packet.fromFrame(f, 0)) {
            packets++
            if (p.isCommand === (dev === SIM_DEVICE_ID)) {
                const sec = Math.floor((Date.now() - t0) / 1000)
                sends[sec] = (sends[sec] ?? 0) + 1
            }
            const role = dev === SIM_DEVICE_ID ? (SIM_ROLES[p.serviceIndex - 1] ?? "control") : "controller's device"
            const k = `${p.isCommand ? "command to" : "report from"} ${dev === SIM_DEVICE_ID ? "I/O" : "controller"} ${role} 0x${p.serviceCommand.toString(16)}`
            tally.set(k, (tally.get(k) ?? 0) + 1)
        }
    }
    if (cycle) {
        // one nominal cycle, counted from the start press to its outcome
        const before = s.events.filter(e => e.kind === "outcome").length
        await s.press("start")
        await waitFor("the cycle's outcome", () => s.events.filter(e => e.kind === "outcome").length > before, 180_000)
        seconds = (Date.now() - t0) / 1000
    } else await sleep(seconds * 1000)
    s.relay.tap = null
    const total = sends.reduce((a, b) => a + (b ?? 0), 0)
    const whole = sends.slice(0, Math.floor(seconds)).map(v => v ?? 0)
    console.log(`${cycle ? "one nominal cycle" : "armed and idle"}, ${seconds.toFixed(1)} s: ${(packets / seconds).toFixed(1)} packets a second on the bus`)
    console.log(`the controller's sends: ${(total / seconds).toFixed(1)} a second, ${Math.max(...whole)} in its busiest whole second (the runtime paces them to 50)`)
    for (const [k, v] of [...tally].sort((a, b) => b[1] - a[1])) if (v / seconds >= 0.5) console.log(`${(v / seconds).toFixed(1).padStart(7)}  ${k}`)
} finally {
    await s.close()
    rmSync(dir, { recursive: true, force: true })
}
process.exit(0)

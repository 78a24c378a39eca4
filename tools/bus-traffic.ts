// The simulated applicator's bus traffic, armed and idle: packets a second by sender, service and
// command, counted at the bus relay (sim/bus/relay.ts). Every packet to the controller costs its
// runtime a fiber (docs/target-speed.md). Uses the bus port 8082: run it alone, or
//   unshare -n bash -c 'ip link set lo up; npx tsx tools/bus-traffic.ts [--seconds N]'
import { join } from "node:path"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { Packet } from "jacdac-ts"
import { readManifest } from "./manifest-node"
import { SimSession, sleep } from "../sim/session"
import { buildFirmware } from "../sim/firmware"
import { SIM_DEVICE_ID, SIM_ROLES } from "../sim/services"

if (!process.env["SIM_DEBUG"]) console.debug = () => undefined
const i = process.argv.indexOf("--seconds")
const seconds = i > 0 ? Number(process.argv[i + 1]) : 10
if (!(seconds > 0)) throw new Error("--seconds must be a positive number")
const dir = mkdtempSync(join(tmpdir(), "bus-traffic-"))
const s = new SimSession(readManifest(), buildFirmware(join(dir, "fw"), "device"), join(dir, "dev"), 1, "device")
s.fitFirst = false
try {
    await s.open()
    await sleep(3000)
    const tally = new Map<string, number>()
    let packets = 0
    s.relay.tap = f => {
        // a frame's device id: the sender of a report, the addressee of a command
        const dev = Buffer.from(f.subarray(4, 12)).toString("hex")
        for (const p of Packet.fromFrame(f, 0)) {
            packets++
            const role = dev === SIM_DEVICE_ID ? (SIM_ROLES[p.serviceIndex - 1] ?? "control") : "controller's device"
            const k = `${p.isCommand ? "command to" : "report from"} ${dev === SIM_DEVICE_ID ? "I/O" : "controller"} ${role} 0x${p.serviceCommand.toString(16)}`
            tally.set(k, (tally.get(k) ?? 0) + 1)
        }
    }
    await sleep(seconds * 1000)
    s.relay.tap = null
    console.log(`armed and idle, ${seconds} s: ${(packets / seconds).toFixed(1)} packets a second on the bus`)
    for (const [k, v] of [...tally].sort((a, b) => b[1] - a[1])) if (v / seconds >= 0.5) console.log(`${(v / seconds).toFixed(1).padStart(7)}  ${k}`)
} finally {
    await s.close()
    rmSync(dir, { recursive: true, force: true })
}
process.exit(0)

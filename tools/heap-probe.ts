// Measures the device image's GC heap in the DeviceScript VM (wasm32, the same 64 KB heap and
// 32-bit layout as an ESP32): how much is free before the application starts, and how much is
// free, and the largest free block, once the device is armed and idle, and again after a cycle. Runs the probe image
// sim/firmware-heap.ts on a simulated bench (port 8082: one at a time). With --hub the device is
// provisioned for a hub on 127.0.0.1, as npm start does: its sync, telemetry and session poll run.
//   npm run heap [-- --hub] [-- --at MS] [-- --only idle|cycle]
import { copyFileSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { ROOT, readManifest } from "./manifest-node"
import { devs } from "./devs"
import { generateAll } from "./generate"
import { SimSession, sleep, waitFor } from "../sim/session"
import { BusSettingsKv } from "../sim/bus/settings-kv"
import { firmwareDevice, simArchPoints } from "../sim/provision"
import { seedLibrary, registerDevice, provisionForHub } from "../sim/hub-link"
import { buildFirmware } from "../sim/firmware"
import { openDb } from "../hub/src/db/index"
import { buildHub } from "../hub/src/app"
import type { AddressInfo } from "node:net"

if (!process.env["SIM_DEBUG"]) console.debug = () => undefined
const atArg = process.argv.indexOf("--at")
const idleAtMs = atArg > 0 ? parseInt(process.argv[atArg + 1]) : 8000
const HEAP_BYTES = 64 * 1024
const onlyArg = process.argv.indexOf("--only")
const only = onlyArg > 0 ? process.argv[onlyArg + 1] ?? "" : ""
if (onlyArg > 0 && only !== "idle" && only !== "cycle") {
    console.error(`heap: --only takes idle or cycle, not '${only}'\nusage: npm run heap [-- --hub] [-- --at MS] [-- --only idle|cycle]`)
    process.exit(2)
}

generateAll()
const r = devs(["build", "sim/firmware-heap.ts"], { quiet: true })
if (r.status !== 0) throw new Error(`probe image build failed:\n${r.stdout}${r.stderr}`)
const dir = mkdtempSync(join(tmpdir(), "heap-probe-"))
const file = join(dir, "heap.devs")
copyFileSync(resolve(ROOT, ".devicescript/bin/bytecode.devs"), file)

const s = new SimSession(readManifest(), file, join(dir, "dev"), 1, "device")
s.fitFirst = false
const withHub = process.argv.includes("--hub")
const db = withHub ? await openDb({ sqliteFile: join(dir, "hub.db") }) : null
const hub = db ? await buildHub({ db, nowMs: () => Date.now() }) : null
const results: string[] = []
try {
    if (hub && db) {
        await hub.listen({ port: 0, host: "127.0.0.1" })
        const url = `http://127.0.0.1:${(hub.server.address() as AddressInfo).port}`
        const ctx = { db, nowMs: () => Date.now() }
        await seedLibrary(ctx, simArchPoints(s.engine), "heap-probe-" + Date.now())
        const dev = await registerDevice(ctx, "SFA1-HEAP01", url)
        s.withLink(buildFirmware(join(dir, "link"), "link"), join(dir, "linkdev"))
        s.provisioner = bus => provisionForHub(bus, dev, url)
        s.armTimeoutMs = 60_000
        console.log(`with a hub on ${url}`)
    }
    await s.open()
    for (const [mode, at, what] of [
        ["free", 0, "free after the modules' start-up code, before the application starts"],
        ["free", idleAtMs, `free ${idleAtMs} ms after start (armed, idle)`],
        ["block", idleAtMs, `largest free block ${idleAtMs} ms after start`],
        ["free", "cycle", "free 3 s after a cycle's outcome (record saved, next scan pending)"],
        ["block", "cycle", "largest free block 3 s after a cycle's outcome"],
    ] as const) {
        if ((only === "cycle" && at !== "cycle") || (only === "idle" && at === "cycle")) continue
        await new BusSettingsKv(firmwareDevice(s.bus)).write("heapProbe", `${mode}:${at}`)
        await sleep(300)
        await s.vm.kill()
        const from = s.vm.lines.length
        if (at === "cycle") {
            // the operator's two presses: the fitting scan, then the cycle
            try {
                // the simulated screen keeps the previous boot's text, and a press before this
                // boot shows its own is lost (no scan pending yet): blank it, as a power cycle does
                s.engine.services.displayMessage.setValues([""])
                await s.boot()
                await waitFor("the firmware to arm", () => s.vm.lines.slice(from).some(l => /^armed /.test(l.text)), 60_000)
                await waitFor("the firmware to show it is armed", () => /\nSCAN: PRESS START/.test(s.engine.display), 10_000)
                await s.fitArch()
                await s.press("start")
            } catch (e) {
                // what the firmware said, so a failed step says why
                console.error(`${what}: not measured: ${(e as Error).message}\ndisplay: ${s.engine.display.replace(/\n/g, " | ")}\nthe firmware's last lines:`)
                for (const l of s.vm.lines.slice(from).slice(-30)) console.error("  " + l.text)
                throw e
            }
        } else s.vm.start()
        await waitFor("the probe to run out of memory", () => s.vm.lines.slice(from).some(l => /OutOfMemory/.test(l.text)), 180_000)
        const lines = s.vm.lines.slice(from).map(l => l.text)
        const end = lines.findIndex(l => /OutOfMemory/.test(l))
        const last = lines.slice(0, end).filter(l => l.startsWith(`heap ${mode} `)).pop()
        const n = last ? parseInt(last.split(" ")[2]) : NaN
        const line = `${what}: ${n} B (${((n / HEAP_BYTES) * 100).toFixed(1)} % of 64 KB)`
        results.push(line)
        console.log(line)
    }
    await new BusSettingsKv(firmwareDevice(s.bus)).write("heapProbe", "")
} finally {
    await s.close()
    await hub?.close()
    rmSync(dir, { recursive: true, force: true })
}
process.exit(0)

// The simulator's test-bench image: the same roles, controller, supervisor, control loop and
// status UI as src/main.ts, composed the same way, except for how a process gets armed. Until
// the approval check and the record queue are composed into src/main.ts (they are built and
// tested in src/core but do not fit the VM's heap yet), this image arms the process the
// simulator wrote to flash ("simproc" blob) without an approval check, and keeps no compliance
// records. It is built only by the simulator, never for a board (tools/build.ts builds
// src/main.ts).
import { MANIFEST } from "../src/gen/manifest"
import { startIo } from "../src/hw/board-io"
import { SensorInputs } from "../src/hw/sensor-inputs"
import { OutputWriter } from "../src/hw/outputs"
import { loadGains, loadLatched } from "../src/hw/persist"
import { startStatusUi } from "../src/hw/status-ui"
import { SettingsKv } from "../src/hw/kv-settings"
import { dsCrypto } from "../src/hw/crypto-ds"
import { Controller } from "../src/core/controller"
import { BlobStore } from "../src/core/store/blob"
import { ControlLoop } from "../src/control-loop"

const m = MANIFEST
const io = startIo()
const outputs = new OutputWriter(io)
await outputs.allOff()

const gains = await loadGains({
    kpMicroPerDegC: m.control.kpMicroPerDegC,
    kiMicroPerDegCSec: m.control.kiMicroPerDegCSec,
    kdMicroSecPerDegC: m.control.kdMicroSecPerDegC,
})
const ctrl = new Controller(m, gains)
ctrl.restoreLatched(await loadLatched())
let notReady = "no sim process"
const proc = await new BlobStore(new SettingsKv(), dsCrypto, "simproc").load()
if (proc.value) {
    const err = ctrl.arm(JSON.parse(proc.value))
    notReady = err ? err.field + ": " + err.reason : ""
    console.log(err ? "not armed: " + notReady : "bench: sim process armed (no approval check in this image)")
}
const sensors = new SensorInputs(io, m.control.periodMs, { apply: (channel: string, raw: number) => raw })
const loop = new ControlLoop(io, ctrl, sensors, outputs, () => true)
loop.start(m.control.periodMs)
startStatusUi(io, ctrl, () => sensors.film.value, () => sensors.force.value, () => notReady, () => false)
console.log(m.modelName + " ready: control period " + m.control.periodMs + " ms")

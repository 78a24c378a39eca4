// Smile Film applicator firmware: composition only. Outputs off first, then the roles, the
// controller with persisted gains and any latched fault, the control loop and the status UI.
//
// Not yet composed here: the approval/template check that arms the controller and the
// compliance-record queue (src/core has both, tested in Node and the VM; wiring them in
// exceeded the VM's 64 KB heap, see README "Status"). Until they are, no template is ever
// armed and the record store reports no room, so this image never starts a cycle: the safe
// default the design's invariants 2 and 3 ask for.
import { MANIFEST } from "./gen/manifest"
import { startIo } from "./hw/board-io"
import { SensorInputs } from "./hw/sensor-inputs"
import { OutputWriter } from "./hw/outputs"
import { loadGains, loadLatched } from "./hw/persist"
import { startStatusUi } from "./hw/status-ui"
import { Controller } from "./core/controller"
import { ControlLoop } from "./control-loop"

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
const sensors = new SensorInputs(io, m.control.periodMs, { apply: (channel: string, raw: number) => raw })
const loop = new ControlLoop(io, ctrl, sensors, outputs, () => false)
loop.start(m.control.periodMs)
startStatusUi(io, ctrl, () => sensors.film.value, () => sensors.force.value, () => "no approved template", () => false)
console.log(m.modelName + " ready: control period " + m.control.periodMs + " ms")

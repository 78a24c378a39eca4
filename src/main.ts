// Smile Film applicator firmware: composition only. Outputs off first, then the roles, the
// controller with persisted gains and any latched fault, the control loop and the status UI.
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
const sensors = new SensorInputs(io, m.control.periodMs)
// the compliance log store arrives with the records work; until then there is always room
const loop = new ControlLoop(io, ctrl, sensors, outputs, () => true)
loop.start(m.control.periodMs)
startStatusUi(io, ctrl, () => sensors.film.value, () => sensors.force.value)
console.log(m.modelName + " ready: control period " + m.control.periodMs + " ms")

// The applicator's composition, shared by the device image (src/main.ts) and the simulator's
// test-bench image (sim/firmware-bench.ts), so the two cannot drift: outputs off first, then
// the roles, the controller with persisted gains and any latched fault, the control loop and
// the status UI. The images differ only in how a process gets armed and where records go.
import { MANIFEST } from "./gen/manifest"
import { startIo } from "./hw/board-io"
import { SensorInputs } from "./hw/sensor-inputs"
import { OutputWriter } from "./hw/outputs"
import { loadGains, loadLatched } from "./hw/persist"
import { startStatusUi } from "./hw/status-ui"
import { Controller } from "./core/controller"
import { ControlLoop } from "./control-loop"
import { Housekeeping } from "./hw/housekeeping"

export interface AppOptions {
    /** arms a process if one may run; returns why not ("" when armed) */
    arm(ctrl: Controller): Promise<string>
    /** the compliance log can take another record */
    logHasRoom(): boolean
}

export async function startApplicator(opts: AppOptions) {
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
    const notReady = await opts.arm(ctrl)
    const hk = new Housekeeping()
    const sensors = new SensorInputs(io, hk, m.control.periodMs, { apply: (channel: string, raw: number) => raw })
    const loop = new ControlLoop(io, ctrl, sensors, outputs, hk, opts.logHasRoom)
    loop.start(m.control.periodMs)
    startStatusUi(io, hk, ctrl, () => sensors.film.value, () => sensors.force.value, () => notReady, () => false)
    console.log(m.modelName + " ready: control period " + m.control.periodMs + " ms")
}

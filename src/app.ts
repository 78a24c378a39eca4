// The applicator's composition, shared by the device image (src/main.ts) and the simulator's
// test-bench image (sim/firmware-bench.ts), so the two cannot drift: outputs off first, then
// the roles, the controller with persisted gains and any latched fault, the control loop and
// the status UI. The images differ only in how a process gets armed and where records go.
import { MANIFEST } from "./gen/manifest"
import { startIo } from "./hw/board-io"
import { SensorInputs, Calibrator } from "./hw/sensor-inputs"
import { OutputWriter } from "./hw/outputs"
import { loadGains, loadLatched } from "./hw/persist"
import { startStatusUi } from "./hw/status-ui"
import { Controller } from "./core/controller"
import { ControlLoop } from "./control-loop"
import { ControlEvent } from "./core/cycle/events"
import { Housekeeping } from "./hw/housekeeping"

export interface AppOptions {
    /** sets up what decides whether a process may run, and arms it if so */
    arm(ctrl: Controller): Promise<void>
    /** why no cycle can start now ("" when armed), for the display */
    notReady(): string
    /** turns a raw reading into a calibrated one (identity where there is no calibration) */
    calibrator: Calibrator
    /** the compliance log can take another record */
    logHasRoom(): boolean
    /** told every control event (the record builder), if given */
    onEvent?: (e: ControlEvent) => void
    /** a finished cycle's record is still being written (the display says so), if given */
    saving?: () => boolean
    /** the patient reference of a session prepared on the console and waiting for START ("" none), if given */
    patient?: () => string
    /** given the readings and the controller once both exist (live telemetry), if given */
    live?: (sensors: SensorInputs, ctrl: Controller) => void
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
    await opts.arm(ctrl)
    const hk = new Housekeeping()
    const sensors = new SensorInputs(io, hk, m.control.periodMs, opts.calibrator)
    if (opts.live) opts.live(sensors, ctrl)
    const loop = new ControlLoop(io, ctrl, sensors, outputs, hk, opts.logHasRoom)
    if (opts.onEvent) loop.eventSink = opts.onEvent
    loop.start(m.control.periodMs)
    startStatusUi(io, hk, ctrl, sensors, opts)
    console.log(m.modelName + " ready: control period " + m.control.periodMs + " ms")
}

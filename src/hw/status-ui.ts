// Status lamp, buzzer and the 2x16 display, driven from the controller's state at a slow
// rate (4 Hz) outside the control tick. Nothing here can affect heating or the press: the
// writes go through the housekeeping queue (housekeeping.ts), one after each control tick.
import { Io } from "./roles"
import { Controller } from "../core/controller"
import { Phase, PreflightReason, phaseName } from "../core/cycle/events"
import { ScanState } from "../core/fitting/scan-run"
import { faultLabel } from "../core/faults"
import { Housekeeping } from "./housekeeping"
import { SensorInputs } from "./sensor-inputs"

export const UI_PERIOD_MS = 250

function deci(v: number): string {
    const neg = v < 0
    const a = neg ? -v : v
    return (neg ? "-" : "") + Math.floor(a / 10) + "." + (a % 10)
}

/** The two display lines for the controller's present state (pure formatting). */
export function statusLines(c: Controller, filmDeciC: number, forceMilliN: number, notReady: string, saving: boolean, patient = ""): string[] {
    const ph = c.phase()
    const f = c.latchedFault || (ph === Phase.Aborted || ph === Phase.Faulted ? c.recentFault : null)
    // a cycle is shown complete only once its record is durable
    const name = (ph === Phase.Complete && saving ? "finishing" : phaseName(ph)).toUpperCase()
    const o = c.outputs
    // a session prepared on the console waits for START: its patient reference in place of the idle line
    const l1 = patient && (ph === Phase.Idle || ph === Phase.Complete) ? "PT " + patient : o.filmTargetDeciC >= 0 ? name + " " + deci(filmDeciC) + "/" + deci(o.filmTargetDeciC) : name + " " + deci(filmDeciC) + "C"
    let l2: string
    if (f) l2 = faultLabel(f)
    else if (saving) l2 = "SAVING RECORD"
    else if (ph === Phase.Idle || ph === Phase.Complete)
        l2 = (c.armedProcess ? armedLine(c) : "NOT READY: " + (notReady || "no template")).slice(0, 32)
    else l2 = "F " + deci(Math.round(forceMilliN / 100)) + "N"
    return [l1, l2]
}

/**
 * Armed and idle: the fitting scan comes first (src/fit.ts), then the cycle; START is asked for
 * only when the controller would take it (door closed, sensors streaming, press home).
 */
function armedLine(c: Controller): string {
    const sc = c.scan
    const b = c.startBlock
    if (b !== PreflightReason.Ok && (!sc || sc.state === ScanState.Pending))
        return b === PreflightReason.DoorOpen ? "CLOSE THE DOOR" : b === PreflightReason.SensorNotReady ? "WAIT: SENSORS"
            : b === PreflightReason.LogFull ? "LOG FULL: SYNC" : "WAIT: PRESS HOME"
    if (!sc) return "READY: PRESS START"
    if (sc.state === ScanState.Done) return "FITTING"
    return (sc.why ? "RESCAN " + sc.why : "SCAN") + ": PRESS START"
}

/** What the display shows besides the controller: the readings, and the application's state (AppOptions). */
export interface StatusSources {
    notReady(): string
    saving?: () => boolean
    patient?: () => string
}

export function startStatusUi(io: Io, hk: Housekeeping, c: Controller, sensors: SensorInputs, app: StatusSources) {
    let lastText = ""
    let lastLevel = -1
    let blink = false
    setInterval(() => {
        // a display or lamp that (re)connects is written afresh
        if (!io.display.isBound) lastText = ""
        if (!io.statusLed.isBound) lastLevel = -1
        const lines = statusLines(c, sensors.film.value, sensors.force.value, app.notReady(), !!app.saving && app.saving(), app.patient ? app.patient() : "")
        const text = lines[0] + "\n" + lines[1]
        if (text !== lastText && io.display.isBound) {
            lastText = text
            hk.post("display", async () => {
                if (io.display.isBound) await io.display.message.write(text)
            })
        }
        const ph = c.phase()
        const faulted = !!c.latchedFault || ph === Phase.Faulted
        blink = !blink
        const level = faulted ? (blink ? 1 : 0) : ph === Phase.Idle ? 0.2 : 1
        if (level !== lastLevel && io.statusLed.isBound) {
            lastLevel = level
            hk.post("lamp", async () => {
                if (io.statusLed.isBound) await io.statusLed.intensity.write(level)
            })
        }
    }, UI_PERIOD_MS)
}

/** A short beep for an outcome, a long one for a fault (queued: never inside a control tick's writes). */
export function beep(io: Io, hk: Housekeeping, long: boolean) {
    hk.post("buzzer", async () => {
        // 2 kHz (period 500 µs) is where small piezo buzzers are loudest
        if (io.buzzer.isBound) await io.buzzer.playTone(500, 0.5, long ? 1500 : 150)
    })
}

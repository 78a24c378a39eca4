// Status lamp, buzzer and the 2x16 display, driven from the controller's state at a slow
// rate (4 Hz) outside the control tick. Nothing here can affect heating or the press.
import { Io } from "./roles"
import { Controller } from "../core/controller"
import { Phase, PHASE_NAMES } from "../core/cycle/events"
import { faultLabel } from "../core/faults"

export const UI_PERIOD_MS = 250

function deci(v: number): string {
    const neg = v < 0
    const a = neg ? -v : v
    return (neg ? "-" : "") + Math.floor(a / 10) + "." + (a % 10)
}

/** The two display lines for the controller's present state (pure formatting). */
export function statusLines(c: Controller, filmDeciC: number, forceMilliN: number, notReady: string, saving: boolean): string[] {
    const ph = c.phase()
    const f = c.latchedFault() || (ph === Phase.Aborted || ph === Phase.Faulted ? c.recentFault() : null)
    // a cycle is shown complete only once its record is durable
    const name = (ph === Phase.Complete && saving ? "finishing" : PHASE_NAMES[ph]).toUpperCase()
    const o = c.outputs()
    const l1 = o.filmTargetDeciC >= 0 ? name + " " + deci(filmDeciC) + "/" + deci(o.filmTargetDeciC) : name + " " + deci(filmDeciC) + "C"
    let l2: string
    if (f) l2 = faultLabel(f)
    else if (saving) l2 = "SAVING RECORD"
    else if (ph === Phase.Idle || ph === Phase.Complete)
        l2 = c.armedProcess() ? "READY: PRESS START" : ("NOT READY: " + (notReady || "no template")).slice(0, 32)
    else l2 = "F " + deci(Math.round(forceMilliN / 100)) + "N"
    return [l1, l2]
}

export function startStatusUi(io: Io, c: Controller, film: () => number, force: () => number, notReady: () => string, saving: () => boolean) {
    let lastText = ""
    let blink = false
    setInterval(async () => {
        const lines = statusLines(c, film(), force(), notReady(), saving())
        const text = lines[0] + "\n" + lines[1]
        if (text !== lastText && io.display.isBound) {
            lastText = text
            await io.display.message.write(text)
        }
        const ph = c.phase()
        const faulted = !!c.latchedFault() || ph === Phase.Faulted
        blink = !blink
        if (io.statusLed.isBound) {
            const level = faulted ? (blink ? 1 : 0) : ph === Phase.Idle ? 0.2 : 1
            await io.statusLed.intensity.write(level)
        }
    }, UI_PERIOD_MS)
}

export async function beep(io: Io, long: boolean) {
    if (!io.buzzer.isBound) return
    // 2 kHz (period 500 µs) is where small piezo buzzers are loudest
    await io.buzzer.playTone(500, 0.5, long ? 1500 : 150)
}


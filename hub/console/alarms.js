// @ts-check
// Alarms for the fleet page: a fault that latches, or a cycle that ends, adds a line to the
// alarm list (it stays until dismissed) and sounds a short tone (Web Audio, no file) unless the
// user muted alarms; the mute choice is kept in this browser (localStorage).
import { h, PHASES } from "./api.js"

const MUTE_KEY = "console.alarms.muted"
/** the cycle's running phases (preflight .. cool, and the arch scan) */
export const RUNNING = new Set([1, 2, 3, 4, 5, 6, 7, 12])

/** @typedef {{ kind: "fault" | "cycle", text: string }} Alarm */

/**
 * What changed between two views of a device that deserves an alarm (none for the first view).
 * @param {any} prev @param {any} now @param {Map<number, any>} guidance
 * @returns {Alarm[]}
 */
export function alarmsFor(prev, now, guidance) {
    if (!prev) return []
    /** @type {Alarm[]} */
    const out = []
    if (now.latchedFault && now.latchedFault !== prev.latchedFault) {
        const f = guidance.get(now.latchedFault)
        out.push({ kind: "fault", text: "fault E" + now.latchedFault + (f ? " " + f.name : "") + " latched" + (f ? ": " + f.action : "") })
    }
    if (RUNNING.has(prev.phase) && !RUNNING.has(now.phase))
        out.push({ kind: "cycle", text: "cycle ended: " + (PHASES[now.phase] ?? "phase " + now.phase) })
    return out
}

let audio = /** @type {AudioContext | null} */ (null)

/** Two short beeps for a fault, one for a cycle end. @param {"fault" | "cycle"} kind */
function tone(kind) {
    try {
        audio ??= new AudioContext()
        if (audio.state === "suspended") void audio.resume()
        const beeps = kind === "fault" ? 2 : 1
        for (let i = 0; i < beeps; i++) {
            const o = audio.createOscillator()
            const g = audio.createGain()
            o.frequency.value = kind === "fault" ? 880 : 660
            g.gain.value = 0.2
            o.connect(g).connect(audio.destination)
            const t = audio.currentTime + i * 0.4
            o.start(t)
            o.stop(t + 0.25)
        }
    } catch {
        // no audio output: the visual alarm stays
    }
}

export function alarmPanel() {
    const list = h("ul", { id: "alarm-list", class: "alarms" })
    let muted = localStorage.getItem(MUTE_KEY) === "1"
    // a toggle button (WAI-ARIA): one name, its state in aria-pressed (and shown by a mark)
    const mute = h("button", { type: "button", id: "alarm-mute", "aria-pressed": String(muted) })
    const label = () => {
        mute.textContent = (muted ? "☑ " : "☐ ") + "Mute alarm sound"
        mute.setAttribute("aria-pressed", String(muted))
    }
    label()
    mute.addEventListener("click", () => {
        muted = !muted
        localStorage.setItem(MUTE_KEY, muted ? "1" : "0")
        label()
    })
    const el = h("section", { class: "alarm-panel", "aria-label": "Alarms", dataset: { tones: "0" } },
        h("div", { class: "buttons" }, mute), h("div", { role: "alert", "aria-live": "assertive" }, list))
    return {
        el,
        /** @param {string} deviceId @param {Alarm} a */
        raise(deviceId, a) {
            const item = h("li", { class: "alarm " + a.kind, dataset: { device: deviceId, kind: a.kind } },
                h("strong", {}, new Date().toLocaleTimeString() + " " + deviceId + ": "), a.text, " ",
                h("button", { type: "button", onclick: () => item.remove() }, "Dismiss"))
            list.prepend(item)
            if (!muted) {
                tone(a.kind)
                el.dataset["tones"] = String(Number(el.dataset["tones"]) + 1)
            }
        },
    }
}

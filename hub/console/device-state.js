// @ts-check
// What the console says about a device's state, shared by the fleet and device pages:
// online or offline from its last contact with the hub, and a latched fault before anything
// else (a faulted device is "faulted E31 sensor stale", never the phase it had before).
import { h, hubTimeS, PHASES } from "./api.js"

/**
 * A device is online while its last contact is at most this old. The firmware asks the hub for
 * a session every 3 s while idle and posts telemetry every second during a cycle, and every
 * signed request counts as contact: 15 s is five missed polls.
 */
export const ONLINE_WINDOW_MS = 15_000
export const ONLINE_RULE = "online = a request from the device within the last " + ONLINE_WINDOW_MS / 1000 + " s (it asks every 3 s while idle)"

/** @param {{ lastSeenMs: number | null }} d */
export function isOnline(d) {
    return d.lastSeenMs !== null && hubTimeS() * 1000 - d.lastSeenMs <= ONLINE_WINDOW_MS + 1000
}

/** The online/offline badge with the rule as its title. @param {{ lastSeenMs: number | null }} d */
export function onlineBadge(d) {
    const on = isOnline(d)
    return h("span", { class: "badge " + (on ? "online" : "offline"), title: ONLINE_RULE, dataset: { online: String(on) } }, on ? "online" : "offline")
}

/** "faulted E31 sensor stale" for a latched fault, else the reported state. @param {any} d @param {Map<number, any>} guidance */
export function stateText(d, guidance) {
    if (d.latchedFault) {
        const f = guidance.get(d.latchedFault)
        return "faulted E" + d.latchedFault + (f ? " " + f.name : "")
    }
    return d.state ?? "not reported yet"
}

/** The phase, or a dash when a latched fault makes the last phase meaningless. @param {any} d */
export function phaseText(d) {
    if (d.latchedFault || d.phase === null) return "–"
    return PHASES[d.phase] ?? String(d.phase)
}

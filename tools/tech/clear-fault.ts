// npm run tech -- clear-fault --technician NAME [--timeout-ms N] [--bus HOST:PORT] [--device ID]
// The host side of a remote fault clear. Contract with the firmware (README "For technicians"):
//   1. this reads the latched fault (settings key "latchedFault", src/hw/persist.ts) and refuses
//      when there is none;
//   2. it writes the settings key CLEAR_REQ holding the JSON object
//      { "by": NAME, "code": CODE, "atUnixS": N } (NAME 1-32 of A-Z a-z 0-9 . _ -, CODE the
//      latched fault's number, N this machine's Unix time);
//   3. the firmware, when idle, acts on it only if CODE is the fault latched now: it clears the
//      fault (the press must be home), records a fault-clear compliance record naming NAME,
//      deletes "latchedFault", and deletes CLEAR_REQ in every case;
//   4. this waits for "latchedFault" to disappear. If the device deletes CLEAR_REQ but keeps
//      the fault, it refused; if nothing happens within the timeout, this deletes CLEAR_REQ
//      itself (a stale request must never clear a later fault) and says to use the buttons.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../manifest-node"
import { TechError, faultAdvice, intOption, parseOptions, sleep, str, technicianOption, type TechIo } from "./common"
import { connectDevice, DEFAULT_BUS, type DeviceLink } from "./device"
import { readLatchedFault } from "./device-state"

export const CLEAR_FAULT_USAGE = "clear-fault --technician NAME [--timeout-ms N] [--bus HOST:PORT] [--device ID]\n" +
    "    asks the device to clear its latched fault (once the cause is fixed); the clear is recorded under NAME"

/** The settings key of a remote clear request (at most 13 characters: a settings key limit). */
export const KEY_CLEAR_REQ = "CLEAR_REQ"

/** How long START and ABORT must be held together to clear a fault on the device (src/control-loop.ts CLEAR_HOLD_MS). */
export function gestureSeconds(): number {
    try {
        const m = /CLEAR_HOLD_MS\s*=\s*(\d+)/.exec(readFileSync(join(ROOT, "src/control-loop.ts"), "utf8"))
        if (m) return Number(m[1]) / 1000
    } catch {
        // the sources are not shipped: the documented value
    }
    return 5
}

async function gone(link: DeviceLink): Promise<boolean> {
    return (await readLatchedFault(link)) === null
}

export async function clearFault(argv: string[], io: TechIo): Promise<number> {
    const o = parseOptions(argv, ["technician", "timeout-ms", "bus", "device"])
    const technician = technicianOption(o)
    const timeoutMs = intOption(o, "timeout-ms", 20_000, 1000, 600_000)
    const hold = gestureSeconds()
    const link = await connectDevice(io, str(o, "bus") ?? DEFAULT_BUS, 15_000, str(o, "device"))
    try {
        const f = await readLatchedFault(link)
        if (!f) throw new TechError("the device has no latched fault: nothing to clear", "none needed; npm run tech -- self-test shows the device's state")
        const adv = faultAdvice(f.code)
        io.out(`latched fault ${f.label}: ${f.name}`)
        io.out(`  clear it only once the cause is fixed: ${adv.todo}`)
        const req = { by: technician, code: f.code, atUnixS: Math.floor(Date.now() / 1000) }
        await link.writeJson(KEY_CLEAR_REQ, req)
        io.out(`sent the clear request (${KEY_CLEAR_REQ} ${JSON.stringify(req)}); waiting up to ${Math.round(timeoutMs / 1000)} s for the device to act...`)
        const t0 = Date.now()
        let lastNote = t0
        while (Date.now() - t0 < timeoutMs) {
            await sleep(250)
            if (await gone(link)) {
                io.out(`fault ${f.label} cleared by the device after ${((Date.now() - t0) / 1000).toFixed(1)} s; the clear is recorded under '${technician}'`)
                io.out("next: npm run tech -- self-test")
                return 0
            }
            if ((await link.readJson(KEY_CLEAR_REQ)) === null) {
                // the firmware deletes the request as soon as it has decided; the fault itself
                // goes from flash on its next control tick: give that a moment
                for (let i = 0; i < 12; i++) {
                    await sleep(250)
                    if (await gone(link)) {
                        io.out(`fault ${f.label} cleared by the device after ${((Date.now() - t0) / 1000).toFixed(1)} s; the clear is recorded under '${technician}'`)
                        io.out("next: npm run tech -- self-test")
                        return 0
                    }
                }
                const now = await readLatchedFault(link)
                throw new TechError(`the device dropped the request and kept its fault${now ? " " + now.label : ""}`,
                    `the press must be home before a fault can be cleared, and the request must name the fault latched now: check the press, then run clear-fault again (or hold START+ABORT for ${hold} s)`)
            }
            if (Date.now() - lastNote >= 5000) {
                lastNote = Date.now()
                io.out(`  still latched after ${Math.round((Date.now() - t0) / 1000)} s...`)
            }
        }
        // withdraw it: a request left behind could clear a later fault with the same code
        await link.remove(KEY_CLEAR_REQ).catch(() => undefined)
        if (await gone(link)) {
            io.out(`fault ${f.label} cleared by the device; the clear is recorded under '${technician}'`)
            return 0
        }
        throw new TechError(`the device did not act on the request within ${Math.round(timeoutMs / 1000)} s (its firmware may not support remote clearing yet); the request was withdrawn`,
            `hold START+ABORT together for ${hold} s on the device instead, then run npm run tech -- self-test`)
    } finally {
        await link.close()
    }
}

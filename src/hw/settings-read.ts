// readSetting without @devicescript/settings' race. Its readSetting (2.16.4) subscribes to the
// settings reports, sends `get`, then suspends; the report can arrive while the fiber is still
// in the send. Then it calls Fiber.resume on a fiber that is not suspended, a RangeError
// ("fiber not suspended") that panics the program, or resumes the send early and leaves the
// fiber suspended forever. A simulated controller panicked this way right after arming
// (npm start, a loaded host). Here the report is only kept by the handler, and the fiber suspends
// only if the report has not come yet (nothing runs between that check and the suspend: fibers
// switch only at an await), with a timeout and a resend.
import * as ds from "@devicescript/core"
import { settings } from "@devicescript/settings"

const WAIT_MS = 500
const TRIES = 4

/**
 * The setting's JSON value, or missing when unset or unreadable; throws if this device's own
 * settings service never answers (a Settings role bound to another device's service answers
 * nothing here: never a value from another node).
 */
export async function readSetting<T = any>(key: string, missing?: T): Promise<T> {
    for (let t = 0; t < TRIES; t++) {
        const got = await getOnce(key)
        if (got) {
            const b: Buffer = got.decode()[1]
            if (!b || !b.length) return missing
            try {
                return JSON.parse(b.toString())
            } catch {
                return missing
            }
        }
    }
    throw new Error("settings: no answer for " + key)
}

/** One `get` of key: its report, or null after WAIT_MS. */
async function getOnce(key: string): Promise<ds.Packet> {
    const code = settings.spec.lookup("get").code
    const self = ds.deviceIdentifier("self")
    let got: ds.Packet = null
    let waiter: ds.Fiber = null
    const unsub = settings.report().subscribe(pkt => {
        // only this device's own settings: the role binds by service class, and on a bus shared
        // with another node (the link) it could bind to that node's settings service
        if (got || pkt.serviceCommand !== code || pkt.deviceIdentifier !== self || pkt.decode()[0] !== key) return
        got = pkt
        if (waiter && waiter.suspended) waiter.resume(null)
    })
    await settings.get(key)
    if (!got) {
        waiter = ds.Fiber.self()
        await ds.suspend(WAIT_MS)
        waiter = null
    }
    unsub()
    return got
}

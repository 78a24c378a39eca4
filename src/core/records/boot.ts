// The boot counter records carry as bootId: incremented and persisted once per boot, before
// any record is made, so (bootId, uptimeMs) orders events even without a synced clock.

import { Kv } from "../store/kv"

const KEY_BOOT = "bootCount"

/** Increments the persisted boot counter and returns the new value (1 on the first boot). */
export async function nextBootId(kv: Kv): Promise<number> {
    const raw = await kv.read(KEY_BOOT)
    let n: any = 0
    try {
        n = raw === null ? 0 : JSON.parse(raw)
    } catch (e) {
        n = 0
    }
    const next = (typeof n === "number" && n > 0 ? Math.floor(n) : 0) + 1
    await kv.write(KEY_BOOT, "" + next)
    return next
}

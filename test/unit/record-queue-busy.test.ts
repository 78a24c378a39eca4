// Appends and acks must not interleave (each writes the queue state; the later write would drop
// the earlier one's change: a record lost from flash, its seq reused after a reboot, a fork at
// the hub). Node yields at every await of an append, so an ack started meanwhile reaches the
// queue mid-append here; in the VM a resolved await does not yield, so this is a Node-only test.
import { describe, it, expect } from "vitest"
import { MemoryKv } from "../../src/core/store/kv"
import { nodeCrypto } from "../../src/node/crypto-node"
import { draft, openQueue, codeOf } from "../vectors/record-helpers"

describe("record queue: appends and acks do not interleave", () => {
    it("an ack during an append is refused (queue_busy), and flash keeps both records", async () => {
        const kv = new MemoryKv()
        const q = await openQueue(kv, nodeCrypto, 8)
        await q.append(draft(1))
        const appending = q.append(draft(2)) // suspended at its first flash write
        const code = await codeOf(async () => await q.ack(1, 1))
        await appending
        expect(code).toBe("queue_busy")
        // what a reboot sees: both records held, the next seq after them
        const reopened = await openQueue(kv, nodeCrypto, 8)
        expect([reopened.head, reopened.next]).toEqual([1, 3])
        // once the append is done, the same ack goes through
        expect(await q.ack(1, 1)).toBe(1)
        const again = await openQueue(kv, nodeCrypto, 8)
        expect([again.head, again.next]).toEqual([2, 3])
    })

    it("an append during an ack is refused too, and the ack lands", async () => {
        const kv = new MemoryKv()
        const q = await openQueue(kv, nodeCrypto, 8)
        await q.append(draft(1))
        await q.append(draft(2))
        const acking = q.ack(1, 1)
        const code = await codeOf(async () => await q.append(draft(3)))
        expect(await acking).toBe(1)
        expect(code).toBe("queue_busy")
        const reopened = await openQueue(kv, nodeCrypto, 8)
        expect([reopened.head, reopened.next]).toEqual([2, 3])
    })
})

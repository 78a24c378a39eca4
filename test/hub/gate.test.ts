// The bound on scrypt work in flight (hub/src/auth/gate.ts): counts, not timing.
import { describe, it, expect } from "vitest"
import { Gate } from "../../hub/src/auth/gate"

describe("Gate", () => {
    it("2 run, 3 wait, the 6th is refused; a freed slot goes to the first in line", async () => {
        const g = new Gate(2, 3)
        const a = await g.enter()!
        const b = await g.enter()!
        const order: number[] = []
        const waiting = [1, 2, 3].map(i => g.enter()!.then(free => {
            order.push(i)
            return free
        }))
        expect(g.waiting).toBe(3)
        expect(g.enter()).toBeNull()
        a()
        a() // freeing twice frees once
        const first = await waiting[0]
        expect([order, g.waiting]).toEqual([[1], 2])
        expect(g.enter()).not.toBeNull() // one place in line again
        b()
        first()
        await waiting[1]
        await waiting[2]
        expect(order).toEqual([1, 2, 3])
    })
})

import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { SensorServer, Server, startServer, FAST_MIN_INTERVAL_MS, PACKAGE_MIN_INTERVAL_MS } from "../../src/hw/drivers/server-core"

// Jacdac servers of the device's own drivers (src/hw/drivers/server-core.ts), served to clients
// in the same VM: registers from methods and from `regs`, the per-server streaming floor,
// events, streaming, and construction from a class value as startLocalServer() does it.
class T extends SensorServer {
    constructor(min: number) {
        super(ds.Temperature.spec, min)
        this.regs = { maxReading: 100 }
    }
    reading() { return 21.5 }
    minReading() { return 10 }
}
function make(cls: new (a: any, b?: any) => ds.ServerInterface, a?: any, b?: any) {
    return new cls(a, b)
}
class B extends SensorServer {
    constructor() { super(ds.Button.spec, PACKAGE_MIN_INTERVAL_MS) }
    reading() { return 1 }
}
class L extends Server {
    intensity = 0 // a register served from a field
    constructor() {
        super(ds.LightBulb.spec)
        this.regs = { dimmable: false }
    }
    set_intensity(v: number) { this.intensity = v }
}
class Z extends Server {
    tones = 0
    playNote = this.playTone // a command served from a field (bound method)
    constructor() { super(ds.Buzzer.spec) }
    playTone(args: any) {
        if (Array.isArray(args) && args[2] === 150) this.tones++
    }
}

/** waits for `cond` instead of a fixed sleep: polls every 20 ms, fails after `timeoutMs` */
async function until(what: string, cond: () => Promise<boolean>, timeoutMs: number) {
    const end = ds.millis() + timeoutMs
    while (!(await cond())) {
        if (ds.millis() > end) throw new Error("timed out after " + timeoutMs + " ms waiting for " + what)
        await ds.sleep(20)
    }
}

describe("server core", () => {
    test("registers, streaming floor, events", async () => {
        const t = new ds.Temperature(startServer(make(T, FAST_MIN_INTERVAL_MS), "tA"))
        const t2 = new ds.Temperature(startServer(new T(PACKAGE_MIN_INTERVAL_MS), "tB"))
        const bs = new B()
        const b = new ds.Button(startServer(bs, "bA"))
        const ls = new L()
        const l = new ds.LightBulb(startServer(ls, "lA"))
        const zs = new Z()
        const z = new ds.Buzzer(startServer(zs, "zA"))
        await until("every role bound", async () => t.isBound && t2.isBound && b.isBound && l.isBound && z.isBound, 3000)
        expect(await t.reading.read()).toBe(21.5)
        expect(await t.minReading.read()).toBe(10)
        expect(await t.maxReading.read()).toBe(100)
        // the servers start at 500 ms; a write of 30 ms is taken by tA, floored at 100 ms by tB
        await t.streamingInterval.write(30)
        await t2.streamingInterval.write(30)
        await until("tA's interval written", async () => (await t.streamingInterval.read()) !== 500, 1000)
        await until("tB's interval written", async () => (await t2.streamingInterval.read()) !== 500, 1000)
        expect(await t.streamingInterval.read()).toBe(30)
        expect(await t2.streamingInterval.read()).toBe(100)
        await l.intensity.write(0.5)
        await until("the intensity written", async () => ls.intensity !== 0, 1000)
        expect(ls.intensity).toBe(0.5)
        expect(await l.intensity.read()).toBe(0.5)
        expect(await l.dimmable.read()).toBe(false)
        await z.playTone(500, 0.5, 150)
        await z.playNote(440, 0.5, 150)
        await until("both tones", async () => zs.tones >= 2, 1000)
        expect(zs.tones).toBe(2)
        let downs = 0
        b.down.subscribe(() => { downs++ })
        await bs.sendEvent(ds.Button.spec.lookup("down").encode(undefined))
        await until("the down event", async () => downs > 0, 1000)
        expect(downs).toBe(1)
        let n = 0
        t.reading.subscribe(() => { n++ })
        // streaming every 30 ms: more than 5 readings within a second
        await until("more than 5 streamed readings", async () => n > 5, 1000)
    })
})

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
        await ds.sleep(1500)
        expect(t.isBound && t2.isBound && b.isBound && l.isBound && z.isBound).toBe(true)
        expect(await t.reading.read()).toBe(21.5)
        expect(await t.minReading.read()).toBe(10)
        expect(await t.maxReading.read()).toBe(100)
        await t.streamingInterval.write(30)
        await t2.streamingInterval.write(30)
        await ds.sleep(100)
        expect(await t.streamingInterval.read()).toBe(30)
        expect(await t2.streamingInterval.read()).toBe(100)
        await l.intensity.write(0.5)
        await ds.sleep(100)
        expect(ls.intensity).toBe(0.5)
        expect(await l.intensity.read()).toBe(0.5)
        expect(await l.dimmable.read()).toBe(false)
        await z.playTone(500, 0.5, 150)
        await z.playNote(440, 0.5, 150)
        await ds.sleep(100)
        expect(zs.tones).toBe(2)
        let downs = 0
        b.down.subscribe(() => { downs++ })
        await bs.sendEvent(ds.Button.spec.lookup("down").encode(undefined))
        await ds.sleep(300)
        expect(downs).toBe(1)
        let n = 0
        t.reading.subscribe(() => { n++ })
        await ds.sleep(1000)
        expect(n > 5).toBe(true)
    })
})

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

/** a buzzer whose tone command waits `holdMs` (an answer slow to go out), and breaks for a tone of 13 ms */
class Slow extends Server {
    entered = 0
    reads = 0
    constructor(readonly holdMs: number) { super(ds.Buzzer.spec) }
    /** the intensity register, read: answered after `holdMs` */
    async intensity() {
        this.reads++
        await ds.sleep(this.holdMs)
        return 0.5
    }
    async playTone(args: any) {
        if (args[2] === 13) throw new Error("a handler that breaks")
        this.entered++
        await ds.sleep(this.holdMs)
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

// started before any test: servers added after the device's first announce are not bound by roles
const held = new Slow(400)
const slowRole = new ds.Buzzer(startServer(held, "zS"))
const quick = new Slow(0)
quick.perSecond = 5
const quickRole = new ds.Buzzer(startServer(quick, "zQ"))

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

    test("a flood: at most 3 packets of a server in flight, its share a second, the rest dropped; a breaking handler is dropped", async () => {
        const z = slowRole, q = quickRole
        await until("both roles bound", async () => z.isBound && q.isBound, 3000)
        // 8 commands while each handler holds its packet 400 ms: 3 enter, 5 are dropped
        for (let i = 0; i < 8; i++) await z.playTone(100, 0.1, 10)
        await ds.sleep(100)
        expect(held.entered).toBe(3)
        // register reads as much as commands: 8 reads of `intensity` while each is held, 3 enter
        await until("the held three done", async () => held.inFlight === 0, 2000)
        for (let i = 0; i < 8; i++) await z.sendCommand(0x1000 | ds.Buzzer.spec.lookup("intensity").code)
        await ds.sleep(100)
        expect(held.reads).toBe(3)
        // once they are done the server takes packets again
        await until("the held three done", async () => held.inFlight === 0, 2000)
        await z.playTone(100, 0.1, 10)
        await until("a fourth taken", async () => held.entered === 4, 1000)
        // 8 quick commands within a second to a server with a share of 5 a second: 5 taken
        const t0 = ds.millis()
        for (let i = 0; i < 8; i++) await q.playTone(100, 0.1, 10)
        await ds.sleep(100)
        expect(ds.millis() - t0 < 1000).toBe(true)
        expect(quick.entered).toBe(5)
        // a handler that throws is logged and dropped: the program goes on, the server answers after
        await ds.sleep(1000)
        await q.playTone(100, 0.1, 13)
        await ds.sleep(50)
        expect(quick.inFlight).toBe(0)
        await q.playTone(100, 0.1, 10)
        await until("a tone after the broken note", async () => quick.entered === 6, 1000)
        expect(quick.inFlight).toBe(0)
    })

    test("the runtime paces every packet the program sends: 20 ms each after a burst of 5", async () => {
        // jdiface.c (runtime 2.16.4), throttle_send_pkt: THROTTLE_COST_MS 20, THROTTLE_BURST_PKTS 5,
        // one budget for all fibers, commands and server reports alike: 50 packets a second at most.
        // The control loop's output writes share it (docs/target-speed.md, "The send budget").
        await ds.sleep(200) // the burst allowance refills
        const t0 = ds.millis()
        for (let i = 0; i < 30; i++) await quickRole.sendCommand(0x8f) // an unknown command: each is one send
        const ms = ds.millis() - t0
        console.log("30 sends took " + ms + " ms")
        // the first 5 go at once, each of the other 25 waits its 20 ms (more if other fibers sent meanwhile)
        expect(ms >= 25 * 20 - 20).toBe(true)
    })
})

// The device's own Jacdac servers (panel, LCD, analog front-ends): @devicescript/server's
// servercore.ts and sensor.ts (2.16.4) carried over, with these differences that save ~1.3 KB of
// the firmware's 64 KB function area and send the same packets (test/vm/server-core.vm.ts); only
// the timing of the first sample after a streaming-interval change differs (below):
// - an event is re-sent (at 0, ~20 and ~70 ms) from a fiber of its own instead of that
//   package's SequentialWorker, whose import of @devicescript/runtime also compiled in an SPI
//   driver through @devicescript/graphics;
// - the streaming floor is per server (SensorServer's `minMs`): 20 ms for the ADC front-ends,
//   which may stream every 50 ms control tick (the package clamps to 100 ms, two ticks, which
//   with the supervisor's stale window would trip on healthy sensors; their ADC reads take
//   microseconds); 100 ms, the package's, for the panel inputs;
// - a register with a constant value may be served from the server's `regs` (name -> value)
//   instead of a method returning it, and one that is a plain field from that field (each
//   method is ~35 bytes of that area, a field ~8): the sensors' streaming registers, and the
//   status code, always [0, 0] (the package's set_statusCode, never called here, is dropped);
// - the control server is a plain Server whose no-op commands share one empty function, and
//   every server's instanceName is a field;
// - a new streaming interval restarts a streaming sensor's timer at the new period (the
//   package moves the running timer's next sample with ds.updateInterval);
// - no `debug` packet logging (nothing here ever sets it), and no replacing of the control
//   server or default role names (every server here is started with its role name).
import * as ds from "@devicescript/core"

type DsServer = typeof ds & {
    _onServerPacket(pkt: ds.Packet): Promise<void>
    _serverSend(serviceIndex: number, pkt: ds.Packet): Promise<void>
}

export class Server implements ds.ServerInterface {
    serviceIndex: number
    /** packets taken per second at most (0: no limit); the rest of a second's are dropped unanswered */
    perSecond = 0
    /** packets being handled (each holds a fiber and its packet until its answer is sent) */
    inFlight = 0
    private second = 0
    private taken = 0
    /** constant registers by name, served when the server has no method or field of that name (or none) */
    regs: { [name: string]: any }

    constructor(public spec: ds.ServiceSpec) {}

    async _send(pkt: ds.Packet) {
        await (ds as DsServer)._serverSend(this.serviceIndex, pkt)
    }

    /** packets a second this server takes now at most (0: no limit) */
    share(): number {
        return this.perSecond
    }

    /** A packet may be handled now: false for one past IN_FLIGHT_MAX at once or this second's share. */
    admit(): boolean {
        if (this.inFlight >= IN_FLIGHT_MAX) return false
        const share = this.share()
        if (!share) return true
        const now = ds.millis()
        if (now - this.second >= 1000) {
            this.second = now
            this.taken = 0
        }
        return ++this.taken <= share
    }

    /** Sends pkt as an event now and twice more (after ~20 and ~70 ms), on its own fiber. */
    async sendEvent(pkt: ds.Packet) {
        const self = this
        const f = async () => {
            // prep packet as an event:
            await (ds as DsServer)._serverSend(0x100, pkt)
            await self._send(pkt)
            await ds.sleep(20)
            await self._send(pkt)
            await ds.sleep(50)
            await self._send(pkt)
        }
        f.start()
    }
}

/**
 * Streaming floor of the ADC front-ends, ms: they may stream every control tick (the main loop
 * wakes at least every 10 ms).
 */
export const FAST_MIN_INTERVAL_MS = 20
/** @devicescript/server's streaming floor, ms (the panel's button and door switch keep it) */
export const PACKAGE_MIN_INTERVAL_MS = 100
/** highest streaming interval, ms */
const MAX_INTERVAL_MS = 3600 * 1000

/** A sensor (ds.SensorServerSpec): streams `reading()`; its streaming registers are fields. */
export class SensorServer extends Server {
    streamingPreferredInterval: number
    streamingInterval: number
    streamingSamples = 0
    _interval: number

    /** @param minMs lowest streaming interval allowed, ms */
    constructor(spec: ds.ServiceSpec, readonly minMs: number) {
        super(spec)
        this.set_streamingInterval(500)
        this.streamingPreferredInterval = this.streamingInterval
    }

    private maybeStop() {
        if (this.streamingSamples <= 0) {
            this.streamingSamples = 0
            clearInterval(this._interval)
            this._interval = 0
        }
    }
    private async sendSample() {
        const v = await (this as any).reading()
        const p = this.spec.lookup("reading").encode(v)
        await this._send(p)
        this.streamingSamples--
        this.maybeStop()
    }
    async set_streamingSamples(value: number) {
        this.streamingSamples = value
        if (this.streamingSamples > 0 && !this._interval) {
            this._interval = setInterval(this.sendSample, this.streamingInterval)
            await this.sendSample()
        } else this.maybeStop()
    }
    set_streamingInterval(value: number) {
        const ms = Math.constrain(value, this.minMs, MAX_INTERVAL_MS)
        if (this._interval && ms !== this.streamingInterval) {
            // restarted at the new period (the package moves the running timer; ds.updateInterval
            // and its Math.sign would cost ~300 bytes for this one use)
            clearInterval(this._interval)
            this._interval = setInterval(this.sendSample, ms)
        }
        this.streamingInterval = ms
    }
}

let servers: ds.ServerInterface[]
let restartCnt = 1

// The control service (ds.ControlServerSpec) is a plain Server with these as its commands and
// registers (no class of its own: its constructor and prototype would cost more).
function nothing() {}
function reboot() {
    ds.reboot()
}
function uptime() {
    return ds.millis() * 1000
}
function announce(): number[] {
    if (restartCnt < ds.ControlAnnounceFlags.RestartCounterSteady) restartCnt++
    // flags, packet count and a reserved 0 (both not yet supported), then every service but
    // the control one (a loop: the Array map/unshift polyfills would cost more)
    const r: number[] = [restartCnt | ds.ControlAnnounceFlags.SupportsACK, 0, 0]
    for (let i = 1; i < servers.length; i++) {
        const s = servers[i]
        r.push(s.spec.classIdentifier)
    }
    return r
}

/**
 * Packets one server handles at once at most. A packet to a server is input from another device on
 * the bus, and the runtime gives each its own fiber; one that waits (for its answer to be sent, on a
 * busy bus) holds that fiber and its packet, so without a bound a flood of any kind (commands,
 * register reads and writes, unknown commands) grows the heap until the program panics.
 */
const IN_FLIGHT_MAX = 3

async function onServerPacket(pkt: ds.Packet) {
    if (pkt.isReport) return
    if (!servers) return
    const server = servers[pkt.serviceIndex] as Server
    // past the server's share (a flood) dropped unanswered, before any work; one that breaks its
    // handler (a short or malformed payload from a faulty or hostile client) is logged and dropped:
    // neither may take the heap or panic the program (it would restart the controller)
    if (!server || !server.admit()) return
    server.inFlight++
    try {
        await handle(server, pkt)
    } catch (e) {
        console.error("packet " + pkt.serviceCommand + " dropped: " + (e as Error).message)
    } finally {
        server.inFlight--
    }
}

async function handle(server: Server, pkt: ds.Packet) {
    server.spec.assign(pkt)
    const methods = server as unknown as Record<string, (v?: any) => Promise<any>>
    if (pkt.spec) {
        if (pkt.isRegSet) {
            const m = methods["set_" + pkt.spec.name]
            if (m) {
                await m(pkt.decode())
                return
            }
        } else {
            const name = pkt.spec.name
            const m = methods[name]
            if (pkt.isRegGet) {
                const regs = server.regs
                let mr = typeof m === "function" ? await m() : m !== undefined ? m : regs ? regs[name] : undefined
                if (mr === undefined && name === "statusCode") mr = [0, 0]
                if (mr !== undefined) {
                    // treat undefined as not implemented
                    await server._send(pkt.spec.encode(mr))
                    return
                }
            } else if (m && pkt.isAction) {
                const v = await m(pkt.decode())
                if (pkt.spec.response) await server._send(pkt.spec.response.encode(v))
                return
            }
        }
    }
    await server._send(pkt.notImplemented())
}

/** Starts s as the role `roleName` (also its instance name); returns the name its client binds to. */
export function startServer(s: ds.ServerInterface, roleName: string) {
    if (!servers) {
        const ctl: any = new Server(ds.Control.spec)
        ctl.regs = JSON.parse('{"deviceDescription":"DeviceScript user-provided servers","productIdentifier":894903517,"bootloaderProductIdentifier":894903517}')
        ctl.regs["firmwareVersion"] = ds._dcfgString("@version")
        ctl.noop = nothing
        ctl.identify = nothing
        ctl.setStatusLight = nothing
        ctl.reset = reboot
        ctl.uptime = uptime
        ctl.announce = announce
        servers = [ctl]
        ;(ds as DsServer)._onServerPacket = onServerPacket
        setInterval(async () => {
            await servers[0]._send(ds.Control.spec.lookup("announce").response.encode(announce()))
        }, 500)
    }
    s.serviceIndex = servers.length
    servers.push(s)
    let off = 0
    for (const o of servers) {
        if (o === s) break
        if (o.spec.classIdentifier === s.spec.classIdentifier) off++
    }
    ;(s as any).instanceName = roleName // a register served from a field (onServerPacket)
    return `${roleName}[app:${off}]`
}

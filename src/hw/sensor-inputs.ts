// Turns the sensor roles' reports into timestamped integer samples for the controller. A
// reading's time is when its report arrived, so a sensor that stops reporting goes stale
// even though its last value is still cached. Conversions to integer units happen here, once.
import * as ds from "@devicescript/core"
import { Io } from "./roles"
import { Housekeeping } from "./housekeeping"
import { Sample } from "../core/safety/sensor-checks"
import { ControllerInputs } from "../core/controller"

/** Applies a channel's two-point calibration to a raw integer reading. */
export interface Calibrator {
    apply(channel: string, raw: number): number
}

/** Standard gravity, m/s^2 (CGPM 1901): the WeightScale service reports kg. */
const G_MILLI_N_PER_KG = 9806.65

/**
 * The latest readings, kept in the form the controller takes them: the control loop fills in
 * nowMs, logHasRoom and outputsBound and passes this object itself to each tick (no copy: the
 * tick runs to completion before any report handler can change a field).
 */
export class SensorInputs implements ControllerInputs {
    readonly film: Sample = { value: 0, atMs: -1, peak: 0 }
    readonly contact: Sample = { value: 0, atMs: -1, peak: 0 }
    readonly force: Sample = { value: 0, atMs: -1, peak: 0 }
    readonly position: Sample = { value: 0, atMs: -1, peak: 0 }
    /** the arch-scan distance sensor, µm */
    readonly distance: Sample = { value: 0, atMs: -1, peak: 0 }
    home = false
    doorClosed = false
    heaterSenseLive = false
    startPressed = false
    abortPressed = false
    /** the door's and buttons' present levels (the fields above are latched between ticks) */
    doorLevel = false
    startLevel = false
    abortLevel = false
    /**
     * The device that serves the sensors: the first one heard from. Every sensor role must be on
     * that one device (the board's own I/O; on the simulator, its one device): a role bound to
     * another device (a stray thermometer on the bus at boot, which Jacdac's binding by service
     * class and order can give the film or contact role) sets `foreign`, and the control loop
     * then counts the I/O as not connected: no start, and E33 in a cycle.
     */
    ioDev = ""
    foreign = false
    nowMs = 0
    logHasRoom!: boolean
    outputsBound!: boolean

    /** @param streamingMs the control period, ms */
    constructor(io: Io, hk: Housekeeping, streamingMs: number, cal: Calibrator) {
        // DeviceScript: arrow functions cannot capture `this`; capture a local instead
        const self = this
        // Readings come from the roles' report packets, not `reading.subscribe`: a subscribed
        // register makes the runtime re-send a streaming request to every such role each time
        // the sensor device announces itself (every 500 ms), and that burst queued ahead of the
        // control tick's own writes delayed ticks by up to 150 ms in the simulator. Streaming is
        // kept alive by `refreshStreaming` instead: one small queued write at a time.
        onReading(this, io.filmTemp, this.film, 10, cal, "filmTemp")
        onReading(this, io.contactTemp, this.contact, 10, cal, "contactTemp")
        onReading(this, io.force, this.force, G_MILLI_N_PER_KG, cal, "force")
        onReading(this, io.pressPos, this.position, 1000000, null, "")
        onReading(this, io.distance, this.distance, 1000000, null, "")
        // The door and the buttons are latched between ticks (as the hard limits latch peaks):
        // doorClosed, startPressed and abortPressed say "closed all along" / "pressed at any time"
        // since the last tick, and the control loop puts the levels back after each tick. An
        // ABORT tap or a door opening shorter than a tick is not missed. The door's "off" event
        // (a Jacdac switch sends it at once) counts as well as its streamed reading.
        takeReadings(this, io.door, pkt => self.door(!!pkt.decode()))
        io.door.report().subscribe(pkt => {
            if (pkt.isEvent && (pkt.eventCode === 1 || pkt.eventCode === 2) && ownDevice(self, pkt)) self.door(pkt.eventCode === 1)
        })
        takeReadings(this, io.heaterSense, pkt => { self.heaterSenseLive = !!pkt.decode() })
        // the home end stop is a level, streamed like the door: from its button events a lost
        // "up" (a busy bus) left home true with the press out, so a retract stopped at once and
        // the press stayed out (seen in npm start's clinic, the press at 48.7 mm after a scan)
        takeReadings(this, io.pressHome, pkt => { self.home = pkt.decode() > 0.5 })
        // START and ABORT: their down/up events (a tap shorter than a tick is caught) and their
        // streamed level. From events alone, a lost "down" lost the press, and a lost "up" left
        // the level held: START then never rose again (no cycle would start) and ABORT held
        // refused every start (seen at the chips' speed: docs/target-speed.md)
        io.start.pressed().subscribe(v => self.start(!!v))
        io.abort.pressed().subscribe(v => self.abort(!!v))
        takeReadings(this, io.start, pkt => self.start(pkt.decode() > 0.5))
        takeReadings(this, io.abort, pkt => self.abort(pkt.decode() > 0.5))
        // Once bound, each sensor reports once per control tick, the load cell twice and the
        // buttons every other tick (queued writes: housekeeping.ts): 200 reports a second. Each
        // costs the runtime a packet, a fiber and a bound function; with every sensor twice per
        // tick the ESP32-C3 could not keep up (docs/target-speed.md). The buttons' level only
        // mends a lost event, at the panel's floor (PACKAGE_MIN_INTERVAL_MS, 100 ms); their
        // events carry the press. The load cell keeps two per tick: the press into a stiff film
        // builds force fastest, and a report's delay adds to the over-force peak (60 N + 25 ms
        // more drive: 76.1 N against a 75 N margin; the film's 25 ms costs 0.1 °C). A safety
        // sensor is lost (E31) after safety.staleTicks (3) periods without a report: one or two
        // lost reports and the usual jitter are not a fault.
        this.streamed = [io.filmTemp, io.contactTemp, io.force, io.pressPos, io.door, io.distance, io.pressHome, io.heaterSense, io.start, io.abort]
        for (let i = 0; i < this.streamed.length; i++) onBound(hk, this.streamed[i], i, i === 2 ? streamingMs >> 1 : i >= 8 ? streamingMs * 2 : streamingMs)
        // with 10 sensors, each is refreshed every 5 s; 255 samples last 12.75 s at 50 ms
        this.hk = hk
        setInterval(this.refreshStreaming, REFRESH_MS) // a bound method
    }

    /** START's level, from a streamed reading or a down/up event; a press is latched until the next tick */
    start(v: boolean) {
        this.startLevel = v
        if (v) this.startPressed = true
    }

    /** ABORT's level, the same */
    abort(v: boolean) {
        this.abortLevel = v
        if (v) this.abortPressed = true
    }

    /** The door's level, from a streamed reading or an on/off event. */
    door(closed: boolean) {
        this.doorLevel = closed
        if (!closed) this.doorClosed = false
    }

    private readonly streamed: ds.Sensor[]
    private readonly hk: Housekeeping
    private nextRefresh = 0

    /** Queues a top-up of one sensor's streaming-sample count, in rotation (one bus write per call). */
    refreshStreaming() {
        const i = this.nextRefresh
        const s = this.streamed[i]
        this.nextRefresh = (i + 1) % this.streamed.length
        if (s.isBound) postSamples(this.hk, s, i)
    }
}

/** True when pkt comes from the sensors' device (the first one heard from); else marks the inputs foreign. */
function ownDevice(si: SensorInputs, pkt: ds.Packet): boolean {
    const d = pkt.deviceIdentifier
    if (!si.ioDev) si.ioDev = d
    if (d === si.ioDev) return true
    si.foreign = true
    return false
}

/**
 * Gives a role's `reading` reports to fn, in the fiber the runtime starts for each packet, and
 * everything else to @devicescript/core's own handler. For every packet from a role's server
 * the runtime runs the role's `_onPacket` in a new fiber; the library's (jacdac.ts) then hands
 * a report to each `report()` subscriber in yet another fiber, and `pkt.deviceIdentifier`
 * makes a 16-character string. At ~240 reports a second that was a large part of the
 * interpreter's time at the chip's speed (docs/target-speed.md). The serving device is checked
 * once per binding here (the runtime passes a role only its bound server's packets; a new
 * binding comes as no packet, or as the device's announce, command 0).
 */
function takeReadings(si: SensorInputs, role: ds.Role, fn: (pkt: ds.Packet) => void) {
    const lib = role._onPacket
    let own = false
    const mine = async (pkt: ds.Packet) => {
        if (pkt && pkt.serviceCommand === READING_REPORT && pkt.isReport) {
            if (own || (own = ownDevice(si, pkt))) fn(pkt)
            return
        }
        if (!pkt || pkt.serviceCommand === 0) own = false
        await lib(pkt)
    }
    role._onPacket = mine
}

/** A `reading` register's report: register-get 0x1000 | 0x101. */
const READING_REPORT = 0x1101

/** A Jacdac sensor streams this many samples after each request (the register is a u8). */
const STREAMING_SAMPLES = 255
/** One sensor's streaming request is refreshed per this period, in rotation. */
const REFRESH_MS = 500

/** Queues a top-up of sensor i's streaming-sample count. */
function postSamples(hk: Housekeeping, s: ds.Sensor, i: number) {
    hk.post("samples" + i, async () => {
        if (s.isBound) await s.streamingSamples.write(STREAMING_SAMPLES)
    })
}

/** Once sensor i is bound (again), queues its streaming interval and a streaming request. */
function onBound(hk: Housekeeping, s: ds.Sensor, i: number, streamingMs: number) {
    s.binding().subscribe(bound => {
        if (!bound) return
        hk.post("interval" + i, async () => {
            if (s.isBound) await s.streamingInterval.write(streamingMs)
        })
        postSamples(hk, s, i)
    })
}

/**
 * Records each reading a sensor role reports in s: times `scale`, rounded to an integer, then
 * calibrated for `channel` (cal null: not calibrated); the peak holds the highest one since
 * the last tick.
 */
function onReading(si: SensorInputs, role: ds.Sensor, s: Sample, scale: number, cal: Calibrator | null, channel: string) {
    takeReadings(si, role, pkt => {
        const raw = Math.round(pkt.decode() * scale)
        const value = cal ? cal.apply(channel, raw) : raw
        s.value = value
        if (value > s.peak) s.peak = value
        s.atMs = ds.millis()
    })
}

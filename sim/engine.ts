// The simulator engine: physics models stepped on the wall clock, served on the bus through
// ApplicatorServices, with faults applied between the model and the sensor reading the
// firmware sees. It records what an oscilloscope on the bench would: every heater relay write,
// when the heater actually had power, the sensor samples sent, and a trace for the plot.
import { ButtonEvent, SwitchEvent, jdpack } from "jacdac-ts"
import { ApplicatorServices, type TimedSensor } from "./services"
import { Rng } from "./models/rng"
import { ThermalModel, SIM_THERMAL } from "./models/thermal"
import { PressModel, SIM_PRESS, seatedPress } from "./models/press"
import { HeaterOneShot } from "./models/heater-oneshot"
import { PressDriver } from "./models/press-driver"
import { ArchModel, SIM_ARCH } from "./models/arch"
import { applyFault, type SensorFault, newFaultState, type FaultState } from "./models/faults"

/** Physics step, ms: well under the firmware's 50 ms tick. */
const PHYSICS_STEP_MS = 5
/**
 * The sensors' reports come at the streaming interval the firmware asks of each (as on a board);
 * the engine looks this often whether one is due.
 */
const STREAM_STEP_MS = 5
/**
 * The interval the firmware asks of its sensors (src/hw/sensor-inputs.ts): one report per
 * control tick (the load cell: two).
 */
export const REPORT_MS = 50
/** A pause of the engine's own reporting longer than this is recorded: the host stalled it. */
const STALL_GAP_MS = 50
/** Trace resolution for the plot and the report, ms. */
const TRACE_MS = 100
/** Standard gravity, m/s^2: the WeightScale service reports kg. */
const G = 9.80665

export type SensorName = "filmTemp" | "contactTemp" | "force" | "pressPos"

export interface TracePoint {
    t: number
    filmC: number
    tipC: number
    forceN: number
    positionMm: number
    heaterPowered: boolean
    phase: string
}

export interface Limits {
    filmMaxC: number
    contactMaxC: number
    forceMaxN: number
}

/** a button's down or up event, lost on the bus (all of its sends) */
export type LostEvent = "down" | "up"

export class SimEngine {
    readonly services = new ApplicatorServices()
    readonly rng: Rng
    readonly thermal: ThermalModel
    readonly press: PressModel
    readonly arch: ArchModel
    readonly oneShot: HeaterOneShot
    /**
     * The press driver behind its one-shot (sim/models/press-driver.ts): every press speed write
     * is its kick, as the heater's "on" write is the heater's. Without a write for
     * pressOneShotMs the motor loses drive and coasts to rest.
     */
    readonly pressDriver: PressDriver
    private t0 = performance.now()
    private lastStepMs = 0
    private timers: NodeJS.Timeout[] = []

    // faults and switches a scenario controls
    readonly sensorFaults: { [k in SensorName]: SensorFault | null } = { filmTemp: null, contactTemp: null, force: null, pressPos: null }
    private faultState: { [k in SensorName]: FaultState } = {
        filmTemp: newFaultState(), contactTemp: newFaultState(), force: newFaultState(), pressPos: newFaultState(),
    }
    /** sensors whose reports stop (cable pulled): use silence() */
    readonly silenced = new Set<SensorName>()
    heaterConnected = true
    relayStuckOn = false
    /** read-only outside: change them with setButton() and setDoor() */
    doorClosed = true
    startPressed = false
    abortPressed = false
    private downAtMs = 0

    // observations
    relayOn = false
    readonly relayWrites: { t: number; on: boolean }[] = []
    /** every press speed write (permille of full speed) */
    readonly pressWrites: { t: number; speed: number }[] = []
    private poweredNow = false
    /** times the heater's power went on/off */
    readonly powerEdges: { t: number; on: boolean }[] = []
    private pressDrivenNow = false
    /** times the press driver was enabled/disabled by its one-shot */
    readonly pressDriveEdges: { t: number; on: boolean }[] = []
    readonly trace: TracePoint[] = []
    /** first sample beyond a limit sent on the bus, per sensor, after armLimitWatch() */
    firstBreachMs: number | null = null
    private watchLimits: Limits | null = null
    phase = "boot"
    display = ""
    samplesSent = 0
    /**
     * Gaps of more than two report periods between the simulator's own sensor reports: real
     * sensors never pause, so each is the host failing to run the simulator on time (a stall),
     * and the firmware may rightly call a sensor lost (E31) after one.
     */
    readonly reportGaps: { t: number; gapMs: number }[] = []
    private lastReportMs = -1

    constructor(readonly seed: number, readonly oneShotMs: number, readonly pressOneShotMs: number = oneShotMs) {
        this.rng = new Rng(seed)
        this.thermal = new ThermalModel(SIM_THERMAL)
        this.press = new PressModel(seatedPress(SIM_PRESS), this.rng)
        this.arch = new ArchModel(SIM_ARCH, this.rng)
        this.oneShot = new HeaterOneShot(oneShotMs)
        this.pressDriver = new PressDriver(pressOneShotMs)
        // a button's lost event is never sent: neither by setButton nor by jacdac-ts's server,
        // which sends down/up/hold itself at its bus refresh when its reading changes
        for (const b of ["start", "abort"] as const) {
            const srv = this.services[b]
            const send = srv.sendEvent.bind(srv)
            srv.sendEvent = (code: number, data?: Uint8Array) => (code === this.lostEvent[b] ? Promise.resolve() : send(code, data))
        }
        this.services.onHeaterWrite(on => {
            const t = this.now()
            this.relayOn = on
            this.relayWrites.push({ t, on })
            // only an "on" re-assert re-arms the one-shot (as HEATER_KICK on the boards)
            if (on) this.oneShot.kick(t)
        })
        this.services.onDisplay(text => { this.display = text })
        this.services.onPressSpeedWrite(speed => {
            const t = this.now()
            this.pressWrites.push({ t, speed: Math.round(speed * 1000) })
            this.pressDriver.write(t, speed)
        })
    }

    now(): number {
        return performance.now() - this.t0
    }

    start() {
        this.t0 = performance.now()
        this.lastStepMs = 0
        this.lastReportMs = -1
        this.timers.push(setInterval(() => this.physics(), PHYSICS_STEP_MS))
        this.timers.push(setInterval(() => this.report(), STREAM_STEP_MS))
        this.timers.push(setInterval(() => this.record(), TRACE_MS))
    }

    stop() {
        for (const t of this.timers) clearInterval(t)
        this.timers = []
    }

    /** Cuts a sensor off the bus: no more reports, no answers to reads. */
    silence(name: SensorName) {
        this.silenced.add(name)
        this.services.mute(this.services[name])
    }

    /** From now on, note the first sensor sample sent beyond these limits. */
    armLimitWatch(l: Limits) {
        this.watchLimits = l
        this.firstBreachMs = null
    }

    /**
     * The heater-supply sense (role heaterSense): the supply after the control relay, upstream of
     * the one-shot's cut-off and the element, so live while the relay is on or welded on.
     */
    heaterSenseLive(): boolean {
        return this.relayOn || this.relayStuckOn
    }

    heaterPowered(t: number): boolean {
        return (this.relayOn || this.relayStuckOn) && this.heaterConnected && this.oneShot.powered(t)
    }

    private physics() {
        const t = this.now()
        let dt = t - this.lastStepMs
        this.lastStepMs = t
        if (dt <= 0) return
        if (dt > 50) dt = 50 // a stalled event loop must not become a physics jump
        const powered = this.heaterPowered(t)
        if (powered !== this.poweredNow) {
            this.poweredNow = powered
            this.powerEdges.push({ t, on: powered })
        }
        this.thermal.step(dt, powered ? this.thermal.heaterFullW() : 0, this.press.inContact())
        const [enabled] = this.services.press.enabled.values()
        const driven = this.pressDriver.enabled(t)
        if (driven !== this.pressDrivenNow) {
            this.pressDrivenNow = driven
            this.pressDriveEdges.push({ t, on: driven })
        }
        this.press.step(dt, enabled ? this.pressDriver.drive(t) : 0)
    }

    private reading(name: SensorName, trueValue: number): number {
        return applyFault(trueValue, this.sensorFaults[name], this.faultState[name], this.now())
    }

    /**
     * Streams a sensor's reading when one is due (a fault applies per sample sent): the value
     * sent, or null (not due, or silenced).
     */
    private stream(name: SensorName, server: TimedSensor & { reading: { setValues(v: [number]): void; sendGetAsync(): Promise<void> } }, trueValue: () => number, t: number): number | null {
        if (this.silenced.has(name) || !server.due(t)) return null
        const v = this.reading(name, trueValue())
        server.reading.setValues([name === "pressPos" ? Math.max(0, v) : v]) // Distance is unsigned on Jacdac
        void server.reading.sendGetAsync()
        this.samplesSent++
        return v
    }

    /** The same for a switch or a level, which has no faults. */
    private level<V>(server: TimedSensor & { reading: { setValues(v: [V]): void; sendGetAsync(): Promise<void> } }, value: V, t: number) {
        server.reading.setValues([value])
        if (server.due(t)) void server.reading.sendGetAsync()
    }

    /**
     * Presses or releases a button now. A Jacdac button sends its down/up event on the change
     * (a real one samples its contact every few ms); jacdac-ts's ButtonServer would send it only
     * at its next bus refresh, so a tap shorter than that would never reach the firmware.
     * lose: the event of this change ("down" pressing, "up" releasing) is lost on the bus, every
     * send of it; the level still changes and streams.
     */
    setButton(b: "start" | "abort", pressed: boolean, lose?: LostEvent) {
        if (b === "start") this.startPressed = pressed
        else this.abortPressed = pressed
        this.lostEvent[b] = lose === (pressed ? "down" : "up") ? (pressed ? ButtonEvent.Down : ButtonEvent.Up) : -1
        const srv = this.services[b]
        srv.reading.setValues([pressed ? 1 : 0])
        const t = this.now()
        if (pressed) this.downAtMs = t
        void srv.sendEvent(pressed ? ButtonEvent.Down : ButtonEvent.Up, pressed ? undefined : jdpack<[number]>("u32", [Math.round(t - this.downAtMs)]))
    }

    /** per button, the event code its server does not send until the button next changes (setButton's lose), or -1 */
    private readonly lostEvent = { start: -1, abort: -1 }

    /** Opens or closes the door now; the switch sends its on/off event on the change, as a Jacdac switch does. */
    setDoor(closed: boolean) {
        if (closed === this.doorClosed) return
        this.doorClosed = closed
        const d = this.services.door
        d.reading.setValues([closed])
        void d.sendEvent(closed ? SwitchEvent.On : SwitchEvent.Off)
    }

    private report() {
        const s = this.services
        const t = this.now()
        if (this.lastReportMs >= 0 && t - this.lastReportMs > STALL_GAP_MS) this.reportGaps.push({ t: Math.round(t), gapMs: Math.round(t - this.lastReportMs) })
        this.lastReportMs = t
        const film = this.stream("filmTemp", s.filmTemp, () => this.thermal.filmC(), t)
        const tip = this.stream("contactTemp", s.contactTemp, () => this.thermal.tipC(), t)
        const kg = this.stream("force", s.force, () => this.press.loadCellKg(), t)
        this.stream("pressPos", s.pressPos, () => this.press.positionM(), t)
        this.level(s.distance, this.arch.scanDistanceM(this.press.positionM() * 1e6, 0), t)
        this.level(s.door, this.doorClosed, t)
        this.level(s.heaterSense, this.heaterSenseLive(), t)
        this.level(s.start, this.startPressed ? 1 : 0, t)
        this.level(s.abort, this.abortPressed ? 1 : 0, t)
        this.level(s.pressHome, this.press.home() ? 1 : 0, t)
        // the first sample sent beyond a limit (the firmware cannot see one before)
        const l = this.watchLimits
        if (l && this.firstBreachMs === null &&
            ((film !== null && film > l.filmMaxC) || (tip !== null && tip > l.contactMaxC) || (kg !== null && kg * G > l.forceMaxN)))
            this.firstBreachMs = t
    }

    private record() {
        this.trace.push({
            t: Math.round(this.now()),
            filmC: round2(this.thermal.filmC()),
            tipC: round2(this.thermal.tipC()),
            forceN: round2(this.press.forceN()),
            positionMm: round2(this.press.positionM() * 1000),
            heaterPowered: this.poweredNow,
            phase: this.phase,
        })
    }

    /** The first time after t that the heater had no power, or null. */
    unpoweredAfter(t: number): number | null {
        if (!this.heaterPowered(t) && !this.poweredNow) return t
        for (const e of this.powerEdges) if (e.t >= t && !e.on) return e.t
        return null
    }

    /** The press speed in force at t, permille: the last write while the driver's one-shot holds, else 0. */
    pressDrive(t: number): number {
        return Math.round(this.pressDriver.drive(t) * 1000)
    }

    /** The first time at or after t that the press driver was disabled (its one-shot expired), or null. */
    pressUndrivenAfter(t: number): number | null {
        if (!this.pressDriver.enabled(t) && !this.pressDrivenNow) return t
        for (const e of this.pressDriveEdges) if (e.t >= t && !e.on) return e.t
        return null
    }

    /** The first press speed write at or below zero at or after t, or null. */
    pressRetractAfter(t: number): number | null {
        for (const w of this.pressWrites) if (w.t >= t && w.speed <= 0) return w.t
        return null
    }

    /** The first relay write "off" at or after t, or null. */
    relayOffAfter(t: number): number | null {
        for (const w of this.relayWrites) if (w.t >= t && !w.on) return w.t
        return null
    }
}

function round2(v: number): number {
    return Math.round(v * 100) / 100
}

// The simulated applicator as one Jacdac device on the bus: one standard service per firmware
// role (src/hw/roles.ts, docs/roles.md), served with jacdac-ts. Roles are bound by name with
// the VM's role manager (set_role), and the services are also ordered so that DeviceScript's
// automatic binding (roles sorted by name, services in device order) gives the same result.
import {
    JDBus, JDDevice, JDServerServiceProvider, JDServiceServer, SensorServer, ButtonServer, MotorServer, SwitchServer,
    BuzzerServer, Packet, jdpack, fromHex, REPORT_RECEIVE, CHANGE,
    SRV_TEMPERATURE, SRV_WEIGHT_SCALE, SRV_DISTANCE, SRV_RELAY, SRV_LIGHT_BULB, SRV_CHARACTER_SCREEN, SRV_ROLE_MANAGER,
} from "jacdac-ts"

/** Role names: must match src/hw/roles.ts ROLE (test/unit/sim-roles.test.ts checks it). */
export const SIM_ROLES = [
    "abort", "buzzer", "contactTemp", "display", "distance", "door", "filmTemp", "force", "heater", "heaterSense",
    "press", "pressHome", "pressPos", "start", "statusLed",
] as const
export type RoleName = (typeof SIM_ROLES)[number]

/** Jacdac register codes used here (jacdac-spec). */
const RELAY_ACTIVE = 0x01
const LIGHT_BULB_INTENSITY = 0x01
const CHARACTER_SCREEN_MESSAGE = 0x02
/** role manager: set_role command (jacdac-spec rolemanager.md) */
const ROLE_MANAGER_SET_ROLE = 0x81

export const SIM_DEVICE_ID = "5a11f11a00000001"

/**
 * A sensor that streams as a Jacdac sensor on a board does: one report every
 * `streaming_interval` ms, as the firmware asked, while `streaming_samples` lasts; the
 * simulator's engine times it (`due`). jacdac-ts's own streaming runs off its bus refresh
 * (~50 ms steps: a 50 ms interval came out at ~13 reports a second), and the engine used to
 * send every 25 ms besides, whatever the firmware asked: ~53 reports a second per sensor, more
 * than twice what a board would send and what the firmware pays for per packet.
 */
export interface TimedSensor {
    readonly streamingSamples: { values(): [number]; setValues(v: [number]): void }
    readonly streamingInterval: { values(): [number] }
    /** true (and one sample counted) when a report is due at t, ms */
    due(t: number): boolean
}

function timed<T extends new (...args: any[]) => SensorServer<any>>(Base: T) {
    class Timed extends Base implements TimedSensor {
        private next = -1
        due(t: number): boolean {
            const samples = this.streamingSamples.values()[0] ?? 0
            const iv = this.streamingInterval.values()[0] ?? 0
            // half an engine step early counts as on time (the engine looks every STREAM_STEP_MS)
            if (samples <= 0 || iv <= 0 || (this.next >= 0 && t < this.next - 2.5)) return false
            // on schedule, or from now after a pause (samples ran out, a stalled host)
            this.next = this.next >= 0 && t - this.next < iv ? this.next + iv : t + iv
            this.streamingSamples.setValues([samples - 1])
            return true
        }
    }
    // SensorServer binds refreshRegisters (its streaming) in its constructor: a no-op here
    Object.defineProperty(Timed.prototype, "refreshRegisters", { value: () => undefined })
    return Timed
}
const TimedSensorServer = timed(SensorServer)
/** a one-number sensor (a thermometer, a distance, the load cell) that streams as a board's does */
type Sensor1 = SensorServer<[number]> & TimedSensor
const TimedSwitch = timed(SwitchServer)
const TimedButton = timed(ButtonServer)

export class ApplicatorServices {
    readonly contactTemp: Sensor1 = new TimedSensorServer(SRV_TEMPERATURE, { readingValues: [22], instanceName: "contactTemp" })
    readonly filmTemp: Sensor1 = new TimedSensorServer(SRV_TEMPERATURE, { readingValues: [22], instanceName: "filmTemp" })
    readonly distance: Sensor1 = new TimedSensorServer(SRV_DISTANCE, { readingValues: [0.1], instanceName: "distance" })
    readonly pressPos: Sensor1 = new TimedSensorServer(SRV_DISTANCE, { readingValues: [0], instanceName: "pressPos" })
    readonly force: Sensor1 = new TimedSensorServer(SRV_WEIGHT_SCALE, { readingValues: [0], instanceName: "force" })
    readonly abort: ButtonServer & TimedSensor = new TimedButton("abort")
    readonly pressHome: ButtonServer & TimedSensor = new TimedButton("pressHome")
    readonly start: ButtonServer & TimedSensor = new TimedButton("start")
    readonly door: SwitchServer & TimedSensor = new TimedSwitch()
    /** on = heater supply live after the relay (the sense node between relay and one-shot, boards/README.md) */
    readonly heaterSense: SwitchServer & TimedSensor = new TimedSwitch()
    readonly heater = new JDServiceServer(SRV_RELAY, { instanceName: "heater" })
    readonly heaterActive = this.heater.addRegister<[boolean]>(RELAY_ACTIVE, [false])
    readonly press = new MotorServer("press")
    readonly statusLed = new JDServiceServer(SRV_LIGHT_BULB, { instanceName: "statusLed" })
    readonly lampIntensity = this.statusLed.addRegister<[number]>(LIGHT_BULB_INTENSITY, [0])
    readonly buzzer = new BuzzerServer({ instanceName: "buzzer" })
    readonly display = new JDServiceServer(SRV_CHARACTER_SCREEN, { instanceName: "display" })
    readonly displayMessage = this.display.addRegister<[string]>(CHARACTER_SCREEN_MESSAGE, [""])
    readonly provider: JDServerServiceProvider
    /** muted readings' own handlers, for unmute() */
    private readonly muted = new Map<object, { handlePacket: (pkt: Packet) => boolean; sendGetAsync: () => Promise<void> }>()

    constructor() {
        // order = auto-binding order: roles sorted by name take same-class services in turn
        const ordered: [RoleName, JDServiceServer][] = [
            ["abort", this.abort], ["buzzer", this.buzzer], ["contactTemp", this.contactTemp], ["display", this.display],
            ["distance", this.distance], ["door", this.door], ["filmTemp", this.filmTemp], ["force", this.force],
            ["heater", this.heater], ["heaterSense", this.heaterSense], ["press", this.press], ["pressHome", this.pressHome], ["pressPos", this.pressPos],
            ["start", this.start], ["statusLed", this.statusLed],
        ]
        this.roleOrder = ordered.map(([r]) => r)
        this.provider = new JDServerServiceProvider("smile-film-applicator-sim", ordered.map(([, s]) => s), {
            deviceId: SIM_DEVICE_ID,
            deviceDescription: "Smile Film applicator simulator",
        })
    }

    readonly roleOrder: RoleName[]

    /**
     * A sensor with its cable pulled: it neither streams nor answers the firmware's register
     * reads (jacdac-ts sensor servers answer reads and stream by themselves: both are cut).
     */
    mute(server: SensorServer<[number]>) {
        const reg = server.reading
        if (this.muted.has(reg)) return
        const orig = { handlePacket: reg.handlePacket, sendGetAsync: reg.sendGetAsync }
        this.muted.set(reg, orig)
        const handle = reg.handlePacket.bind(reg)
        reg.handlePacket = (pkt: Packet) => (pkt.isRegisterGet ? true : handle(pkt))
        // the server's own streaming (the firmware asks for it) goes through sendGetAsync too
        reg.sendGetAsync = () => Promise.resolve()
    }

    /** Undoes mute(): the cable plugged back in. */
    unmute(server: SensorServer<[number]>) {
        const reg = server.reading
        const orig = this.muted.get(reg)
        if (!orig) return
        this.muted.delete(reg)
        reg.handlePacket = orig.handlePacket
        reg.sendGetAsync = orig.sendGetAsync
    }

    /** Calls fn at every set of the heater relay register (each re-assert, changed or not). */
    onHeaterWrite(fn: (on: boolean) => void) {
        this.heaterActive.on(REPORT_RECEIVE, () => fn(!!this.heaterActive.values()[0]))
    }

    onPressSpeedWrite(fn: (speed: number) => void) {
        this.press.speed.on(REPORT_RECEIVE, () => fn(this.press.speed.values()[0] ?? 0))
    }

    onDisplay(fn: (text: string) => void) {
        this.displayMessage.on(CHANGE, () => fn(this.displayMessage.values()[0] ?? ""))
    }

    /** Sends set_role for every role to the role manager of the firmware's device. */
    async bindRoles(vm: JDDevice) {
        const rm = vm.services({ serviceClass: SRV_ROLE_MANAGER })[0]
        if (!rm) throw new Error(`device ${vm.shortId} has no role manager: is it running DeviceScript?`)
        const id = fromHex(SIM_DEVICE_ID)
        for (let i = 0; i < this.roleOrder.length; i++) {
            // service index on the device: 0 is the control service
            const data = jdpack<[Uint8Array, number, string]>("b[8] u8 s", [id, i + 1, this.roleOrder[i]])
            await rm.sendPacketAsync(Packet.from(ROLE_MANAGER_SET_ROLE, data))
        }
    }

    attach(bus: JDBus) {
        bus.addServiceProvider(this.provider)
    }
}


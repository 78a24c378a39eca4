// The operator panel on the I2C bus: a PCF8574 expander carrying the start and abort buttons,
// the door switch, the status lamp and an active buzzer (pin map in boards/README.md). Each is
// served as its standard Jacdac service, so the firmware sees the same roles as with GPIO
// servers or the simulator. Inputs and outputs are active-low (PCF8574 sinks, pulls up weakly).
import * as ds from "@devicescript/core"
import { Server, SensorServer, PACKAGE_MIN_INTERVAL_MS } from "./server-core"
import { Pcf8574 } from "./pcf8574"
import { startLocalServer } from "./local-server"

/** Jacdac Button: "hold" is emitted after 500 ms and then every 500 ms while pressed. */
const HOLD_MS = 500

/** A Jacdac Button server (ds.ButtonServerSpec). */
export class PanelButtonServer extends SensorServer {
    private downAt = 0
    private nextHold = 0

    constructor(
        private readonly port: Pcf8574,
        private readonly bit: number
    ) {
        super(ds.Button.spec, PACKAGE_MIN_INTERVAL_MS)
        port.listeners.push(this.update)
    }

    reading() {
        return this.port.level(this.bit) ? 0 : 1
    }

    private async update() {
        const now = ds.millis()
        const spec = ds.Button.spec
        if (!this.port.level(this.bit)) {
            if (!this.downAt) {
                this.downAt = now
                this.nextHold = now + HOLD_MS
                await this.sendEvent(spec.lookup("down").encode(undefined))
            } else if (now >= this.nextHold) {
                this.nextHold += HOLD_MS
                await this.sendEvent(spec.lookup("hold").encode(now - this.downAt))
            }
        } else if (this.downAt) {
            const heldMs = now - this.downAt
            this.downAt = 0
            await this.sendEvent(spec.lookup("up").encode(heldMs))
        }
    }
}

/** A Jacdac Switch server (ds.SwitchServerSpec). */
export class PanelSwitchServer extends SensorServer {
    private last: boolean

    constructor(
        private readonly port: Pcf8574,
        private readonly bit: number
    ) {
        super(ds.Switch.spec, PACKAGE_MIN_INTERVAL_MS)
        this.last = this.reading()
        port.listeners.push(this.update)
    }

    /** on = contact closed (pin pulled low) */
    reading() {
        return !this.port.level(this.bit)
    }

    private async update() {
        const on = this.reading()
        if (on === this.last) return
        this.last = on
        const spec = ds.Switch.spec
        await this.sendEvent((spec as ds.ServiceSpec).lookup(on ? "on" : "off").encode(undefined))
    }
}

/** A Jacdac LightBulb server (ds.LightBulbServerSpec; not dimmable: `regs`). */
export class PanelLampServer extends Server {
    /** the intensity register (a field: server-core.ts), 0 or 1 */
    intensity = 0

    constructor(
        private readonly port: Pcf8574,
        private readonly bit: number
    ) {
        super(ds.LightBulb.spec)
        this.regs = JSON.parse('{"dimmable":false}')
    }

    async set_intensity(value: number) {
        this.intensity = value > 0 ? 1 : 0
        await this.port.sink(this.bit, this.intensity > 0)
    }
}

/**
 * Active (self-oscillating) buzzer: sounds for the tone's duration at its own pitch. A Jacdac
 * Buzzer server (ds.BuzzerServerSpec).
 */
export class PanelBuzzerServer extends Server {
    /** the intensity register (volume 0..1; a field: server-core.ts) */
    intensity = 1
    private offTimer = 0
    /** [frequency Hz, volume 0..1, duration ms]: sounds as playTone does (the pitch is the buzzer's own) */
    playNote = this.playTone

    constructor(
        private readonly port: Pcf8574,
        private readonly bit: number
    ) {
        super(ds.Buzzer.spec)
    }

    set_intensity(value: number) {
        this.intensity = value
    }
    /** Multi-field commands arrive as one decoded array: [period us, duty us, duration ms]. */
    async playTone(period: any, duty?: number, duration?: number) {
        if (Array.isArray(period)) {
            const args = period as number[]
            duty = args[1]
            duration = args[2]
        }
        const on = duty > 0 && this.intensity > 0 && duration > 0
        if (this.offTimer) clearTimeout(this.offTimer)
        this.offTimer = 0
        await this.port.sink(this.bit, on)
        if (on) this.offTimer = setTimeout(this.silence, duration)
    }

    private async silence() {
        this.offTimer = 0
        await this.port.sink(this.bit, false)
    }
}

export interface PanelOptions {
    /** role names (ROLE.start, ROLE.abort, ROLE.door, ROLE.heaterSense, ROLE.statusLed, ROLE.buzzer) */
    names: { start: string; abort: string; door: string; heaterSense: string; statusLed: string; buzzer: string }
    /** expander pin of each function */
    bits: { start: number; abort: number; door: number; heaterSense: number; statusLed: number; buzzer: number; pressKick: number }
    addr: number
    pollMs: number
}

export interface Panel {
    /** toggles the press one-shot's keep-alive pin (P5): call once per control tick */
    kickPress(): void
    start: ds.Button
    abort: ds.Button
    door: ds.Switch
    /** on = heater supply live after the relay (optocoupler pulls the pin low) */
    heaterSense: ds.Switch
    statusLed: ds.LightBulb
    buzzer: ds.Buzzer
}

/**
 * Starts the panel servers on the device; in the simulator only names the roles. While the
 * expander does not answer, inputs report their fail-safe state: abort pressed, door open,
 * start released.
 */
export function startPanel(o: PanelOptions): Panel {
    const n = o.names
    const b = o.bits
    // levels: 1 = released/open; abort held low = pressed (no expander in the simulator)
    const port = ds.isSimulator() ? undefined : new Pcf8574(o.addr, 0xff & ~(1 << b.abort))
    if (port) setInterval(port.poll, o.pollMs) // listeners run after each poll
    let kickLevel = false
    return {
        kickPress: () => {
            if (!port) return
            kickLevel = !kickLevel
            // on its own fiber: the control tick never waits on the I2C bus
            const level = kickLevel
            setTimeout(async () => {
                await port.sink(b.pressKick, level)
            }, 0)
        },
        start: new ds.Button(startLocalServer(n.start, PanelButtonServer, port, b.start)),
        abort: new ds.Button(startLocalServer(n.abort, PanelButtonServer, port, b.abort)),
        door: new ds.Switch(startLocalServer(n.door, PanelSwitchServer, port, b.door)),
        heaterSense: new ds.Switch(startLocalServer(n.heaterSense, PanelSwitchServer, port, b.heaterSense)),
        statusLed: new ds.LightBulb(startLocalServer(n.statusLed, PanelLampServer, port, b.statusLed)),
        buzzer: new ds.Buzzer(startLocalServer(n.buzzer, PanelBuzzerServer, port, b.buzzer)),
    }
}

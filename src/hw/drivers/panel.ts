// The operator panel on the I2C bus: a PCF8574 expander carrying the start and abort buttons,
// the door switch, the status lamp and an active buzzer (pin map in boards/README.md). Each is
// served as its standard Jacdac service, so the firmware sees the same roles as with GPIO
// servers or the simulator. Inputs and outputs are active-low (PCF8574 sinks, pulls up weakly).
import * as ds from "@devicescript/core"
import { Server, SensorServer } from "@devicescript/server"
import { Pcf8574 } from "./pcf8574"
import { startLocalServer } from "./local-server"

/** Jacdac Button: "hold" is emitted after 500 ms and then every 500 ms while pressed. */
const HOLD_MS = 500

export class PanelButtonServer extends SensorServer implements ds.ButtonServerSpec {
    private downAt = 0
    private nextHold = 0

    constructor(
        private readonly port: Pcf8574,
        private readonly bit: number
    ) {
        super(ds.Button.spec)
        port.onPoll(this.update)
    }

    private pressed() {
        return !this.port.level(this.bit)
    }

    reading() {
        return this.pressed() ? 1 : 0
    }

    private async update() {
        const now = ds.millis()
        const spec = ds.Button.spec
        if (this.pressed()) {
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

export class PanelSwitchServer extends SensorServer implements ds.SwitchServerSpec {
    private last: boolean

    constructor(
        private readonly port: Pcf8574,
        private readonly bit: number
    ) {
        super(ds.Switch.spec)
        this.last = this.reading()
        port.onPoll(this.update)
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
        await this.sendEvent(on ? spec.lookup("on").encode(undefined) : spec.lookup("off").encode(undefined))
    }
}

export class PanelLampServer extends Server implements ds.LightBulbServerSpec {
    private level = 0

    constructor(
        private readonly port: Pcf8574,
        private readonly bit: number
    ) {
        super(ds.LightBulb.spec)
    }

    intensity() {
        return this.level
    }
    async set_intensity(value: number) {
        this.level = value > 0 ? 1 : 0
        await this.port.sink(this.bit, this.level > 0)
    }
    dimmable() {
        return false
    }
}

/** Active (self-oscillating) buzzer: sounds for the tone's duration at its own pitch. */
export class PanelBuzzerServer extends Server implements ds.BuzzerServerSpec {
    private volume = 1
    private offTimer = 0

    constructor(
        private readonly port: Pcf8574,
        private readonly bit: number
    ) {
        super(ds.Buzzer.spec)
    }

    intensity() {
        return this.volume
    }
    set_intensity(value: number) {
        this.volume = value
    }
    /** Multi-field commands arrive as one decoded array: [period us, duty us, duration ms]. */
    async playTone(period: any, duty?: number, duration?: number) {
        if (Array.isArray(period)) {
            const args = period as number[]
            duty = args[1]
            duration = args[2]
        }
        await this.sound(duty > 0 && this.volume > 0 && duration > 0, duration)
    }
    /** [frequency Hz, volume 0..1, duration ms]: sounds as playTone does (the pitch is the buzzer's own) */
    async playNote(frequency: any, volume?: number, duration?: number) {
        await this.playTone(frequency, volume, duration)
    }

    private async sound(on: boolean, durationMs: number) {
        if (this.offTimer) clearTimeout(this.offTimer)
        this.offTimer = 0
        await this.port.sink(this.bit, on)
        if (on) this.offTimer = setTimeout(this.silence, durationMs)
    }

    private async silence() {
        this.offTimer = 0
        await this.port.sink(this.bit, false)
    }
}

export interface PanelOptions {
    /** role names (ROLE.start, ROLE.abort, ROLE.door, ROLE.statusLed, ROLE.buzzer) */
    names: { start: string; abort: string; door: string; statusLed: string; buzzer: string }
    /** expander pin of each function */
    bits: { start: number; abort: number; door: number; statusLed: number; buzzer: number; pressKick: number }
    addr: number
    pollMs: number
}

export interface Panel {
    /** toggles the press one-shot's keep-alive pin (P5): call once per control tick */
    kickPress(): void
    start: ds.Button
    abort: ds.Button
    door: ds.Switch
    statusLed: ds.LightBulb
    buzzer: ds.Buzzer
}

/**
 * Starts the panel servers on the device; in the simulator only names the roles. While the
 * expander does not answer, inputs report their fail-safe state: abort pressed, door open,
 * start released.
 */
export function startPanel(o: PanelOptions): Panel {
    let port: Pcf8574 = undefined
    const p = () => {
        if (!port) {
            // levels: 1 = released/open; abort held low = pressed
            port = new Pcf8574(o.addr, 0xff & ~(1 << o.bits.abort))
            port.start(o.pollMs)
        }
        return port
    }
    const n = o.names
    const b = o.bits
    let kickLevel = false
    return {
        kickPress: () => {
            if (ds.isSimulator()) return
            kickLevel = !kickLevel
            // on its own fiber: the control tick never waits on the I2C bus
            const level = kickLevel
            setTimeout(async () => {
                await p().sink(b.pressKick, level)
            }, 0)
        },
        start: new ds.Button(startLocalServer(n.start, () => new PanelButtonServer(p(), b.start))),
        abort: new ds.Button(startLocalServer(n.abort, () => new PanelButtonServer(p(), b.abort))),
        door: new ds.Switch(startLocalServer(n.door, () => new PanelSwitchServer(p(), b.door))),
        statusLed: new ds.LightBulb(
            startLocalServer(n.statusLed, () => new PanelLampServer(p(), b.statusLed))
        ),
        buzzer: new ds.Buzzer(startLocalServer(n.buzzer, () => new PanelBuzzerServer(p(), b.buzzer))),
    }
}

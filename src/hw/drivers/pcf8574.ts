// PCF8574 8-bit quasi-bidirectional I/O expander (TI SCPS068): no registers, one byte read
// returns the pin levels, one byte written sets the output latch. A pin used as an input must
// be latched high (weak ~100 uA pull-up); an output is a strong sink when low and only that
// weak pull-up when high, so loads are wired active-low. At power-on every pin is high
// (datasheet "power-on reset"), i.e. all active-low outputs start OFF.
import * as ds from "@devicescript/core"
import { i2cXfer } from "./i2c-native"

/** 7-bit address with A2..A0 tied low (PCF8574; the PCF8574A variant starts at 0x38). */
export const PCF8574_ADDR = 0x20

export class Pcf8574 {
    private latch = 0xff
    private levels: number
    private healthy?: boolean
    private polling?: boolean
    private lastError = ""
    /** run after each poll: add to it, never remove */
    readonly listeners: (() => ds.AsyncVoid)[] = []

    /**
     * Touches no hardware until the first poll() or sink().
     * @param addr 7-bit I2C address
     * @param failLevels pin levels reported while the chip does not answer: each input's
     *   fail-safe level (e.g. abort pressed, door open)
     */
    constructor(
        private readonly addr: number,
        private readonly failLevels: number
    ) {
        this.levels = failLevels
    }

    /** Level of pin n (0..7) as last read, or its fail-safe level if the chip is silent. */
    level(n: number): boolean {
        return ((this.levels >> n) & 1) === 1
    }

    /** Drives pin n low (true) or releases it high (false). */
    async sink(n: number, on: boolean) {
        const next = on ? this.latch & ~(1 << n) : this.latch | (1 << n)
        if (next === this.latch) return
        this.latch = next
        try {
            await i2cXfer(this.addr, Buffer.from([this.latch]))
        } catch (e) {
            this.fail(e)
        }
    }

    /** Reads the inputs, then runs the listeners: call it every poll period (a bound method). */
    async poll() {
        if (this.polling) return // a slow bus: skip this period rather than pile up fibers
        this.polling = true
        try {
            const b = await i2cXfer(this.addr, hex``, 1)
            if (!this.healthy) {
                // first answer (or back after an error): re-assert the outputs it may have lost
                this.healthy = true
                await i2cXfer(this.addr, Buffer.from([this.latch]))
            }
            this.levels = b[0]
        } catch (e) {
            this.fail(e)
        }
        for (const l of this.listeners) {
            try {
                await l()
            } catch (e) {
                console.error(`pcf8574 listener: ${(e as Error).message}`)
            }
        }
        this.polling = false
    }

    private fail(e: any) {
        this.healthy = false
        this.levels = this.failLevels
        const msg = (e as Error).message
        if (msg !== this.lastError) {
            this.lastError = msg
            console.warn(`pcf8574@${this.addr}: ${msg}; inputs held at their fail-safe levels`)
        }
    }
}

// 16x2 character LCD on I2C, served as a Jacdac CharacterScreen: a Seeed Grove 16x2 LCD
// (JHD1802M1 module, AiP31068L HD44780-compatible controller at 0x3E,
// https://wiki.seeedstudio.com/Grove-16x2_LCD_Series/). The chip side sends what GroveRGBLCD
// from @devicescript/drivers sends (its init and render, byte for byte), without that class:
// it and the I2C driver base it brings cost ~1.2 KB of the firmware's 64 KB function area.
// The library's own startGroveRGBLCD16x2() is async, takes no role name and starts a local
// server even in the simulator; this one starts synchronously, uses the role name, binds to the
// simulated screen in the simulator, and keeps working (logging) when the LCD is absent.
import * as ds from "@devicescript/core"
import { Server } from "./server-core"
import { i2cXfer } from "./i2c-native"

const COLUMNS = 16
const ROWS = 2
/** 7-bit I2C address of the AiP31068L (0x7C >> 1) */
const LCD_ADDR = 0x3e

/** a control byte (0x80: command, 0x40: character data) and its value, in one I2C write */
async function lcdWrite(control: number, value: number) {
    await i2cXfer(LCD_ADDR, Buffer.from([control, value]))
}

/** Clear display and cursor home; the command takes up to 1.5 ms. */
async function lcdClear() {
    await lcdWrite(0x80, 0x01)
    await ds.delay(2)
}

/** HD44780 initialisation by instruction (datasheet p. 45-46): 2 lines, 5x8 dots, display on, entry left. */
async function lcdInit() {
    try {
        await ds.delay(5)
        await lcdWrite(0x80, 0x28) // function set: 2 lines
        await ds.delay(5)
        await lcdWrite(0x80, 0x28)
        await ds.delay(1)
        await lcdWrite(0x80, 0x28)
        await lcdWrite(0x80, 0x28)
        await lcdWrite(0x80, 0x0c) // display on, no cursor, no blink
        await lcdClear()
        await lcdWrite(0x80, 0x06) // entry mode: left to right, no shift
    } catch (e) {
        throw new Error("I2C device not found or malfunctioning: " + (e as Error).message)
    }
}

/** Clears, then writes the message; "\n" starts the second line, characters past the screen are dropped. */
async function lcdRender(message: string) {
    await lcdClear()
    let col = 0
    let row = 0
    for (let i = 0; i < message.length; ++i) {
        const c = message.charCodeAt(i)
        if (c === 10) {
            col = 0
            row += 1
            await lcdWrite(0x80, 0xc0) // DDRAM address 0x40: second line, first column
        } else if (c !== 13) {
            if (col < COLUMNS && row < ROWS) await lcdWrite(0x40, c)
            col += 1
        }
    }
}

/**
 * A Jacdac CharacterScreen server (ds.CharacterScreenServerSpec; rows, columns, variant: `regs`).
 * Start it with startLocalServer(role, LcdScreenServer) (the simulated screen in the simulator).
 */
export class LcdScreenServer extends Server {
    /** the message register (a field: server-core.ts) */
    message = ""
    private shown: string = undefined
    private ready?: boolean
    private busy?: boolean
    private failures = 0

    constructor() {
        super(ds.CharacterScreen.spec)
        // 2 rows, 16 columns, variant LCD (ds.CharacterScreenVariant.LCD = 1)
        this.regs = JSON.parse('{"rows":2,"columns":16,"variant":1}')
    }

    set_message(value: string) {
        this.message = value || ""
        this.refresh.start()
    }

    /** Renders the latest message; one render at a time, later messages win. */
    private async refresh() {
        if (this.busy) return
        this.busy = true
        try {
            while (this.shown !== this.message) {
                const t = this.message
                if (!this.ready) {
                    await lcdInit()
                    this.ready = true
                }
                await lcdRender(t)
                this.shown = t
            }
        } catch (e) {
            this.ready = false
            if (this.failures++ === 0) console.warn(`lcd: ${(e as Error).message}`)
        } finally {
            this.busy = false
        }
    }
}

// 16x2 character LCD on I2C, served as a Jacdac CharacterScreen. The chip side reuses
// GroveRGBLCD from @devicescript/drivers: a Seeed Grove 16x2 LCD (JHD1802M1 module, AiP31068L
// HD44780-compatible controller at 0x3E, https://wiki.seeedstudio.com/Grove-16x2_LCD_Series/).
// The library's own startGroveRGBLCD16x2() is async, takes no role name and starts a local
// server even in the simulator; this one starts synchronously, uses the role name, binds to the
// simulated screen in the simulator, and keeps working (logging) when the LCD is absent.
import * as ds from "@devicescript/core"
import { Server } from "@devicescript/server"
import { GroveRGBLCD } from "@devicescript/drivers"
import { startLocalServer } from "./local-server"

const COLUMNS = 16
const ROWS = 2

export class LcdScreenServer extends Server implements ds.CharacterScreenServerSpec {
    private text = ""
    private shown: string = undefined
    private ready = false
    private busy = false
    private failures = 0
    private readonly lcd = new GroveRGBLCD({ columns: COLUMNS, rows: ROWS, dotsize: 0 })

    constructor() {
        super(ds.CharacterScreen.spec)
    }

    message() {
        return this.text
    }
    set_message(value: string) {
        this.text = value || ""
        this.refresh.start()
    }
    rows() {
        return ROWS
    }
    columns() {
        return COLUMNS
    }
    variant() {
        return ds.CharacterScreenVariant.LCD
    }

    /** Renders the latest message; one render at a time, later messages win. */
    private async refresh() {
        if (this.busy) return
        this.busy = true
        try {
            while (this.shown !== this.text) {
                const t = this.text
                if (!this.ready) {
                    await this.lcd.init()
                    this.ready = true
                }
                await this.lcd.render(t)
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

/** Starts the LCD server on the device (the simulated screen in the simulator). */
export function startLcd16x2(name: string): ds.CharacterScreen {
    return new ds.CharacterScreen(startLocalServer(name, () => new LcdScreenServer()))
}

// Builds every applicator role (src/hw/roles.ts) on the selected board: GPIO servers from the
// runtime for the heater, press motor and home end stop, TypeScript servers for the analog
// front-ends and the I2C operator panel. Both boards (boards/*.board.json) use the same pin
// names; circuits, part numbers and the source of each constant are in boards/README.md.
// In the simulator no hardware is touched: every role is a plain client named ROLE.x, bound to
// the simulated servers on the bus, and kickHeaterOneShot() does nothing.
import * as ds from "@devicescript/core"
import { startButton, startMotor, startRelay } from "@devicescript/servers"
import { BOARD_ID, pins } from "../gen/board"
import { Io, ROLE } from "./roles"
import { ADC_ESP32C3, ADC_ESP32S3, AdcScale, inverseDistanceM, linearPositionM } from "./drivers/analog-math"
import { NtcOptions, NtcTemperatureServer } from "./drivers/ntc"
import { AnalogLoadCellServer, LoadCellOptions } from "./drivers/load-cell"
import { AnalogDistanceOptions, AnalogDistanceServer } from "./drivers/analog-distance"
import { PanelOptions, startPanel } from "./drivers/panel"
import { PCF8574_ADDR } from "./drivers/pcf8574"
import { LcdScreenServer } from "./drivers/lcd"
import { startLocalServer } from "./drivers/local-server"
import { HeaterOneShot } from "./drivers/heater-oneshot"

export interface IoOptions {
    /**
     * Per-unit ADC gain trim: the mV that a 100 % raw reading stands for on this chip
     * (default: the chip's nominal value in analog-math.ts). Measured once by the technician.
     */
    adcFullScaleMv?: number
}

// (The plain tables below are parsed from strings, as the firmware's other tables: README,
// "DeviceScript traps".)

// Both NTCs: 100 kOhm at 25 degC, B(25/50) = 3950 K, the "100K NTC 3950" glass bead used on
// 3D-printer hot ends (e.g. Marlin's thermistor table for "100k NTC 3950"); check the part's
// datasheet.
// Film NTC: above a 10 kOhm resistor; 0.30 V at 25 degC, 1.83 V at 95 degC, resolves up to
// ~126 degC before the pin leaves the ADC's accurate range.
// The constant registers served with each front-end (minReading, maxReading, readingError or
// readingResolution, variant: server-core.ts), in their Jacdac units (degC, kg, m).
const FILM_NTC: NtcOptions = JSON.parse('{"ntc":{"r25Ohm":100000,"betaK":3950,"fixedOhm":10000},"minReading":-20,"maxReading":125,"readingError":2}')
// Contact-tip NTC: 47 kOhm puts the steepest slope (~33 mV/K) at the 42 degC patient limit;
// resolves up to ~72 degC.
const TIP_NTC: NtcOptions = JSON.parse('{"ntc":{"r25Ohm":100000,"betaK":3950,"fixedOhm":47000},"minReading":-20,"maxReading":70,"readingError":1}')

// Load cell: 10 kg cell (maxReading), 1.0 mV/V, excited from 3.3 V -> 0.33 mV/kg; INA333 gain
// 1 + 100k/165 = 607 -> 200 mV/kg above a 300 mV REF (2.3 V at 10 kg); one ADC step is ~5 g.
const LOAD_CELL: LoadCellOptions = JSON.parse('{"amp":{"zeroMv":300,"mvPerKg":200},"minReading":0,"maxReading":10,"readingResolution":0.005}')

// Press potentiometer: 10 kOhm, 60 mm travel, below a 3.9 kOhm resistor from 3V3 ->
// 2374 mV over 60 mm = 39.57 mV/mm; home sits 3 mm above the bottom end (119 mV). Served
// range 0..maxM, +-1 mm.
const PRESS_POT: AnalogDistanceOptions = JSON.parse('{"params":{"zeroMv":119,"mvPerM":39567,"minM":-0.003,"maxM":0.057},"minReading":0,"maxReading":0.057,"readingError":0.001}')

// Sharp GP2Y0A41SK0F (sheet OP13008EN): Vo = 0.40 V typ at 30 cm, +2.25 V typ from 30 to 4 cm;
// a 10k/22k divider (x 0.6875) keeps its 3.1 V maximum under 2.45 V at the pin. kMvM and v0Mv
// are inverseDistanceFit((0.4 + 2.25) * 1000 * 22 / 32, 0.04, 0.4 * 1000 * 22 / 32, 0.3) as Node
// prints them (computed here at start-up they cost ~150 bytes of the function area). Served
// range minM..maxM, +-1 cm, variant 2 (ds.DistanceVariant.Infrared).
const IR_SENSOR: AnalogDistanceOptions = JSON.parse('{"params":{"kMvM":71.39423076923077,"v0Mv":37.01923076923077,"minM":0.04,"maxM":0.3},"minReading":0.04,"maxReading":0.3,"readingError":0.01,"variant":2}')

/** Operator panel PCF8574 pins (boards/README.md) and poll period (50 Hz). */
const PANEL_BITS: PanelOptions["bits"] = JSON.parse('{"start":0,"abort":1,"door":2,"statusLed":3,"buzzer":4,"pressKick":5,"heaterSense":6}')
const PANEL_POLL_MS = 20

function adcScale(opts: IoOptions): AdcScale {
    const nominal = (BOARD_ID as string) === "smile_s3" ? ADC_ESP32S3 : ADC_ESP32C3
    if (!opts.adcFullScaleMv) return nominal
    return { ...nominal, fullScaleMv: opts.adcFullScaleMv }
}

/** Starts every role with its outputs in the safe state: heater off, press stopped. */
export function startIo(opts: IoOptions = {}): Io {
    const sim = ds.isSimulator()
    const adc = adcScale(opts)
    const panel = startPanel({
        names: ROLE, // start, abort, door, heaterSense, statusLed, buzzer
        bits: PANEL_BITS,
        addr: PCF8574_ADDR,
        pollMs: PANEL_POLL_MS,
    })
    const oneShot = new HeaterOneShot(sim ? undefined : pins.HEATER_KICK)

    return {
        filmTemp: new ds.Temperature(startLocalServer(ROLE.filmTemp, NtcTemperatureServer, pins.FILM_NTC, adc, FILM_NTC)),
        contactTemp: new ds.Temperature(startLocalServer(ROLE.contactTemp, NtcTemperatureServer, pins.TIP_NTC, adc, TIP_NTC)),
        force: new ds.WeightScale(startLocalServer(ROLE.force, AnalogLoadCellServer, pins.FORCE, adc, LOAD_CELL)),
        pressPos: new ds.Distance(startLocalServer(ROLE.pressPos, AnalogDistanceServer, pins.PRESS_POS, adc, PRESS_POT, linearPositionM)),
        distance: new ds.Distance(startLocalServer(ROLE.distance, AnalogDistanceServer, pins.ARCH_DIST, adc, IR_SENSOR, inverseDistanceM)),
        // Start-function configs must be literals (the compiler writes them into the image);
        // their names repeat ROLE.* by hand.
        press: sim
            ? new ds.Motor(ROLE.press)
            : startMotor({ name: "press", pin1: pins.PRESS_IN1, pin2: pins.PRESS_IN2 }),
        heater: sim ? new ds.Relay(ROLE.heater) : startRelay({ name: "heater", pin: pins.HEATER_SSR }),
        pressHome: sim
            ? new ds.Button(ROLE.pressHome)
            : startButton({ name: "pressHome", pin: pins.PRESS_HOME, activeHigh: true }),
        door: panel.door,
        heaterSense: panel.heaterSense,
        start: panel.start,
        abort: panel.abort,
        statusLed: panel.statusLed,
        buzzer: panel.buzzer,
        display: new ds.CharacterScreen(startLocalServer(ROLE.display, LcdScreenServer)),
        kickHeaterOneShot: oneShot.kick, // a bound method
        kickPressOneShot: panel.kickPress,
    }
}

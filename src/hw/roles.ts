// The applicator's Jacdac roles: the contract between the firmware and whatever serves the
// hardware (the board's own servers on a chip, the host simulator on the bus). Role names are
// stable; docs/roles.md lists them with their units and meaning.
import * as ds from "@devicescript/core"

/** The role names: each role's name is its key. */
export interface RoleNames {
    /** Temperature, °C: film temperature (NTC on the heater plate) */
    filmTemp: string
    /** Temperature, °C: patient-contact tip temperature */
    contactTemp: string
    /** WeightScale, kg (force = kg x 9.80665 N): press load cell */
    force: string
    /** Distance, m: press position from home (0 = fully retracted) */
    pressPos: string
    /** Distance, m: arch-scan distance sensor on the press head */
    distance: string
    /** Motor, speed -1..1 (positive = toward the patient): press actuator */
    press: string
    /** Relay, enabled: film heater (re-asserted every tick while on; see heater one-shot) */
    heater: string
    /** Switch, on = lid/door closed */
    door: string
    /** Switch, on = heater supply live after the relay (a welded relay reads on while commanded off) */
    heaterSense: string
    /** Button, pressed = press at its home end stop */
    pressHome: string
    /** Button: physical start (always required to start a cycle) */
    start: string
    /** Button: abort, works in every state */
    abort: string
    /** LightBulb, intensity 0..1: status lamp (steady = ready/running, blinking = fault) */
    statusLed: string
    /** Buzzer: end of cycle and fault tones */
    buzzer: string
    /** CharacterScreen: 2 x 16 status display */
    display: string
}

// Parsed from a string, as the firmware's other tables (README, "DeviceScript traps").
export const ROLE: RoleNames = JSON.parse(
    '{"filmTemp":"filmTemp","contactTemp":"contactTemp","force":"force","pressPos":"pressPos","distance":"distance","press":"press","heater":"heater","door":"door","heaterSense":"heaterSense","pressHome":"pressHome","start":"start","abort":"abort","statusLed":"statusLed","buzzer":"buzzer","display":"display"}')

export interface Io {
    filmTemp: ds.Temperature
    contactTemp: ds.Temperature
    force: ds.WeightScale
    pressPos: ds.Distance
    distance: ds.Distance
    press: ds.Motor
    heater: ds.Relay
    door: ds.Switch
    heaterSense: ds.Switch
    pressHome: ds.Button
    start: ds.Button
    abort: ds.Button
    statusLed: ds.LightBulb
    buzzer: ds.Buzzer
    display: ds.CharacterScreen
    /**
     * Re-triggers the heater's hardware one-shot. Called on every control tick that has the
     * heater on, and only then: on a board it toggles the keep-alive pin of a retriggerable
     * monostable (74HC123) that gates the heater's supply, so a hung program, or a fault that
     * commands the heater off while its SSR is welded on, loses heater power within the
     * one-shot window. On the simulator the relay register write "on" is the re-assert and
     * this does nothing.
     */
    kickHeaterOneShot(): void
    /**
     * Re-triggers the press driver's one-shot (its enable). Called by every healthy control
     * tick, so a hung program also stops the press; a no-op on the simulator.
     */
    kickPressOneShot(): void
}

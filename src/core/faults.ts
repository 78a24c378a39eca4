// Fault codes: stable numbers a technician reads off the display and looks up in
// docs/faults.md. Never renumber; add new codes at the end of their group.

export enum FaultCode {
    None = 0,
    FilmOverTemp = 10,
    ContactOverTemp = 11,
    OverForce = 12,
    ThermalRunaway = 20,
    HeaterUncommandedRise = 21,
    HoldDeviation = 22,
    SensorImplausible = 30,
    SensorStale = 31,
    SensorStuck = 32,
    ActuatorLost = 33,
    PressStall = 40,
    PressNoContact = 41,
    PhaseTimeout = 42,
    DoorOpen = 50,
    Abort = 51,
    TickOverrun = 60,
    ControlError = 61,
    /** recorded at boot for a cycle a power loss or restart cut short (never tripped by a tick) */
    PowerLost = 62,
    AutotuneRejected = 70,
}

/** Which sensor a sensor fault concerns; numbers are stable (they are logged). */
export enum SensorId {
    None = 0,
    FilmTemp = 1,
    ContactTemp = 2,
    Force = 3,
    Position = 4,
}

export interface Fault {
    code: FaultCode
    sensor: SensorId
    /** the offending value in the unit of the check (0.1 °C, mN, µm, ms), integer */
    value: number
    /** the limit it was checked against, same unit, integer */
    limit: number
    atMs: number
}

/** Latching faults persist (flash) until a technician clears them; operator-level ones do not. */
export function isLatching(code: FaultCode): boolean {
    return code !== FaultCode.None && code !== FaultCode.Abort && code !== FaultCode.DoorOpen &&
        code !== FaultCode.AutotuneRejected && code !== FaultCode.PowerLost
}

const NAMES: string[] = []
NAMES[FaultCode.None] = "none"
NAMES[FaultCode.FilmOverTemp] = "film over temperature"
NAMES[FaultCode.ContactOverTemp] = "contact over temperature"
NAMES[FaultCode.OverForce] = "over force"
NAMES[FaultCode.ThermalRunaway] = "thermal runaway: no rise while heating"
NAMES[FaultCode.HeaterUncommandedRise] = "heater rising while off"
NAMES[FaultCode.HoldDeviation] = "temperature outside hold band"
NAMES[FaultCode.SensorImplausible] = "sensor reading implausible"
NAMES[FaultCode.SensorStale] = "sensor lost (no fresh reading)"
NAMES[FaultCode.SensorStuck] = "sensor stuck"
NAMES[FaultCode.ActuatorLost] = "actuator not connected"
NAMES[FaultCode.PressStall] = "press stalled"
NAMES[FaultCode.PressNoContact] = "press found no contact"
NAMES[FaultCode.PhaseTimeout] = "phase timed out"
NAMES[FaultCode.DoorOpen] = "door opened"
NAMES[FaultCode.Abort] = "aborted"
NAMES[FaultCode.TickOverrun] = "control tick overrun"
NAMES[FaultCode.ControlError] = "control logic error"
NAMES[FaultCode.PowerLost] = "power lost during a cycle"
NAMES[FaultCode.AutotuneRejected] = "autotune rejected"

export function faultName(code: FaultCode): string {
    return NAMES[code] || "unknown fault"
}

export function makeFault(code: FaultCode, sensor: SensorId, value: number, limit: number, atMs: number): Fault {
    return { code: code, sensor: sensor, value: Math.round(value), limit: Math.round(limit), atMs: atMs }
}

/** Short form for a 16x2 character display and logs, e.g. "E10 S1 v=951". */
export function faultLabel(f: Fault): string {
    let s = "E" + f.code
    if (f.sensor !== SensorId.None) s += " S" + f.sensor
    return s + " v=" + f.value
}

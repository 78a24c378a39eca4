// Fault codes: stable numbers a technician reads off the display and looks up in
// docs/faults.md. Never renumber; add new codes at the end of their group.

export enum FaultCode {
    None = 0,
    FilmOverTemp = 10,
    ContactOverTemp = 11,
    OverForce = 12,
    /** the load cell reads less than the press's penetration past contact must produce (independent of the cell's own limit) */
    ForceImplausible = 13,
    ThermalRunaway = 20,
    HeaterUncommandedRise = 21,
    HoldDeviation = 22,
    /** the heater-supply sense reads live with the relay commanded off: one of the two cut-offs is gone */
    HeaterRelayWelded = 23,
    /** the film reads below the unheated contact tip (a film sensor reading low) */
    FilmBelowContact = 24,
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

// Names by code (docs/faults.md), in a JSON string the compiler folds into a constant: parsed
// only when a name is asked for (a fault, a technician's query), so the names are not held in
// the heap (parsed at the top level they were, for the program's life); as statements they cost
// ~120 bytes of the firmware's 64 KB function area (README, "DeviceScript traps").
const NAMES = '["none",null,null,null,null,null,null,null,null,null,"film over temperature","contact over temperature","over force","force implausible: press past contact",null,null,null,null,null,null,"thermal runaway: no rise while heating","heater rising while off","temperature outside hold band","heater relay welded","film reads below the contact tip",null,null,null,null,null,"sensor reading implausible","sensor lost (no fresh reading)","sensor stuck","actuator not connected",null,null,null,null,null,null,"press stalled","press found no contact","phase timed out",null,null,null,null,null,null,null,"door opened","aborted",null,null,null,null,null,null,null,null,"control tick overrun","control logic error","power lost during a cycle",null,null,null,null,null,null,null,"autotune rejected"]'

export function faultName(code: FaultCode): string {
    return JSON.parse(NAMES)[code] || "unknown fault"
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

// What an operator at the console should do about each fault code (src/core/faults.ts), one
// sentence each. The technician's diagnosis per code is in docs/faults.md; this is the
// chair-side step. Every code has an entry (test/hub/console-api.test.ts checks it).
import { FaultCode, faultName, isLatching } from "../../src/core/faults"

const GUIDANCE: Record<number, string> = {
    [FaultCode.FilmOverTemp]: "Stop using the device, keep the door closed until it cools, and call a technician: the film got hotter than the device allows.",
    [FaultCode.ContactOverTemp]: "Check the patient's comfort, stop using the device and call a technician: the tip got warmer than the patient-contact limit.",
    [FaultCode.OverForce]: "Check the patient, stop using the device and call a technician to check the press and its load cell.",
    [FaultCode.ForceImplausible]: "Check the patient, stop using the device and call a technician: the press went further than the force it read allows, so the load cell may read low.",
    [FaultCode.ThermalRunaway]: "Stop using the device and call a technician: the heater did not warm the film as commanded.",
    [FaultCode.HeaterUncommandedRise]: "Switch the device off at the mains and call a technician: the heater warmed while it was commanded off.",
    [FaultCode.HoldDeviation]: "Move the device away from drafts and call a technician to check the heater and retune it.",
    [FaultCode.HeaterRelayWelded]: "Do not start another cycle and call a technician: the heater relay is welded on, so only the backup cut-off is left; it must be replaced.",
    [FaultCode.FilmBelowContact]: "Stop using the device and call a technician: the film sensor reads colder than the tip, so it may read low and the film run hotter than shown.",
    [FaultCode.SensorImplausible]: "Call a technician to check the sensor wiring shown as S on the display; do not start another cycle.",
    [FaultCode.SensorStale]: "Call a technician to check the sensor's cable; do not start another cycle.",
    [FaultCode.SensorStuck]: "Call a technician to replace the sensor shown as S on the display; do not start another cycle.",
    [FaultCode.ActuatorLost]: "Call a technician to check the heater and press connections; do not start another cycle.",
    [FaultCode.PressStall]: "Keep hands clear of the press and call a technician: the press stopped moving and was left where it is.",
    [FaultCode.PressNoContact]: "Check that the arch is seated in the device, then call a technician to clear the fault.",
    [FaultCode.PhaseTimeout]: "Call a technician: a phase took longer than allowed (heater power or press).",
    [FaultCode.DoorOpen]: "Close the door and prepare a new session; the aborted cycle's record is kept.",
    [FaultCode.Abort]: "Nothing to fix: the cycle was aborted on purpose; prepare a new session when ready.",
    [FaultCode.TickOverrun]: "Call a technician and give them the device log: the firmware fell behind its control timing.",
    [FaultCode.ControlError]: "Call a technician and give them the device log: the control logic failed and the device went to its safe state.",
    [FaultCode.PowerLost]: "The power went during this cycle and the heater stopped with it: check the film and the patient, then the supply, before a new cycle.",
    [FaultCode.AutotuneRejected]: "Nothing to do now: the previous heater settings stay in use; a technician may retry the autotune.",
}

export interface FaultGuidance {
    code: number
    name: string
    latching: boolean
    /** what the operator does, one sentence */
    action: string
}

/** Every fault code with its guidance (None excluded). */
export function faultGuidanceTable(): FaultGuidance[] {
    const out: FaultGuidance[] = []
    for (const v of Object.values(FaultCode)) {
        if (typeof v !== "number" || v === FaultCode.None) continue
        out.push(guidanceFor(v))
    }
    return out.sort((a, b) => a.code - b.code)
}

export function guidanceFor(code: number): FaultGuidance {
    const action = GUIDANCE[code] ?? "Unknown fault code: call a technician and give them the code shown on the display."
    return { code, name: faultName(code as FaultCode), latching: isLatching(code as FaultCode), action }
}

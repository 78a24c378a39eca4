// What the hub knows about a device's upkeep, for the technician's view of the device page:
// the calibrations in force, from the calibration records the device writes whenever its set of
// calibrations changes (one id per channel, CAL_CHANNELS order; src/compliance.ts), and the last
// fault clear. A calibration's validity (its due date), the firmware build and self-test results
// stay on the device: nothing the device sends the hub carries them.
import type { HubContext } from "./context"
import { getDevice } from "./devices"
import { queryRecords } from "./records-query"
import { RecordKind } from "../../src/core/records/types"
import { CAL_CHANNELS } from "../../src/core/calibration/calibration"

/** calibration records read to find when each channel's calibration was first noted */
const CALIBRATION_RECORDS_READ = 50

export interface ChannelCalibration {
    channel: string
    /** the calibration's id (first 16 hex digits of its hash), null when the channel has none */
    id: string | null
    /** the device's wall time of the first record that listed this id (0 = its clock was not set) */
    notedAtUnixS: number | null
    seq: number | null
}

export interface Maintenance {
    calibrations: ChannelCalibration[] | null
    lastFaultClear: { seq: number; atUnixS: number; by: string; code: number | null } | null
}

export async function maintenanceOf(ctx: HubContext, deviceId: string): Promise<Maintenance> {
    await getDevice(ctx, deviceId)
    const cals = (await queryRecords(ctx, { device: deviceId, kind: RecordKind.Calibration, limit: CALIBRATION_RECORDS_READ, offset: 0 })).records
    const clear = (await queryRecords(ctx, { device: deviceId, kind: RecordKind.FaultClear, limit: 1, offset: 0 })).records[0]
    const calibrations = cals.length === 0 ? null : CAL_CHANNELS.map((channel, i) => {
        const id = cals[0].record.calibrationIds[i] || null
        // newest first: walk back while the channel kept the same id
        let first = cals[0]
        for (const r of cals) {
            if ((r.record.calibrationIds[i] || null) !== id) break
            first = r
        }
        return { channel, id, notedAtUnixS: id ? first.record.wallUnixS : null, seq: id ? first.seq : null }
    })
    return {
        calibrations,
        lastFaultClear: clear ? { seq: clear.seq, atUnixS: clear.record.wallUnixS, by: clear.record.operatorId, code: clear.record.faults[0]?.code ?? null } : null,
    }
}

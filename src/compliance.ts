// What makes a cycle allowed and accounted for, composed once for the device image and the
// simulator's device image: the provisioned identity, the sensor calibrations (also applied to
// every reading), the approval check (src/trust.ts: bundle, template, calibrations, clock) and
// the compliance records (src/records.ts: one per cycle, durable before the cycle shows
// complete). The approval check runs again every few seconds while idle, so a clock that
// arrives, a bundle that expires or a calibration that runs out takes effect without a reboot.
import * as ds from "@devicescript/core"
import { MANIFEST } from "./gen/manifest"
import { Controller } from "./core/controller"
import { ControlEvent } from "./core/cycle/events"
import { CalibrationStore } from "./core/calibration/store"
import { nextBootId } from "./core/records/boot"
import { RecordQueue } from "./core/records/queue"
import { CycleRecordBuilder } from "./core/records/builder"
import { ClockAnchor, wallUnixS } from "./core/wall-clock"
import { SettingsKv } from "./hw/kv-settings"
import { dsCrypto } from "./hw/crypto-ds"
import { loadIdentity } from "./identity"
import { Trust } from "./trust"
import { RecordService } from "./records"
import { AppOptions } from "./app"

const REEVALUATE_MS = 5000

/** The application options for an image whose wall clock comes from `anchor` (null: unknown). */
export function complianceOptions(anchor: () => ClockAnchor | null): AppOptions {
    const kv = new SettingsKv()
    const cal = new CalibrationStore(kv, dsCrypto)
    let trust: Trust | null = null
    let recs: RecordService | null = null
    return {
        arm: async (ctrl: Controller) => {
            const id = await loadIdentity()
            await cal.load()
            const builder = new CycleRecordBuilder(await nextBootId(kv))
            const q = id ? await RecordQueue.open(kv, dsCrypto, MANIFEST.records.queueCapacityRecords, id.deviceId, id.keyHex) : null
            recs = new RecordService(q, builder, anchor)
            const t = new Trust(kv, id, cal, builder, ctrl)
            trust = t
            await t.evaluate(wallUnixS(anchor(), ds.millis()))
            setInterval(async () => {
                await t.evaluate(wallUnixS(anchor(), ds.millis()))
            }, REEVALUATE_MS)
        },
        notReady: () => (trust ? trust.notReady : "starting"),
        calibrator: cal,
        logHasRoom: () => !!recs && recs.hasRoom(),
        onEvent: (e: ControlEvent) => {
            if (recs) recs.onEvent(e)
        },
        saving: () => !!recs && recs.savingRecord(),
    }
}

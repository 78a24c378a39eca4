// The firmware's hub sync glue (src/sync.ts, src/hw/http.ts) in the DeviceScript VM, against a
// real hub over HTTP. Driven by test/e2e/sync-glue.test.ts, which starts the hub, approves a
// template, registers the device and writes ./target.gen.ts; the hub side of each check (the
// record stored once and verified, the status report) is asserted there.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { TARGET } from "./target.gen"
import { MANIFEST } from "../../src/gen/manifest"
import { Controller } from "../../src/core/controller"
import { MemoryKv } from "../../src/core/store/kv"
import { BlobStore, BlobStatus } from "../../src/core/store/blob"
import { BundleStore } from "../../src/core/bundle/store"
import { fromBase64 } from "../../src/core/codec/base64"
import { CalibrationStore, saveCalibration } from "../../src/core/calibration/store"
import { makeCalibration } from "../../src/core/calibration/calibration"
import { CycleRecordBuilder, draftRecord } from "../../src/core/records/builder"
import { RecordQueue } from "../../src/core/records/queue"
import { RecordKind } from "../../src/core/records/types"
import { dsCrypto } from "../../src/hw/crypto-ds"
import { RecordService } from "../../src/records"
import { Trust, TEMPLATE_PREFIX } from "../../src/trust"
import { DeviceSync } from "../../src/sync"

const id = { deviceId: TARGET.deviceId, keyHex: TARGET.keyHex }

async function device(kv: MemoryKv, hubUrl: string) {
    const m = MANIFEST
    const ctrl = new Controller(m, { kpMicroPerDegC: m.control.kpMicroPerDegC, kiMicroPerDegCSec: m.control.kiMicroPerDegCSec, kdMicroSecPerDegC: m.control.kdMicroSecPerDegC })
    const cal = new CalibrationStore(kv, dsCrypto)
    const channels = ["filmTemp", "contactTemp", "force"]
    const refs = [[250, 950], [250, 450], [0, 50000]]
    for (let i = 0; i < 3; i++)
        await saveCalibration(cal, makeCalibration({
            channel: channels[i], refLow: refs[i][0], readLow: refs[i][0], refHigh: refs[i][1], readHigh: refs[i][1],
            technician: "vm-test", reference: "exact", atUnixS: TARGET.nowS - 60, expiresUnixS: TARGET.nowS + 86400,
        }, dsCrypto))
    await cal.load()
    const builder = new CycleRecordBuilder(7)
    const q = await RecordQueue.open(kv, dsCrypto, 8, id.deviceId, id.keyHex)
    const recs = new RecordService(q, builder, () => null)
    const trust = new Trust(kv, id, cal, builder, ctrl)
    return { ctrl, q, recs, trust, sync: new DeviceSync(hubUrl, id, kv, trust, recs, ctrl, null) }
}

describe("hub sync glue", () => {
    test("a fresh device gets the clock, its bundle and the template, arms, and uploads its record", async () => {
        const kv = new MemoryKv()
        const d = await device(kv, TARGET.hubUrl)
        const draft = draftRecord(RecordKind.Cycle, 7, 1234, TARGET.nowS)
        draft.outcome = 1
        await d.q.append(draft)
        expect(d.q.next - d.q.head).toBe(1)
        await d.sync.round()
        // the hub's time, within the test's own run time of the hub's clock
        expect(d.sync.anchor !== null).toBe(true)
        expect(Math.abs(d.sync.anchor.unixS - TARGET.nowS) < 300).toBe(true)
        const b = await new BundleStore(kv, dsCrypto, id.deviceId, id.keyHex).load()
        expect(b.bundleVersion >= 1).toBe(true)
        expect(b.approved.indexOf(TARGET.templateHash) >= 0).toBe(true)
        const t = await new BlobStore(kv, dsCrypto, TEMPLATE_PREFIX).load()
        expect(t.status).toBe(BlobStatus.Ok)
        expect(dsCrypto.sha256Hex(fromBase64(t.value, "t"))).toBe(TARGET.templateHash)
        // the cycle record was acknowledged, so the queue released it; installing the template
        // wrote a template-install record (seq 2), which the next round uploads
        while (d.recs.pending.length > 0) await ds.sleep(20)
        expect(d.q.head).toBe(2)
        expect(d.q.next).toBe(3)
        expect(d.sync.schedule.failures).toBe(0)
        // bundle, template and calibrations all pass: the controller is armed with the template's process
        expect(d.trust.notReady).toBe("")
        expect(d.ctrl.armedProcess !== null).toBe(true)
        expect(d.ctrl.armedProcess.filmDeciC).toBe(TARGET.filmDeciC)
        await ds.sleep(0)
        // a second round: nothing new (the bundle answers 304), the next record goes up
        const d2 = draftRecord(RecordKind.Cycle, 7, 5678, TARGET.nowS + 60)
        d2.outcome = 2
        await d.q.append(d2)
        await d.sync.round()
        expect(d.q.next - d.q.head).toBe(0)
        expect(d.q.next).toBe(4)
        expect(d.sync.schedule.failures).toBe(0)
    })

    test("a hub that cannot be reached fails the round, keeps the record and backs off", async () => {
        const kv = new MemoryKv()
        const d = await device(kv, TARGET.deadUrl)
        const draft = draftRecord(RecordKind.Cycle, 7, 99, TARGET.nowS)
        await d.q.append(draft)
        await d.sync.round()
        expect(d.sync.anchor === null).toBe(true)
        expect(d.q.next - d.q.head).toBe(1)
        expect(d.sync.schedule.failures).toBe(1)
        // the first retry waits between half and all of the 2 s backoff base (src/core/sync/backoff.ts)
        const wait = d.sync.schedule.dueMs - ds.millis()
        expect(wait > 900 && wait <= 2000).toBe(true)
    })
})

// The device's record service (src/records.ts) in the VM, on an in-memory store: a cycle's start
// marker and its removal once the cycle's record is durable; the record of a cycle a power loss
// cut short, written at the next boot exactly once; records of the other kinds.
import * as ds from "@devicescript/core"
import { describe, test, expect } from "@devicescript/test"
import { MemoryKv } from "../../src/core/store/kv"
import { RecordQueue, readRecord } from "../../src/core/records/queue"
import { CycleRecordBuilder } from "../../src/core/records/builder"
import { RecordKind } from "../../src/core/records/types"
import { openRecord } from "../../src/core/records/codec"
import { event, EventKind, Phase, Outcome } from "../../src/core/cycle/events"
import { FaultCode } from "../../src/core/faults"
import { dsCrypto } from "../../src/hw/crypto-ds"
import { RecordService, KEY_OPEN_CYCLE } from "../../src/records"

const DEV = "SFA1-VMREC01"
const KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
const HASH_T = "aa00000000000000000000000000000000000000000000000000000000000011"
const HASH_I = "bb00000000000000000000000000000000000000000000000000000000000022"

async function service(kv: MemoryKv) {
    const q = await RecordQueue.open(kv, dsCrypto, 8, DEV, KEY)
    const b = new CycleRecordBuilder(4)
    b.prepare({ operatorId: "op-1", templateId: HASH_I, templateHash: HASH_T, bundleVersion: 9, calibrationIds: [], fit: null })
    return { q, recs: new RecordService(q, b, () => ({ unixS: 1750000000, atUptimeMs: 0 })) }
}

async function settle(recs: RecordService) {
    for (let i = 0; i < 100 && recs.pending.length > 0; i++) await ds.sleep(10)
    // the marker write runs on its own fiber, due 1 ms after the event: sleep in steps, since
    // one sleep can end in the same VM turn as the fiber's timer (the runner's GC stress makes
    // the code before it slow enough) and then the test may run on first
    for (let i = 0; i < 4; i++) await ds.sleep(5)
}

async function last(q: RecordQueue) {
    return openRecord(await readRecord(q, q.next - 1), KEY, dsCrypto).record
}

describe("record service", () => {
    test("a cycle writes a start marker and removes it once its record is durable", async () => {
        const kv = new MemoryKv()
        const d = await service(kv)
        d.recs.onEvent(event(EventKind.PhaseStart, 100, Phase.Preflight, 0))
        await settle(d.recs)
        const mark = await kv.read(KEY_OPEN_CYCLE)
        expect(mark !== null).toBe(true)
        expect(mark.split(":")[0]).toBe("1")
        expect(mark.split(":")[4]).toBe(HASH_T)
        d.recs.onEvent(event(EventKind.Outcome, 900, Phase.Complete, Outcome.Complete))
        await settle(d.recs)
        expect(d.q.next).toBe(2)
        expect(await kv.read(KEY_OPEN_CYCLE)).toBe(null)
    })

    test("a marker left by a power loss becomes one faulted record (E62) at the next boot", async () => {
        const kv = new MemoryKv()
        const d = await service(kv)
        d.recs.onEvent(event(EventKind.PhaseStart, 100, Phase.Preflight, 0))
        await settle(d.recs)
        // power lost here: no outcome. The next boot opens the same flash.
        const again = await service(kv)
        await again.recs.recoverInterrupted()
        await settle(again.recs)
        expect(again.q.next).toBe(2)
        const r = await last(again.q)
        expect(r.kind).toBe(RecordKind.Cycle)
        expect(r.outcome).toBe(Outcome.Faulted)
        expect(r.faults.length).toBe(1)
        expect(r.faults[0].code).toBe(FaultCode.PowerLost)
        expect(r.bootId).toBe(4)
        expect(r.uptimeMs).toBe(100)
        expect(r.templateHash).toBe(HASH_T)
        expect(r.bundleVersion).toBe(9)
        expect(await kv.read(KEY_OPEN_CYCLE)).toBe(null)
        // a third boot finds nothing to recover
        const third = await service(kv)
        await third.recs.recoverInterrupted()
        await settle(third.recs)
        expect(third.q.next).toBe(2)
    })

    test("a marker whose record was written before the power went is only removed", async () => {
        const kv = new MemoryKv()
        const d = await service(kv)
        d.recs.onEvent(event(EventKind.PhaseStart, 100, Phase.Preflight, 0))
        await settle(d.recs)
        d.recs.onEvent(event(EventKind.Outcome, 900, Phase.Aborted, Outcome.Aborted))
        await settle(d.recs)
        // as if the power went between the record's append and the marker's removal
        await kv.write(KEY_OPEN_CYCLE, "1:4:100:1750000000:")
        const again = await service(kv)
        await again.recs.recoverInterrupted()
        await settle(again.recs)
        expect(again.q.next).toBe(2)
        expect(await kv.read(KEY_OPEN_CYCLE)).toBe(null)
    })

    test("template install, revoke and calibration records carry what their kind needs", async () => {
        const kv = new MemoryKv()
        const d = await service(kv)
        d.recs.note(RecordKind.TemplateInstall, HASH_T, 3, [])
        d.recs.note(RecordKind.Calibration, "", 0, ["c-film", "c-tip", "c-force"])
        await settle(d.recs)
        expect(d.q.next).toBe(3)
        const cal = await last(d.q)
        expect(cal.kind).toBe(RecordKind.Calibration)
        expect(cal.calibrationIds.join(",")).toBe("c-film,c-tip,c-force")
        expect(cal.wallUnixS >= 1750000000).toBe(true)
        const inst = openRecord(await readRecord(d.q, 1), KEY, dsCrypto).record
        expect(inst.kind).toBe(RecordKind.TemplateInstall)
        expect(inst.templateHash).toBe(HASH_T)
        expect(inst.bundleVersion).toBe(3)
        expect(inst.outcome).toBe(0)
    })
})

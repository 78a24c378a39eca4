// Verifier checks, shared by vitest and the VM: every tamper it must name (edit, deletion,
// reorder, duplicate, insertion, bad MAC, broken chain, truncation, wrong device, malformed),
// on chains of six records made through the queue. Expected findings by hand: which record
// each tamper touches, per docs/records.md section 7.

import { ZERO_HASH } from "../../src/core/codec/ints"
import { openRecord, OpenedRecord } from "../../src/core/records/codec"
import { GOLDEN_KEY, GOLDEN_DEVICE, rep } from "./golden"
import { RecordCheck, OTHER_KEY, chain, verify, findings, expectStr, reseal, tamper } from "./record-helpers"

export const CHAIN_CHECKS: RecordCheck[] = [
    { name: "the queue chains records: seq 1.., prevHash of seq 1 is zero, each prevHash the hash before", run: async (c, pause) => {
        const l = await chain(c, 4, pause)
        const rs: OpenedRecord[] = []
        for (const s of l) {
            await pause()
            rs.push(openRecord(s, GOLDEN_KEY, c))
        }
        if (rs[0].record.seq !== 1 || rs[0].record.prevHash !== ZERO_HASH) return "bad genesis"
        for (let i = 1; i < rs.length; i++)
            if (rs[i].record.seq !== i + 1 || rs[i].record.prevHash !== rs[i - 1].hash || !rs[i].macOk) return "bad link " + i
        return rs[3].record.deviceId === GOLDEN_DEVICE ? "ok" : "device id not filled in"
    } },
    { name: "an intact chain verifies", run: async (c, pause) => await tamper(c, pause, l => l, { lastSeq: 6 }, "ok") },
    { name: "edit without the key: bad MAC there, broken chain after", run: async (c, pause) => await tamper(c, pause, l => {
        l[2][l[2].length - 33] = 4 // the body's last byte, the outcome: zigzag 02 (complete) -> 04 (aborted)
        return l
    }, {}, "bad_mac@3,broken_chain@4") },
    { name: "edit re-MAC'd with the device key: the chain still shows it", run: async (c, pause) => await tamper(c, pause, l => {
        l[2] = reseal(l[2], c, GOLDEN_KEY, r => { r.outcome = 2 })
        return l
    }, {}, "broken_chain@4") },
    { name: "a deleted record is a gap", run: async (c, pause) => await tamper(c, pause, l => [l[0], l[1], l[3], l[4], l[5]], {}, "gap@3") },
    { name: "deleted records at the end are a truncation", run: async (c, pause) => await tamper(c, pause, l => l.slice(0, 4), { lastSeq: 6 }, "truncated@5") },
    { name: "deleted records at the start show against the hub's anchor", run: async (c, pause) => await tamper(c, pause, l => l.slice(2), {
        anchorSeq: 1, anchorHash: rep("00", 32) }, "gap@2") },
    { name: "a wrong anchor hash is a broken chain", run: async (c, pause) => await tamper(c, pause, l => l.slice(2), {
        anchorSeq: 2, anchorHash: rep("77", 32) }, "broken_chain@3") },
    { name: "two records swapped are a reorder", run: async (c, pause) => await tamper(c, pause, l => [l[0], l[1], l[3], l[2], l[4], l[5]], {}, "reorder@3") },
    { name: "a record replayed is a duplicate", run: async (c, pause) => await tamper(c, pause, l => [l[0], l[1], l[2], l[3], l[1], l[4], l[5]], {}, "duplicate@2") },
    { name: "a forged record inserted (no key): bad MAC, duplicate, broken chain", run: async (c, pause) => await tamper(c, pause, l => {
        const forged = reseal(l[3], c, OTHER_KEY, r => { r.outcome = 1; r.faults = [] })
        return [l[0], l[1], l[2], forged, l[3], l[4], l[5]]
    }, {}, "bad_mac@4,duplicate@4") },
    { name: "a forged record appended at the end (no key): bad MAC", run: async (c, pause) => await tamper(c, pause, l => {
        const next = reseal(l[5], c, OTHER_KEY, r => { r.seq = 7; r.prevHash = openRecord(l[5], GOLDEN_KEY, c).hash })
        return [l[0], l[1], l[2], l[3], l[4], l[5], next]
    }, {}, "bad_mac@7") },
    { name: "records of another device among these", run: async (c, pause) => await tamper(c, pause, l => {
        l[4] = reseal(l[4], c, GOLDEN_KEY, r => { r.deviceId = "SFA1-000043" })
        return l
    }, {}, "wrong_device@5,broken_chain@6") },
    { name: "a spliced-in record of another chain of the same device: broken chain", run: async (c, pause) => {
        const a = await chain(c, 6, pause)
        const other = reseal(a[3], c, GOLDEN_KEY, r => { r.prevHash = rep("99", 32) })
        return expectStr(await findings([a[0], a[1], a[2], other, a[4], a[5]], c, {}, pause), "broken_chain@4,broken_chain@5")
    } },
    { name: "bytes that are not a record are malformed", run: async (c, pause) => await tamper(c, pause, l => {
        l[1] = l[1].slice(0, 40)
        return l
    }, {}, "malformed@-1,gap@2") },
    { name: "under another key every MAC fails", run: async (c, pause) => {
        const l = await chain(c, 3, pause)
        const r = await verify(l, c, OTHER_KEY, {}, pause)
        return expectStr(r.findings.map(f => f.code + "@" + f.seq).join(","), "bad_mac@1,bad_mac@2,bad_mac@3")
    } },
]

// Record queue checks, shared by vitest and the VM: capacity and refusal when full, ack ranges,
// reopening after a reboot, bounded flash keys over a long run, the largest record, a capacity
// change, and a power cut at every write of an append and of an ack.

import { toHex } from "../../src/core/crypto"
import { MemoryKv } from "../../src/core/store/kv"
import { readRecord } from "../../src/core/records/queue"
import { openRecord } from "../../src/core/records/codec"
import { ChainVerifier } from "../../src/core/records/verify"
import { FaultCode, SensorId } from "../../src/core/faults"
import { GOLDEN_KEY, rep } from "./golden"
import { RecordCheck, draft, openQueue, expectStr, codeOf, sealedAs } from "./record-helpers"

const ZERO = "0000000000000000000000000000000000000000000000000000000000000000"

export const QUEUE_CHECKS: RecordCheck[] = [
    { name: "a full queue refuses the append, changes nothing, and hasRoom() is false", run: async (c, pause) => {
        const kv = new MemoryKv()
        const q = await openQueue(kv, c, 4)
        for (let k = 1; k <= 4; k++) {
            await pause()
            await q.append(draft(k))
        }
        const writes = kv.writes
        await pause()
        const code = await codeOf(async () => await q.append(draft(5)))
        return expectStr(code + " room=" + q.hasRoom() + " count=" + (q.next - q.head) + " next=" + q.next + " writes+" + (kv.writes - writes),
            "queue_full room=false count=4 next=5 writes+0")
    } },
    { name: "acks: idempotent, never skipping or naming unwritten records; then room again", run: async (c, pause) => {
        const kv = new MemoryKv()
        const q = await openQueue(kv, c, 4)
        for (let k = 1; k <= 4; k++) {
            await pause()
            await q.append(draft(k))
        }
        const out: string[] = []
        out.push(await codeOf(async () => await q.ack(3, 4))) // skips 1..2
        out.push(await codeOf(async () => await q.ack(1, 5))) // 5 not written
        out.push("" + (await q.ack(1, 2)))
        out.push("" + (await q.ack(1, 2))) // repeated: nothing
        out.push("room=" + q.hasRoom() + " head=" + q.head)
        const gone = (await readRecord(q, 1)) === null && (await readRecord(q, 2)) === null
        const kept = (await readRecord(q, 3)) !== null
        await pause()
        const a = await q.append(draft(5))
        await pause()
        const r5 = openRecord((await readRecord(q, a.seq)) as number[], GOLDEN_KEY, c).record
        await pause()
        const s4 = (await readRecord(q, 4)) as number[]
        await pause()
        const r4 = openRecord(s4, GOLDEN_KEY, c)
        out.push("gone=" + gone + " kept=" + kept + " seq=" + a.seq + " linked=" + (r5.prevHash === r4.hash))
        return expectStr(out.join(";"), "ack_range;ack_range;2;0;room=true head=3;gone=true kept=true seq=5 linked=true")
    } },
    { name: "reopened after a reboot: same next seq and chain, records read back byte for byte", run: async (c, pause) => {
        const kv = new MemoryKv()
        const q = await openQueue(kv, c, 8)
        const a1 = await q.append(draft(1))
        await pause()
        const a2 = await q.append(draft(2))
        await pause()
        const q2 = await openQueue(kv, c, 8)
        const b1 = toHex((await readRecord(q2, 1)) as number[])
        await pause()
        const b2 = toHex((await readRecord(q2, 2)) as number[])
        await pause()
        // the store's bytes (built in a Buffer) are the array path's bytes
        const e1 = toHex(sealedAs(draft(1), 1, ZERO, c))
        await pause()
        const back = b1 === e1 && b2 === toHex(sealedAs(draft(2), 2, a1.hash, c))
        return expectStr("next=" + q2.next + " last=" + (q2.last === a2.hash) + " back=" + back, "next=3 last=true back=true")
    } },
    { name: "a long run: 60 cycles of append, read back, ack in a queue of 4 (no leak, no drift)", run: async (c, pause) => {
        const kv = new MemoryKv()
        let q = await openQueue(kv, c, 4)
        for (let k = 1; k <= 60; k++) {
            await pause()
            const a = await q.append(draft(k))
            await pause()
            const back = await readRecord(q, a.seq)
            if (!back || openRecord(back, GOLDEN_KEY, c).hash !== a.hash) return "cycle " + k + ": read back failed"
            await pause()
            if (k % 3 === 0) await q.ack(q.head, a.seq) // the hub acks every third sync
            if (k % 20 === 0) q = await openQueue(kv, c, 4) // and the device reboots now and then
        }
        // flash use stays bounded: the state and 4 slots of 3 chunks, reused (never new keys)
        return expectStr("next=" + q.next + " count=" + (q.next - q.head) + " keys=" + kv.keys().length, "next=61 count=0 keys=13")
    } },
    { name: "the largest record the format allows fits the store (at most 10 chunks)", run: async (c, pause) => {
        const r = draft(1)
        r.operatorId = rep("o", 32)
        r.calibrationIds = [rep("a", 16), rep("b", 16), rep("c", 16), rep("d", 16)]
        for (const p of r.phases) p.durationMs = 281474976710655
        while (r.phases.length < 12) r.phases.push(r.phases[6])
        for (let i = 0; i < 4; i++) r.faults.push({ code: 255 as FaultCode, sensor: 255 as SensorId, value: -281474976710655, limit: 281474976710655, atMs: 281474976710655 })
        const q = await openQueue(new MemoryKv(), c, 4)
        await pause()
        const a = await q.append(r)
        await pause()
        const back = (await readRecord(q, 1)) as number[]
        await pause()
        const same = toHex(back) === toHex(sealedAs(r, a.seq, ZERO, c))
        return expectStr(same + " " + back.length + " bytes", "true " + back.length + " bytes")
    } },
    { name: "a power cut at every write of an append leaves the old or the new state, never a reused seq", run: async (c, pause) => {
        let cutShort = 0 // appends the cut interrupted: must be most of the write sequence
        for (let cut = 0; cut < 8; cut++) {
            const kv = new MemoryKv()
            const q = await openQueue(kv, c, 8)
            await pause()
            await q.append(draft(1))
            await pause()
            await q.append(draft(2))
            kv.cutAfter(cut)
            let done = true
            await pause()
            try {
                await q.append(draft(3))
            } catch (e) {
                done = false
                cutShort++
            }
            kv.restore()
            const q2 = await openQueue(kv, c, 8) // the reboot
            const n = q2.next - q2.head
            if (done ? n !== 3 : n !== 2 && n !== 3) return "cut " + cut + ": " + n + " records" + (done ? " after a completed append" : "")
            await pause()
            await q2.append(draft(4))
            // read back and verify one record at a time (the VM's heap is 64 KB)
            const ver = new ChainVerifier(GOLDEN_KEY, c, { lastSeq: q2.next - 1 })
            let held = 0
            for (let s = 1; s < q2.next; s++) {
                await pause()
                const sealed = await readRecord(q2, s)
                await pause()
                if (sealed) {
                    ver.add(sealed)
                    held++
                }
            }
            const v = ver.finish()
            if (!v.ok) return "cut " + cut + ": " + v.findings.map(f => f.code + "@" + f.seq).join(",")
            if (held !== n + 1) return "cut " + cut + ": a record lost or doubled"
        }
        // 3 chunk writes + the state write: cuts 0..3 interrupt, 4..7 let it complete
        return expectStr("interrupted " + cutShort, "interrupted 4")
    } },
    { name: "a power cut during an ack leaves the old or the new head (one state write)", run: async (c, pause) => {
        let cutShort = 0
        for (let cut = 0; cut < 3; cut++) {
            const kv = new MemoryKv()
            const q = await openQueue(kv, c, 8)
            for (let k = 1; k <= 3; k++) {
                await pause()
                await q.append(draft(k))
            }
            kv.cutAfter(cut)
            try {
                await q.ack(1, 2)
            } catch (e) {
                cutShort++
            }
            kv.restore()
            await pause()
            const q2 = await openQueue(kv, c, 8)
            const h = q2.head
            if (h !== (cut === 0 ? 1 : 3)) return "cut " + cut + ": head " + h
            for (let s = h; s <= 3; s++) {
                await pause()
                if ((await readRecord(q2, s)) === null) return "cut " + cut + ": held record " + s + " unreadable"
            }
        }
        return expectStr("interrupted " + cutShort, "interrupted 1")
    } },
    { name: "a capacity change by a firmware update keeps held records readable, then takes effect", run: async (c, pause) => {
        const kv = new MemoryKv()
        const q = await openQueue(kv, c, 4)
        for (let k = 1; k <= 3; k++) {
            await pause()
            await q.append(draft(k))
        }
        const q2 = await openQueue(kv, c, 6) // the new firmware's manifest says 6
        await pause()
        const r3 = await readRecord(q2, 3)
        const roomBefore = q2.hasRoom() // 3 held of the old 4
        await pause()
        await q2.append(draft(4))
        const full = !q2.hasRoom() // still the old layout while records are held
        await q2.ack(1, 4)
        for (let k = 5; k <= 10; k++) {
            await pause()
            await q2.append(draft(k))
        }
        await pause()
        const q3 = await openQueue(kv, c, 6)
        const r10 = await readRecord(q3, 10)
        return expectStr([r3 !== null, roomBefore, full, q3.next - q3.head, q3.hasRoom(), r10 !== null].join(" "), "true true true 6 false true")
    } },
]

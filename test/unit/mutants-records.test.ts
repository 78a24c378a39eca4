// Record edges that issue 14's mutation run found untested (docs/mutation.md): verification's
// truncation and anchor rules, the queue's stored layout and its refusals (docs/records.md §8),
// what the boot counter and the operator field accept, and the codec's and builder's checks.
// Expected values from docs/records.md and hand calculation (noted where they are derived).
import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { MemoryKv, Kv } from "../../src/core/store/kv"
import { ValidationError } from "../../src/core/codec/errors"
import { toBase64 } from "../../src/core/codec/base64"
import { ZERO_HASH } from "../../src/core/codec/ints"
import { nextBootId } from "../../src/core/records/boot"
import { operator } from "../../src/core/records/operator"
import { RecordQueue, readRecord } from "../../src/core/records/queue"
import { sealRecord, sealRecordText, encodeRecord, decodeRecord, checkRecord, openRecord } from "../../src/core/records/codec"
import { ChainVerifier, verifyRecords } from "../../src/core/records/verify"
import { CycleRecordBuilder, NO_VALUE, draftRecord } from "../../src/core/records/builder"
import { RecordKind, ComplianceRecord } from "../../src/core/records/types"
import { ControlEvent, EventKind, Phase, Outcome, event } from "../../src/core/cycle/events"
import { FaultCode, SensorId } from "../../src/core/faults"
import { fromHex, toHex, Crypto } from "../../src/core/crypto"
import { validationErrorOf } from "../../src/core/codec/errors"
import { chain, findings, draft, openQueue, sealedAs, reseal } from "../vectors/record-helpers"
import {
    GOLDEN_DEVICE, GOLDEN_KEY, GOLDEN_RECORD_HEX, GOLDEN_RECORD_HASH, GOLDEN_RECORD_MAC, GOLDEN_TEMPLATE_ID, GOLDEN_TEMPLATE_HASH, goldenRecord, rep,
} from "../vectors/golden"

const noPause = async () => {}
const c = nodeCrypto

/** the ValidationError code fn rejects with, "none" when it resolves; anything else fails the test */
async function codeOf(fn: () => Promise<any>): Promise<string> {
    try {
        await fn()
        return "none"
    } catch (e) {
        if (e instanceof ValidationError) return e.code
        throw e
    }
}

async function errorOf(fn: () => Promise<any>): Promise<ValidationError> {
    try {
        await fn()
    } catch (e) {
        if (e instanceof ValidationError) return e
        throw e
    }
    throw new Error("no error")
}

describe("truncation at the end of an export", () => {
    it("records 1..5 of a device that reported 6: truncated at 6", async () => {
        const l = await chain(c, 6, noPause)
        expect(await findings(l.slice(0, 5), c, { lastSeq: 6 }, noPause)).toBe("truncated@6")
    })
    it("records 1..6 of a device that reported 6: ok", async () => {
        const l = await chain(c, 6, noPause)
        expect(await findings(l, c, { lastSeq: 6 }, noPause)).toBe("ok")
    })
    it("after an anchor at 4, records 5..5 of a device that reported 6: truncated at 6", async () => {
        const l = await chain(c, 6, noPause)
        const anchor = await findings(l.slice(0, 4), c, {}, noPause)
        expect(anchor).toBe("ok")
        // the anchor's hash is record 5's prevHash; without it the chain check has nothing to compare
        expect(await findings(l.slice(4, 5), c, { anchorSeq: 4, lastSeq: 6 }, noPause)).toBe("truncated@6")
    })
})

describe("the boot counter (docs/records.md §8: bootCount, incremented once per boot)", () => {
    it("counts 1 on the first boot, then 2, 3, ... under the key bootCount", async () => {
        const kv = new MemoryKv()
        expect(await nextBootId(kv)).toBe(1)
        expect(await kv.read("bootCount")).toBe("1")
        expect(await nextBootId(kv)).toBe(2)
        expect(await nextBootId(kv)).toBe(3)
        expect(await kv.read("bootCount")).toBe("3")
        expect(kv.keys()).toEqual(["bootCount"])
    })
    it("continues from a stored count", async () => {
        const kv = new MemoryKv()
        await kv.write("bootCount", "41")
        expect(await nextBootId(kv)).toBe(42)
        expect(await kv.read("bootCount")).toBe("42")
    })
    it.each([
        ["not JSON", "{oops"],
        ["a string", "\"7\""],
        ["a boolean", "true"],
        ["zero", "0"],
        ["negative", "-5"],
        ["null", "null"],
    ])("a stored count that is %s starts again at 1 (boot never fails on it)", async (_n, raw) => {
        const kv = new MemoryKv()
        await kv.write("bootCount", raw)
        expect(await nextBootId(kv)).toBe(1)
        expect(await kv.read("bootCount")).toBe("1")
    })
})

describe("a record's operator field from a request's name (1-32 of A-Z a-z 0-9 . _ -)", () => {
    it.each(["tech-7", "Anna", "a.b_c-D9", "0", "Z", rep("x", 32), "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz", "0123456789._-"])(
        "%s is kept as it is", name => {
            expect(operator(name)).toBe(name)
        })
    it.each([
        ["empty", ""],
        ["33 characters", rep("x", 33)],
        ["a space inside", "Anna Lee"],
        ["a character outside the set first", "/anna"],
        ["a character outside the set last", "anna!"],
        ["a non-ASCII letter", "José"],
        ["a quote", "a\"b"],
    ])("%s gives \"\"", (_n, name) => {
        expect(operator(name)).toBe("")
    })
    it.each([
        ["a number", 42],
        ["null", null],
        ["undefined", undefined],
        ["an array of names", ["anna"]],
        ["an object", { length: 3 }],
    ])("%s (a malformed request) gives \"\"", (_n, by) => {
        expect(operator(by)).toBe("")
    })
})

/** the queue's state as stored (docs/records.md §8) */
async function state(kv: Kv): Promise<any> {
    return JSON.parse((await kv.read("rqState")) as string)
}

describe("the record queue's stored layout (docs/records.md §8)", () => {
    it("the state after appends and an ack: v 1, head, next, cap and the last record's hash", async () => {
        const kv = new MemoryKv()
        const q = await openQueue(kv, c, 4)
        expect(await kv.read("rqState")).toBeNull() // nothing written by opening an empty store
        const a1 = await q.append(draft(1))
        expect(await state(kv)).toEqual({ v: 1, head: 1, next: 2, cap: 4, last: a1.hash })
        const a2 = await q.append(draft(2))
        expect(await state(kv)).toEqual({ v: 1, head: 1, next: 3, cap: 4, last: a2.hash })
        expect(await q.ack(1, 1)).toBe(1)
        expect(await state(kv)).toEqual({ v: 1, head: 2, next: 3, cap: 4, last: a2.hash })
        expect([q.head, q.next, q.last]).toEqual([2, 3, a2.hash])
    })
    it("append returns the seq and the SHA-256 of the body; the next record chains to it", async () => {
        const kv = new MemoryKv()
        const q = await openQueue(kv, c, 4)
        const a1 = await q.append(draft(1))
        const s1 = sealedAs(draft(1), 1, ZERO_HASH, c)
        expect(a1).toEqual({ seq: 1, hash: c.sha256Hex(s1.slice(0, s1.length - 32)) })
        const a2 = await q.append(draft(2))
        expect(a2.seq).toBe(2)
        expect(await readRecord(q, 2)).toEqual(sealedAs(draft(2), 2, a1.hash, c))
    })
    it("a typical record: 3 chunks under r<seq mod C>.0..2, chunk 0 prefixed \"3|\", each entry within 200 bytes", async () => {
        // draft(k) is the golden record (body 300 bytes, docs/records.md §6): sealed 332 bytes,
        // base64 4 * ceil(332 / 3) = 444 characters; with "3|", 446 characters in chunks of
        // 200 - 6 (longest key "r999.9") - 2 (JSON quotes) = 192: 192 + 192 + 62
        const kv = new MemoryKv()
        const q = await openQueue(kv, c, 4)
        for (let k = 1; k <= 4; k++) await q.append(draft(k))
        await q.ack(1, 4)
        await q.append(draft(5)) // slot 5 mod 4 = 1
        const b64 = toBase64(sealedAs(draft(5), 5, await hashOf(4), c))
        expect(b64.length).toBe(444)
        const parts = [await kv.read("r1.0"), await kv.read("r1.1"), await kv.read("r1.2")]
        expect(parts.map(p => p && p.length)).toEqual([192, 192, 62])
        expect((parts[0] as string).slice(0, 2)).toBe("3|")
        expect(parts.join("")).toBe("3|" + b64)
        expect(await kv.read("r1.3")).toBeNull()
    })
    it("the record of seq s is in slot s mod C: seq 4 of a queue of 4 in slot 0", async () => {
        const kv = new MemoryKv()
        const q = await openQueue(kv, c, 4)
        for (let k = 1; k <= 4; k++) await q.append(draft(k))
        expect(kv.keys().filter(k => k !== "rqState").sort()).toEqual(["r0.0", "r0.1", "r0.2", "r1.0", "r1.1", "r1.2", "r2.0", "r2.1", "r2.2", "r3.0", "r3.1", "r3.2"])
        expect(((await kv.read("r0.0")) as string) + (await kv.read("r0.1")) + (await kv.read("r0.2")))
            .toBe("3|" + toBase64((await readRecord(q, 4)) as number[]))
    })
})

/** the hash of record seq of a queue fed draft(1..) in order */
async function hashOf(seq: number): Promise<string> {
    let prev = ZERO_HASH
    for (let k = 1; k <= seq; k++) {
        const s = sealedAs(draft(k), k, prev, c)
        prev = c.sha256Hex(s.slice(0, s.length - 32))
    }
    return prev
}

/** a store holding records 1..n (capacity cap) and the queue on it */
async function held(n: number, cap: number): Promise<{ kv: MemoryKv; q: RecordQueue }> {
    const kv = new MemoryKv()
    const q = await openQueue(kv, c, cap)
    for (let k = 1; k <= n; k++) await q.append(draft(k))
    return { kv: kv, q: q }
}

const stateOf = (head: number, next: number, cap: number, last: any) => JSON.stringify({ v: 1, head: head, next: next, cap: cap, last: last })

describe("the record queue's capacity (manifest records.queueCapacityRecords, 1..1000)", () => {
    it.each([0, -1, 1001, 2.5, NaN])("capacity %s is refused", async cap => {
        await expect(RecordQueue.open(new MemoryKv(), c, cap, GOLDEN_DEVICE, GOLDEN_KEY)).rejects.toThrow(/capacity must be 1..1000/)
    })
    it("a queue of 1 holds one record", async () => {
        const { q } = await held(1, 1)
        expect(q.hasRoom()).toBe(false)
        expect(await codeOf(() => q.append(draft(2)))).toBe("queue_full")
        await q.ack(1, 1)
        expect((await q.append(draft(2))).seq).toBe(2)
        expect(await readRecord(q, 2)).not.toBeNull()
    })
    it("a queue of 1000 opens and takes records (slot keys up to r999.9 fit the store)", async () => {
        const kv = new MemoryKv()
        await kv.write("rqState", stateOf(999, 999, 1000, ZERO_HASH))
        const q = await RecordQueue.open(kv, c, 1000, GOLDEN_DEVICE, GOLDEN_KEY)
        expect((await q.append(draft(1))).seq).toBe(999)
        expect(await kv.read("r999.0")).toMatch(/^3\|/)
        expect(await readRecord(q, 999)).not.toBeNull()
    })
    it("the full message names the capacity and what to do", async () => {
        const { q } = await held(2, 2)
        const e = await errorOf(() => q.append(draft(3)))
        expect(e.code).toBe("queue_full")
        expect(e.message).toBe("(queue): record queue full (2): sync with the hub before the next cycle [queue_full]")
    })
})

describe("a record queue state that does not parse blocks appends and acks (queue_corrupt)", () => {
    const h = rep("ab", 32)
    it.each([
        ["not JSON", "{"],
        ["null", "null"],
        ["format 2", JSON.stringify({ v: 2, head: 1, next: 2, cap: 4, last: h })],
        ["no format", JSON.stringify({ head: 1, next: 2, cap: 4, last: h })],
        ["head 0", stateOf(0, 2, 4, h)],
        ["head past SEQ_MAX + 1", stateOf(10000000001, 10000000001, 4, h)],
        ["next before head", stateOf(3, 2, 4, h)],
        ["next past SEQ_MAX + 1", stateOf(1, 10000000001, 4, h)],
        ["cap 0", stateOf(1, 1, 0, h)],
        ["more held than cap", stateOf(1, 6, 4, h)],
        ["last not a string", stateOf(1, 2, 4, 7)],
        ["last of 63 digits", stateOf(1, 2, 4, h.slice(1))],
        ["last of 65 digits", stateOf(1, 2, 4, h + "a")],
        ["last a list of 64 numbers", stateOf(1, 2, 4, h.split("").map(() => 0))],
    ])("%s", async (_n, raw) => {
        const kv = new MemoryKv()
        await kv.write("rqState", raw)
        await kv.write("r1.0", "garbage") // a held slot, never read while corrupt
        const q = await openQueue(kv, c, 4)
        const writes = kv.writes
        expect(q.hasRoom()).toBe(false)
        const e = await errorOf(() => q.append(draft(1)))
        expect(e.code).toBe("queue_corrupt")
        expect(e.message).toBe("(queue): record store is unreadable: technician must service the device [queue_corrupt]")
        expect((await errorOf(() => q.ack(1, 1))).message).toBe("(queue): record store is unreadable [queue_corrupt]")
        expect(await q.readText(1)).toBeNull()
        expect(kv.writes).toBe(writes)
        expect(await kv.read("rqState")).toBe(raw)
    })
    it.each([
        ["empty at the top of the range", stateOf(10000000000, 10000000000, 4, rep("cd", 32)), 10000000000, 10000000000],
        ["full to the stored cap", stateOf(1, 5, 4, rep("cd", 32)), 1, 5],
        ["held records equal to next - head = 0 with cap 1", stateOf(7, 7, 1, rep("cd", 32)), 7, 7],
    ])("a state at its ranges' edges opens: %s", async (_n, raw, head, next) => {
        const kv = new MemoryKv()
        await kv.write("rqState", raw)
        const q = await openQueue(kv, c, 4)
        expect([q.head, q.next, q.last]).toEqual([head, next, rep("cd", 32)])
        expect(q.hasRoom()).toBe(next - head < 4)
    })
})

describe("a capacity changed by a firmware update (docs/records.md §8)", () => {
    it("held records keep the old layout until the queue drains; room is the smaller capacity", async () => {
        const kv = new MemoryKv()
        const q = await openQueue(kv, c, 6)
        for (let k = 1; k <= 3; k++) await q.append(draft(k))
        const q2 = await openQueue(kv, c, 3) // the new manifest says 3: 3 held of the smaller
        expect(q2.hasRoom()).toBe(false)
        expect(await codeOf(() => q2.append(draft(4)))).toBe("queue_full")
        expect(await readRecord(q2, 3)).not.toBeNull() // slot 3 of the old 6, not slot 0 of 3
        await q2.ack(1, 1)
        const a = await q2.append(draft(4)) // still laid out with 6: slot 4
        expect(a.seq).toBe(4)
        expect(await kv.read("r4.0")).not.toBeNull()
        expect((await state(kv)).cap).toBe(6)
        await q2.ack(2, 4) // drained: the next append takes the new capacity
        await q2.append(draft(5)) // slot 5 mod 3 = 2
        expect((await state(kv)).cap).toBe(3)
        expect(((await kv.read("r2.0")) as string) + (await kv.read("r2.1")) + (await kv.read("r2.2")))
            .toBe("3|" + toBase64((await readRecord(q2, 5)) as number[]))
    })
    it("a queue reopened empty takes the new capacity at once", async () => {
        const kv = new MemoryKv()
        await kv.write("rqState", stateOf(5, 5, 2, rep("cd", 32)))
        const q = await openQueue(kv, c, 4)
        for (let k = 5; k <= 8; k++) await q.append(draft(k))
        expect(q.hasRoom()).toBe(false)
        expect(q.next - q.head).toBe(4)
        expect((await state(kv)).cap).toBe(4)
        for (let s = 5; s <= 8; s++) expect(await readRecord(q, s)).not.toBeNull()
    })
})

describe("appends and acks must not interleave (queue_busy)", () => {
    it("an ack while an append is between its writes is refused; the append completes", async () => {
        const { kv, q } = await held(1, 4)
        const pending = q.append(draft(2))
        expect((await errorOf(() => q.ack(1, 1))).message).toBe("(queue): ack while append is in progress: appends and acks must not interleave [queue_busy]")
        expect(await codeOf(() => q.append(draft(3)))).toBe("queue_busy")
        expect((await pending).seq).toBe(2)
        expect(await q.ack(1, 1)).toBe(1) // free again
        expect(await state(kv)).toMatchObject({ head: 2, next: 3 })
    })
    it("an append while an ack is writing is refused", async () => {
        const { q } = await held(2, 4)
        const pending = q.ack(1, 1)
        expect((await errorOf(() => q.append(draft(3)))).message).toBe("(queue): append while ack is in progress: appends and acks must not interleave [queue_busy]")
        expect(await pending).toBe(1)
        expect((await q.append(draft(3))).seq).toBe(3)
    })
    it("a refused append or ack leaves the queue free", async () => {
        const { q } = await held(2, 2)
        expect(await codeOf(() => q.append(draft(3)))).toBe("queue_full")
        expect(await codeOf(() => q.ack(2, 1))).toBe("ack_range")
        expect(await q.ack(1, 2)).toBe(2)
        expect((await q.append(draft(3))).seq).toBe(3)
    })
})

describe("acks by seq range (docs/records.md §8)", () => {
    it.each([
        ["from above to", 2, 1],
        ["from 0", 0, 1],
        ["from negative", -1, 1],
        ["a fractional from", 1.5, 2],
        ["a fractional to", 1, 1.5],
        ["a string", "1" as any, 1],
        ["NaN", 1, NaN],
    ])("%s: ack_range, nothing written", async (_n, from, to) => {
        const { kv, q } = await held(3, 4)
        const writes = kv.writes
        const e = await errorOf(() => q.ack(from, to))
        expect(e.message).toBe("(ack): bad range " + from + ".." + to + " [ack_range]")
        expect(kv.writes).toBe(writes)
        expect(q.head).toBe(1)
    })
    it("the oldest held record alone: released", async () => {
        const { q } = await held(3, 4)
        expect(await q.ack(1, 1)).toBe(1)
        expect(await q.ack(2, 2)).toBe(1)
        expect(q.head).toBe(3)
    })
    it("a range that overlaps records already released releases the rest", async () => {
        const { q } = await held(4, 4)
        await q.ack(1, 2)
        expect(await q.ack(1, 3)).toBe(1) // 1..2 gone, 3 released
        expect(q.head).toBe(4)
        expect(await readRecord(q, 3)).toBeNull()
        expect(await readRecord(q, 4)).not.toBeNull()
    })
    it("an ack of released records only does nothing and writes nothing", async () => {
        const { kv, q } = await held(3, 4)
        await q.ack(1, 2)
        const writes = kv.writes
        expect(await q.ack(2, 2)).toBe(0)
        expect(await q.ack(1, 1)).toBe(0)
        expect(kv.writes).toBe(writes)
        expect(q.head).toBe(3)
    })
    it("up to the newest record: released; one past it: refused, naming the next seq", async () => {
        const { q } = await held(3, 4)
        const e = await errorOf(() => q.ack(1, 4))
        expect(e.code).toBe("ack_range")
        expect(e.message).toBe("(ack): ack 1..4 names records not yet written (next 4) [ack_range]")
        expect(await q.ack(1, 3)).toBe(3)
        expect(q.head).toBe(4)
        expect(q.hasRoom()).toBe(true)
    })
    it("a range that skips the oldest held record is refused, naming it", async () => {
        const { q } = await held(3, 4)
        const e = await errorOf(() => q.ack(2, 3))
        expect(e.code).toBe("ack_range")
        expect(e.message).toBe("(ack): ack 2..3 skips held record 1 [ack_range]")
        expect(q.head).toBe(1)
    })
    it("an ack on an empty queue that names a record not yet written is refused", async () => {
        const { q } = await held(0, 4)
        expect(await codeOf(() => q.ack(1, 1))).toBe("ack_range")
    })
})

describe("reading a held record back", () => {
    it("not held: null (before head, at next, not an integer)", async () => {
        const { q } = await held(3, 4)
        await q.ack(1, 1)
        for (const s of [0, 1, 4, 2.5, NaN]) expect(await q.readText(s)).toBeNull()
        expect(await readRecord(q, 4)).toBeNull()
        expect(await q.readText(2)).not.toBeNull()
        expect(await q.readText(3)).not.toBeNull()
    })
    it("readText gives the stored base64 of the sealed bytes, without the chunk prefix", async () => {
        const { q } = await held(2, 4)
        expect(await q.readText(2)).toBe(toBase64(sealedAs(draft(2), 2, await hashOf(1), c)))
    })
    // record 2 of a queue of 4 lives in slot 2 (3 chunks): each damage below must be record_corrupt
    it.each([
        ["chunk 0 missing", async (kv: MemoryKv) => { await (kv as any).remove("r2.0") }],
        ["chunk 2 missing", async (kv: MemoryKv) => { await (kv as any).remove("r2.2") }],
        ["no prefix", async (kv: MemoryKv) => { await kv.write("r2.0", ((await kv.read("r2.0")) as string).slice(2)) }],
        ["an empty count", async (kv: MemoryKv) => { await kv.write("r2.0", "|" + ((await kv.read("r2.0")) as string).slice(2)) }],
        ["a count of 0", async (kv: MemoryKv) => { await kv.write("r2.0", "0|" + ((await kv.read("r2.0")) as string).slice(2)) }],
        ["a count of 11", async (kv: MemoryKv) => { await kv.write("r2.0", "11|" + ((await kv.read("r2.0")) as string).slice(2)) }],
        ["a count of 3 digits", async (kv: MemoryKv) => { await kv.write("r2.0", "003|" + ((await kv.read("r2.0")) as string).slice(2)) }],
        ["a count that is not a number", async (kv: MemoryKv) => { await kv.write("r2.0", "x|" + ((await kv.read("r2.0")) as string).slice(2)) }],
        ["a count of 2 (a chunk left out)", async (kv: MemoryKv) => { await kv.write("r2.0", "2|" + ((await kv.read("r2.0")) as string).slice(2)) }],
        ["a character that is not base64", async (kv: MemoryKv) => { await kv.write("r2.1", "*" + ((await kv.read("r2.1")) as string).slice(1)) }],
        ["another seq's record in the slot", async (kv: MemoryKv) => {
            for (let i = 0; i < 3; i++) await kv.write("r2." + i, (await kv.read("r1." + i)) as string)
        }],
        ["bytes that are not a record (a wrong tag)", async (kv: MemoryKv) => {
            const b = sealedAs(draft(2), 2, await hashOf(1), c)
            b[0] = 0x53 // 'S', not 'R'
            const all = "3|" + toBase64(b)
            await kv.write("r2.0", all.slice(0, 192))
            await kv.write("r2.1", all.slice(192, 384))
            await kv.write("r2.2", all.slice(384))
        }],
    ])("%s: record_corrupt naming the seq", async (_n, damage) => {
        const { kv, q } = await held(2, 4)
        await damage(kv)
        const e = await errorOf(() => readRecord(q, 2))
        expect(e.message).toBe("r2: stored record 2 is unreadable [record_corrupt]")
        expect(await readRecord(q, 1)).not.toBeNull()
    })
    it("a count of 10 with its ten chunks reads back (the largest count)", async () => {
        const { kv, q } = await held(1, 4)
        const text = (await q.readText(1)) as string
        // the same 444 characters over ten chunks: "10|" and 189, then 192, seven of 1, the last 56
        const parts = ["10|" + text.slice(0, 189), text.slice(189, 381)]
        for (let i = 0; i < 7; i++) parts.push(text.slice(381 + i, 382 + i))
        parts.push(text.slice(388))
        for (let i = 0; i < 10; i++) await kv.write("r1." + i, parts[i])
        expect(await q.readText(1)).toBe(text)
    })
})

/** the sealed records' findings as "code@seq#index" */
function listed(l: number[][], opts: any, key = GOLDEN_KEY): string {
    const r = verifyRecords(l, key, c, opts)
    expect(r.ok).toBe(r.findings.length === 0)
    return r.ok ? "ok" : r.findings.map(f => f.code + "@" + f.seq + "#" + f.index).join(",")
}

const bodyHash = (sealed: number[]) => c.sha256Hex(sealed.slice(0, sealed.length - 32))

describe("verification (docs/records.md §7)", () => {
    it("an export that starts after seq 1, without an anchor: no gap before it, its first prevHash taken on trust", async () => {
        const l = await chain(c, 5, noPause)
        expect(listed(l.slice(2), {})).toBe("ok")
        expect(listed(l.slice(2), { lastSeq: 5 })).toBe("ok")
    })
    it("records at or below the anchor are duplicates; the one after it is checked against the anchor's hash", async () => {
        const l = await chain(c, 4, noPause)
        const opts = { anchorSeq: 2, anchorHash: bodyHash(l[1]) }
        expect(listed(l, opts)).toBe("duplicate@1#0,duplicate@2#1")
        expect(listed(l.slice(2), opts)).toBe("ok")
    })
    it("an anchor without a hash: the record after it is not chain-checked", async () => {
        const l = await chain(c, 4, noPause)
        expect(listed(l.slice(2), { anchorSeq: 2 })).toBe("ok")
    })
    it("records missing right after the anchor are a gap from anchor + 1", async () => {
        const l = await chain(c, 5, noPause)
        const r = verifyRecords(l.slice(3), GOLDEN_KEY, c, { anchorSeq: 1, anchorHash: bodyHash(l[0]) })
        expect(r.findings.map(f => [f.code, f.seq, f.index])).toEqual([["gap", 2, -1]])
        expect(r.findings[0].detail).toBe("records 2..3 missing")
    })
    it("a gap names the missing range; each of two gaps is its own finding", async () => {
        const l = await chain(c, 7, noPause)
        const r = verifyRecords([l[0], l[3], l[4], l[6]], GOLDEN_KEY, c, {})
        expect(r.findings.map(f => f.code + "@" + f.seq + "#" + f.index)).toEqual(["gap@2#-1", "gap@6#-1"])
        expect(r.findings[0].detail).toBe("records 2..3 missing")
        expect(r.findings[1].detail).toBe("records 6..6 missing")
    })
    it("truncation names the range missing at the end", async () => {
        const l = await chain(c, 6, noPause)
        const r = verifyRecords(l.slice(0, 3), GOLDEN_KEY, c, { lastSeq: 6 })
        expect(r.findings.map(f => [f.code, f.seq, f.index])).toEqual([["truncated", 4, -1]])
        expect(r.findings[0].detail).toBe("records 4..6 missing at the end")
    })
    it("no records at all: truncated from 1 (or from the anchor + 1) when the device reported some", () => {
        expect(listed([], { lastSeq: 3 })).toBe("truncated@1#-1")
        expect(listed([], { anchorSeq: 2, lastSeq: 3 })).toBe("truncated@3#-1")
        expect(listed([], { anchorSeq: 3, lastSeq: 3 })).toBe("ok")
        expect(listed([], {})).toBe("ok")
    })
    it("the report's head: the highest seq seen and its hash, else the anchor, else 0 and zeros", async () => {
        const l = await chain(c, 4, noPause)
        const swapped = verifyRecords([l[0], l[1], l[3], l[2]], GOLDEN_KEY, c, {})
        expect([swapped.lastSeq, swapped.lastHash]).toEqual([4, bodyHash(l[3])])
        const anchored = verifyRecords([], GOLDEN_KEY, c, { anchorSeq: 2, anchorHash: bodyHash(l[1]) })
        expect([anchored.ok, anchored.lastSeq, anchored.lastHash]).toEqual([true, 2, bodyHash(l[1])])
        expect(verifyRecords([], GOLDEN_KEY, c, { anchorSeq: 2 }).lastHash).toBe(ZERO_HASH)
        const none = verifyRecords([], GOLDEN_KEY, c, {})
        expect([none.lastSeq, none.lastHash]).toEqual([0, ZERO_HASH])
    })
    it("a reorder names the seq it follows; a duplicate, its position", async () => {
        const l = await chain(c, 4, noPause)
        const r = verifyRecords([l[0], l[2], l[3], l[1], l[3]], GOLDEN_KEY, c, {})
        expect(r.findings.map(f => f.code + "@" + f.seq + "#" + f.index)).toEqual(["reorder@2#3", "duplicate@4#4"])
        expect(r.findings[0].detail).toMatch(/follows 4/)
        expect(r.findings[1].detail).toBe("sequence number 4 seen before")
    })
    it("every seq lower than one before it is a reorder, not only the first", async () => {
        const l = await chain(c, 3, noPause)
        expect(listed([l[2], l[0], l[1]], {})).toBe("reorder@1#1,reorder@2#2")
    })
    it("a record whose seq is 1 must start from zeros, wherever it sits", async () => {
        const l = await chain(c, 2, noPause)
        const bad1 = reseal(l[0], c, GOLDEN_KEY, r => { r.prevHash = rep("01", 32) })
        expect(listed([bad1, l[1]], {})).toBe("broken_chain@1#0,broken_chain@2#1")
        expect(verifyRecords([bad1, l[1]], GOLDEN_KEY, c, {}).findings[1].detail).toMatch(/record 1$/)
    })
    it("the device named in the options: every record of another device is wrong_device, naming both", async () => {
        const l = await chain(c, 2, noPause)
        const r = verifyRecords(l, GOLDEN_KEY, c, { deviceId: "SFA1-000043" })
        expect(r.findings.map(f => f.code + "@" + f.seq)).toEqual(["wrong_device@1", "wrong_device@2"])
        expect(r.findings[0].detail).toBe("record of SFA1-000042 among SFA1-000043's")
        expect(listed(l, { deviceId: GOLDEN_DEVICE })).toBe("ok")
    })
    it("add() returns each record decoded (null when malformed) and keeps its hash ('' when malformed)", async () => {
        const l = await chain(c, 2, noPause)
        const v = new ChainVerifier(GOLDEN_KEY, c, {})
        const r1 = v.add(l[0])
        expect(r1 && [r1.seq, r1.deviceId]).toEqual([1, GOLDEN_DEVICE])
        expect(v.lastHash).toBe(bodyHash(l[0]))
        expect(v.add(l[1].slice(0, 20))).toBeNull()
        expect(v.lastHash).toBe("")
        expect(v.finish().findings.map(f => f.code + "@" + f.seq + "#" + f.index)).toEqual(["malformed@-1#1"])
    })
    it("a record under another key is bad_mac but still decoded and chained", async () => {
        const l = await chain(c, 2, noPause)
        const v = new ChainVerifier(rep("42", 32), c, {})
        expect(v.add(l[0])?.seq).toBe(1)
        expect(v.lastHash).toBe(bodyHash(l[0]))
        expect(v.finish().findings.map(f => [f.code, f.seq, f.index, f.detail])).toEqual([["bad_mac", 1, 0, "MAC does not verify"]])
    })
    it("a failure of the crypto itself propagates: it is not reported as a malformed record", async () => {
        const l = await chain(c, 1, noPause)
        const broken: Crypto = Object.assign({}, c, { sha256Hex: () => { throw new Error("sha unavailable") } })
        expect(() => verifyRecords(l, GOLDEN_KEY, broken, {})).toThrow(/sha unavailable/)
    })
})

/** the golden body with its hex from..to replaced (indexes in hex digits) */
const golden = () => GOLDEN_RECORD_HEX
const FIT_AT = golden().indexOf("024cbe01") // fit: 1 entry, rms 38 ...
const FIT_END = golden().indexOf("0e0200") // phases: 7, then phase 1

describe("the record codec's checks (docs/records.md §6, §2)", () => {
    const cases: [string, (r: any) => void, string, string][] = [
        ["kind 0", r => { r.kind = 0 }, "format_range", "kind"],
        ["kind 6", r => { r.kind = 6 }, "format_range", "kind"],
        ["an operator of 33 characters", r => { r.operatorId = rep("o", 33) }, "bad_string", "operatorId"],
        ["a prevHash that is not hex", r => { r.prevHash = rep("x", 64) }, "bad_hex", "prevHash"],
        ["5 calibration ids", r => { r.calibrationIds = ["a", "b", "c", "d", "e"] }, "count", "calibrationIds"],
        ["an empty calibration id", r => { r.calibrationIds = ["a", ""] }, "bad_string", "calibrationIds[1]"],
        ["a calibration id of 17 characters", r => { r.calibrationIds = [rep("c", 17)] }, "bad_string", "calibrationIds[0]"],
        ["a calibration id with a tab", r => { r.calibrationIds = ["cal\t1"] }, "bad_string", "calibrationIds[0]"],
        ["outcome 4", r => { r.outcome = 4 }, "format_range", "outcome"],
        ["outcome 1.5", r => { r.outcome = 1.5 }, "not_int", "outcome"],
        ["a fit that is not an object", r => { r.fit = 5 }, "type", "fit"],
        ["a fit accepted 2", r => { r.fit.accepted = 2 }, "format_range", "fit.accepted"],
        ["13 phases", r => { while (r.phases.length < 13) r.phases.push(r.phases[0]) }, "count", "phases"],
        ["a phase that is null", r => { r.phases[2] = null }, "type", "phases[2]"],
        ["a phase that is a number", r => { r.phases[0] = 3 }, "type", "phases[0]"],
        ["a negative duration", r => { r.phases[1].durationMs = -1 }, "format_range", "phases[1].durationMs"],
        ["phases not a list", r => { r.phases = {} }, "type", "phases"],
        ["5 faults", r => { r.faults = [1, 2, 3, 4, 5].map(k => ({ code: k, sensor: 0, value: 0, limit: 0, atMs: 0 })) }, "count", "faults"],
        ["a fault code 256", r => { r.faults = [{ code: 256, sensor: 0, value: 0, limit: 0, atMs: 0 }] }, "format_range", "faults[0].code"],
    ]
    it.each(cases)("%s is refused by the encoder and by checkRecord, naming the field", (_n, edit, code, field) => {
        const r: any = goldenRecord()
        edit(r)
        for (const f of [() => encodeRecord(r), () => checkRecord(r), () => sealRecord(r, GOLDEN_KEY, c), () => sealRecordText(r, GOLDEN_KEY, c)]) {
            const e = validationErrorOf(f)
            expect(e && [e.code, e.field]).toEqual([code, field])
        }
    })
    it("the largest lists the format allows: 4 calibrations, a fit, 12 phases, 4 faults decode to what was encoded", () => {
        const r = goldenRecord()
        r.calibrationIds = [rep("a", 16), rep("b", 16), "c", "d"]
        while (r.phases.length < 12) r.phases.push(Object.assign({}, r.phases[r.phases.length - 1]))
        r.faults = [0, 1, 2, 3].map(k => ({ code: 255 - k, sensor: 255, value: -281474976710655, limit: 281474976710655, atMs: k } as any))
        checkRecord(r)
        expect(decodeRecord(encodeRecord(r))).toEqual(r)
    })
    it("a record of another kind, all its unused fields empty, decodes to what was encoded", () => {
        const r = draftRecord(RecordKind.TemplateRevoke, 3, 1000, 0)
        r.deviceId = GOLDEN_DEVICE
        r.seq = 1
        r.templateHash = GOLDEN_TEMPLATE_HASH
        expect(decodeRecord(encodeRecord(r))).toEqual(r)
        // 52 01, kind 4, deviceId (1 + 11), seq 1, prevHash 32, bootId 3, uptime 1000 (2), wall 0, operator 0,
        // two hashes (64), bundle 0, then calibrations, fit, phases, faults 0 each, outcome 0: 124 bytes
        expect(encodeRecord(r).length).toBe(2 + 1 + 12 + 1 + 32 + 1 + 2 + 1 + 1 + 64 + 1 + 4 + 1)
    })
    it.each([
        ["a fit count of 2", golden().slice(0, FIT_AT) + "04" + golden().slice(FIT_AT + 2), "format_range", "fit"],
        ["5 calibration ids", golden().replace("041663616c", "0a1663616c"), "format_range", "calibrationIds"],
        ["13 phases", golden().slice(0, FIT_END) + "1a" + golden().slice(FIT_END + 2), "format_range", "phases"],
        ["outcome 4", golden().slice(0, -2) + "08", "format_range", "outcome"],
        ["5 faults", golden().slice(0, -4) + "0a02", "format_range", "faults"],
        ["kind 6", golden().slice(0, 4) + "0c" + golden().slice(6), "format_range", "kind"],
        ["a fit accepted 2", golden().slice(0, FIT_END - 2) + "04" + golden().slice(FIT_END), "format_range", "fit.accepted"],
        ["phase number 256", golden().slice(0, FIT_END + 2) + "8004" + golden().slice(FIT_END + 4), "format_range", "phases[0].phase"],
        ["a byte left over", golden() + "00", "trailing", "(end)"],
        ["a calibration id of 0 characters", golden().replace("041663616c2d666f7263652d33", "0200"), "format_range", "calibrationIds[0]"],
    ])("decoding refuses %s", (_n, hex, code, field) => {
        const e = validationErrorOf(() => decodeRecord(fromHex(hex)))
        expect(e && [e.code, e.field]).toEqual([code, field])
    })
    it("a record without a fit (count 0) decodes with fit null", () => {
        const hex = golden().slice(0, FIT_AT) + "00" + golden().slice(FIT_END)
        const r = decodeRecord(fromHex(hex))
        expect(r.fit).toBeNull()
        expect(r.phases.length).toBe(7)
        expect(toHex(encodeRecord(r))).toBe(hex)
    })
    it("opening: too short for a body and a MAC, or not a list of bytes, is truncated", () => {
        const sealed = fromHex(GOLDEN_RECORD_HEX + GOLDEN_RECORD_MAC)
        for (const s of [sealed.slice(0, 33), [], "52" as any, null as any]) {
            const e = validationErrorOf(() => openRecord(s, GOLDEN_KEY, c))
            expect(e && [e.code, e.field]).toEqual(["truncated", "(record)"])
        }
    })
    it("opening the golden sealed record: its hash, MAC ok; one MAC byte changed or another key: not ok", () => {
        const sealed = fromHex(GOLDEN_RECORD_HEX + GOLDEN_RECORD_MAC)
        const o = openRecord(sealed, GOLDEN_KEY, c)
        expect([o.hash, o.macOk, o.record.seq]).toEqual([GOLDEN_RECORD_HASH, true, 17])
        const bad = sealed.slice()
        bad[bad.length - 1] ^= 1
        expect(openRecord(bad, GOLDEN_KEY, c).macOk).toBe(false)
        expect(openRecord(sealed, rep("42", 32), c).macOk).toBe(false)
    })
    it("sealRecordText: the base64 of body ‖ MAC and the body's hash, as the golden vector", () => {
        const t = sealRecordText(goldenRecord(), GOLDEN_KEY, c)
        expect(t.hash).toBe(GOLDEN_RECORD_HASH)
        expect(t.base64).toBe(toBase64(fromHex(GOLDEN_RECORD_HEX + GOLDEN_RECORD_MAC)))
    })
})

const ANCHOR = { unixS: 1750000000, atUptimeMs: 500 }

function phaseEnd(phase: Phase, atMs: number, summary: any): ControlEvent {
    const e = event(EventKind.PhaseEnd, atMs, phase, 0)
    e.summary = summary
    return e
}

function faultEvent(atMs: number, fault: any): ControlEvent {
    const e = event(EventKind.Fault, atMs, Phase.Cure, fault ? fault.code : 0)
    e.fault = fault
    return e
}

const SUMMARY = { phase: Phase.Cure, durationMs: 8000, samples: 160, filmMinDeciC: 676, filmMaxDeciC: 686, filmMeanDeciC: 680, contactMaxDeciC: 405, forceMinMilliN: 19520, forceMaxMilliN: 20390, forceMeanMilliN: 20005 }

/** a builder's record of one cycle: preflight start, the given events, then the outcome at 72000 ms */
function cycleOf(b: CycleRecordBuilder, evs: ControlEvent[], outcome = Outcome.Faulted): ComplianceRecord {
    expect(b.add(event(EventKind.PhaseStart, 1000, Phase.Preflight, 0), ANCHOR)).toBeNull()
    for (const e of evs) expect(b.add(e, ANCHOR)).toBeNull()
    const r = b.add(event(EventKind.Outcome, 72000, Phase.Cure, outcome), ANCHOR)
    expect(r).not.toBeNull()
    return r as ComplianceRecord
}

describe("the record builder (docs/records.md §6, kinds)", () => {
    it("a draft of any kind leaves the unused fields empty: zero hashes, 0, empty lists", () => {
        expect(draftRecord(RecordKind.Calibration, 4, 1234, 1750000001)).toEqual({
            kind: 2, deviceId: "", seq: 0, prevHash: ZERO_HASH, bootId: 4, uptimeMs: 1234, wallUnixS: 1750000001,
            operatorId: "", templateId: ZERO_HASH, templateHash: ZERO_HASH, bundleVersion: 0, calibrationIds: [], fit: null,
            phases: [], faults: [], outcome: 0,
        })
    })
    it("measured values made integers: rounded, clamped to ±(2^48 - 1); NaN, ±Infinity and missing ones NO_VALUE", () => {
        const b = new CycleRecordBuilder(1)
        const s = Object.assign({}, SUMMARY, {
            samples: 160.4, filmMinDeciC: 676.5, filmMaxDeciC: 1 / 0, filmMeanDeciC: -1 / 0, contactMaxDeciC: undefined,
            forceMinMilliN: 3e14, forceMaxMilliN: -3e14, forceMeanMilliN: "20005", extra: 7,
        })
        const r = cycleOf(b, [phaseEnd(Phase.Cure, 70000, s)])
        expect(r.phases).toEqual([{
            phase: Phase.Cure, durationMs: 8000, samples: 160, filmMinDeciC: 677, filmMaxDeciC: NO_VALUE, filmMeanDeciC: NO_VALUE,
            contactMaxDeciC: NO_VALUE, forceMinMilliN: 281474976710655, forceMaxMilliN: -281474976710655, forceMeanMilliN: NO_VALUE,
        }])
        expect(NO_VALUE).toBe(-281474976710655)
        r.deviceId = GOLDEN_DEVICE
        r.seq = 1
        expect(() => checkRecord(r)).not.toThrow()
    })
    it("a phase's duration and a fault's value are measured values too; a fault's code and sensor are kept as they are", () => {
        const b = new CycleRecordBuilder(1)
        const r = cycleOf(b, [
            phaseEnd(Phase.Cure, 70000, Object.assign({}, SUMMARY, { durationMs: 7999.6 })),
            faultEvent(71000, { code: FaultCode.OverForce, sensor: SensorId.Force, value: 61234.7, limit: 0 / 0, atMs: 71000.2 }),
        ])
        expect(r.phases[0].durationMs).toBe(8000)
        expect(r.faults).toEqual([{ code: 12, sensor: 3, value: 61235, limit: NO_VALUE, atMs: 71000 }])
    })
    it("the caps of a record: 12 phases and 4 faults kept, the record still encodes", () => {
        const b = new CycleRecordBuilder(1)
        const evs: ControlEvent[] = []
        for (let k = 0; k < 14; k++) evs.push(phaseEnd(Phase.Cure, 2000 + k, Object.assign({}, SUMMARY, { durationMs: k })))
        for (let k = 0; k < 6; k++) evs.push(faultEvent(3000 + k, { code: 10 + k, sensor: 1, value: 1, limit: 2, atMs: 3000 + k }))
        const r = cycleOf(b, evs)
        expect(r.phases.map(p => p.durationMs)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        expect(r.faults.map(f => f.code)).toEqual([10, 11, 12, 13])
        r.deviceId = GOLDEN_DEVICE
        r.seq = 1
        expect(() => checkRecord(r)).not.toThrow()
    })
    it("a phase end without a summary and a fault event without a fault add nothing", () => {
        const b = new CycleRecordBuilder(1)
        const r = cycleOf(b, [phaseEnd(Phase.Cure, 70000, null), faultEvent(71000, null), phaseEnd(Phase.Cool, 71500, SUMMARY)])
        expect(r.phases.length).toBe(1)
        expect(r.faults).toEqual([])
    })
    it("only a preflight start begins a cycle: phases and faults before it, or after the outcome, are not recorded", () => {
        const b = new CycleRecordBuilder(1)
        expect(b.add(phaseEnd(Phase.Cure, 500, SUMMARY), ANCHOR)).toBeNull()
        expect(b.add(event(EventKind.PhaseStart, 600, Phase.Preheat, 0), ANCHOR)).toBeNull()
        expect(b.add(faultEvent(700, { code: 12, sensor: 3, value: 1, limit: 2, atMs: 700 }), ANCHOR)).toBeNull()
        expect(b.add(event(EventKind.Outcome, 800, Phase.Cure, Outcome.Aborted), ANCHOR)).toBeNull() // no cycle: no record
        const r = cycleOf(b, [event(EventKind.PhaseStart, 2000, Phase.Preheat, 0), phaseEnd(Phase.Preheat, 3000, SUMMARY)], Outcome.Aborted)
        expect([r.phases.length, r.faults.length, r.outcome]).toEqual([1, 0, 2])
        expect(b.add(phaseEnd(Phase.Cure, 80000, SUMMARY), ANCHOR)).toBeNull()
        expect(b.add(event(EventKind.Outcome, 81000, Phase.Cure, Outcome.Complete), ANCHOR)).toBeNull()
    })
    it("the cycle record carries the prepared context, the boot id, the uptime and the wall clock at the outcome", () => {
        const b = new CycleRecordBuilder(9)
        const fit = { rmsUm: 38, worstUm: 95, coveragePermille: 930, scalePpm: 1012000, offsetXUm: -150, offsetYUm: 220, rotationMicroRad: -12000, accepted: 1 }
        b.prepare({ operatorId: "op-7", templateId: GOLDEN_TEMPLATE_ID, templateHash: GOLDEN_TEMPLATE_HASH, bundleVersion: 7, calibrationIds: ["cal-1", "cal-2"], fit: fit })
        const r = cycleOf(b, [], Outcome.Complete)
        expect(r).toMatchObject({
            kind: RecordKind.Cycle, bootId: 9, uptimeMs: 72000, wallUnixS: 1750000071, operatorId: "op-7", templateId: GOLDEN_TEMPLATE_ID,
            templateHash: GOLDEN_TEMPLATE_HASH, bundleVersion: 7, calibrationIds: ["cal-1", "cal-2"], fit: fit, outcome: 1, deviceId: "", seq: 0,
        })
    })
    it("a fault-clear record: kind 5, the cleared fault, no operator (the glue names the technician), outcome 0", () => {
        const b = new CycleRecordBuilder(2)
        b.prepare({ operatorId: "op-7", templateId: GOLDEN_TEMPLATE_ID, templateHash: GOLDEN_TEMPLATE_HASH, bundleVersion: 7, calibrationIds: [], fit: null })
        const e = event(EventKind.FaultCleared, 90000, Phase.Faulted, FaultCode.ThermalRunaway)
        e.fault = { code: FaultCode.ThermalRunaway, sensor: SensorId.FilmTemp, value: 640.4, limit: 660, atMs: 30000 }
        const r = b.add(e, ANCHOR) as ComplianceRecord
        expect(r).toEqual(Object.assign(draftRecord(RecordKind.FaultClear, 2, 90000, 1750000089), {
            faults: [{ code: 20, sensor: 1, value: 640, limit: 660, atMs: 30000 }],
        }))
    })
    it("a fault-clear event without a fault: a fault-clear record with no fault", () => {
        const b = new CycleRecordBuilder(2)
        const r = b.add(event(EventKind.FaultCleared, 90000, Phase.Faulted, 0), null) as ComplianceRecord
        expect([r.kind, r.faults, r.wallUnixS]).toEqual([RecordKind.FaultClear, [], 0])
    })
    it("a fault clear during a cycle does not end it", () => {
        const b = new CycleRecordBuilder(2)
        b.add(event(EventKind.PhaseStart, 1000, Phase.Preflight, 0), ANCHOR)
        b.add(phaseEnd(Phase.Preheat, 2000, SUMMARY), ANCHOR)
        expect(b.add(event(EventKind.FaultCleared, 2500, Phase.Preheat, 0), ANCHOR)?.kind).toBe(RecordKind.FaultClear)
        const r = b.add(event(EventKind.Outcome, 3000, Phase.Preheat, Outcome.Aborted), ANCHOR) as ComplianceRecord
        expect([r.kind, r.phases.length]).toEqual([RecordKind.Cycle, 1])
    })
    it.each([
        ["null", null, "type", "(context)"],
        ["a number", 7, "type", "(context)"],
        ["a template id that is not hex", { templateId: "x" }, "bad_hex", "templateId"],
        ["a negative bundle version", { bundleVersion: -1 }, "format_range", "bundleVersion"],
        ["5 calibrations", { calibrationIds: ["a", "b", "c", "d", "e"] }, "count", "calibrationIds"],
        ["a calibration id of 17 characters", { calibrationIds: [rep("c", 17)] }, "bad_string", "calibrationIds[0]"],
        ["a fit accepted 2", { fit: { rmsUm: 1, worstUm: 1, coveragePermille: 1, scalePpm: 1, offsetXUm: 0, offsetYUm: 0, rotationMicroRad: 0, accepted: 2 } }, "format_range", "fit.accepted"],
    ])("arming with %s fails, naming the field; the context prepared before stays", (_n, edit, code, field) => {
        const b = new CycleRecordBuilder(1)
        const good = { operatorId: "op-7", templateId: GOLDEN_TEMPLATE_ID, templateHash: GOLDEN_TEMPLATE_HASH, bundleVersion: 7, calibrationIds: [], fit: null }
        b.prepare(good)
        const bad: any = edit !== null && typeof edit === "object" ? Object.assign({}, good, edit) : edit
        const e = validationErrorOf(() => b.prepare(bad))
        expect(e && [e.code, e.field]).toEqual([code, field])
        expect(b.ctx).toBe(good)
    })
    it("a context that fits a record is kept as given", () => {
        const b = new CycleRecordBuilder(1)
        expect(b.ctx).toBeNull()
        const ctx = { operatorId: "", templateId: ZERO_HASH, templateHash: ZERO_HASH, bundleVersion: 0, calibrationIds: [], fit: null }
        b.prepare(ctx)
        expect(b.ctx).toBe(ctx)
    })
})

/** writes text as record seq's chunks in slot `slot`: chunk 0 is prefix + the first 192 - prefix characters, the rest split over count - 1 chunks */
async function spread(kv: MemoryKv, slot: number, prefix: string, text: string, count: number) {
    const first = 192 - prefix.length
    await kv.write("r" + slot + ".0", prefix + text.slice(0, first))
    const rest = text.slice(first)
    const per = Math.ceil(rest.length / (count - 1))
    for (let i = 1; i < count; i++) await kv.write("r" + slot + "." + i, rest.slice((i - 1) * per, i * per))
}

describe("the chunk count of a stored record (docs/records.md §8)", () => {
    it("spread over its own count of chunks, a record reads back (the helper below is sound)", async () => {
        const { kv, q } = await held(2, 4)
        const text = (await q.readText(2)) as string
        await spread(kv, 2, "5|", text, 5)
        expect(await q.readText(2)).toBe(text)
    })
    it.each([
        ["a count with a letter (\"1x\" would be 9)", "1x|", 9],
        ["a count of 11, even with eleven chunks present", "11|", 11],
    ])("%s: refused", async (_n, prefix, count) => {
        const { kv, q } = await held(2, 4)
        const text = (await q.readText(2)) as string
        await spread(kv, 2, prefix, text, count)
        expect(await codeOf(() => q.readText(2))).toBe("record_corrupt")
        expect(await codeOf(() => readRecord(q, 2))).toBe("record_corrupt")
    })
    it.each([
        ["a count of 0", async (kv: MemoryKv) => { await kv.write("r2.0", "0|" + ((await kv.read("r2.0")) as string).slice(2)) }],
        ["chunk 1 missing", async (kv: MemoryKv) => { await kv.remove("r2.1") }],
        ["chunk 2 missing", async (kv: MemoryKv) => { await kv.remove("r2.2") }],
    ])("%s: readText itself refuses (what the upload sends)", async (_n, damage) => {
        const { kv, q } = await held(2, 4)
        await damage(kv)
        const e = await errorOf(() => q.readText(2))
        expect([e.code, e.field]).toEqual(["record_corrupt", "r2"])
    })
    it("a record whose base64 exactly fills two chunks takes a third for its \"3|\" prefix", async () => {
        // draft(1) is 300 bytes; without its fit (count 0: -16), its seventh phase (-17) and its second
        // calibration id ("cal-temp-9": -11): 256 bytes, sealed 288, base64 4 * 288 / 3 = 384 = 2 * 192
        const d = draft(1)
        d.fit = null
        d.phases = d.phases.slice(0, 6)
        d.calibrationIds = ["cal-force-3"]
        const asStored = Object.assign({}, d, { deviceId: GOLDEN_DEVICE, seq: 1 })
        expect(encodeRecord(asStored).length).toBe(256)
        const kv = new MemoryKv()
        const q = await openQueue(kv, c, 4)
        await q.append(d)
        const parts = [await kv.read("r1.0"), await kv.read("r1.1"), await kv.read("r1.2")]
        expect(parts.map(p => p && p.length)).toEqual([192, 192, 2])
        expect(parts.join("")).toBe("3|" + toBase64(sealedAs(d, 1, ZERO_HASH, c)))
        expect(await readRecord(q, 1)).toEqual(sealedAs(d, 1, ZERO_HASH, c))
    })
    it("a failure of the crypto while reading back propagates: it is not reported as a corrupt record", async () => {
        let broken = false
        const flaky: Crypto = Object.assign({}, c, {
            hmacSha256Hex: (k: string, b: any) => {
                if (broken) throw new Error("hmac unavailable")
                return c.hmacSha256Hex(k, b)
            },
        })
        const q = await RecordQueue.open(new MemoryKv(), flaky, 4, GOLDEN_DEVICE, GOLDEN_KEY)
        await q.append(draft(1))
        broken = true
        await expect(readRecord(q, 1)).rejects.toThrow(/hmac unavailable/)
    })
    it("a reversed range is refused even when it names released records only", async () => {
        const { q } = await held(3, 4)
        await q.ack(1, 2)
        expect(await codeOf(() => q.ack(2, 1))).toBe("ack_range")
        expect(q.head).toBe(3)
    })
})

// The device's sync round (src/core/sync) where issue 14's mutation run found it untested
// (docs/mutation.md). First the record release: a hub answer that lists more records than the
// batch the device sent releases the batch and no more, and an ack over a record past the batch
// releases nothing. Then each step's edges: the time resync period, answers that end the round,
// refused bundles and templates, the upload body's size limit, the answers that release nothing
// (the record-loss barrier: a record leaves the queue only under the hub's MAC'd ack), the status
// report and the backoff. A round driven by hand, as the link's glue does (src/link/sync-round.ts):
// next(), fillRecords(), onResponse(). Expected values are hand-counted from the protocol in
// planner.ts's header and the limits below.
import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { toHex } from "../../src/core/crypto"
import { SyncRound, SyncInputs, SyncLimits, SyncRequest, Step, sealedHash } from "../../src/core/sync/planner"
import { ackMac, checkAck, checkTimeAnswer, timeMac } from "../../src/core/sync/signing"
import { sealBundle } from "../../src/core/bundle/codec"
import { backoffDelayMs, SyncSchedule } from "../../src/core/sync/backoff"
import { GOLDEN_KEY, GOLDEN_DEVICE, GOLDEN_TEMPLATE_HASH, goldenBundle, rep } from "../vectors/golden"
import { TIME_MAC, TIME_NONCE, TIME_UNIX_S } from "../vectors/sync"

const c = nodeCrypto
const NOW = 1750000321
const LIM: SyncLimits = { batchMax: 2, bodyMaxChars: 12000, timeResyncS: 21600, templatesPerRound: 1, requestsMax: 48 }

/** a device with a fresh clock, holding records 2..5 */
function inputs(): SyncInputs {
    return {
        deviceId: GOLDEN_DEVICE, keyHex: GOLDEN_KEY, lastTimeSyncUnixS: NOW, bundleVersion: 0, approved: [], templates: [],
        queueHead: 2, queueNext: 6, lastHash: rep("11", 32), state: "idle", phase: 0, latchedFault: 0,
    }
}

function sealed(seq: number): string {
    const b: number[] = []
    for (let i = 0; i < 40; i++) b.push((seq + i) & 255)
    return toHex(b)
}

/** the round up to its first records request (2..3, batchMax 2), filled */
function firstUpload() {
    const round = new SyncRound(LIM, inputs(), c)
    const bundle = round.next(NOW, "00")!
    expect(bundle.step).toBe(Step.Bundle)
    round.onResponse(bundle, 404, null)
    const r = round.next(NOW, "01")!
    expect([r.step, r.fromSeq, r.toSeq]).toEqual([Step.Records, 2, 3])
    expect(round.fillRecords(r, [sealed(2), sealed(3), sealed(4), sealed(5)])).toBe(true)
    expect(r.toSeq).toBe(3)
    return { round, r }
}

function ack(seq: number) {
    const h = sealedHash(c, sealed(seq))
    return { seq: seq, hash: h, mac: ackMac(c, GOLDEN_KEY, GOLDEN_DEVICE, seq, h) }
}

const stored = (from: number, n: number) => Array.from({ length: n }, (_x, i) => ({ seq: from + i, status: "stored" }))

describe("the device releases only the records it sent", () => {
    it("an answer listing 2..4 for a batch of 2..3, acked at 3: releases 2..3, head 4, no alert", () => {
        const { round, r } = firstUpload()
        const fx = round.onResponse(r, 200, { results: stored(2, 3), expectedSeq: 5, head: { seq: 4, hash: rep("22", 32) }, ack: ack(3) })
        expect([fx.ackFrom, fx.ackTo, round.head, round.ok, round.alerts.length]).toEqual([2, 3, 4, true, 0])
        // the round goes on with 4..5
        const next = round.next(NOW, "02")!
        expect([next.step, next.fromSeq, next.toSeq]).toEqual([Step.Records, 4, 5])
    })

    it("the same answer acked at 4 (a record it did not send) releases nothing", () => {
        const { round, r } = firstUpload()
        const fx = round.onResponse(r, 200, { results: stored(2, 3), expectedSeq: 5, head: { seq: 4, hash: rep("22", 32) }, ack: ack(4) })
        expect([fx.ackFrom, fx.ackTo, round.head, round.ok]).toEqual([0, 0, 2, false])
        expect(round.alerts.map(a => a.code + "@" + a.seq)).toEqual(["ack_unverified@3"])
    })

    it("an answer listing only 2, acked at 2: releases 2 and goes on from 3", () => {
        const { round, r } = firstUpload()
        const fx = round.onResponse(r, 200, { results: stored(2, 1), expectedSeq: 3, head: { seq: 2, hash: rep("22", 32) }, ack: ack(2) })
        expect([fx.ackFrom, fx.ackTo, round.head, round.ok]).toEqual([2, 2, 3, true])
        const next = round.next(NOW, "02")!
        expect([next.step, next.fromSeq]).toEqual([Step.Records, 3])
    })
})

// ---- the rest of the round, step by step (issue 14's mutation run over src/core/sync) ----

function roundWith(edit: (i: SyncInputs) => void, lim: SyncLimits = LIM): SyncRound {
    const inp = inputs()
    edit(inp)
    return new SyncRound(lim, inp, c)
}

/** answers the bundle request with 304 (unchanged) and returns the round's next request */
function pastBundle(round: SyncRound): SyncRequest {
    const b = round.next(NOW, "00")!
    expect(b.step).toBe(Step.Bundle)
    round.onResponse(b, 304, null)
    return round.next(NOW, "01")!
}

const codes = (round: SyncRound) => round.alerts.map(a => a.code + "@" + a.seq)

describe("when the device asks the hub's time", () => {
    it("once timeResyncS (21,600 s) have passed since the last time it got, not a second before", () => {
        const due = roundWith(i => (i.lastTimeSyncUnixS = NOW - 21600)).next(NOW, TIME_NONCE)!
        expect([due.step, due.method, due.path, due.timestampS]).toEqual([Step.Time, "GET", "/api/device/v1/time?nonce=" + TIME_NONCE, 0])
        const fresh = roundWith(i => (i.lastTimeSyncUnixS = NOW - 21599)).next(NOW, TIME_NONCE)!
        expect([fresh.step, fresh.path, fresh.timestampS]).toEqual([Step.Bundle, "/api/device/v1/bundle", NOW])
    })

    it("a time answer other than 200 is not trusted, even with our nonce and MAC: raised, the round fails", () => {
        const round = roundWith(i => (i.lastTimeSyncUnixS = 0))
        const r = round.next(0, TIME_NONCE)!
        const fx = round.onResponse(r, 203, { unixS: TIME_UNIX_S, nonce: TIME_NONCE, mac: TIME_MAC })
        expect([fx.clockUnixS, round.ok, round.next(0, "02")]).toEqual([0, false, null])
        expect(codes(round)).toEqual(["time_untrusted@0"])
    })

    it("a MAC'd time of 0 or before 1970 is no clock (checkTimeAnswer gives 0)", () => {
        for (const t of [0, -5]) {
            expect(checkTimeAnswer(c, GOLDEN_KEY, TIME_NONCE, { unixS: t, nonce: TIME_NONCE, mac: timeMac(c, GOLDEN_KEY, TIME_NONCE, t) })).toBe(0)
        }
        expect(checkTimeAnswer(c, GOLDEN_KEY, TIME_NONCE, { unixS: 1, nonce: TIME_NONCE, mac: timeMac(c, GOLDEN_KEY, TIME_NONCE, 1) })).toBe(1)
        // a MAC that is not a string
        expect(checkTimeAnswer(c, GOLDEN_KEY, TIME_NONCE, { unixS: TIME_UNIX_S, nonce: TIME_NONCE, mac: 5 })).toBe(0)
    })
})

describe("answers that end the round (backoff) or raise the key", () => {
    it("500 and 429 end the round as failed with no alert; nothing is released", () => {
        for (const status of [500, 429]) {
            const { round, r } = firstUpload()
            const fx = round.onResponse(r, status, { results: stored(2, 2), ack: ack(3) })
            expect([status, fx.ackFrom, fx.ackTo, round.ok, round.alerts.length, round.next(NOW, "02")]).toEqual([status, 0, 0, false, 0, null])
        }
    })

    it("401 unknown_device is raised as auth_refused; a 401 with another code fails the round silently", () => {
        const a = roundWith(() => {})
        a.onResponse(a.next(NOW, "00")!, 401, { error: { code: "unknown_device" } })
        expect([a.ok, codes(a)]).toEqual([false, ["auth_refused@0"]])
        expect(a.alerts[0].detail).toMatch(/unknown_device/)
        const b = roundWith(() => {})
        b.onResponse(b.next(NOW, "00")!, 401, { error: { code: "replayed_nonce" } })
        expect([b.ok, codes(b), b.next(NOW, "01")]).toEqual([false, [], null])
    })

    it("a stale_timestamp on the time route itself is not retried: the round fails", () => {
        const round = roundWith(i => (i.lastTimeSyncUnixS = 0))
        const r = round.next(0, TIME_NONCE)!
        expect(r.step).toBe(Step.Time)
        round.onResponse(r, 401, { error: { code: "stale_timestamp" } })
        expect([round.ok, round.next(0, "01")]).toEqual([false, null])
    })
})

describe("bundle and templates", () => {
    it("a bundle answer that is not 200 with sealed hex is refused and raised; the round goes on", () => {
        for (const [status, body] of [[200, { version: 9 }], [403, { sealedHex: "00" }], [200, null]] as [number, any][]) {
            const round = roundWith(i => (i.bundleVersion = 6))
            const b = round.next(NOW, "00")!
            expect(b.ifNoneMatch).toBe("\"v6\"")
            const fx = round.onResponse(b, status, body)
            expect([fx.bundle, round.ok, codes(round)]).toEqual([null, true, ["bundle_refused@0"]])
            expect(round.next(NOW, "01")!.step).toBe(Step.Records)
        }
    })

    it("templates: approved, not installed, in the bundle's order, at most templatesPerRound a round", () => {
        const A = rep("a1", 32), B = rep("b2", 32), C = rep("c3", 32)
        const lim2 = { ...LIM, templatesPerRound: 2 }
        const round = roundWith(i => {
            i.approved = [A, B, C]
            i.templates = [B]
        }, lim2)
        const t1 = pastBundle(round)
        expect([t1.step, t1.method, t1.path]).toEqual([Step.Template, "GET", "/api/device/v1/templates/" + A])
        round.onResponse(t1, 404, null) // revoked since: skipped, nothing raised
        const t2 = round.next(NOW, "02")!
        expect(t2.path).toBe("/api/device/v1/templates/" + C)
        round.onResponse(t2, 404, null)
        expect([round.next(NOW, "03")!.step, round.alerts.length]).toEqual([Step.Records, 0])
        // one a round by default: the second waits
        const one = roundWith(i => (i.approved = [A, C]))
        one.onResponse(pastBundle(one), 404, null)
        expect(one.next(NOW, "02")!.step).toBe(Step.Records)
    })

    it("template bytes are installed only when their SHA-256 is the hash asked for", () => {
        const bytes = Buffer.from("template bytes")
        const h = c.sha256Hex(bytes)
        const good = roundWith(i => (i.approved = [h]))
        const fx = good.onResponse(pastBundle(good), 200, { bytesHex: bytes.toString("hex") })
        expect([fx.templateHash, fx.template && fx.template.toString(), good.alerts.length]).toEqual([h, "template bytes", 0])
        for (const [status, body] of [[200, { bytesHex: "zz" }], [200, { bytesHex: 7 }], [200, null], [203, { bytesHex: bytes.toString("hex") }],
            [200, { bytesHex: bytes.toString("hex") + "00" }]] as [number, any][]) {
            const bad = roundWith(i => (i.approved = [h]))
            const f = bad.onResponse(pastBundle(bad), status, body)
            expect([f.template, f.templateHash, codes(bad)]).toEqual([null, "", ["template_mismatch@0"]])
            expect(bad.alerts[0].detail).toContain(h)
        }
    })
})

describe("the upload body", () => {
    // two 10-byte records: {"records":[ (12) + "<20 hex>" (22) + ,"<20 hex>" (23) + ]} (2) = 59 characters
    const ten = (seq: number) => toHex(Array.from({ length: 10 }, (_x, i) => (seq + i) & 255))

    it("two records fit a bodyMaxChars of exactly 59, not of 58", () => {
        for (const [max, n] of [[59, 2], [58, 1]]) {
            const round = roundWith(() => {}, { ...LIM, bodyMaxChars: max })
            const r = pastBundle(round)
            expect(round.fillRecords(r, [ten(2), ten(3)])).toBe(true)
            expect([max, r.sealed.length, r.toSeq]).toEqual([max, n, 2 + n - 1])
            if (n === 2) expect(r.body.length).toBe(59)
        }
    })

    it("never more records than the request's range, whatever the glue hands over", () => {
        const round = roundWith(i => (i.queueNext = 3)) // only record 2 held
        const r = pastBundle(round)
        expect([r.fromSeq, r.toSeq]).toEqual([2, 2])
        round.fillRecords(r, [ten(2), ten(3), ten(4)])
        expect([r.sealed, r.body]).toEqual([[ten(2)], "{\"records\":[\"" + ten(2) + "\"]}"])
    })
})

describe("which records an answer releases", () => {
    it("an answer to a request whose records were never filled releases nothing (no sealed bytes to check the ack against)", () => {
        const round = new SyncRound(LIM, inputs(), c)
        const r = pastBundle(round)
        const fx = round.onResponse(r, 200, { results: stored(2, 2), ack: ack(3) })
        expect([fx.ackFrom, fx.ackTo, round.head, round.ok, codes(round)]).toEqual([0, 0, 2, false, ["ack_unverified@3"]])
    })

    it("a 200 without a results list is refused and raised; the upload stops, the status still goes", () => {
        const { round, r } = firstUpload()
        const fx = round.onResponse(r, 200, { error: { code: "x" } })
        expect([fx.ackTo, round.head, round.ok, codes(round)]).toEqual([0, 2, true, ["refused@2"]])
        expect(round.next(NOW, "02")!.step).toBe(Step.Status)
    })

    it("results that skip a seq, or list it in another state, acknowledge nothing from there", () => {
        // 2 stored, then a result for 4 where 3 was due: only 2 is released
        const a = firstUpload()
        const fx = a.round.onResponse(a.r, 200, { results: [{ seq: 2, status: "stored" }, { seq: 4, status: "stored" }], ack: ack(2) })
        expect([fx.ackFrom, fx.ackTo, a.round.head, a.round.ok]).toEqual([2, 2, 3, true])
        // nothing acknowledged and no reason: the round ends, to try later
        const b = firstUpload()
        const fy = b.round.onResponse(b.r, 200, { results: [{ seq: 2, status: "pending" }, null], ack: ack(2) })
        expect([fy.ackTo, b.round.head, b.round.ok, b.round.alerts.length]).toEqual([0, 2, false, 0])
        const d = firstUpload()
        const fz = d.round.onResponse(d.r, 200, { results: [null, { seq: 3, status: "stored" }], ack: ack(3) })
        expect([fz.ackTo, d.round.head, d.round.ok]).toEqual([0, 2, false])
    })

    it("a gap with the hub expecting a record the device holds: resend from there, releasing nothing", () => {
        // holds 2..5; the batch 2..3 is refused as a gap, the hub expects 4, then 5 (the last held)
        for (const expected of [4, 5]) {
            const { round, r } = firstUpload()
            const fx = round.onResponse(r, 200, { results: [{ seq: 2, status: "rejected", reason: "gap" }], expectedSeq: expected })
            expect([fx.ackFrom, fx.ackTo, round.head, round.ok, round.alerts.length]).toEqual([0, 0, expected, true, 0])
            const next = round.next(NOW, "02")!
            expect([next.step, next.fromSeq]).toEqual([Step.Records, expected])
        }
    })

    it("a gap expecting what the device does not hold (its next, or not an integer) is hub_behind; the upload stops", () => {
        for (const expected of [6, 4.5, "4"]) {
            const { round, r } = firstUpload()
            const fx = round.onResponse(r, 200, { results: [{ seq: 2, status: "rejected", reason: "gap" }], expectedSeq: expected })
            expect([fx.ackTo, round.head, round.ok, codes(round)]).toEqual([0, 2, true, ["hub_behind@2"]])
            expect(round.next(NOW, "02")!.step).toBe(Step.Status)
        }
    })

    it("a rejection whose reason is not a string is no reason: with nothing acknowledged the round fails", () => {
        const { round, r } = firstUpload()
        round.onResponse(r, 200, { results: [{ seq: 2, status: "rejected", reason: 4 }], expectedSeq: 4 })
        expect([round.head, round.ok, round.alerts.length]).toEqual([2, false, 0])
    })
})

describe("the status report", () => {
    it("pending counts what is still held after the round's acks; the head is the last record held", () => {
        const { round, r } = firstUpload()
        round.onResponse(r, 200, { results: stored(2, 2), ack: ack(3) })
        const r2 = round.next(NOW, "02")!
        round.fillRecords(r2, [sealed(4), sealed(5)])
        round.onResponse(r2, 200, { results: [{ seq: 4, status: "rejected", reason: "fork" }] })
        const s = round.next(NOW, "03")!
        expect([s.step, s.method, s.path]).toEqual([Step.Status, "POST", "/api/device/v1/status"])
        expect(JSON.parse(s.body)).toEqual({ state: "idle", phase: 0, pending: 2, latchedFault: 0, head: { seq: 5, hash: rep("11", 32) } })
    })

    it("a refused status report is raised; a 200 is as good as a 204; either ends the round", () => {
        for (const [status, alerts] of [[400, ["refused@0"]], [200, []], [204, []]] as [number, string[]][]) {
            const round = roundWith(i => (i.queueHead = 6))
            const s = pastBundle(round)
            expect(s.step).toBe(Step.Status)
            round.onResponse(s, status, { error: { code: "bad_status" } })
            expect([status, round.ok, codes(round), round.next(NOW, "02")]).toEqual([status, true, alerts, null])
        }
    })
})

describe("backoff", () => {
    it("a random number that is not one (NaN) counts as 0: the fixed half alone", () => {
        // first failure: d = 2000, half = 1000
        expect(backoffDelayMs(1, 2000, 300000, NaN)).toBe(1000)
    })

    it("the cap holds however many failures: 1,000 failures still wait 150..300 s", () => {
        expect([backoffDelayMs(1000, 2000, 300000, 0), backoffDelayMs(1000, 2000, 300000, 0.5)]).toEqual([150000, 225000])
    })

    it("a cycle's kick brings a later round forward only while not backing off, and never delays one already due", () => {
        const s = new SyncSchedule({ periodMs: 300000, backoffBaseMs: 2000, backoffCapMs: 60000, fetchTimeoutMs: 15000 })
        s.roundEnded(true, 0, 0) // due at 300000
        s.kick(1000)
        expect(s.dueMs).toBe(1000)
        s.kick(5000) // already due at 1000: stays
        expect([s.dueMs, s.due(999), s.due(1000)]).toEqual([1000, false, true])
    })
})

describe("more of the round's edges (second pass)", () => {
    it("the GET requests (time, bundle, template) carry an empty body and no record range", () => {
        const round = roundWith(i => {
            i.lastTimeSyncUnixS = 0
            i.approved = [rep("a1", 32)]
        })
        const t = round.next(0, TIME_NONCE)!
        round.onResponse(t, 200, { unixS: TIME_UNIX_S, nonce: TIME_NONCE, mac: TIME_MAC })
        const b = round.next(TIME_UNIX_S, "01")!
        round.onResponse(b, 304, null)
        const tp = round.next(TIME_UNIX_S, "02")!
        expect([t, b, tp].map(r => [r.step, r.method, r.body, r.fromSeq, r.toSeq])).toEqual(
            [[Step.Time, "GET", "", 0, 0], [Step.Bundle, "GET", "", 0, 0], [Step.Template, "GET", "", 0, 0]])
    })

    it("a rejection listed after the whole batch was acknowledged is not the device's concern: released, nothing raised", () => {
        const { round, r } = firstUpload()
        const fx = round.onResponse(r, 200, { results: [...stored(2, 2), { seq: 4, status: "rejected", reason: "fork" }], ack: ack(3) })
        expect([fx.ackFrom, fx.ackTo, round.head, round.ok, round.alerts.length]).toEqual([2, 3, 4, true, 0])
        expect(round.next(NOW, "02")!.fromSeq).toBe(4)
    })

    it("the batch's last record refused as a fork after the first was stored: the first released, the fork raised, the upload stops", () => {
        const { round, r } = firstUpload()
        const fx = round.onResponse(r, 200, { results: [{ seq: 2, status: "stored" }, { seq: 3, status: "rejected", reason: "fork" }], ack: ack(2) })
        expect([fx.ackFrom, fx.ackTo, round.head, round.ok, codes(round)]).toEqual([2, 2, 3, true, ["fork@3"]])
        expect(round.next(NOW, "02")!.step).toBe(Step.Status)
    })

    it("a gap expecting the very record the batch starts with: the batch is sent again", () => {
        const { round, r } = firstUpload()
        round.onResponse(r, 200, { results: [{ seq: 2, status: "rejected", reason: "gap" }], expectedSeq: 2 })
        const again = round.next(NOW, "02")!
        expect([round.ok, round.alerts.length, again.step, again.fromSeq, again.toSeq]).toEqual([true, 0, Step.Records, 2, 3])
    })

    it("a reason on a result that is not a rejection is no reason: nothing raised, the round fails", () => {
        const { round, r } = firstUpload()
        round.onResponse(r, 200, { results: [{ seq: 2, status: "pending", reason: "fork" }] })
        expect([round.head, round.ok, round.alerts.length]).toEqual([2, false, 0])
    })

    it("a template the new bundle both approves and revokes is not fetched", () => {
        const b = goldenBundle() // v7, approves aa.. and 78c4..
        b.revoked = [rep("aa", 32)]
        const round = roundWith(i => (i.bundleVersion = 6), { ...LIM, templatesPerRound: 2 })
        const req = round.next(NOW, "00")!
        const fx = round.onResponse(req, 200, { sealedHex: toHex(sealBundle(b, GOLDEN_KEY, c)) })
        expect([fx.bundle !== null, round.alerts.length]).toEqual([true, 0])
        const t = round.next(NOW, "01")!
        expect(t.path).toBe("/api/device/v1/templates/" + GOLDEN_TEMPLATE_HASH)
        round.onResponse(t, 404, null)
        // room for a second template this round, but aa.. is revoked
        expect(round.next(NOW, "02")!.step).toBe(Step.Records)
    })

    it("a MAC that is not a string (an array of 64 digits) is refused, not thrown over", () => {
        const digits = Array.from({ length: 64 }, () => "0")
        expect(checkTimeAnswer(c, GOLDEN_KEY, TIME_NONCE, { unixS: TIME_UNIX_S, nonce: TIME_NONCE, mac: digits })).toBe(0)
        const h = sealedHash(c, sealed(3))
        expect(checkAck(c, GOLDEN_KEY, GOLDEN_DEVICE, 3, h, { seq: 3, hash: h, mac: digits })).toBe(false)
    })

    it("an ack naming another hash than our record's is refused, even with the MAC over ours", () => {
        const h = sealedHash(c, sealed(3))
        const mac = ackMac(c, GOLDEN_KEY, GOLDEN_DEVICE, 3, h)
        expect(checkAck(c, GOLDEN_KEY, GOLDEN_DEVICE, 3, h, { seq: 3, hash: h, mac: mac })).toBe(true)
        expect(checkAck(c, GOLDEN_KEY, GOLDEN_DEVICE, 3, h, { seq: 3, hash: rep("22", 32), mac: mac })).toBe(false)
    })

    it("a sealed record shorter than its 32-byte MAC hashes as no body at all (SHA-256 of nothing)", () => {
        const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        expect([sealedHash(c, rep("ee", 20)), sealedHash(c, rep("ee", 31)), sealedHash(c, "")]).toEqual([empty, empty, empty])
    })
})

// The device's record release that issue 14's mutation run found untested (docs/mutation.md): a
// hub answer that lists more records than the batch the device sent releases the batch and no
// more, and an ack over a record past the batch releases nothing. A round driven by hand, as the
// link's glue does (src/link/sync-round.ts): next(), fillRecords(), onResponse().
import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { toHex } from "../../src/core/crypto"
import { SyncRound, SyncInputs, SyncLimits, Step, sealedHash } from "../../src/core/sync/planner"
import { ackMac } from "../../src/core/sync/signing"
import { GOLDEN_KEY, GOLDEN_DEVICE, rep } from "../vectors/golden"

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

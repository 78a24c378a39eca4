// Sync protocol checks, shared by vitest and the VM (DeviceScript subset): request signatures
// against vectors computed with openssl, the backoff, and whole rounds of the planner against
// a scripted hub whose answers are written out here. Signature vectors (key = GOLDEN_KEY):
//   printf '%s' "$BODY" | openssl dgst -sha256                      (the body hash)
//   printf 'POST\n/api/device/v1/status\n<body hash>\n1750000000\n0011..eeff' |
//     openssl dgst -sha256 -mac HMAC -macopt hexkey:000102..1f
//   printf 'time\na1b2c3d4e5f60718\n1750000321' | openssl dgst -sha256 -mac HMAC -macopt hexkey:0001..1f
// Round traces: one entry per request, "METHOD path t=<signed timestamp> [range] -> status
// [effects]", then "| ok" or "| failed" and the alerts raised as code@seq.

import { Crypto, toHex } from "../../src/core/crypto"
import { ZERO_HASH } from "../../src/core/codec/ints"
import { sealBundle } from "../../src/core/bundle/codec"
import { signRequest, signingString, timeMac, checkTimeAnswer, ackMac, checkAck, DEVICE_API } from "../../src/core/sync/signing"
import { backoffDelayMs, SyncSchedule } from "../../src/core/sync/backoff"
import { SyncRound, SyncInputs, SyncLimits, SyncRequest, Step, sealedHash } from "../../src/core/sync/planner"
import { goldenBundle, GOLDEN_KEY, GOLDEN_DEVICE, GOLDEN_TEMPLATE_HASH, GOLDEN_TEMPLATE_HEX, GOLDEN_RECORD_HASH, rep } from "./golden"
import { expectStr } from "./record-helpers"

export interface SyncCheck { name: string; run: (c: Crypto, pause: () => Promise<void>) => Promise<string> }

export const STATUS_BODY = "{\"state\":\"idle\",\"phase\":0,\"pending\":2,\"latchedFault\":0,\"head\":{\"seq\":17,\"hash\":\"" + GOLDEN_RECORD_HASH + "\"}}"
export const STATUS_BODY_SHA256 = "3026709fc744a011e75dbfc33abe74982a9c97e3ac1d65d4dccf9af6178181ca"
export const STATUS_SIGNATURE = "78990dfb26633ad08ad1526c1abd6c3ce04ca3c67150e69cf62f7be5b3296746"
/** GET bundle, timestamp 1750000000, nonce fedcba98765432100123456789abcdef */
export const BUNDLE_GET_SIGNATURE = "66f25e016af6fecfb1a1ea609ee5e0f62d77614f321eaac9cd259c7762bd0696"
/** GET time?nonce=a1b2c3d4e5f60718, timestamp 0, same nonce */
export const TIME_GET_SIGNATURE = "551a1663a5313776b5c5f98cf3d542ac665b89c661ad832b5b4b48cbacb4b135"
export const TIME_NONCE = "a1b2c3d4e5f60718"
export const TIME_UNIX_S = 1750000321
export const TIME_MAC = "3961f93edd17cffbff01441897a6717a48ae4b080651a0a450057f8bd4f5cae6"
/**
 * The hub's ack of record 17 with hash GOLDEN_RECORD_HASH for GOLDEN_DEVICE:
 *   printf 'ack\nSFA1-000042\n17\n<GOLDEN_RECORD_HASH>' | openssl dgst -sha256 -mac HMAC -macopt hexkey:0001..1f
 */
export const ACK_MAC_17 = "e89255fe1248f2c50b40b7bd03a1b8851de680d0d851938b0bb2b1d8a6fdc2ba"
const NONCE = "00112233445566778899aabbccddeeff"

/** the hub's answers in order; a missing one is "no answer" (status 0) */
interface Answer { status: number; body: any }

const LIMITS: SyncLimits = { batchMax: 8, bodyMaxChars: 12000, timeResyncS: 21600, templatesPerRound: 1, requestsMax: 48 }

function limits(batchMax: number, bodyMaxChars: number, requestsMax: number): SyncLimits {
    return { batchMax: batchMax, bodyMaxChars: bodyMaxChars, timeResyncS: LIMITS.timeResyncS, templatesPerRound: 1, requestsMax: requestsMax }
}

/** a device that booted without a clock, holding records head..next-1 */
function inputs(head: number, next: number): SyncInputs {
    return {
        deviceId: GOLDEN_DEVICE, keyHex: GOLDEN_KEY, lastTimeSyncUnixS: 0, bundleVersion: 0, approved: [], templates: [],
        queueHead: head, queueNext: next, lastHash: rep("11", 32), state: "idle", phase: 0, latchedFault: 0,
    }
}

function timeAnswer(): Answer {
    return { status: 200, body: { unixS: TIME_UNIX_S, nonce: TIME_NONCE, mac: TIME_MAC } }
}

/** per-record results from..to, each "stored", "duplicate" or "rejected:<reason>" */
function results(from: number, statuses: string[], expectedSeq: number): Answer {
    const out: any[] = []
    for (let i = 0; i < statuses.length; i++) {
        const s = statuses[i]
        if (s.indexOf("rejected:") === 0) out.push({ seq: from + i, status: "rejected", reason: s.slice(9) })
        else out.push({ seq: from + i, status: s })
    }
    return { status: 200, body: { results: out, expectedSeq: expectedSeq, head: { seq: expectedSeq - 1, hash: rep("22", 32) }, ack: "hub" } }
}

/**
 * What the hub puts in `ack` (hub/src/record-ack.ts) for a records answer to r: its MAC over the
 * last record of the answer's acknowledged run, with that record's hash. The round's checks of
 * it are pinned by the forged, replayed and misdirected acks below, and ackMac by openssl.
 */
function hubAck(c: Crypto, r: SyncRequest, results: any[]): any {
    let i = 0
    while (i < results.length && i < r.sealed.length && (results[i].status === "stored" || results[i].status === "duplicate")) i++
    if (i === 0) return null
    const hash = sealedHash(c, r.sealed[i - 1])
    return { seq: r.fromSeq + i - 1, hash: hash, mac: ackMac(c, GOLDEN_KEY, GOLDEN_DEVICE, r.fromSeq + i - 1, hash) }
}

function repeat(s: string, n: number): string[] {
    const out: string[] = []
    for (let i = 0; i < n; i++) out.push(s)
    return out
}

/** a held record's sealed bytes, as the queue would give them (the planner only hexes them) */
function sealedOf(seq: number, size: number): number[] {
    const out: number[] = []
    for (let i = 0; i < size; i++) out.push((seq + i) & 255)
    return out
}

interface Run { trace: string; round: SyncRound; bodies: string[] }

/** Drives a round as the glue does: clock applied, records read and filled, answers in order. */
async function runRound(c: Crypto, lim: SyncLimits, inp: SyncInputs, answers: Answer[], recordSize: number, pause: () => Promise<void>): Promise<Run> {
    const round = new SyncRound(lim, inp, c)
    let now = inp.lastTimeSyncUnixS
    const lines: string[] = []
    const bodies: string[] = []
    let k = 0
    for (let r = round.next(now, TIME_NONCE); r; r = round.next(now, TIME_NONCE)) {
        await pause()
        if (r.step === Step.Records) {
            const sealed: string[] = []
            for (let s = r.fromSeq; s <= r.toSeq && recordSize > 0; s++) sealed.push(toHex(sealedOf(s, recordSize)))
            if (!round.fillRecords(r, sealed)) continue // nothing to send
        }
        if (r.step === Step.Records || r.step === Step.Status) bodies.push(r.body)
        let a = k < answers.length ? answers[k] : { status: 0, body: null }
        k++
        if (a.body && a.body.ack === "hub") {
            // the hub's ack for this very request (a copy: answers may be reused)
            const b = a.body
            a = { status: a.status, body: { results: b.results, expectedSeq: b.expectedSeq, head: b.head, ack: hubAck(c, r, b.results) } }
        }
        const fx = round.onResponse(r, a.status, a.body)
        let line = show(r) + " -> " + a.status
        if (fx.clockUnixS > 0) {
            now = fx.clockUnixS
            line += " clock=" + fx.clockUnixS
        }
        if (fx.bundle) line += " bundle=" + fx.bundle.length + "B"
        if (fx.template) line += " template=" + fx.templateHash.slice(0, 8)
        if (fx.ackTo > 0) line += " ack=" + fx.ackFrom + ".." + fx.ackTo
        lines.push(line)
    }
    const alerts: string[] = []
    round.alerts.forEach(x => {
        alerts.push(x.code + "@" + x.seq)
    })
    const trace = lines.join("; ") + " | " + (round.ok ? "ok" : "failed") + (alerts.length > 0 ? " alerts=" + alerts.join(",") : "")
    return { trace: trace, round: round, bodies: bodies }
}

function show(r: SyncRequest): string {
    let s = r.method + " " + r.path.slice(DEVICE_API.length) + " t=" + r.timestampS
    if (r.ifNoneMatch) s += " inm=" + r.ifNoneMatch
    if (r.step === Step.Records) s += " " + r.fromSeq + ".." + r.toSeq
    return s
}

const T = TIME_UNIX_S

export const SYNC_CHECKS: SyncCheck[] = [
    { name: "signing: POST status, body hash and signature as openssl computes them", run: async c => {
        const s = signingString(c, "POST", "/api/device/v1/status", STATUS_BODY, 1750000000, NONCE)
        const h = signRequest(c, GOLDEN_DEVICE, GOLDEN_KEY, "POST", "/api/device/v1/status", STATUS_BODY, 1750000000, NONCE)
        return expectStr(s + "|" + h.deviceId + "|" + h.timestamp + "|" + h.nonce + "|" + h.signature,
            "POST\n/api/device/v1/status\n" + STATUS_BODY_SHA256 + "\n1750000000\n" + NONCE + "|SFA1-000042|1750000000|" + NONCE + "|" + STATUS_SIGNATURE)
    } },
    { name: "signing: GET bundle (empty body) and the clock-less GET time (timestamp 0, query signed)", run: async c => {
        const b = signRequest(c, GOLDEN_DEVICE, GOLDEN_KEY, "GET", "/api/device/v1/bundle", "", 1750000000, "fedcba98765432100123456789abcdef")
        const t = signRequest(c, GOLDEN_DEVICE, GOLDEN_KEY, "GET", "/api/device/v1/time?nonce=" + TIME_NONCE, "", 0, TIME_NONCE)
        return expectStr(b.signature + " " + t.timestamp + " " + t.signature, BUNDLE_GET_SIGNATURE + " 0 " + TIME_GET_SIGNATURE)
    } },
    { name: "time answer: trusted only with our nonce and our key's MAC", run: async c => {
        const good = { unixS: T, nonce: TIME_NONCE, mac: TIME_MAC }
        const got = [
            timeMac(c, GOLDEN_KEY, TIME_NONCE, T) === TIME_MAC ? "mac" : "mac?",
            checkTimeAnswer(c, GOLDEN_KEY, TIME_NONCE, good),
            checkTimeAnswer(c, GOLDEN_KEY, "a1b2c3d4e5f60719", good), // an answer to another request
            checkTimeAnswer(c, rep("42", 32), TIME_NONCE, good), // another hub's key
            checkTimeAnswer(c, GOLDEN_KEY, TIME_NONCE, { unixS: T + 1, nonce: TIME_NONCE, mac: TIME_MAC }), // time edited
            checkTimeAnswer(c, GOLDEN_KEY, TIME_NONCE, { unixS: "" + T, nonce: TIME_NONCE, mac: TIME_MAC }),
            checkTimeAnswer(c, GOLDEN_KEY, TIME_NONCE, null),
        ]
        return expectStr(got.join(","), "mac," + T + ",0,0,0,0,0")
    } },
    { name: "record ack: the hub's MAC as openssl computes it, refused for another seq, hash, key or mac", run: async c => {
        const good = { seq: 17, hash: GOLDEN_RECORD_HASH, mac: ACK_MAC_17 }
        const got = [
            ackMac(c, GOLDEN_KEY, GOLDEN_DEVICE, 17, GOLDEN_RECORD_HASH) === ACK_MAC_17 ? "mac" : "mac?",
            checkAck(c, GOLDEN_KEY, GOLDEN_DEVICE, 17, GOLDEN_RECORD_HASH, good),
            checkAck(c, GOLDEN_KEY, GOLDEN_DEVICE, 18, GOLDEN_RECORD_HASH, good), // a later record
            checkAck(c, GOLDEN_KEY, GOLDEN_DEVICE, 17, rep("11", 32), good), // our record 17 has another hash
            checkAck(c, GOLDEN_KEY, "SFA1-000043", 17, GOLDEN_RECORD_HASH, good), // another device's ack
            checkAck(c, rep("42", 32), GOLDEN_DEVICE, 17, GOLDEN_RECORD_HASH, good), // made without our key
            checkAck(c, GOLDEN_KEY, GOLDEN_DEVICE, 17, GOLDEN_RECORD_HASH, { seq: 17, hash: GOLDEN_RECORD_HASH, mac: rep("00", 32) }),
            checkAck(c, GOLDEN_KEY, GOLDEN_DEVICE, 17, GOLDEN_RECORD_HASH, { seq: "17", hash: GOLDEN_RECORD_HASH, mac: ACK_MAC_17 }),
            checkAck(c, GOLDEN_KEY, GOLDEN_DEVICE, 17, GOLDEN_RECORD_HASH, null),
        ]
        return expectStr(got.join(","), "mac,true,false,false,false,false,false,false,false")
    } },
    { name: "record hash from sealed hex: SHA-256 of the bytes before the 32-byte MAC (openssl)", run: async c => {
        // 01020304 then a 32-byte MAC: sha256(01020304); 32 bytes or fewer: sha256 of nothing
        return expectStr(sealedHash(c, "01020304" + rep("ee", 32)) + " " + sealedHash(c, rep("ee", 32)),
            "9f64a747e1b97f131fabb6b447296c9b6f0201e79fb3c5356e6c77e89b6a806a e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    } },
    { name: "round: an answer whose ack is missing, forged, replayed or names more than it acknowledges releases nothing", run: async (c, pause) => {
        const inp = inputs(2, 4) // records 2 and 3, each 40 bytes (8 of body, 32 of MAC)
        inp.lastTimeSyncUnixS = T
        const stored = (ack: any) => ({ status: 200, body: { results: [{ seq: 2, status: "stored" }, { seq: 3, status: "stored" }], expectedSeq: 4, head: { seq: 3, hash: rep("22", 32) }, ack: ack } })
        const h2 = sealedHash(c, toHex(sealedOf(2, 40)))
        const h3 = sealedHash(c, toHex(sealedOf(3, 40)))
        const cases = [
            null, // an answer from something that is not the hub, or a hub that does not sign
            { seq: 3, hash: h3, mac: ackMac(c, rep("42", 32), GOLDEN_DEVICE, 3, h3) }, // forged without our key
            { seq: 2, hash: h2, mac: ackMac(c, GOLDEN_KEY, GOLDEN_DEVICE, 2, h2) }, // the hub's real ack of an earlier answer, replayed
            { seq: 3, hash: rep("33", 32), mac: ackMac(c, GOLDEN_KEY, GOLDEN_DEVICE, 3, rep("33", 32)) }, // the hub holds other bytes as record 3
        ]
        const out: string[] = []
        for (let i = 0; i < cases.length; i++) {
            const r = await runRound(c, LIMITS, inp, [{ status: 404, body: null }, stored(cases[i])], 40, pause)
            out.push(r.trace.split(" t=" + T).join("") + " head=" + r.round.head)
        }
        // and the hub acknowledging record 2 only (3 refused as a fork), while the ack names 3
        const partial = { status: 200, body: { results: [{ seq: 2, status: "stored" }, { seq: 3, status: "rejected", reason: "fork" }], expectedSeq: 3,
            head: { seq: 2, hash: h2 }, ack: { seq: 3, hash: h3, mac: ackMac(c, GOLDEN_KEY, GOLDEN_DEVICE, 3, h3) } } }
        const p = await runRound(c, LIMITS, inp, [{ status: 404, body: null }, partial], 40, pause)
        out.push(p.trace.split(" t=" + T).join("") + " head=" + p.round.head)
        const failed = "GET bundle -> 404; POST records 2..3 -> 200 | failed alerts=ack_unverified@3 head=2"
        return expectStr(out.join(" / "), failed + " / " + failed + " / " + failed + " / " + failed + " / " +
            "GET bundle -> 404; POST records 2..3 -> 200 | failed alerts=ack_unverified@2 head=2")
    } },
    { name: "round: the hub's own ack of 40-byte records releases them", run: async (c, pause) => {
        const inp = inputs(2, 4)
        inp.lastTimeSyncUnixS = T
        const r = await runRound(c, LIMITS, inp, [{ status: 404, body: null }, results(2, ["stored", "duplicate"], 4), { status: 204, body: null }], 40, pause)
        return expectStr(r.trace.split(" t=" + T).join("") + " head=" + r.round.head, "GET bundle -> 404; POST records 2..3 -> 200 ack=2..3; POST status -> 204 | ok head=4")
    } },
    { name: "backoff: doubling from base to cap, half fixed and half jitter", run: async () => {
        const got = [
            backoffDelayMs(1, 2000, 300000, 0), backoffDelayMs(1, 2000, 300000, 0.5), backoffDelayMs(2, 2000, 300000, 0),
            backoffDelayMs(3, 2000, 300000, 0.25), backoffDelayMs(8, 2000, 300000, 0), backoffDelayMs(9, 2000, 300000, 0.999),
            backoffDelayMs(60, 2000, 300000, 0), backoffDelayMs(1, 2000, 300000, 1), backoffDelayMs(1, 2000, 300000, -1),
        ]
        // 2000 -> 1000 + r*1000; 4000 -> 2000 + r*2000; 8000 -> 4000 + 0.25*4000 = 5000;
        // 2000*2^7 = 256000; 2^8 would be 512000 > cap: 150000 + 0.999*150000 = 299850; r clamped to [0,1)
        return expectStr(got.join(","), "1000,1500,2000,5000,128000,299850,150000,1999,1000")
    } },
    { name: "schedule: period when well, backoff when failing, a cycle's kick only when not backing off", run: async () => {
        const s = new SyncSchedule({ periodMs: 300000, backoffBaseMs: 2000, backoffCapMs: 60000, fetchTimeoutMs: 15000 })
        const out: string[] = ["" + s.due(0)]
        out.push("" + s.roundEnded(true, 1000, 0.5)) // next at 301000
        s.kick(5000) // a cycle ended: sync now
        out.push("" + s.dueMs)
        out.push("" + s.roundEnded(false, 6000, 0)) // 1st failure: 1000
        out.push("" + s.roundEnded(false, 7000, 0)) // 2nd: 2000
        s.kick(7500) // backing off: stays at 9000
        out.push(s.dueMs + " " + s.due(8999) + " " + s.due(9000))
        out.push("" + s.roundEnded(true, 9000, 0.9))
        return expectStr(out.join(","), "true,300000,5000,1000,2000,9000 false true,300000")
    } },
    { name: "round: clock-less boot, no bundle approved yet, three records stored, status", run: async (c, pause) => {
        const r = await runRound(c, LIMITS, inputs(1, 4), [timeAnswer(), { status: 404, body: null }, results(1, repeat("stored", 3), 4), { status: 204, body: null }], 4, pause)
        return expectStr(r.trace + " || " + r.bodies.join(" || "),
            "GET time?nonce=a1b2c3d4e5f60718 t=0 -> 200 clock=" + T + "; GET bundle t=" + T + " -> 404; POST records t=" + T + " 1..3 -> 200 ack=1..3; " +
            "POST status t=" + T + " -> 204 | ok || {\"records\":[\"01020304\",\"02030405\",\"03040506\"]} || " +
            "{\"state\":\"idle\",\"phase\":0,\"pending\":0,\"latchedFault\":0,\"head\":{\"seq\":3,\"hash\":\"" + rep("11", 32) + "\"}}")
    } },
    { name: "round: a forged or replayed time answer is not trusted and nothing else is sent", run: async (c, pause) => {
        const forged = { status: 200, body: { unixS: T + 3600, nonce: TIME_NONCE, mac: TIME_MAC } }
        const a = await runRound(c, LIMITS, inputs(1, 4), [forged], 4, pause)
        const replayed = { status: 200, body: { unixS: T, nonce: "ffffffffffffffff", mac: TIME_MAC } }
        const b = await runRound(c, LIMITS, inputs(1, 4), [replayed], 4, pause)
        return expectStr(a.trace + " / " + b.trace, "GET time?nonce=a1b2c3d4e5f60718 t=0 -> 200 | failed alerts=time_untrusted@0 / " +
            "GET time?nonce=a1b2c3d4e5f60718 t=0 -> 200 | failed alerts=time_untrusted@0")
    } },
    { name: "round: batches of batchMax, a duplicate counts as acknowledged, the clock is fresh enough", run: async (c, pause) => {
        const inp = inputs(5, 16) // records 5..15 held
        inp.lastTimeSyncUnixS = T
        inp.bundleVersion = 7
        inp.approved = [GOLDEN_TEMPLATE_HASH]
        inp.templates = [GOLDEN_TEMPLATE_HASH]
        const r = await runRound(c, LIMITS, inp, [{ status: 304, body: null }, results(5, repeat("duplicate", 8), 17),
            results(13, ["duplicate", "duplicate", "duplicate"], 17), { status: 204, body: null }], 2, pause)
        return expectStr(r.trace, "GET bundle t=" + T + " inm=\"v7\" -> 304; POST records t=" + T + " 5..12 -> 200 ack=5..12; " +
            "POST records t=" + T + " 13..15 -> 200 ack=13..15; POST status t=" + T + " -> 204 | ok")
    } },
    { name: "round: no acknowledgement on a 5xx, on a timeout, or on a 400", run: async (c, pause) => {
        const inp = inputs(1, 3)
        inp.lastTimeSyncUnixS = T
        const a = await runRound(c, LIMITS, inp, [{ status: 404, body: null }, { status: 503, body: null }], 4, pause)
        const b = await runRound(c, LIMITS, inp, [{ status: 404, body: null }], 4, pause) // the upload times out: status 0
        const bad = { status: 400, body: { error: { code: "bad_record", message: "records[0] is not a sealed record" } } }
        const d = await runRound(c, LIMITS, inp, [{ status: 404, body: null }, bad, { status: 204, body: null }], 4, pause)
        return expectStr(a.trace + " / " + b.trace + " / " + d.trace,
            "GET bundle t=" + T + " -> 404; POST records t=" + T + " 1..2 -> 503 | failed / " +
            "GET bundle t=" + T + " -> 404; POST records t=" + T + " 1..2 -> 0 | failed / " +
            "GET bundle t=" + T + " -> 404; POST records t=" + T + " 1..2 -> 400; POST status t=" + T + " -> 204 | ok alerts=refused@1")
    } },
    { name: "round: a fork after a stored record: the stored one is released, the fork raised and kept", run: async (c, pause) => {
        const inp = inputs(5, 9)
        inp.lastTimeSyncUnixS = T
        const r = await runRound(c, LIMITS, inp, [{ status: 404, body: null }, results(5, ["stored", "rejected:fork", "rejected:gap", "rejected:gap"], 6),
            { status: 204, body: null }], 2, pause)
        return expectStr(r.trace + " pending=" + (r.round.inp.queueNext - r.round.head),
            "GET bundle t=" + T + " -> 404; POST records t=" + T + " 5..8 -> 200 ack=5..5; POST status t=" + T + " -> 204 | ok alerts=fork@6 pending=3")
    } },
    { name: "round: bad_mac, wrong_device, broken_chain are raised the same way; nothing is released", run: async (c, pause) => {
        const out: string[] = []
        const reasons = ["bad_mac", "wrong_device", "broken_chain"]
        for (let i = 0; i < reasons.length; i++) {
            const inp = inputs(3, 5)
            inp.lastTimeSyncUnixS = T
            const r = await runRound(c, LIMITS, inp, [{ status: 404, body: null }, results(3, ["rejected:" + reasons[i], "rejected:gap"], 3),
                { status: 204, body: null }], 2, pause)
            out.push(r.trace.slice(r.trace.indexOf("3..4")))
        }
        return expectStr(out.join(" / "), "3..4 -> 200; POST status t=" + T + " -> 204 | ok alerts=bad_mac@3 / " +
            "3..4 -> 200; POST status t=" + T + " -> 204 | ok alerts=wrong_device@3 / 3..4 -> 200; POST status t=" + T + " -> 204 | ok alerts=broken_chain@3")
    } },
    { name: "round: a gap behind the device's oldest record is raised as hub_behind (the device cannot resend it)", run: async (c, pause) => {
        const inp = inputs(40, 42)
        inp.lastTimeSyncUnixS = T
        const r = await runRound(c, LIMITS, inp, [{ status: 404, body: null }, results(40, ["rejected:gap", "rejected:gap"], 31), { status: 204, body: null }], 2, pause)
        return expectStr(r.trace + " " + (r.round.alerts.length > 0 ? r.round.alerts[0].detail : "(no alert)"), "GET bundle t=" + T + " -> 404; POST records t=" + T + " 40..41 -> 200; POST status t=" + T +
            " -> 204 | ok alerts=hub_behind@40 the hub expects 31 but the device holds from 40")
    } },
    { name: "round: a stale timestamp fetches the time again and repeats the refused request once", run: async (c, pause) => {
        const inp = inputs(1, 2)
        inp.lastTimeSyncUnixS = T - 100 // the device believes its clock
        const stale = { status: 401, body: { error: { code: "stale_timestamp", message: "x-timestamp is more than 300 s from the hub's clock" } } }
        const r = await runRound(c, LIMITS, inp, [{ status: 404, body: null }, stale, timeAnswer(), results(1, ["stored"], 2), stale], 2, pause)
        // the repeated request is signed with the new clock; a second stale answer ends the round
        return expectStr(r.trace.split(T - 100 + "").join("T0"), "GET bundle t=T0 -> 404; POST records t=T0 1..1 -> 401; GET time?nonce=a1b2c3d4e5f60718 t=0 -> 200 clock=" + T +
            "; POST records t=" + T + " 1..1 -> 200 ack=1..1; POST status t=" + T + " -> 401 | failed")
    } },
    { name: "round: a refused key is raised and ends the round", run: async (c, pause) => {
        const r = await runRound(c, LIMITS, inputs(1, 2), [{ status: 401, body: { error: { code: "bad_signature", message: "x" } } }], 2, pause)
        return expectStr(r.trace, "GET time?nonce=a1b2c3d4e5f60718 t=0 -> 401 | failed alerts=auth_refused@0")
    } },
    { name: "round: a newer bundle is verified and handed over, then its missing template fetched and hash-checked", run: async (c, pause) => {
        const inp = inputs(1, 1)
        inp.lastTimeSyncUnixS = T
        inp.bundleVersion = 6
        const sealed = sealBundle(goldenBundle(), GOLDEN_KEY, c) // v7: approves 78c4.. and aaaa.., revokes 5555..
        const hex = GOLDEN_TEMPLATE_HEX
        const r = await runRound(c, LIMITS, inp, [{ status: 200, body: { version: 7, sealedHex: toHex(sealed) } },
            { status: 200, body: { hash: GOLDEN_TEMPLATE_HASH, bytesHex: hex } }, { status: 204, body: null }], 0, pause)
        return expectStr(r.trace, "GET bundle t=" + T + " inm=\"v6\" -> 200 bundle=" + sealed.length + "B; GET templates/" + GOLDEN_TEMPLATE_HASH + " t=" + T +
            " -> 200 template=78c4cce6; POST status t=" + T + " -> 204 | ok")
    } },
    { name: "round: an older bundle (rollback), another device's, and wrong template bytes are refused and raised", run: async (c, pause) => {
        const inp = inputs(1, 1)
        inp.lastTimeSyncUnixS = T
        inp.bundleVersion = 8
        inp.approved = [GOLDEN_TEMPLATE_HASH]
        const v7 = toHex(sealBundle(goldenBundle(), GOLDEN_KEY, c))
        const a = await runRound(c, LIMITS, inp, [{ status: 200, body: { version: 7, sealedHex: v7 } },
            { status: 200, body: { hash: GOLDEN_TEMPLATE_HASH, bytesHex: "5401" } }, { status: 204, body: null }], 0, pause)
        const other = goldenBundle()
        other.deviceId = "SFA1-000043"
        other.bundleVersion = 9
        const b = await runRound(c, LIMITS, inp, [{ status: 200, body: { version: 9, sealedHex: toHex(sealBundle(other, GOLDEN_KEY, c)) } },
            { status: 404, body: null }, { status: 204, body: null }], 0, pause)
        const d = await runRound(c, LIMITS, inp, [{ status: 200, body: { version: 9, sealedHex: "zz" } }, { status: 404, body: null }, { status: 204, body: null }], 0, pause)
        return expectStr(a.trace.slice(a.trace.indexOf("|")) + " " + b.trace.slice(b.trace.indexOf("|")) + " " + d.trace.slice(d.trace.indexOf("|")),
            "| ok alerts=bundle_rollback@0,template_mismatch@0 | ok alerts=bundle_wrong_device@0 | ok alerts=bundle_malformed@0")
    } },
    { name: "upload body: records as hex, cut at bodyMaxChars (at least one), at most batchMax", run: async (c, pause) => {
        const inp = inputs(1, 6)
        inp.lastTimeSyncUnixS = T
        // each record is 10 bytes = 20 hex digits + 3 for quotes and comma; 12 + 2*23 - 1 + 2 = 59 chars for two
        const a = await runRound(c, limits(8, 60, 48), inp, [{ status: 404, body: null }, results(1, ["stored", "stored"], 3), results(3, ["stored", "stored"], 5),
            results(5, ["stored"], 6), { status: 204, body: null }], 10, pause)
        const b = await runRound(c, limits(8, 20, 48), inputs(1, 2), [timeAnswer(), { status: 404, body: null }, results(1, ["stored"], 2), { status: 204, body: null }], 10, pause)
        return expectStr(a.trace.split(" t=" + T).join("") + " " + a.bodies[0].length + " / " + b.bodies[0],
            "GET bundle -> 404; POST records 1..2 -> 200 ack=1..2; POST records 3..4 -> 200 ack=3..4; POST records 5..5 -> 200 ack=5..5; POST status -> 204 | ok 59 / " +
            "{\"records\":[\"0102030405060708090a\"]}")
    } },
    { name: "round: requestsMax bounds a round; an unreadable record stops the upload and is raised", run: async (c, pause) => {
        const inp = inputs(1, 30)
        inp.lastTimeSyncUnixS = T
        const a = await runRound(c, limits(4, 12000, 3), inp, [{ status: 404, body: null }, results(1, repeat("stored", 4), 5), results(5, repeat("stored", 4), 9)], 2, pause)
        const b = await runRound(c, LIMITS, inp, [{ status: 404, body: null }, { status: 204, body: null }], 0, pause)
        return expectStr(a.trace.split(" t=" + T).join("") + " head=" + a.round.head + " / " + b.trace.split(" t=" + T).join(""),
            "GET bundle -> 404; POST records 1..4 -> 200 ack=1..4; POST records 5..8 -> 200 ack=5..8 | ok head=9 / " +
            "GET bundle -> 404; POST status -> 204 | ok alerts=record_unreadable@1")
    } },
    { name: "status body: head and pending as the hub's schema wants them; a fresh device reports seq 0", run: async (c, pause) => {
        const inp = inputs(1, 1)
        inp.lastTimeSyncUnixS = T
        inp.state = "heating"
        inp.phase = 3
        inp.latchedFault = 7
        const r = await runRound(c, LIMITS, inp, [{ status: 404, body: null }, { status: 204, body: null }], 0, pause)
        return expectStr(r.bodies[0], "{\"state\":\"heating\",\"phase\":3,\"pending\":0,\"latchedFault\":7,\"head\":{\"seq\":0,\"hash\":\"" + ZERO_HASH + "\"}}")
    } },
]


// The controller's link checks (src/core/link/gate.ts, signing.ts abortMac/sessionMac), shared
// by vitest and the VM (DeviceScript subset). MAC vectors computed with openssl (key GOLDEN_KEY):
//   printf 'abort\nSFA1-000042\n17' | openssl dgst -sha256 -mac HMAC -macopt hexkey:0001..1f
//   printf 'session\nSFA1-000042\n0123456789abcdef0123456789abcdef\n<"ab" x 32>\noperator.1\nPT-0042\n1750000400' | (same)
//   printf 'time\n00112233445566778899aabbccddeeff\n1750000321' | (same)

import { Crypto, hexBuffer } from "../../src/core/crypto"
import { abortMac, sessionMac } from "../../src/core/sync/signing"
import { ClockGate, Assembly, CLOCK_WINDOW_MS, INSTALL_MAX, CHUNK_MAX, putSample, samplesJson, SAMPLE_BYTES } from "../../src/core/link/gate"
import { GOLDEN_KEY, GOLDEN_DEVICE, rep } from "./golden"
import { expectStr } from "./record-helpers"

export interface LinkCheck { name: string; run: (c: Crypto) => Promise<string> }

export const ABORT_MAC_17 = "32a9b22d80dc06cf0992c36b4fed2818d94b8868f860366296b3febfa709dbf2"
export const SESSION_MAC = "9d92d282c994daaf783acabd57ca08b1df203bc0ec96509006fd7244bf1627f7"
export const LINK_NONCE = "00112233445566778899aabbccddeeff"
export const LINK_TIME_S = 1750000321
export const LINK_TIME_MAC = "fe1dd011573ce6d10d5aed38cba6c22c6383dfc034fe5bd745d682eed532072f"

function bytes(n: number, v: number): Buffer {
    const b = Buffer.alloc(n)
    for (let i = 0; i < n; i++) b[i] = (v + i) & 0xff
    return b
}

export const LINK_CHECKS: LinkCheck[] = [
    { name: "abort and session MACs as openssl computes them", run: async c => {
        const a = abortMac(c, GOLDEN_KEY, GOLDEN_DEVICE, 17)
        const s = sessionMac(c, GOLDEN_KEY, GOLDEN_DEVICE, "0123456789abcdef0123456789abcdef", rep("ab", 32), "operator.1", "PT-0042", 1750000400)
        return expectStr(a + " " + s, ABORT_MAC_17 + " " + SESSION_MAC)
    } },
    { name: "clock: the hub's MAC'd answer to the current challenge, once, within the window; nothing else", run: async c => {
        const mac = hexBuffer(LINK_TIME_MAC)
        const g = new ClockGate()
        const got: number[] = []
        got.push(g.accept(c, GOLDEN_KEY, 0, LINK_TIME_S, mac)) // no challenge yet
        g.challenge(hexBuffer(LINK_NONCE), 1000)
        got.push(g.accept(c, GOLDEN_KEY, 1500, LINK_TIME_S, mac)) // the answer
        got.push(g.accept(c, GOLDEN_KEY, 1600, LINK_TIME_S, mac)) // replayed: the challenge is spent
        g.challenge(hexBuffer(LINK_NONCE), 1000)
        got.push(g.accept(c, GOLDEN_KEY, 1500, LINK_TIME_S + 3600, mac)) // a time moved by the link
        got.push(g.accept(c, GOLDEN_KEY, 1500, LINK_TIME_S, mac)) // spent by the refused attempt
        g.challenge(hexBuffer(LINK_NONCE), 1000)
        got.push(g.accept(c, GOLDEN_KEY, 1000 + CLOCK_WINDOW_MS + 1, LINK_TIME_S, mac)) // held too long
        g.challenge(hexBuffer(LINK_NONCE), 1000)
        got.push(g.accept(c, rep("42", 32), 1500, LINK_TIME_S, mac)) // another key's controller
        g.challenge(hexBuffer("ff112233445566778899aabbccddeeff"), 1000)
        got.push(g.accept(c, GOLDEN_KEY, 1500, LINK_TIME_S, mac)) // an answer to another nonce
        g.challenge(hexBuffer(LINK_NONCE), 1000)
        got.push(g.accept(c, GOLDEN_KEY, 1000 + CLOCK_WINDOW_MS, LINK_TIME_S, mac.slice(0, 31))) // truncated MAC
        got.push(g.accept(c, GOLDEN_KEY, 1000 + CLOCK_WINDOW_MS, LINK_TIME_S, mac))
        return expectStr(got.join(","), "0," + LINK_TIME_S + ",0,0,0,0,0,0,0,0")
    } },
    { name: "install: in order, repeats answered and not stored twice, gaps, overlaps and overflow refused", run: async () => {
        const a = new Assembly()
        const got: number[] = []
        got.push(a.chunk(0, bytes(10, 1))) // before begin
        got.push(a.begin(3, 10), a.begin(1, 0), a.begin(1, INSTALL_MAX + 1)) // bad kind, empty, too large
        got.push(a.begin(2, 450))
        got.push(a.chunk(0, bytes(CHUNK_MAX + 1, 0))) // a chunk over the maximum
        got.push(a.chunk(0, bytes(200, 0)), a.chunk(0, bytes(200, 0))) // taken, then a repeat
        got.push(a.chunk(300, bytes(100, 44))) // a gap
        got.push(a.chunk(150, bytes(100, 150))) // overlaps what was taken
        got.push(a.chunk(200, bytes(200, 200)), a.chunk(400, bytes(60, 144))) // runs past the end
        got.push(a.next)
        const early = new Assembly()
        early.begin(1, 5)
        early.chunk(0, bytes(4, 0))
        const short = early.take() // one byte missing: nothing
        got.push(a.chunk(400, bytes(50, 144)), a.next)
        const all = a.take()
        let same = !!all && all.length === 450
        for (let i = 0; all && same && i < 450; i++) same = all[i] === (i & 0xff)
        return expectStr(got.join(",") + " " + (short === null) + " " + same + " " + (a.take() === null),
            "1,1,1,4,0,1,0,0,1,1,0,1,400,0,450 true true true")
    } },
    { name: "telemetry samples: 13 bytes each, signed values round-trip into the hub's rows", run: async () => {
        const b = Buffer.alloc(2 * SAMPLE_BYTES)
        putSample(b, 0, 4294967295, 3, -200, 1000, -5000)
        putSample(b, 1, 123456, 0, 2000, -1, 100000)
        return expectStr(samplesJson(b) + "|" + samplesJson(b.slice(0, SAMPLE_BYTES + 5)),
            "[4294967295,3,-200,1000,-5000],[123456,0,2000,-1,100000]|[4294967295,3,-200,1000,-5000]")
    } },
]


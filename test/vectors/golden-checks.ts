// Golden vectors checked byte for byte in vitest and in the VM: the canonical encodings,
// SHA-256 ids and hashes, HMAC tags of docs/records.md's worked examples (expected values:
// golden.ts, derived independently), plus the encoding's primitive rules.

import { Crypto, toHex, fromHex } from "../../src/core/crypto"
import { ByteWriter, writeInt } from "../../src/core/codec/writer"
import { toBase64, fromBase64 } from "../../src/core/codec/base64"
import { encodeDesign, encodeTemplate, decodeTemplate } from "../../src/core/template/codec"
import { encodeProfile } from "../../src/core/template/profile"
import { encodeBundle, sealBundle, openBundle } from "../../src/core/bundle/codec"
import { encodeRecord, decodeRecord, sealRecord } from "../../src/core/records/codec"
import {
    GOLDEN_BUNDLE_HEX, GOLDEN_BUNDLE_MAC, GOLDEN_DESIGN_HEX, GOLDEN_KEY, GOLDEN_PROFILE_HEX, GOLDEN_RECORD_HASH, GOLDEN_RECORD_HEX, GOLDEN_RECORD_MAC, GOLDEN_TEMPLATE_HASH, GOLDEN_TEMPLATE_HEX, GOLDEN_TEMPLATE_ID, goldenBundle, goldenProfile, goldenRecord, goldenTemplate,
} from "./golden"

export interface GoldenCheck { name: string; run: (c: Crypto) => string; expect: string }

function int(v: number): string {
    const w = new ByteWriter()
    writeInt(w, v, "v")
    return toHex(w.bytes)
}

function ascii(s: string): number[] {
    const out: number[] = []
    for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i))
    return out
}

export const GOLDEN_CHECKS: GoldenCheck[] = [
    // zigzag then LEB128 (hand: 64 -> 128 = 0x80 0x01; -300 -> 599 = 4*128 + 87 -> d7 04)
    { name: "int 0, -1, 1, 63, -64", run: c => int(0) + int(-1) + int(1) + int(63) + int(-64), expect: "0001027e7f" },
    { name: "int 64, 300, -300", run: c => int(64) + int(300) + int(-300), expect: "8001d804d704" },
    { name: "int 2^31 (past 32-bit bit operations)", run: c => int(2147483648), expect: "8080808010" },
    { name: "int +-(2^48 - 1), the largest allowed", run: c => int(281474976710655) + int(-281474976710655), expect: "feffffffffff7ffdffffffffff7f" },
    // RFC 4648 section 10 test vectors
    { name: "base64 RFC 4648 vectors", run: c => [toBase64([]), toBase64(ascii("f")), toBase64(ascii("fo")), toBase64(ascii("foo")),
        toBase64(ascii("foob")), toBase64(ascii("fooba")), toBase64(ascii("foobar"))].join(","), expect: ",Zg==,Zm8=,Zm9v,Zm9vYg==,Zm9vYmE=,Zm9vYmFy" },
    { name: "base64 round trip of every byte value", run: c => {
        const all: number[] = []
        for (let i = 0; i < 256; i++) all.push(i)
        return toHex(fromBase64(toBase64(all), "t")) === toHex(all) ? "ok" : "mismatch"
    }, expect: "ok" },
    { name: "design bytes", run: c => toHex(encodeDesign(goldenTemplate())), expect: GOLDEN_DESIGN_HEX },
    { name: "template id = SHA-256(design bytes)", run: c => c.sha256Hex(encodeDesign(goldenTemplate())), expect: GOLDEN_TEMPLATE_ID },
    { name: "template bytes", run: c => toHex(encodeTemplate(goldenTemplate())), expect: GOLDEN_TEMPLATE_HEX },
    { name: "template hash = SHA-256(template bytes)", run: c => c.sha256Hex(encodeTemplate(goldenTemplate())), expect: GOLDEN_TEMPLATE_HASH },
    { name: "template decode gives the id and re-encodes to the same bytes", run: c => {
        const t = decodeTemplate(fromHex(GOLDEN_TEMPLATE_HEX), c)
        return t.id + ":" + toHex(encodeTemplate(t))
    }, expect: GOLDEN_TEMPLATE_ID + ":" + GOLDEN_TEMPLATE_HEX },
    { name: "profile bytes", run: c => toHex(encodeProfile(goldenProfile())), expect: GOLDEN_PROFILE_HEX },
    { name: "bundle bytes (hashes sorted)", run: c => toHex(encodeBundle(goldenBundle())), expect: GOLDEN_BUNDLE_HEX },
    { name: "bundle MAC = HMAC-SHA256(key, bytes)", run: c => toHex(sealBundle(goldenBundle(), GOLDEN_KEY, c)),
        expect: GOLDEN_BUNDLE_HEX + GOLDEN_BUNDLE_MAC },
    { name: "bundle opens with the key", run: c => {
        const b = openBundle(fromHex(GOLDEN_BUNDLE_HEX + GOLDEN_BUNDLE_MAC), GOLDEN_KEY, c)
        return b.deviceId + " v" + b.bundleVersion + " " + b.approved.length + "/" + b.revoked.length
    }, expect: "SFA1-000042 v7 2/1" },
    { name: "record bytes (typical full cycle, 300 bytes)", run: c => toHex(encodeRecord(goldenRecord())), expect: GOLDEN_RECORD_HEX },
    { name: "record hash = SHA-256(body)", run: c => sealRecord(goldenRecord(), GOLDEN_KEY, c).hash, expect: GOLDEN_RECORD_HASH },
    { name: "sealed record = body ‖ HMAC-SHA256(key, body)", run: c => toHex(sealRecord(goldenRecord(), GOLDEN_KEY, c).sealed),
        expect: GOLDEN_RECORD_HEX + GOLDEN_RECORD_MAC },
    { name: "record decodes and re-encodes to the same bytes", run: c => toHex(encodeRecord(decodeRecord(fromHex(GOLDEN_RECORD_HEX)))),
        expect: GOLDEN_RECORD_HEX },
]

// The canonical encoding's edges that issue 14's mutation run asked for (docs/mutation.md):
// src/core/codec, tested directly rather than through templates, bundles and records. Expected
// bytes are docs/records.md §2's hand-checked examples and RFC 4648 §10's base64 vectors; every
// refusal is checked for the documented error code (docs/records.md, "Error codes") and the
// field it names.
import { describe, it, expect } from "vitest"
import { toBase64, fromBase64, base64Buffer } from "../../src/core/codec/base64"
import { ValidationError, validationErrorOf } from "../../src/core/codec/errors"
import { isInt, checkInt, checkText, checkHash, checkArray, checkObject, join, INT_MAX_ABS } from "../../src/core/codec/ints"
import { ByteReader } from "../../src/core/codec/reader"
import { ByteWriter, writeInt, writeText } from "../../src/core/codec/writer"

const TWO_48 = 281474976710656 // 2^48

function bytesOf(hex: string): number[] {
    const out: number[] = []
    for (const h of hex.split(" ")) if (h) out.push(parseInt(h, 16))
    return out
}

function hexOf(b: number[] | Buffer): string {
    return Array.from(b, x => (x < 16 ? "0" : "") + x.toString(16)).join(" ")
}

/** the error fn throws, as "code@field" ("none" when it throws nothing) */
function refusal(fn: () => unknown): string {
    const e = validationErrorOf(() => {
        fn()
    })
    return e ? e.code + "@" + e.field : "none"
}

function reader(hex: string): ByteReader {
    return new ByteReader(bytesOf(hex), "test")
}

/** docs/records.md §2: value -> bytes, hand-checked */
const INT_EXAMPLES: [number, string][] = [
    [0, "00"], [-1, "01"], [1, "02"], [63, "7e"], [-64, "7f"], [64, "80 01"], [300, "d8 04"], [-300, "d7 04"],
    [2147483648, "80 80 80 80 10"], [INT_MAX_ABS, "fe ff ff ff ff ff 7f"],
    // -(2^48 - 1): zigzag 2^49 - 3, the same seven bytes with the first one less
    [-INT_MAX_ABS, "fd ff ff ff ff ff 7f"],
]

describe("ValidationError", () => {
    it("carries the code and field, and a message 'field: detail [code]'", () => {
        const e = new ValidationError("bad_tag", "formatVersion", "format 2 is not supported")
        expect(e).toBeInstanceOf(Error)
        expect([e.name, e.code, e.field, e.message]).toEqual(["ValidationError", "bad_tag", "formatVersion", "formatVersion: format 2 is not supported [bad_tag]"])
    })

    it("validationErrorOf: null when nothing is thrown, the error when it is one, any other exception propagates", () => {
        expect(validationErrorOf(() => {})).toBeNull()
        const e = validationErrorOf(() => {
            throw new ValidationError("count", "profiles", "x")
        })
        expect(e && e.code + "@" + e.field).toBe("count@profiles")
        expect(() => validationErrorOf(() => {
            throw new RangeError("not a validation error")
        })).toThrow(RangeError)
    })
})

describe("base64 (RFC 4648 §4, with padding)", () => {
    // RFC 4648 §10's test vectors, and three that use the alphabet's last characters and every pad length
    const VECTORS: [string, string][] = [
        ["", ""], ["f", "Zg=="], ["fo", "Zm8="], ["foo", "Zm9v"], ["foob", "Zm9vYg=="], ["fooba", "Zm9vYmE="], ["foobar", "Zm9vYmFy"],
    ]
    const ascii = (s: string) => Array.from(s, ch => ch.charCodeAt(0))

    it.each(VECTORS)("%j <-> %j", (text, b64) => {
        expect(toBase64(ascii(text))).toBe(b64)
        expect(toBase64(Buffer.from(text, "latin1"))).toBe(b64)
        expect(fromBase64(b64, "f")).toEqual(ascii(text))
        const buf = base64Buffer(b64, "f")
        expect(Buffer.isBuffer(buf)).toBe(true)
        expect(Array.from(buf)).toEqual(ascii(text))
    })

    it("high bits and the alphabet's last two characters: fb ff bf -> +/+/, ff -> /w==, ff ff -> //8=", () => {
        // fb ff bf = 111110 111111 111110 111111 = 62 63 62 63
        expect([toBase64([0xfb, 0xff, 0xbf]), toBase64([0xff]), toBase64([0xff, 0xff])]).toEqual(["+/+/", "/w==", "//8="])
        expect([fromBase64("+/+/", "f"), fromBase64("/w==", "f"), fromBase64("//8=", "f")]).toEqual([[0xfb, 0xff, 0xbf], [0xff], [0xff, 0xff]])
    })

    it("a 48-byte run (all 256 values cycled) comes back byte for byte", () => {
        const b: number[] = []
        for (let i = 0; i < 48; i++) b.push((i * 37 + 11) & 255)
        expect(fromBase64(toBase64(b), "f")).toEqual(b)
        expect(Array.from(base64Buffer(toBase64(b), "f"))).toEqual(b)
    })

    it("refuses a length that is not a multiple of 4, or a non-string, as bad_base64 naming the field", () => {
        for (const s of ["Zg=", "Zm9vY", "A"]) expect(refusal(() => fromBase64(s, "templateB64"))).toBe("bad_base64@templateB64")
        expect(refusal(() => fromBase64(42 as any, "templateB64"))).toBe("bad_base64@templateB64")
        // not a string, though it has a length of 4 and indexable characters
        expect(refusal(() => fromBase64(["Z", "m", "8", "="] as any, "templateB64"))).toBe("bad_base64@templateB64")
        expect(validationErrorOf(() => fromBase64("Zg=", "f"))!.message).toMatch(/not a multiple of 4/)
    })

    it("refuses a character outside the alphabet, and says in which quad", () => {
        expect(refusal(() => fromBase64("Zm9*", "f"))).toBe("bad_base64@f")
        expect(validationErrorOf(() => fromBase64("Zm9vZm-v", "f"))!.message).toMatch(/near 4\b/)
        expect(validationErrorOf(() => fromBase64("Zm9vZm9vZ.9v", "f"))!.message).toMatch(/near 8\b/)
    })

    it("refuses padding anywhere but in the last two places", () => {
        for (const s of ["Zg==Zg==", "Z===", "====", "Zm=v"]) expect(refusal(() => fromBase64(s, "f"))).toBe("bad_base64@f")
    })

    it("refuses non-zero padding bits (Zh== and Zm9= carry bits past the last byte); Zm8= has none", () => {
        // Z h = 011001 100001: the byte 0x66 and four bits 0001 left; Z m 9 = 011001 100110 111101: two bits 01 left
        expect(refusal(() => fromBase64("Zh==", "f"))).toBe("bad_base64@f")
        expect(refusal(() => fromBase64("Zm9=", "f"))).toBe("bad_base64@f")
        expect(refusal(() => base64Buffer("Zh==", "f"))).toBe("bad_base64@f")
        expect(fromBase64("Zm8=", "f")).toEqual([0x66, 0x6f])
        expect(validationErrorOf(() => fromBase64("Zh==", "f"))!.message).toMatch(/non-zero padding bits/)
    })
})

describe("integer rules (ints.ts)", () => {
    it("isInt: integers within ±(2^48 - 1), nothing else", () => {
        expect([INT_MAX_ABS, -INT_MAX_ABS, 0, -5].map(isInt)).toEqual([true, true, true, true])
        expect([TWO_48, -TWO_48, 1.5, -0.5, NaN, Infinity, -Infinity, "1", null, undefined].map(isInt)).toEqual(
            [false, false, false, false, false, false, false, false, false, false])
    })

    it("checkInt: missing, type, not_int and format_range, each naming the field; the value itself when inside", () => {
        expect([undefined, null].map(v => refusal(() => checkInt(v, 0, 10, "cureMs")))).toEqual(["missing@cureMs", "missing@cureMs"])
        expect(refusal(() => checkInt("5", 0, 10, "cureMs"))).toBe("type@cureMs")
        expect([1.5, NaN, TWO_48].map(v => refusal(() => checkInt(v, -TWO_48, TWO_48, "cureMs")))).toEqual(["not_int@cureMs", "not_int@cureMs", "not_int@cureMs"])
        expect([-1, 11].map(v => refusal(() => checkInt(v, 0, 10, "cureMs")))).toEqual(["format_range@cureMs", "format_range@cureMs"])
        expect([checkInt(0, 0, 10, "cureMs"), checkInt(10, 0, 10, "cureMs"), checkInt(-7, -7, -7, "x")]).toEqual([0, 10, -7])
    })

    it("checkInt's messages name what was wrong: the type given, the value and the range", () => {
        expect(validationErrorOf(() => checkInt("5", 0, 10, "cureMs"))!.message).toMatch(/got string/)
        expect(validationErrorOf(() => checkInt(1.5, 0, 10, "cureMs"))!.message).toMatch(/got 1\.5/)
        expect(validationErrorOf(() => checkInt(11, 0, 10, "cureMs"))!.message).toMatch(/11 is outside 0\.\.10/)
    })

    it("checkText: 1..3 printable ASCII characters; 0x20 and 0x7e are printable, 0x1f and 0x7f are not", () => {
        expect([checkText("a", 1, 3, "name"), checkText(" ~a", 1, 3, "name")]).toEqual(["a", " ~a"])
        expect([undefined, null].map(v => refusal(() => checkText(v, 1, 3, "name")))).toEqual(["missing@name", "missing@name"])
        expect([5, ["a"]].map(v => refusal(() => checkText(v, 1, 3, "name")))).toEqual(["type@name", "type@name"])
        expect(["", "abcd", "a\u001f", "\u007fa", "a\u00e9"].map(v => refusal(() => checkText(v, 1, 3, "name")))).toEqual(
            ["bad_string@name", "bad_string@name", "bad_string@name", "bad_string@name", "bad_string@name"])
        expect(validationErrorOf(() => checkText(5, 1, 3, "name"))!.message).toMatch(/must be a string/)
        expect(validationErrorOf(() => checkText("abcd", 1, 3, "name"))!.message).toMatch(/1\.\.3 characters, got 4/)
        expect(validationErrorOf(() => checkText("ab\u0007", 1, 3, "name"))!.message).toMatch(/character 2 /)
    })

    it("checkHash: exactly 64 lowercase hex digits", () => {
        const ok = "0123456789abcdef".repeat(4)
        expect(checkHash(ok, "templateHash")).toBe(ok)
        expect([undefined, null].map(v => refusal(() => checkHash(v, "templateHash")))).toEqual(["missing@templateHash", "missing@templateHash"])
        // the last: not a string, though it has 64 elements that are hex digits
        const bad = [ok.slice(1), ok + "0", "g" + ok.slice(1), ok.slice(0, 63) + "F", ok.slice(0, 31) + " " + ok.slice(32), 7, Array.from(ok)]
        expect(bad.map(v => refusal(() => checkHash(v, "templateHash")))).toEqual(bad.map(() => "bad_hex@templateHash"))
        expect(bad.map(v => validationErrorOf(() => checkHash(v, "h"))!.message)).toEqual(bad.map(() => "h: must be 64 lowercase hex digits [bad_hex]"))
    })

    it("checkArray: 1..2 entries of an array; an object or a string is not one", () => {
        expect(checkArray([1], 1, 2, "profiles")).toEqual([1])
        expect(checkArray([1, 2], 1, 2, "profiles")).toEqual([1, 2])
        expect(refusal(() => checkArray(undefined, 1, 2, "profiles"))).toBe("missing@profiles")
        expect([{ length: 1 }, "ab"].map(v => refusal(() => checkArray(v, 1, 2, "profiles")))).toEqual(["type@profiles", "type@profiles"])
        expect([[], [1, 2, 3]].map(v => refusal(() => checkArray(v, 1, 2, "profiles")))).toEqual(["count@profiles", "count@profiles"])
        expect(validationErrorOf(() => checkArray([1, 2, 3], 1, 2, "profiles"))!.message).toMatch(/1\.\.2 entries, got 3/)
        expect(validationErrorOf(() => checkArray("ab", 1, 2, "profiles"))!.message).toMatch(/must be an array/)
    })

    it("checkObject: exactly the keys given; an unknown or missing key is named with its path", () => {
        const o = { a: 1, b: 0 }
        expect(checkObject(o, ["a", "b"], "material")).toBe(o)
        expect(refusal(() => checkObject(null, ["a"], "material"))).toBe("missing@material")
        expect([[], "ab", 5].map(v => refusal(() => checkObject(v, ["a"], "material")))).toEqual(["type@material", "type@material", "type@material"])
        expect(refusal(() => checkObject({ a: 1, b: 2, c: 3 }, ["a", "b"], "material"))).toBe("unknown_field@material.c")
        expect(refusal(() => checkObject({ a: 1 }, ["a", "b"], "material"))).toBe("missing@material.b")
        expect(refusal(() => checkObject({ a: 1, b: undefined }, ["a", "b"], "material"))).toBe("missing@material.b")
        expect(validationErrorOf(() => checkObject([], ["a"], "material"))!.message).toMatch(/must be an object/)
        expect(validationErrorOf(() => checkObject({ a: 1, c: 3 }, ["a"], "material"))!.message).toMatch(/unknown field/)
        expect(validationErrorOf(() => checkObject({ a: 1 }, ["a", "b"], "material"))!.message).toMatch(/is missing/)
        expect(validationErrorOf(() => checkInt(null, 0, 1, "material"))!.message).toMatch(/is missing/)
        // at the top level a key is named alone
        expect(refusal(() => checkObject({ zz: 1 }, ["a"], ""))).toBe("unknown_field@zz")
    })

    it("join: a key alone at the top level, 'field.key' below it", () => {
        expect([join("", "version"), join("process", "cureMs")]).toEqual(["version", "process.cureMs"])
    })
})

describe("ByteReader (the strict reader)", () => {
    it.each(INT_EXAMPLES)("int %d <- %s, and nothing left", (v, hex) => {
        const r = reader(hex)
        expect(r.int("x", -INT_MAX_ABS, INT_MAX_ABS)).toBe(v)
        expect(r.pos).toBe(bytesOf(hex).length)
        expect(() => r.end()).not.toThrow()
    })

    it("reads a Buffer as it reads a number[]", () => {
        const r = new ByteReader(Buffer.from(bytesOf("d8 04 08 6f 70 2d 37")), "test")
        expect([r.int("a", 0, 1000), r.text("b", 0, 10)]).toEqual([300, "op-7"])
        r.end()
    })

    it("seven bytes is the longest varint: 80 80 80 80 80 80 01 is 2^42 (zigzag), so 2^41", () => {
        expect(reader("80 80 80 80 80 80 01").int("x", -INT_MAX_ABS, INT_MAX_ABS)).toBe(2199023255552)
    })

    it("an eighth byte is bad_varint even where the value would fit the range check", () => {
        expect(refusal(() => reader("80 80 80 80 80 80 80 01").int("x", -INT_MAX_ABS, INT_MAX_ABS))).toBe("bad_varint@x")
        expect(refusal(() => reader("81 80 80 80 80 80 80 00").int("x", -INT_MAX_ABS, INT_MAX_ABS))).toBe("bad_varint@x")
        const r = reader("00 80 80 80 80 80 80 80 01")
        r.int("x", 0, 0)
        expect(validationErrorOf(() => r.int("x", -INT_MAX_ABS, INT_MAX_ABS))!.message).toMatch(/varint at byte 1 is too long/)
    })

    it("a non-minimal varint (a last byte 00 after others) is bad_varint; 00 alone is 0", () => {
        for (const hex of ["80 00", "ff 00", "80 80 00"]) expect(refusal(() => reader(hex).int("x", -INT_MAX_ABS, INT_MAX_ABS))).toBe("bad_varint@x")
        expect(reader("00").int("x", 0, 0)).toBe(0)
        const r = reader("02 80 00")
        r.int("y", 0, 5)
        expect(validationErrorOf(() => r.int("y", 0, 5))!.message).toMatch(/at byte 1 is not minimal/)
    })

    it("zigzag 2^49 - 1 (ff ff ff ff ff ff 7f) would be -2^48: format_range; 2^49 - 2 and - 3 are ±(2^48 - 1)", () => {
        expect(refusal(() => reader("ff ff ff ff ff ff 7f").int("x", -TWO_48, TWO_48))).toBe("format_range@x")
        expect(validationErrorOf(() => reader("ff ff ff ff ff ff 7f").int("x", -TWO_48, TWO_48))!.message).toMatch(/value at byte 0 is too large/)
        expect(reader("fe ff ff ff ff ff 7f").int("x", -TWO_48, TWO_48)).toBe(INT_MAX_ABS)
        expect(reader("fd ff ff ff ff ff 7f").int("x", -TWO_48, TWO_48)).toBe(-INT_MAX_ABS)
    })

    it("the field's own range: lo and hi are inside, one past either is format_range", () => {
        // 7e = 63, 7d = -63
        expect([reader("7e").int("x", 63, 63), reader("7d").int("x", -63, -63)]).toEqual([63, -63])
        expect(refusal(() => reader("7e").int("x", 0, 62))).toBe("format_range@x")
        expect(refusal(() => reader("7d").int("x", -62, 0))).toBe("format_range@x")
        expect(validationErrorOf(() => reader("7e").int("x", 0, 62))!.message).toMatch(/63 is outside 0\.\.62/)
    })

    it("a varint cut short is truncated, naming field.sub (or the field alone without a sub)", () => {
        expect(refusal(() => reader("").int("profiles", 0, 9))).toBe("truncated@profiles")
        expect(refusal(() => reader("d8").int("process", 0, 9999, "cureMs"))).toBe("truncated@process.cureMs")
        expect(refusal(() => reader("80 80").int("process", 0, 9999, ""))).toBe("truncated@process")
        expect(validationErrorOf(() => reader("d8").int("x", 0, 9999))!.message).toMatch(/test ends early at byte 1/)
    })

    it("bytes of an untrusted number[] outside 0..255 or not integers are bad_byte; 0 and 255 are bytes", () => {
        for (const b of [256, -1, 1.5, NaN, "7" as any, undefined as any]) {
            const r = new ByteReader([0x02, b], "test")
            expect(r.byte("x")).toBe(2)
            expect(refusal(() => r.byte("x", "y"))).toBe("bad_byte@x.y")
        }
        const r = new ByteReader([0, 255], "test")
        expect([r.byte("x"), r.byte("x")]).toEqual([0, 255])
        const q = new ByteReader([1, 2, 300], "test")
        q.byte("x")
        q.byte("x")
        expect(validationErrorOf(() => q.byte("x"))!.message).toMatch(/byte 2 is not 0\.\.255/)
    })

    it("header: the tag, then the format version; each named and refused as bad_tag", () => {
        const ok = reader("50 01")
        ok.header(0x50, 1)
        expect(ok.pos).toBe(2)
        expect(refusal(() => reader("51 01").header(0x50, 1))).toBe("bad_tag@tag")
        expect(validationErrorOf(() => reader("51 01").header(0x50, 1))!.message).toMatch(/must start with 0x50, got 0x51/)
        expect(refusal(() => reader("50 02").header(0x50, 1))).toBe("bad_tag@formatVersion")
        expect(validationErrorOf(() => reader("50 02").header(0x50, 1))!.message).toMatch(/format 2 is not supported/)
        expect(refusal(() => reader("").header(0x50, 1))).toBe("truncated@tag")
        expect(refusal(() => reader("50").header(0x50, 1))).toBe("truncated@formatVersion")
    })

    it("text: 'op-7' <- 08 6f 70 2d 37; the empty text; 0x20 and 0x7e are characters", () => {
        const r = reader("08 6f 70 2d 37 00 04 20 7e 02")
        expect([r.text("a", 0, 4), r.text("b", 0, 4), r.text("c", 2, 2), r.int("d", 0, 1)]).toEqual(["op-7", "", " ~", 1])
        r.end()
    })

    it("text: a length outside the field's is format_range, fewer bytes than the length truncated, 0x1f or 0x7f bad_string", () => {
        expect(refusal(() => reader("08 6f 70 2d 37").text("name", 0, 3))).toBe("format_range@name")
        expect(refusal(() => reader("08 6f 70 2d 37").text("name", 5, 9))).toBe("format_range@name")
        expect(refusal(() => reader("08 6f 70 2d").text("name", 0, 9, "s"))).toBe("truncated@name.s")
        expect(validationErrorOf(() => reader("08 6f 70 2d").text("name", 0, 9))!.message).toMatch(/test ends early/)
        expect(refusal(() => reader("04 61 1f").text("name", 0, 9))).toBe("bad_string@name")
        expect(refusal(() => reader("04 7f 61").text("name", 0, 9, "s"))).toBe("bad_string@name.s")
        expect(validationErrorOf(() => reader("06 61 62 09").text("name", 0, 9))!.message).toMatch(/character 2 /)
    })

    it("hash: 32 bytes as 64 lowercase hex digits; 31 bytes are truncated", () => {
        const b: number[] = []
        for (let i = 0; i < 32; i++) b.push(i * 8 + 7) // 07 0f 17 ... ff
        const r = new ByteReader(b.concat([0x02]), "test")
        expect(r.hash("templateHash")).toBe(b.map(x => (x < 16 ? "0" : "") + x.toString(16)).join(""))
        expect(r.int("n", 0, 1)).toBe(1)
        r.end()
        expect(refusal(() => new ByteReader(b.slice(0, 31), "test").hash("templateHash"))).toBe("truncated@templateHash")
        expect(new ByteReader(b, "test").hash("h")).toMatch(/^070f17[0-9a-f]{58}$/)
    })

    it("end: bytes after the last field are trailing, counted", () => {
        const r = reader("02 00 00")
        r.int("x", 0, 1)
        expect(refusal(() => r.end())).toBe("trailing@(end)")
        expect(validationErrorOf(() => r.end())!.message).toMatch(/has 2 bytes after its last field/)
    })
})

describe("ByteWriter (the canonical writer)", () => {
    it.each(INT_EXAMPLES)("int %d -> %s", (v, hex) => {
        const w = new ByteWriter()
        writeInt(w, v, "x")
        expect(hexOf(w.bytes)).toBe(hex)
    })

    it("intIn refuses a value outside lo..hi naming field.sub, and a non-integer by its code", () => {
        const w = new ByteWriter()
        expect(refusal(() => w.intIn(4, 0, 3, "process", "cureMs"))).toBe("format_range@process.cureMs")
        expect(refusal(() => w.intIn(-1, 0, 3, "process", "cureMs"))).toBe("format_range@process.cureMs")
        expect(refusal(() => w.intIn(1.5, 0, 3, "process", "cureMs"))).toBe("not_int@process.cureMs")
        expect(refusal(() => w.intIn("2" as any, 0, 3, "process", "cureMs"))).toBe("type@process.cureMs")
        expect(w.bytes).toEqual([])
        w.intIn(0, 0, 3, "process", "cureMs")
        w.intIn(3, 0, 3, "process", "cureMs")
        expect(w.bytes).toEqual([0x00, 0x06])
    })

    it("writeInt refuses ±2^48 (not_int: past the format's integers)", () => {
        const w = new ByteWriter()
        expect(refusal(() => writeInt(w, TWO_48, "bundleVersion")).split("@")[0]).toBe("not_int")
        expect(refusal(() => writeInt(w, -TWO_48, "bundleVersion")).split("@")[0]).toBe("not_int")
    })

    it("writeInt, writeText and intIn without a sub name the field alone (as the reader does), not 'field.'", () => {
        const w = new ByteWriter()
        expect(refusal(() => writeInt(w, TWO_48, "bundleVersion"))).toBe("not_int@bundleVersion")
        expect(refusal(() => writeText(w, "a\u0001", 10, "deviceId"))).toBe("bad_string@deviceId")
        expect(refusal(() => writeText(w, "abc", 2, "deviceId"))).toBe("bad_string@deviceId")
        expect(refusal(() => w.intIn(5, 0, 3, "outcome", ""))).toBe("format_range@outcome")
    })

    it("into a Buffer: grown by doubling when full, the bytes and their count kept", () => {
        const w = new ByteWriter()
        w.buf = Buffer.alloc(2)
        writeInt(w, 300, "x") // d8 04: fills it
        writeInt(w, -1, "x") // 01: grows to 4
        writeInt(w, 64, "x") // 80 01: fills 4, then grows to 8
        expect(w.bytes).toEqual([])
        expect(w.n).toBe(5)
        expect(w.buf!.length).toBe(8)
        expect(hexOf(w.buf!.subarray(0, w.n))).toBe("d8 04 01 80 01")
    })

    it("text: 'op-7' -> 08 6f 70 2d 37; 0x20 and 0x7e are written", () => {
        const w = new ByteWriter()
        writeText(w, "op-7", 4, "name")
        w.textIn(" ~", 2, 2, "name", "x")
        writeText(w, "", 4, "name")
        expect(hexOf(w.bytes)).toBe("08 6f 70 2d 37 04 20 7e 00")
    })

    it("text: too long, too short, not a string or not printable is refused before it is written", () => {
        const w = new ByteWriter()
        expect(refusal(() => w.textIn("abcd", 1, 3, "material", "materialId"))).toBe("bad_string@material.materialId")
        expect(refusal(() => w.textIn("", 1, 3, "material", "materialId"))).toBe("bad_string@material.materialId")
        expect(refusal(() => w.textIn(7 as any, 1, 3, "material", "materialId"))).toBe("type@material.materialId")
        expect(refusal(() => w.textIn(undefined as any, 1, 3, "material", "materialId"))).toBe("missing@material.materialId")
        expect(w.bytes).toEqual([])
        expect(refusal(() => w.textIn("a\u007f", 1, 3, "material", "materialId"))).toBe("bad_string@material.materialId")
        expect(refusal(() => w.textIn("\u001fa", 1, 3, "material", "materialId"))).toBe("bad_string@material.materialId")
        // texts with no printable character at all, below 0x20 or above 0x7e
        for (const t of ["\u001f", "\u0000\u0001", "\u007f", "\u007f\u00e9"])
            expect(refusal(() => new ByteWriter().textIn(t, 1, 3, "material", "materialId"))).toBe("bad_string@material.materialId")
    })

    it("hash: 64 lowercase hex digits as 32 bytes; uppercase, a non-hex digit or the wrong length is bad_hex", () => {
        const hex = "00ff10ab" + "0123456789abcdef".repeat(3) + "fedcba98"
        const w = new ByteWriter()
        w.hash(hex, "templateHash")
        expect(w.bytes.length).toBe(32)
        expect(hexOf(w.bytes.slice(0, 4)) + " " + hexOf(w.bytes.slice(28))).toBe("00 ff 10 ab fe dc ba 98")
        // also: every pair with a bad first digit, every pair with a bad second one, and 64 digits in an array
        const bad = [hex.slice(2), hex + "00", hex.slice(0, 63) + "A", "A" + hex.slice(1), hex.slice(0, 62) + "0g", "g0" + hex.slice(2), 5 as any,
            "g0".repeat(32), "0g".repeat(32), Array.from(hex) as any]
        expect(bad.map(h => refusal(() => new ByteWriter().hash(h, "templateHash")))).toEqual(bad.map(() => "bad_hex@templateHash"))
    })

    it("what the writer writes, the reader reads back to the same values", () => {
        const w = new ByteWriter()
        const ints = [0, 1, -1, 127, -128, 128, 16383, 16384, -16385, 2 ** 31 - 1, -(2 ** 31), 2 ** 35 + 3, INT_MAX_ABS, -INT_MAX_ABS]
        for (const v of ints) writeInt(w, v, "x")
        writeText(w, "Smile Film!", 20, "t")
        const r = new ByteReader(w.bytes, "test")
        expect(ints.map(() => r.int("x", -INT_MAX_ABS, INT_MAX_ABS))).toEqual(ints)
        expect(r.text("t", 0, 20)).toBe("Smile Film!")
        r.end()
    })
})

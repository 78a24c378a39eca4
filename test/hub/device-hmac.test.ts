// The device signature against vectors computed with coreutils and openssl, not with this code:
//   printf 'POST\n/api/device/v1/records\n<sha256 of body>\n1750000000\n0011..eeff' |
//     openssl dgst -sha256 -mac HMAC -macopt hexkey:000102..1f
import { describe, it, expect } from "vitest"
import { signDeviceRequest, signingString, timeMac, sha256Hex } from "../../hub/src/auth/device-hmac"
import { KEY } from "./hub-fixture"

describe("device request signature", () => {
    it("POST: the body's SHA-256 is signed with method, path, timestamp and nonce", () => {
        const body = '{"records":[]}'
        expect(sha256Hex(body)).toBe("1b8b4c0b6f6ad1d32565952720bc004eeb1f188f62045e4d5525ae2af8c78432")
        expect(signingString("POST", "/api/device/v1/records", body, "1750000000", "00112233445566778899aabbccddeeff")).toBe(
            "POST\n/api/device/v1/records\n1b8b4c0b6f6ad1d32565952720bc004eeb1f188f62045e4d5525ae2af8c78432\n1750000000\n00112233445566778899aabbccddeeff")
        const h = signDeviceRequest({
            deviceId: "SFA1-000042", keyHex: KEY, method: "POST", path: "/api/device/v1/records", body,
            timestampS: 1750000000, nonce: "00112233445566778899aabbccddeeff",
        })
        expect(h).toEqual({
            "x-device-id": "SFA1-000042", "x-timestamp": "1750000000", "x-nonce": "00112233445566778899aabbccddeeff",
            "x-signature": "3de6b51f39b9163c3f41765abb77a307a460d56b47eb90e069b1c66ba21db76c",
        })
    })

    it("GET: the path carries the query, the body is empty (SHA-256 of no bytes), timestamp 0 for a clock-less device", () => {
        const h = signDeviceRequest({
            deviceId: "SFA1-000042", keyHex: KEY, method: "GET", path: "/api/device/v1/time?nonce=0123456789abcdef",
            timestampS: 0, nonce: "0123456789abcdef",
        })
        expect(h["x-signature"]).toBe("6b562032f2e25e8b407cc102988a3477de8c06a54d60d6b4b172826331545a99")
    })

    it("time answer MAC: HMAC(key, 'time' \\n nonce \\n unixS)", () => {
        expect(timeMac(KEY, "0123456789abcdef", 1750000123)).toBe("9872c04000453df96397e93abd5e0d212e8206cdee0867ec95f06827b11b426a")
    })
})

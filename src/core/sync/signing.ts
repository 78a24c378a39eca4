// Device request signatures, exactly as the hub checks them (hub/src/auth/device-hmac.ts):
//   x-signature = hex HMAC-SHA256(device key, METHOD \n PATH \n sha256hex(body) \n timestamp \n nonce)
// PATH carries the query as sent; a GET's body is empty. Bodies are built by this module's
// callers from hex, integers and [a-z_] names only, so their UTF-8 bytes are their ASCII bytes.
// The answers the device acts on are MAC'd too, under the same key, so that nothing between the
// hub and the device (a proxy, the clinic network, later the untrusted link node) can forge one:
// the time (to the device's nonce), and the record acknowledgement:
//   ack mac = hex HMAC-SHA256(device key, "ack" \n deviceId \n seq \n hash)
// the hub's statement that it holds that device's record seq with that hash, and so (its chain
// rules) every record before it. It needs no freshness: a replayed ack only names a record the
// hub did hold. The two-node applicator's link carries two more to the controller
// (docs/link-service.md):
//   abort mac   = hex HMAC-SHA256(device key, "abort" \n deviceId \n cycle)
//   session mac = hex HMAC-SHA256(device key, "session" \n deviceId \n sessionId \n templateHash
//                 \n operatorId \n patientRef \n issuedUnixS)
// An abort names the cycle (the sequence number its record takes, never reused), so a replayed
// one cannot stop another cycle; a session offer is fresh for SESSION_FRESH_S around the
// controller's clock.

import { Crypto, asciiBytes, hexEqual } from "../crypto"
import { isInt } from "../codec/ints"

export const DEVICE_API = "/api/device/v1/"
/** the hub refuses a nonce outside 16..64 lowercase hex digits */
export const NONCE_HEX_MIN = 16
export const NONCE_HEX_MAX = 64

export interface SignedHeaders {
    deviceId: string
    /** unix seconds as decimal digits; "0" only on the time route of a device with no clock */
    timestamp: string
    nonce: string
    signature: string
}

export function signingString(c: Crypto, method: string, path: string, body: string, timestampS: number, nonce: string): string {
    return method + "\n" + path + "\n" + c.sha256Hex(asciiBytes(body)) + "\n" + timestampS + "\n" + nonce
}

/** x-signature: hex HMAC-SHA256 of the signing string (the device's glue builds its headers around it). */
export function requestSignature(c: Crypto, keyHex: string, method: string, path: string, body: string, timestampS: number, nonce: string): string {
    return c.hmacSha256Hex(keyHex, asciiBytes(signingString(c, method, path, body, timestampS, nonce)))
}

/** The four x- headers of a request (sent as x-device-id, x-timestamp, x-nonce, x-signature). */
export function signRequest(c: Crypto, deviceId: string, keyHex: string, method: string, path: string, body: string,
    timestampS: number, nonce: string): SignedHeaders {
    return { deviceId: deviceId, timestamp: "" + timestampS, nonce: nonce, signature: requestSignature(c, keyHex, method, path, body, timestampS, nonce) }
}

export function timeMac(c: Crypto, keyHex: string, nonce: string, unixS: number): string {
    return c.hmacSha256Hex(keyHex, asciiBytes("time\n" + nonce + "\n" + unixS))
}

/**
 * The hub's time from a `GET time` answer `{ unixS, nonce, mac }`, or 0 when it cannot be
 * trusted: not our nonce (a replayed answer), or a MAC not made with our key (another hub).
 */
export function checkTimeAnswer(c: Crypto, keyHex: string, sentNonce: string, body: any): number {
    if (!body || typeof body !== "object" || body.nonce !== sentNonce || typeof body.mac !== "string") return 0
    const unixS = body.unixS
    if (!isInt(unixS) || unixS <= 0) return 0
    return hexEqual(timeMac(c, keyHex, sentNonce, unixS), body.mac) ? unixS : 0
}

export function ackMac(c: Crypto, keyHex: string, deviceId: string, seq: number, hashHex: string): string {
    return c.hmacSha256Hex(keyHex, asciiBytes("ack\n" + deviceId + "\n" + seq + "\n" + hashHex))
}

/**
 * True when `ack` ({ seq, hash, mac }) is the hub's MAC'd acknowledgement of record seq with
 * hash hashHex (the device's own record's hash, never the answer's word for it).
 */
export function checkAck(c: Crypto, keyHex: string, deviceId: string, seq: number, hashHex: string, ack: any): boolean {
    return !!ack && typeof ack === "object" && ack.seq === seq && ack.hash === hashHex && typeof ack.mac === "string" &&
        hexEqual(ackMac(c, keyHex, deviceId, seq, hashHex), ack.mac)
}

/** a sealed record's hash from its bytes: SHA-256 of its body, the bytes before the 32-byte MAC (records/codec.ts) */
export function sealedBodyHash(c: Crypto, sealed: Buffer): string {
    return c.sha256Hex(sealed.slice(0, sealed.length > 32 ? sealed.length - 32 : 0))
}

export function abortMac(c: Crypto, keyHex: string, deviceId: string, cycle: number): string {
    return c.hmacSha256Hex(keyHex, asciiBytes("abort\n" + deviceId + "\n" + cycle))
}

/** a session offer is taken within this many seconds of its issue time, either way */
export const SESSION_FRESH_S = 120

export function sessionMac(c: Crypto, keyHex: string, deviceId: string, sessionId: string, templateHash: string,
    operatorId: string, patientRef: string, issuedUnixS: number): string {
    return c.hmacSha256Hex(keyHex, asciiBytes("session\n" + deviceId + "\n" + sessionId + "\n" + templateHash + "\n" + operatorId +
        "\n" + patientRef + "\n" + issuedUnixS))
}

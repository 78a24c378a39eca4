// Device request authentication. Every device request carries
//   x-device-id, x-timestamp (unix s), x-nonce (16-64 lowercase hex), x-signature =
//   hex HMAC-SHA256(transport key, METHOD \n PATH(with query) \n sha256hex(body) \n timestamp \n nonce)
// where a GET has an empty body (its hash is SHA-256 of zero bytes, e3b0c442...).
// The transport key is the link's (issue 12); while the firmware is one node, a signature under
// the device key is accepted too (transitional: hub/README.md). A decommissioned device is refused.
// Rejected with 401 and a reason: unknown device, bad signature, a timestamp more than 300 s
// from the hub's clock (except timestamp 0 on the clock-less time route), a nonce seen before.
// Nonces are kept per device with the time they were seen; older than the staleness window
// they cannot be replayed anyway (their timestamp is stale), so they are pruned. A claim is
// group-committed with other requests' (auth/nonces.ts), durable before the request is served.
// The time route claims no nonce and writes nothing, not even the last contact: its answer is
// MAC'd to the request's nonce, so a replayed request (timestamp 0 is never stale) yields an
// answer no device accepts, and cannot make a silent device look alive.
import { createHash, createHmac, timingSafeEqual } from "node:crypto"
import type { HubContext } from "../context"
import { unauthorized } from "../errors"
import { claimNonce } from "./nonces"
import { lookupRow } from "../db/hot-path"

export const STALE_S = 300
/** nonces are kept twice the staleness window, plus a minute for clock steps */
export const NONCE_KEEP_MS = (2 * STALE_S + 60) * 1000
const PRUNE_EVERY_MS = 60_000

export const NONCE_PATTERN = /^[0-9a-f]{16,64}$/
const TIMESTAMP_PATTERN = /^(0|[1-9][0-9]{0,11})$/
const DEVICE_ID_PATTERN = /^[\x20-\x7e]{1,32}$/

export interface DeviceIdentity {
    deviceId: string
    /** the device key (the controller's): record MACs, time MACs, bundles, acks */
    keyHex: string
    /** the device key's generation: above 1, retired keys may hold records still to come (ingest.ts) */
    keyGeneration?: number
}

export function sha256Hex(body: Uint8Array | string): string {
    return createHash("sha256").update(body).digest("hex")
}

/** The string under the MAC; path includes the query exactly as sent. */
export function signingString(method: string, path: string, body: Uint8Array | string, timestamp: string, nonce: string): string {
    return method.toUpperCase() + "\n" + path + "\n" + sha256Hex(body) + "\n" + timestamp + "\n" + nonce
}

export function deviceSignature(keyHex: string, method: string, path: string, body: Uint8Array | string, timestamp: string, nonce: string): string {
    return createHmac("sha256", Buffer.from(keyHex, "hex")).update(signingString(method, path, body, timestamp, nonce)).digest("hex")
}

export interface SignRequest {
    deviceId: string
    keyHex: string
    method: string
    /** path with query, e.g. /api/device/v1/time?nonce=ab... */
    path: string
    /** the exact body bytes sent; "" or absent for GET */
    body?: Uint8Array | string
    /** unix seconds; 0 only for a clock-less time request */
    timestampS: number
    /** 16-64 lowercase hex digits, fresh per request */
    nonce: string
}

/** Headers for a device request (tests and the Node protocol clients). */
export function signDeviceRequest(r: SignRequest): Record<string, string> {
    const ts = String(r.timestampS)
    return {
        "x-device-id": r.deviceId,
        "x-timestamp": ts,
        "x-nonce": r.nonce,
        "x-signature": deviceSignature(r.keyHex, r.method, r.path, r.body ?? "", ts, r.nonce),
    }
}

/** MAC of a time answer: the device trusts a time only from the hub that holds its key. */
export function timeMac(keyHex: string, nonce: string, unixS: number): string {
    return createHmac("sha256", Buffer.from(keyHex, "hex")).update("time\n" + nonce + "\n" + unixS).digest("hex")
}

export interface AuthInput {
    method: string
    url: string
    headers: Record<string, string | string[] | undefined>
    body: Uint8Array
    /** the time route: a device with no clock sends timestamp 0; its answer is MAC'd to the
     *  request's nonce, so nothing is claimed or stored for it */
    clockless: boolean
}

function header(h: AuthInput["headers"], name: string): string {
    const v = h[name]
    if (typeof v !== "string") throw unauthorized("missing_header", "header " + name + " is missing or repeated")
    return v
}

interface DeviceAuthRow {
    id: string
    key_hex: string
    transport_key_hex: string | null
    key_generation: number
    decommissioned_at_ms: number | null
}

const DEVICE_COLUMNS = "id, key_hex, transport_key_hex, key_generation, decommissioned_at_ms"

/** what a request's check needs of its device (every device request reads it: db/hot-path.ts) */
function deviceForAuth(ctx: HubContext, deviceId: string): Promise<DeviceAuthRow | undefined> {
    return lookupRow<DeviceAuthRow & Record<string, unknown>>(ctx.db, "device_auth",
        "SELECT " + DEVICE_COLUMNS + " FROM devices WHERE id = ?",
        "SELECT " + DEVICE_COLUMNS + " FROM devices WHERE id = ANY($1::text[])", "id", deviceId)
}

const lastPrune = new WeakMap<HubContext, number>()

export interface DeviceHeaders {
    deviceId: string
    timestamp: string
    nonce: string
    signature: string
    keyHex: string
    transportKeyHex: string | null
    keyGeneration: number
}

/** The checks that need no body (run as soon as the headers are in, so a refused upload is not
 *  read): each header's form, a registered device, a fresh timestamp. Throws 401. */
export async function precheckDevice(ctx: HubContext, headers: AuthInput["headers"], allowZeroTimestamp: boolean): Promise<DeviceHeaders> {
    const deviceId = header(headers, "x-device-id")
    const timestamp = header(headers, "x-timestamp")
    const nonce = header(headers, "x-nonce")
    const signature = header(headers, "x-signature")
    if (!DEVICE_ID_PATTERN.test(deviceId)) throw unauthorized("bad_header", "x-device-id must be 1-32 printable ASCII characters")
    if (!TIMESTAMP_PATTERN.test(timestamp)) throw unauthorized("bad_header", "x-timestamp must be unix seconds (decimal digits)")
    if (!NONCE_PATTERN.test(nonce)) throw unauthorized("bad_header", "x-nonce must be 16-64 lowercase hex digits")
    if (!/^[0-9a-f]{64}$/.test(signature)) throw unauthorized("bad_header", "x-signature must be 64 lowercase hex digits")
    const device = await deviceForAuth(ctx, deviceId)
    if (!device) throw unauthorized("unknown_device", "device " + deviceId + " is not registered at this hub")
    if (device.decommissioned_at_ms !== null) throw unauthorized("decommissioned", "device " + deviceId + " is decommissioned: this hub serves it no more")
    const nowS = Math.floor(ctx.nowMs() / 1000)
    const ts = Number(timestamp)
    if (!(ts === 0 && allowZeroTimestamp) && Math.abs(nowS - ts) > STALE_S)
        throw unauthorized("stale_timestamp", "x-timestamp " + ts + " is more than " + STALE_S + " s from the hub's clock " + nowS + ": sync time first")
    return { deviceId, timestamp, nonce, signature, keyHex: device.key_hex, transportKeyHex: device.transport_key_hex, keyGeneration: Number(device.key_generation) }
}

function signedBy(keyHex: string, signed: string, got: Buffer): boolean {
    return timingSafeEqual(createHmac("sha256", Buffer.from(keyHex, "hex")).update(signed).digest(), got)
}

/** Checks a device request (after precheckDevice when `pre` is given); stores its nonce and the device's last-seen time. Throws 401. */
export async function authenticateDevice(ctx: HubContext, a: AuthInput, pre?: DeviceHeaders): Promise<DeviceIdentity> {
    const { deviceId, timestamp, nonce, signature, keyHex, transportKeyHex, keyGeneration } = pre ?? await precheckDevice(ctx, a.headers, a.clockless)
    const got = Buffer.from(signature, "hex")
    const signed = signingString(a.method, a.url, a.body, timestamp, nonce)
    // the transport key first; the device key while the firmware is one node (transitional)
    if (!(transportKeyHex !== null && signedBy(transportKeyHex, signed, got)) && !signedBy(keyHex, signed, got))
        throw unauthorized("bad_signature", "x-signature does not verify under this device's transport key or device key (method, path, body, timestamp, nonce)")
    const nowMs = ctx.nowMs()
    // the time route's answer is bound to this request's nonce by its MAC: a replay teaches the
    // replayer nothing the device would accept, so it is served without a claim and changes
    // nothing (not even the last contact: a replayed timestamp-0 request cannot make a dead
    // device look alive); its timestamp was checked by precheckDevice
    if (a.clockless) return { deviceId, keyHex, keyGeneration }
    const fresh = await claimNonce(ctx.db, { deviceId, nonce, nowMs })
    if (!fresh) throw unauthorized("replayed_nonce", "x-nonce was used before: send a fresh nonce with every request")
    if (nowMs - (lastPrune.get(ctx) ?? 0) >= PRUNE_EVERY_MS) {
        lastPrune.set(ctx, nowMs)
        await pruneNonces(ctx, nowMs)
    }
    return { deviceId, keyHex, keyGeneration }
}

/** Deletes nonces too old to be replayed (their timestamps would be stale). */
export async function pruneNonces(ctx: HubContext, nowMs: number): Promise<number> {
    const r = await ctx.db.db.deleteFrom("device_nonces").where("seen_at_ms", "<", nowMs - NONCE_KEEP_MS).executeTakeFirst()
    return Number(r.numDeletedRows)
}

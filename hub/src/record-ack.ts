// The MAC'd acknowledgement in a records answer: the hub's statement, under the device's key,
// that it holds the last record of the answer's acknowledged run (the batch's first records,
// each "stored" or "duplicate", in sequence) with that record's hash. The device releases
// records from its queue only on an ack that verifies against its own record's bytes
// (src/core/sync/planner.ts), so nothing between the hub and the device can make it drop a
// record the hub does not hold. Built with src/core's ackMac, the function the device checks with.
import { ackMac } from "../../src/core/sync/signing"
import { sealedHash } from "../../src/core/sync/planner"
import { nodeCrypto } from "../../src/node/crypto-node"
import type { DeviceIdentity } from "./auth/device-hmac"
import type { IngestResult } from "./ingest"

export interface RecordAck {
    seq: number
    hash: string
    mac: string
}

/** The ack for an ingest result of the batch `sealedHex`, or null when it acknowledges nothing. */
export function recordAck(device: DeviceIdentity, sealedHex: string[], r: IngestResult): RecordAck | null {
    const rs = r.results
    let i = 0
    while (i < rs.length && i < sealedHex.length && rs[i].seq === rs[0].seq + i && (rs[i].status === "stored" || rs[i].status === "duplicate")) i++
    if (i === 0) return null
    // a record's hash is SHA-256 of its body, the sealed bytes less the 32-byte MAC (docs/records.md)
    const hash = sealedHash(nodeCrypto, sealedHex[i - 1])
    const seq = rs[i - 1].seq
    return { seq, hash, mac: ackMac(nodeCrypto, device.keyHex, device.deviceId, seq, hash) }
}

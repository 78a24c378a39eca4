// Signed checkpoints: the hub's signed statement that device D's chain, as stored here, ends
// at record `seq` with hash `hash`, at time `atUnixS` (after Certificate Transparency's signed
// tree heads, RFC 6962 §3.5). Every export carries one for its head, and the transparency page
// one per device under the device's public id (a pseudonym; the export names it too). Someone
// holding the hub's public key (GET /api/hub-key) then detects an export cut short or rewritten
// after it left the hub, even by someone with the device key: the head cannot be moved without
// a new signature. The signed bytes are plain text so an outside verifier can rebuild them
// (docs/records.md §10), one field per line, each line ending in "\n":
//   export:       "smile-film-checkpoint/1" deviceId publicId seq hash atUnixS
//   transparency: "smile-film-public-checkpoint/1" publicId seq hash atUnixS
import { createPublicKey, sign, verify } from "node:crypto"
import type { HubSigningKey } from "./hub-keys"

export const CHECKPOINT_TAG = "smile-film-checkpoint/1"
export const PUBLIC_CHECKPOINT_TAG = "smile-film-public-checkpoint/1"

export interface Checkpoint {
    deviceId: string
    /** the device's pseudonym on the transparency page */
    publicId: string
    seq: number
    /** SHA-256 (hex) of record seq's body; 64 zeros when the device has no record (seq 0) */
    hash: string
    atUnixS: number
    /** SHA-256 (hex) of the hub's raw Ed25519 public key */
    keyId: string
    /** Ed25519 signature (hex, 64 bytes) of checkpointMessage() */
    signatureHex: string
}

/** what the transparency page shows per device: no device id */
export type PublicCheckpoint = Omit<Checkpoint, "deviceId">

function lines(fields: (string | number)[]): Buffer {
    return Buffer.from(fields.map(f => f + "\n").join(""), "utf8")
}

export function checkpointMessage(c: Omit<Checkpoint, "keyId" | "signatureHex">): Buffer {
    return lines([CHECKPOINT_TAG, c.deviceId, c.publicId, c.seq, c.hash, c.atUnixS])
}

export function publicCheckpointMessage(c: Omit<PublicCheckpoint, "keyId" | "signatureHex">): Buffer {
    return lines([PUBLIC_CHECKPOINT_TAG, c.publicId, c.seq, c.hash, c.atUnixS])
}

export function signCheckpoint(key: HubSigningKey, deviceId: string, publicId: string, head: { seq: number; hash: string }, atUnixS: number): Checkpoint {
    const c = { deviceId, publicId, seq: head.seq, hash: head.hash, atUnixS }
    return { ...c, keyId: key.keyId, signatureHex: sign(null, checkpointMessage(c), key.privateKey).toString("hex") }
}

export function signPublicCheckpoint(key: HubSigningKey, publicId: string, head: { seq: number; hash: string }, atUnixS: number): PublicCheckpoint {
    const c = { publicId, seq: head.seq, hash: head.hash, atUnixS }
    return { ...c, keyId: key.keyId, signatureHex: sign(null, publicCheckpointMessage(c), key.privateKey).toString("hex") }
}

/** True only for a well-formed Ed25519 signature by this public key (PEM) over this checkpoint. */
export function verifyCheckpoint(publicKeyPem: string, c: Checkpoint | PublicCheckpoint): boolean {
    if (typeof c.signatureHex !== "string" || !/^[0-9a-f]{128}$/.test(c.signatureHex)) return false
    try {
        const message = "deviceId" in c ? checkpointMessage(c) : publicCheckpointMessage(c)
        return verify(null, message, createPublicKey(publicKeyPem), Buffer.from(c.signatureHex, "hex"))
    } catch {
        return false
    }
}

// Signed checkpoints: the hub's signed statement that device D's chain, as stored here, ends
// at record `seq` with hash `hash`, at time `atUnixS` (after Certificate Transparency's signed
// tree heads, RFC 6962 §3.5). Every export carries one for its head, and the transparency page
// one per device under a pseudonym. Someone holding the hub's public key (GET /api/hub-key)
// then detects an export cut short or rewritten after it left the hub, even by someone with the
// device key: the head cannot be moved without a new signature. The signed bytes are plain
// text so an outside verifier can rebuild them (docs/records.md §10):
//   "smile-film-checkpoint/1\n" deviceId "\n" seq "\n" hash "\n" atUnixS "\n"
import { createPublicKey, sign, verify } from "node:crypto"
import type { HubSigningKey } from "./hub-keys"

export const CHECKPOINT_TAG = "smile-film-checkpoint/1"

export interface Checkpoint {
    deviceId: string
    seq: number
    /** SHA-256 (hex) of record seq's body; 64 zeros when the device has no record (seq 0) */
    hash: string
    atUnixS: number
    /** SHA-256 (hex) of the hub's raw Ed25519 public key */
    keyId: string
    /** Ed25519 signature (hex, 64 bytes) of checkpointMessage() */
    signatureHex: string
}

export function checkpointMessage(c: { deviceId: string; seq: number; hash: string; atUnixS: number }): Buffer {
    return Buffer.from(CHECKPOINT_TAG + "\n" + c.deviceId + "\n" + c.seq + "\n" + c.hash + "\n" + c.atUnixS + "\n", "utf8")
}

export function signCheckpoint(key: HubSigningKey, deviceId: string, head: { seq: number; hash: string }, atUnixS: number): Checkpoint {
    const c = { deviceId, seq: head.seq, hash: head.hash, atUnixS }
    return { ...c, keyId: key.keyId, signatureHex: sign(null, checkpointMessage(c), key.privateKey).toString("hex") }
}

/** True only for a well-formed Ed25519 signature by this public key (PEM) over this checkpoint. */
export function verifyCheckpoint(publicKeyPem: string, c: Checkpoint): boolean {
    if (typeof c.signatureHex !== "string" || !/^[0-9a-f]{128}$/.test(c.signatureHex)) return false
    try {
        return verify(null, checkpointMessage(c), createPublicKey(publicKeyPem), Buffer.from(c.signatureHex, "hex"))
    } catch {
        return false
    }
}

// Council approvals are Ed25519 signatures over the approved template's canonical bytes
// (src/core encodeTemplate). The reviewer signs on their own machine; the hub only ever holds
// public keys. signTemplateApproval is the client side, for tools and tests.

import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto"
import { LibraryError } from "./errors"

const SIGNATURE_HEX_LEN = 128 // Ed25519 signatures are 64 bytes

/** Client side: hex Ed25519 signature of the template bytes under a PEM (PKCS#8) private key. */
export function signTemplateApproval(privateKeyPem: string, bytes: number[]): string {
    return sign(null, Buffer.from(bytes), createPrivateKey(privateKeyPem)).toString("hex")
}

/** Parses a PEM public key; a private key, or anything but Ed25519, is refused (400 bad_key). */
export function parseReviewerKey(pem: string): KeyObject {
    // createPublicKey would derive the public half of a private key: the hub must never be given one
    if (/PRIVATE KEY-----/.test(pem) || isPrivateKey(pem))
        throw new LibraryError(400, "bad_key", "publicKeyPem", "is a private key: register only the public half (-----BEGIN PUBLIC KEY-----); keep the private key on your machine")
    let key: KeyObject
    try {
        key = createPublicKey(pem)
    } catch (e) {
        throw new LibraryError(400, "bad_key", "publicKeyPem", "is not a PEM public key (" + (e as Error).message + ")")
    }
    if (key.asymmetricKeyType !== "ed25519")
        throw new LibraryError(400, "bad_key", "publicKeyPem", "must be an Ed25519 key, got " + key.asymmetricKeyType)
    return key
}

function isPrivateKey(pem: string): boolean {
    try {
        createPrivateKey(pem)
        return true
    } catch {
        return false
    }
}

/** SHA-256 (hex) of the raw 32-byte public key: the key's id, whatever PEM wrapping it came in. */
export function reviewerKeyId(key: KeyObject): string {
    const spki = key.export({ type: "spki", format: "der" })
    // an Ed25519 SPKI is a fixed 12-byte header followed by the 32 raw key bytes (RFC 8410)
    return createHash("sha256").update(spki.subarray(spki.length - 32)).digest("hex")
}

/** True only for a well-formed signature by this key over exactly these bytes. */
export function verifyTemplateApproval(publicKeyPem: string, bytes: number[], signatureHex: string): boolean {
    if (typeof signatureHex !== "string" || signatureHex.length !== SIGNATURE_HEX_LEN || !/^[0-9a-f]+$/.test(signatureHex)) return false
    try {
        return verify(null, Buffer.from(bytes), createPublicKey(publicKeyPem), Buffer.from(signatureHex, "hex"))
    } catch {
        return false
    }
}

export function isSignatureHex(s: string): boolean {
    return s.length === SIGNATURE_HEX_LEN && /^[0-9a-f]+$/.test(s)
}

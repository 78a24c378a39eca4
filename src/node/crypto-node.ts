// Node implementation of the core Crypto port (src/core/crypto.ts), for tests, tools and hub.
import { createHash, createHmac } from "node:crypto"
import type { Crypto } from "../core/crypto"

export const nodeCrypto: Crypto = {
    sha256Hex: data => createHash("sha256").update(Buffer.from(data)).digest("hex"),
    hmacSha256Hex: (keyHex, data) => createHmac("sha256", Buffer.from(keyHex, "hex")).update(Buffer.from(data)).digest("hex"),
}

// DeviceScript implementation of the core Crypto port (src/core/crypto.ts).
import { digest, hmac } from "@devicescript/crypto"
import type { Crypto } from "../core/crypto"

export const dsCrypto: Crypto = {
    sha256Hex: data => digest("sha256", Buffer.from(data)).toString("hex"),
    hmacSha256Hex: (keyHex, data) => hmac(Buffer.from(keyHex, "hex"), "sha256", Buffer.from(data)).toString("hex"),
}

// DeviceScript implementation of the core Crypto port (src/core/crypto.ts).
import { digest, hmac } from "@devicescript/crypto"
import type { Crypto } from "../core/crypto"

export const dsCrypto: Crypto = {
    sha256Hex: data => digest("sha256", bytes(data)).toString("hex"),
    hmacSha256Hex: (keyHex, data) => hmac(Buffer.from(keyHex, "hex"), "sha256", bytes(data)).toString("hex"),
}

/** data as a Buffer, without copying one (an upload body's bytes are KBs of the VM's heap) */
function bytes(data: number[] | Buffer): Buffer {
    return data instanceof Buffer ? data : Buffer.from(data)
}

// Published test vectors for the injected crypto (FIPS 180-2 appendix B.1, RFC 4231 case 2),
// and the Kv limits, shared by vitest and the VM.
import { Crypto, asciiBytes, toHex, fromHex, hexEqual } from "../../src/core/crypto"

export interface CryptoVector { name: string; run: (c: Crypto) => string; expect: string }

export const CRYPTO_VECTORS: CryptoVector[] = [
    { name: "SHA-256 of 'abc' (FIPS 180-2 B.1)", run: c => c.sha256Hex(asciiBytes("abc")),
        expect: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { name: "SHA-256 of the empty string", run: c => c.sha256Hex([]),
        expect: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    { name: "HMAC-SHA256, RFC 4231 test case 2", run: c => c.hmacSha256Hex(toHex(asciiBytes("Jefe")), asciiBytes("what do ya want for nothing?")),
        expect: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
    { name: "hex round trip", run: c => toHex(fromHex("00ff10Ab")), expect: "00ff10ab" },
    { name: "constant-time compare", run: c => (hexEqual("ab", "ab") && !hexEqual("ab", "ac") && !hexEqual("ab", "abc") ? "ok" : "bad"), expect: "ok" },
]

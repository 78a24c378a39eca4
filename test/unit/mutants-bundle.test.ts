// Approval bundle edges that issue 14's mutation run found untested (docs/mutation.md): the
// "wrong template / wrong treatment" barrier of docs/safety.md. A bundle that is not canonical,
// not for this device, rolled back or expired is refused, and a template runs only when its
// hash is approved, not revoked, under the very profile (id and version) it was approved
// against. Expected values from docs/records.md §3, §5 and §8 and the golden bundle (device
// SFA1-000042, version 7, issued 1750000000, expires 1752592000, profile DRC-2025 v3).
import { describe, it, expect } from "vitest"
import { nodeCrypto } from "../../src/node/crypto-node"
import { readManifest } from "../../tools/manifest-node"
import { fromHex, toHex } from "../../src/core/crypto"
import { ValidationError, validationErrorOf } from "../../src/core/codec/errors"
import { checkBundle, encodeBundle, decodeBundle, sealBundle, openBundle } from "../../src/core/bundle/codec"
import { checkInstall, decideRun, decideShaped } from "../../src/core/bundle/decide"
import { BundleStore } from "../../src/core/bundle/store"
import { templateId, templateHash } from "../../src/core/template/codec"
import { decodedProfile } from "../../src/core/template/profile"
import { MemoryKv } from "../../src/core/store/kv"
import { BlobStore } from "../../src/core/store/blob"
import { toBase64 } from "../../src/core/codec/base64"
import { ISSUED, EXPIRES, DAY, OTHER_KEY } from "../vectors/bundle-checks"
import { goldenBundle, goldenTemplate, goldenProfile, GOLDEN_KEY, GOLDEN_DEVICE, GOLDEN_TEMPLATE_HASH, GOLDEN_PROFILE_HEX, GOLDEN_BUNDLE_HEX, GOLDEN_TEMPLATE_HEX, GOLDEN_DESIGN_HEX, rep } from "../vectors/golden"

const m = readManifest()
const c = nodeCrypto

function verdictOf(fn: () => void): string {
    const e = validationErrorOf(fn)
    return e ? e.code + "@" + e.field : "ok"
}

async function verdictOfAsync(fn: () => Promise<unknown>): Promise<string> {
    try {
        await fn()
        return "ok"
    } catch (e) {
        if (e instanceof ValidationError) return e.code + "@" + e.field
        throw e
    }
}

// The golden profile's bytes (docs/records.md §3) split at its version: 'P' 1, 'DRC-2025', then 06 (3)
const PROFILE_HEAD = "5001" + "104452432d32303235"
const PROFILE_LIMITS = GOLDEN_PROFILE_HEX.slice(PROFILE_HEAD.length + 2)
/** profile bytes with the golden limits under another id text (hex, with its length) or version */
const profileHex = (idHex: string, version: string) => "5001" + idHex + version + PROFILE_LIMITS
const DRC_2025 = "104452432d32303235"
const DRC = "06445243" // 'DRC': 3 characters, zigzag 6

// The golden bundle's bytes up to its profile count, and its hash lists (docs/records.md §5)
const BUNDLE_HEAD = "4201" + "16534641312d303030303432" + "0e" + "8086f7840d" + "80bab3870d"
const APPROVED = "04" + GOLDEN_TEMPLATE_HASH + rep("aa", 32)
const REVOKED = "02" + rep("55", 32)

function profileOf(id: string, version: number): any {
    const p: any = goldenProfile()
    p.profileId = id
    p.profileVersion = version
    return p
}

describe("the test's hex matches the golden example", () => {
    it("head, profile and lists join to the golden bundle bytes", () => {
        expect(profileHex(DRC_2025, "06")).toBe(GOLDEN_PROFILE_HEX)
        expect(BUNDLE_HEAD + "02" + GOLDEN_PROFILE_HEX + APPROVED + REVOKED).toBe(GOLDEN_BUNDLE_HEX)
    })
})

describe("issuing: one bundle, one encoding", () => {
    it("profiles are written sorted by id (bytewise, a prefix first), then version", () => {
        const b: any = goldenBundle()
        b.profiles = [profileOf("DRC-2025", 3), profileOf("DRC-2025", 2), profileOf("DRC", 3)]
        const want = BUNDLE_HEAD + "06" + profileHex(DRC, "06") + profileHex(DRC_2025, "04") + profileHex(DRC_2025, "06") + APPROVED + REVOKED
        expect(toHex(encodeBundle(b))).toBe(want)
        expect(checkBundle(b).profiles.map(p => p.profileId + " v" + p.profileVersion)).toEqual(["DRC v3", "DRC-2025 v2", "DRC-2025 v3"])
    })
    it("revoked hashes given in descending order are written ascending", () => {
        const b: any = goldenBundle()
        b.revoked = [rep("ff", 32), rep("55", 32)]
        expect(toHex(encodeBundle(b))).toBe(BUNDLE_HEAD + "02" + GOLDEN_PROFILE_HEX + APPROVED + "04" + rep("55", 32) + rep("ff", 32))
    })
    it("the same profile twice is a duplicate, named with its id and version", () => {
        const b: any = goldenBundle()
        b.profiles = [goldenProfile(), goldenProfile()]
        const e = validationErrorOf(() => checkBundle(b))
        expect(e && e.code + "@" + e.field).toBe("duplicate@profiles")
        expect(e!.message).toContain("DRC-2025 v3")
        // another version of the same id is not a duplicate
        b.profiles[1].profileVersion = 4
        expect(verdictOf(() => checkBundle(b))).toBe("ok")
    })
    it("an approved hash listed twice is a duplicate", () => {
        const b: any = goldenBundle()
        b.approved = [GOLDEN_TEMPLATE_HASH, rep("aa", 32), GOLDEN_TEMPLATE_HASH]
        const e = validationErrorOf(() => checkBundle(b))
        expect(e && e.code + "@" + e.field).toBe("duplicate@approved")
        expect(e!.message).toContain(GOLDEN_TEMPLATE_HASH)
    })
    it("a bundle expiring at its issue second is refused; one second later it is valid", () => {
        const b: any = goldenBundle()
        b.expiresUnixS = ISSUED
        const e = validationErrorOf(() => checkBundle(b))
        expect(e && e.code + "@" + e.field).toBe("format_range@expiresUnixS")
        expect(e!.message).toMatch(/after issuedUnixS/)
        b.expiresUnixS = ISSUED + 1
        expect(verdictOf(() => checkBundle(b))).toBe("ok")
    })
    it("1..4 profiles, a device id, a version of at least 1", () => {
        const cases: [(b: any) => void, string][] = [
            [b => { b.profiles = [] }, "count@profiles"],
            [b => { b.profiles = [1, 2, 3, 4, 5].map(v => profileOf("DRC-2025", v)) }, "count@profiles"],
            [b => { b.profiles = [1, 2, 3, 4].map(v => profileOf("DRC-2025", v)) }, "ok"],
            [b => { b.deviceId = "" }, "bad_string@deviceId"],
            [b => { b.bundleVersion = 0 }, "format_range@bundleVersion"],
            [b => { b.issuedUnixS = 0 }, "format_range@issuedUnixS"],
            [b => { b.revoked = ["55"] }, "bad_hex@revoked[0]"],
            [b => { b.profiles[0].archPointsMin = 2 }, "profile_invalid@profiles[0].archPointsMin"],
            [b => { b.expiresUnixS = 0 }, "format_range@expiresUnixS"],
            [b => { b.issuer = "hub" }, "unknown_field@issuer"],
        ]
        for (const [edit, want] of cases) {
            const b: any = goldenBundle()
            edit(b)
            expect(verdictOf(() => checkBundle(b))).toBe(want)
        }
    })
})

describe("decoding: only the canonical bytes", () => {
    const bundle = (profiles: string[], approved = APPROVED, revoked = REVOKED) =>
        fromHex(BUNDLE_HEAD + (profiles.length * 2).toString(16).padStart(2, "0") + profiles.join("") + approved + revoked)
    it("two versions of a profile in order decode; reversed or repeated they are not canonical", () => {
        const ok = decodeBundle(bundle([profileHex(DRC_2025, "04"), profileHex(DRC_2025, "06")]))
        expect(ok.profiles.map(p => p.profileVersion)).toEqual([2, 3])
        expect(verdictOf(() => decodeBundle(bundle([profileHex(DRC_2025, "06"), profileHex(DRC_2025, "04")])))).toBe("not_canonical@profiles[1]")
        expect(verdictOf(() => decodeBundle(bundle([profileHex(DRC_2025, "06"), profileHex(DRC_2025, "06")])))).toBe("not_canonical@profiles[1]")
        expect(verdictOf(() => decodeBundle(bundle([profileHex(DRC_2025, "06"), profileHex(DRC, "06")])))).toBe("not_canonical@profiles[1]")
    })
    it("a hash repeated, or revoked hashes out of order, are not canonical", () => {
        const twice = "04" + GOLDEN_TEMPLATE_HASH + GOLDEN_TEMPLATE_HASH
        expect(verdictOf(() => decodeBundle(bundle([GOLDEN_PROFILE_HEX], twice)))).toBe("not_canonical@approved[1]")
        const down = "04" + rep("ff", 32) + rep("55", 32)
        expect(verdictOf(() => decodeBundle(bundle([GOLDEN_PROFILE_HEX], APPROVED, down)))).toBe("not_canonical@revoked[1]")
        const up = "04" + rep("55", 32) + rep("ff", 32)
        expect(decodeBundle(bundle([GOLDEN_PROFILE_HEX], APPROVED, up)).revoked).toEqual([rep("55", 32), rep("ff", 32)])
    })
    it("each field before the profiles is range-checked and named", () => {
        // deviceId of 0 characters, version 0, issued at 0, expiring at 0 (each below its least)
        const parts = ["4201", "16534641312d303030303432", "0e", "8086f7840d", "80bab3870d"]
        const fields = ["", "deviceId", "bundleVersion", "issuedUnixS", "expiresUnixS"]
        for (let i = 1; i < parts.length; i++) {
            const p = parts.slice()
            p[i] = "00"
            expect(verdictOf(() => decodeBundle(fromHex(p.join("") + "02" + GOLDEN_PROFILE_HEX + APPROVED + REVOKED)))).toBe("format_range@" + fields[i])
        }
    })
    it("bytes that end inside a listed hash are truncated at that hash", () => {
        const cut = (hex: string) => fromHex(hex.slice(0, hex.length - 2))
        expect(verdictOf(() => decodeBundle(cut(BUNDLE_HEAD + "02" + GOLDEN_PROFILE_HEX + APPROVED)))).toBe("truncated@approved[1]")
        expect(verdictOf(() => decodeBundle(cut(GOLDEN_BUNDLE_HEX)))).toBe("truncated@revoked[0]")
    })
    it("bytes that expire at the issue second are refused", () => {
        const same = GOLDEN_BUNDLE_HEX.replace("8086f7840d80bab3870d", "8086f7840d8086f7840d")
        expect(same).not.toBe(GOLDEN_BUNDLE_HEX)
        expect(verdictOf(() => decodeBundle(fromHex(same)))).toBe("format_range@expiresUnixS")
    })
    it("a profile in the bytes is checked as checkProfile checks it, named by its place", () => {
        // filmMinDeciC (the first limit, cc08 = 550) made 851 (zigzag 1702 = 13 x 128 + 38: a6 0d), above filmMax 850
        const minAboveMax = "5001" + DRC_2025 + "06" + "a60d" + PROFILE_LIMITS.slice(4)
        expect(verdictOf(() => decodeBundle(bundle([minAboveMax])))).toBe("profile_invalid@profiles[0].filmMinDeciC")
        expect(verdictOf(() => decodeBundle(bundle(["5001" + "00" + "06" + PROFILE_LIMITS])))).toBe("format_range@profiles[0].profileId")
        expect(verdictOf(() => decodeBundle(bundle([profileHex(DRC_2025, "00")])))).toBe("format_range@profiles[0].profileVersion")
    })
    it("0 or 5 profiles are refused", () => {
        expect(verdictOf(() => decodeBundle(bundle([])))).toBe("format_range@profiles")
        const five = ["02", "04", "06", "08", "0a"].map(v => profileHex(DRC_2025, v)) // versions 1..5
        expect(verdictOf(() => decodeBundle(bundle(five)))).toBe("format_range@profiles")
    })
})

describe("opening: the MAC first, on anything too short to carry one", () => {
    it("33 bytes are too short; 34 are checked against the MAC", () => {
        expect(verdictOf(() => openBundle(new Array(33).fill(0), GOLDEN_KEY, c))).toBe("truncated@(bundle)")
        expect(verdictOf(() => openBundle(new Array(34).fill(0), GOLDEN_KEY, c))).toBe("bad_mac@(bundle)")
    })
    it("a hex string instead of bytes is refused", () => {
        const sealedHex = toHex(sealBundle(goldenBundle(), GOLDEN_KEY, c))
        expect(verdictOf(() => openBundle(sealedHex as any, GOLDEN_KEY, c))).toBe("truncated@(bundle)")
    })
    it("a Buffer opens as the same bytes in an array do", () => {
        const sealed = sealBundle(goldenBundle(), GOLDEN_KEY, c)
        expect(openBundle(Buffer.from(sealed), GOLDEN_KEY, c)).toEqual(openBundle(sealed, GOLDEN_KEY, c))
        expect(openBundle(Buffer.from(sealed), GOLDEN_KEY, c).bundleVersion).toBe(7)
    })
})

describe("install and run decisions", () => {
    it("an unknown clock (0) does not refuse an install for expiry: the run decision refuses instead", () => {
        expect(verdictOf(() => checkInstall(goldenBundle(), GOLDEN_DEVICE, 0, 0))).toBe("ok")
        expect(decideRun(goldenBundle(), goldenTemplate(), GOLDEN_DEVICE, 0, m, c).code).toBe("clock_unknown")
    })
    it("an install refusal names its field: deviceId, bundleVersion, expiresUnixS", () => {
        expect(verdictOf(() => checkInstall(goldenBundle(), "SFA1-000043", 0, ISSUED))).toBe("wrong_device@deviceId")
        expect(verdictOf(() => checkInstall(goldenBundle(), GOLDEN_DEVICE, 7, ISSUED))).toBe("rollback@bundleVersion")
        expect(verdictOf(() => checkInstall(goldenBundle(), GOLDEN_DEVICE, 0, EXPIRES))).toBe("expired@expiresUnixS")
    })
    it("an install refusal says which device, which versions, which expiry", () => {
        expect(validationErrorOf(() => checkInstall(goldenBundle(), "SFA1-000043", 0, ISSUED))!.message).toMatch(/SFA1-000042.*SFA1-000043/)
        expect(validationErrorOf(() => checkInstall(goldenBundle(), GOLDEN_DEVICE, 9, ISSUED))!.message).toMatch(/^bundleVersion: 7 .* 9 /)
        expect(validationErrorOf(() => checkInstall(goldenBundle(), GOLDEN_DEVICE, 0, EXPIRES + 5))!.message).toMatch(/1752592000.*1752592005/)
    })
    it("every run refusal tells the operator why", () => {
        const t = goldenTemplate()
        const other = goldenBundle()
        other.deviceId = "SFA1-000043"
        const unknown = goldenBundle()
        unknown.approved = []
        const revoked = goldenBundle()
        revoked.revoked = [GOLDEN_TEMPLATE_HASH]
        const noProfile = goldenBundle()
        noProfile.profiles[0].profileVersion = 2
        const runs: [any, number, string][] = [
            [null, ISSUED, "no_bundle"], [other, ISSUED, "wrong_device"], [goldenBundle(), 0, "clock_unknown"],
            [goldenBundle(), EXPIRES, "expired"], [goldenBundle(), ISSUED - 301, "not_yet_valid"], [revoked, ISSUED, "revoked"],
            [unknown, ISSUED, "unknown_template"], [noProfile, ISSUED, "profile_missing"],
        ]
        for (const [b, now, code] of runs) {
            const d = decideRun(b, t, GOLDEN_DEVICE, now, m, c)
            expect(d.code).toBe(code)
            expect(d.detail.length).toBeGreaterThan(10)
        }
    })
    it("the bundle is judged before the template (docs/records.md §5's order)", () => {
        const malformed = { id: 5 }
        expect(decideRun(null, malformed, GOLDEN_DEVICE, ISSUED, m, c).code).toBe("no_bundle")
        expect(decideRun(goldenBundle(), malformed, GOLDEN_DEVICE, EXPIRES, m, c).code).toBe("expired")
        expect(decideRun(goldenBundle(), malformed, GOLDEN_DEVICE, ISSUED, m, c).code).toBe("template_invalid")
    })
    it("a clock before 1970 is unknown too", () => {
        expect(decideRun(goldenBundle(), goldenTemplate(), GOLDEN_DEVICE, -1, m, c).code).toBe("clock_unknown")
    })
    it("a template that is the only approved hash runs; the only revoked hash does not", () => {
        const b = goldenBundle()
        b.approved = [GOLDEN_TEMPLATE_HASH]
        b.revoked = []
        expect(decideRun(b, goldenTemplate(), GOLDEN_DEVICE, ISSUED + DAY, m, c).ok).toBe(true)
        b.revoked = [GOLDEN_TEMPLATE_HASH]
        expect(decideRun(b, goldenTemplate(), GOLDEN_DEVICE, ISSUED + DAY, m, c).code).toBe("revoked")
    })
    it("a run is judged under the profile of the template's id and version, not another one listed after it", () => {
        const b = goldenBundle()
        const lax = profileOf("DRC-2025", 4)
        lax.filmMaxDeciC = 900
        b.profiles = [goldenProfile(), lax, profileOf("DRC-2026", 3)]
        expect(decideRun(b, goldenTemplate(), GOLDEN_DEVICE, ISSUED + DAY, m, c).ok).toBe(true)
        // film 85.1 °C, approved under v3 (max 85.0): v3 refuses it, whatever v4 allows
        const t = goldenTemplate()
        t.process.filmDeciC = 851
        t.id = templateId(t, c)
        b.approved.push(templateHash(t, c))
        const d = decideRun(b, t, GOLDEN_DEVICE, ISSUED + DAY, m, c)
        expect([d.ok, d.code, d.field]).toEqual([false, "template_invalid", "process.filmDeciC"])
    })
    it("a run allowed carries the bundle's version and expiry; a refusal carries none", () => {
        const ok = decideRun(goldenBundle(), goldenTemplate(), GOLDEN_DEVICE, ISSUED + DAY, m, c)
        expect([ok.ok, ok.code, ok.field, ok.detail, ok.bundleVersion, ok.expiresUnixS, ok.templateHash]).toEqual([true, "", "", "", 7, EXPIRES, GOLDEN_TEMPLATE_HASH])
        const no = decideRun(goldenBundle(), goldenTemplate(), GOLDEN_DEVICE, EXPIRES, m, c)
        expect([no.ok, no.code, no.params, no.templateHash, no.bundleVersion, no.expiresUnixS]).toEqual([false, "expired", null, "", 0, 0])
        expect(no.detail).not.toBe("")
    })
    it("an error that is not a validation error is not disguised as a refusal", () => {
        const t: any = goldenTemplate()
        Object.defineProperty(t, "name", { enumerable: true, get: () => { throw new TypeError("boom") } })
        expect(() => decideRun(goldenBundle(), t, GOLDEN_DEVICE, ISSUED + DAY, m, c)).toThrow("boom")
    })
    it("on the device's path too (decideShaped), a non-validation error propagates", () => {
        const t: any = goldenTemplate()
        Object.defineProperty(t.process, "filmDeciC", { enumerable: true, get: () => { throw new TypeError("boom") } })
        const enc = { bytes: fromHex(GOLDEN_TEMPLATE_HEX), designEnd: 2 + GOLDEN_DESIGN_HEX.length / 2 }
        expect(() => decideShaped(goldenBundle(), t, enc, GOLDEN_DEVICE, ISSUED + DAY, m, c, decodedProfile)).toThrow("boom")
    })
})

describe("the bundle store", () => {
    const sealedV = (v: number, key = GOLDEN_KEY) => {
        const b: any = goldenBundle()
        b.bundleVersion = v
        return sealBundle(b, key, c)
    }
    it("nothing installed loads as none", async () => {
        expect(await new BundleStore(new MemoryKv(), c, GOLDEN_DEVICE, GOLDEN_KEY).load()).toBe(null)
    })
    it("version 1, the lowest, installs and loads; its mark is 1", async () => {
        const kv = new MemoryKv()
        const store = new BundleStore(kv, c, GOLDEN_DEVICE, GOLDEN_KEY)
        expect((await store.install(sealedV(1), ISSUED)).bundleVersion).toBe(1)
        expect(await kv.read("bndlVer")).toBe("1")
        expect((await store.load())!.bundleVersion).toBe(1)
    })
    it("a stored bundle that fails its checksum, or in an unknown blob format, is store_corrupt", async () => {
        const kv = new MemoryKv()
        const store = new BundleStore(kv, c, GOLDEN_DEVICE, GOLDEN_KEY)
        await store.install(sealedV(7), ISSUED)
        const chunk = "bndla0"
        const v = (await kv.read(chunk))!
        await kv.write(chunk, (v[0] === "A" ? "B" : "A") + v.slice(1))
        expect(await verdictOfAsync(() => store.load())).toBe("store_corrupt@(bundle)")
        const kv2 = new MemoryKv()
        const s2 = new BundleStore(kv2, c, GOLDEN_DEVICE, GOLDEN_KEY)
        await s2.install(sealedV(7), ISSUED)
        const h = JSON.parse((await kv2.read("bndlh"))!)
        h.v = 2
        await kv2.write("bndlh", JSON.stringify(h))
        expect(await verdictOfAsync(() => s2.load())).toBe("store_corrupt@(bundle)")
    })
    it("a stored value that is not base64 is refused, naming the bundle", async () => {
        const kv = new MemoryKv()
        await new BlobStore(kv, c, "bndl").save("not base64!")
        expect(await verdictOfAsync(() => new BundleStore(kv, c, GOLDEN_DEVICE, GOLDEN_KEY).load())).toBe("bad_base64@(bundle)")
    })
    it("a stored bundle for another device is refused on load", async () => {
        const kv = new MemoryKv()
        await new BundleStore(kv, c, GOLDEN_DEVICE, GOLDEN_KEY).install(sealedV(7), ISSUED)
        expect(await verdictOfAsync(() => new BundleStore(kv, c, "SFA1-000043", GOLDEN_KEY).load())).toBe("wrong_device@deviceId")
    })
    it("under a blob newer than the mark (written blob first by older firmware) the blob's version counts", async () => {
        const kv = new MemoryKv()
        const store = new BundleStore(kv, c, GOLDEN_DEVICE, GOLDEN_KEY)
        await store.install(sealedV(8), ISSUED)
        await kv.write("bndlVer", "7") // the v8 blob was written, the mark not yet
        expect((await store.load())!.bundleVersion).toBe(8)
        expect(await verdictOfAsync(() => store.install(sealedV(7), ISSUED))).toBe("rollback@bundleVersion")
        // and a mark above the blob (an older blob restored) refuses the load, naming the version
        await kv.write("bndlVer", "9")
        expect(await verdictOfAsync(() => store.load())).toBe("rollback@bundleVersion")
        await kv.write("bndlVer", "7")
        expect(await verdictOfAsync(() => store.install(sealedV(8), ISSUED))).toBe("rollback@bundleVersion")
        expect((await store.install(sealedV(9), ISSUED)).bundleVersion).toBe(9)
        expect(await kv.read("bndlVer")).toBe("9")
    })
    it("a stored blob that no longer verifies lets the mark's version be installed again, not an older one", async () => {
        const kv = new MemoryKv()
        const store = new BundleStore(kv, c, GOLDEN_DEVICE, GOLDEN_KEY)
        await store.install(sealedV(7), ISSUED)
        await new BlobStore(kv, c, "bndl").save(toBase64(sealedV(9, OTHER_KEY)))
        expect(await verdictOfAsync(() => store.load())).toBe("bad_mac@(bundle)")
        expect(await verdictOfAsync(() => store.install(sealedV(6), ISSUED))).toBe("rollback@bundleVersion")
        expect((await store.install(sealedV(7), ISSUED)).bundleVersion).toBe(7)
        expect((await store.load())!.bundleVersion).toBe(7)
    })
})

describe("each refusal's message says what was refused (the operator's and the technician's text)", () => {
    const H = GOLDEN_TEMPLATE_HASH
    const msg = (fn: () => void) => validationErrorOf(fn)!.message
    async function msgAsync(fn: () => Promise<unknown>): Promise<string> {
        try {
            await fn()
            return "none"
        } catch (e) {
            return (e as Error).message
        }
    }
    it("issuing and decoding", () => {
        const dupHash: any = goldenBundle()
        dupHash.approved = [H, H]
        expect(msg(() => checkBundle(dupHash))).toMatch(new RegExp("lists " + H + " twice"))
        const dupProfile: any = goldenBundle()
        dupProfile.profiles = [goldenProfile(), goldenProfile()]
        expect(msg(() => checkBundle(dupProfile))).toMatch(/lists DRC-2025 v3 twice/)
        const h = GOLDEN_BUNDLE_HEX
        expect(msg(() => decodeBundle(fromHex("41" + h.slice(2))))).toMatch(/^tag: bundle must start with 0x42/)
        const down = BUNDLE_HEAD + "02" + GOLDEN_PROFILE_HEX + "04" + rep("aa", 32) + H + REVOKED
        expect(msg(() => decodeBundle(fromHex(down)))).toMatch(/hashes must be sorted ascending/)
        const profilesDown = BUNDLE_HEAD + "04" + profileHex(DRC_2025, "06") + profileHex(DRC_2025, "04") + APPROVED + REVOKED
        expect(msg(() => decodeBundle(fromHex(profilesDown)))).toMatch(/profiles must be sorted/)
        expect(msg(() => decodeBundle(fromHex(h.replace("8086f7840d80bab3870d", "8086f7840d8086f7840d"))))).toMatch(/after issuedUnixS/)
        expect(msg(() => openBundle(new Array(33).fill(0), GOLDEN_KEY, c))).toMatch(/too short/)
        expect(msg(() => openBundle(sealBundle(goldenBundle(), OTHER_KEY, c), GOLDEN_KEY, c))).toMatch(/MAC does not verify/)
    })
    it("installing", () => {
        expect(msg(() => checkInstall(goldenBundle(), "SFA1-000043", 0, ISSUED))).toMatch(/bundle is for SFA1-000042, this device is SFA1-000043/)
        expect(msg(() => checkInstall(goldenBundle(), GOLDEN_DEVICE, 7, ISSUED))).toMatch(/not newer than the installed 7 \(no rollback\)/)
        expect(msg(() => checkInstall(goldenBundle(), GOLDEN_DEVICE, 0, EXPIRES + 5))).toMatch(/bundle expired at 1752592000, now 1752592005/)
    })
    it("deciding a run", () => {
        const at = (b: any) => decideRun(b, goldenTemplate(), GOLDEN_DEVICE, ISSUED + DAY, m, c).detail
        const other = goldenBundle()
        other.deviceId = "SFA1-000043"
        expect(at(other)).toMatch(/bundle is for SFA1-000043/)
        const revoked = goldenBundle()
        revoked.revoked = [H]
        expect(at(revoked)).toMatch(new RegExp("template " + H + " was revoked"))
        const unknown = goldenBundle()
        unknown.approved = []
        expect(at(unknown)).toMatch(new RegExp("template " + H + " is not approved"))
        const noProfile = goldenBundle()
        noProfile.profiles[0].profileVersion = 2
        expect(at(noProfile)).toMatch(/no profile DRC-2025 v3/)
    })
    it("loading from the store", async () => {
        const kv = new MemoryKv()
        const store = new BundleStore(kv, c, GOLDEN_DEVICE, GOLDEN_KEY)
        const v8: any = goldenBundle()
        v8.bundleVersion = 8
        await store.install(sealBundle(v8, GOLDEN_KEY, c), ISSUED)
        expect(await msgAsync(() => new BundleStore(kv, c, "SFA1-000043", GOLDEN_KEY).load())).toMatch(/stored bundle is for SFA1-000042/)
        await kv.write("bndlVer", "9")
        expect(await msgAsync(() => store.load())).toMatch(/older than one installed before/)
        await kv.write("bndlVer", "x")
        expect(await msgAsync(() => store.load())).toMatch(/high-water mark is unreadable/)
        await kv.write("bndlVer", "8")
        await kv.write("bndla0", "AAAA")
        expect(await msgAsync(() => store.load())).toMatch(/stored bundle is unreadable/)
    })
})

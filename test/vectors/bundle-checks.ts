// Approval bundle checks, shared by vitest and the VM: bad MAC, rollback, expiry, wrong device,
// revocation, unknown template, missing profile, approved-but-outside-the-device's-limits, the
// canonical order, and the device-side store (including a power cut at every write).
// Expected codes by hand from docs/records.md; times relative to the golden bundle
// (issued 1750000000, expires 1752592000 = issued + 30 days).

import type { Manifest } from "../../src/core/manifest"
import { Crypto, fromHex, toHex } from "../../src/core/crypto"
import { ValidationError, validationErrorOf } from "../../src/core/codec/errors"
import { sealBundle, openBundle, encodeBundle, decodeBundle, checkBundle, encodeBundleLists, encodeBundleOnto, sealBundleOnto } from "../../src/core/bundle/codec"
import { checkInstall, decideRun, decideShaped } from "../../src/core/bundle/decide"
import { BundleStore } from "../../src/core/bundle/store"
import { templateId, templateHash, encodeTemplate, decodeTemplateBytes } from "../../src/core/template/codec"
import { decodedProfile } from "../../src/core/template/profile"
import { MemoryKv } from "../../src/core/store/kv"
import { goldenBundle, goldenTemplate, GOLDEN_KEY, GOLDEN_DEVICE, GOLDEN_TEMPLATE_HASH, GOLDEN_BUNDLE_HEX, GOLDEN_BUNDLE_MAC, rep } from "./golden"

export interface BundleCheck { name: string; run: (c: Crypto, m: Manifest, pause: () => Promise<void>) => Promise<string> }

export const ISSUED = 1750000000
export const EXPIRES = 1752592000
export const DAY = 86400
export const OTHER_KEY = rep("42", 32)

function codeOf(fn: () => void): string {
    const e = validationErrorOf(fn)
    return e ? e.code : "none"
}

function expectCode(got: string, want: string): string {
    return got === want ? "ok" : "got " + got + ", expected " + want
}

function decision(c: Crypto, m: Manifest, b: any, t: any, now: number): string {
    const d = decideRun(b, t, GOLDEN_DEVICE, now, m, c)
    const got = d.ok ? "ok" : d.code + "@" + d.field
    // the device's path (src/trust.ts) decides on the template decoded from its bytes and takes
    // the bundle's profiles as decoded: it must reach the same decision
    let bytes: number[] | null = null
    if (!validationErrorOf(() => { bytes = encodeTemplate(t) }) && bytes) {
        const dt = decodeTemplateBytes(bytes, c)
        const dd = decideShaped(b, dt.template, dt.enc, GOLDEN_DEVICE, now, m, c, decodedProfile)
        const dev = dd.ok ? "ok" : dd.code + "@" + dd.field
        if (dev !== got || dd.templateHash !== d.templateHash) return got + " but the device path gives " + dev
    }
    return got
}

/** a template the lax profile approves but the device's hard limits refuse (film 90.1 °C > 90.0) */
function overDeviceLimits(c: Crypto): any {
    const t: any = goldenTemplate()
    t.process.filmDeciC = 901
    t.material.materialMaxDeciC = 1200
    t.approval.profileVersion = 4
    t.id = templateId(t, c)
    return t
}

function laxBundle(c: Crypto): any {
    const b: any = goldenBundle()
    const lax: any = goldenBundle().profiles[0]
    lax.profileVersion = 4
    lax.filmMaxDeciC = 1200
    b.profiles.push(lax)
    b.approved.push(templateHash(overDeviceLimits(c), c))
    return b
}

/** the golden bundle's head, by hand (golden.ts): 'B' 1, 'SFA1-000042', version 7, issued, expires */
const GOLDEN_HEAD_HEX = "4201" + "16534641312d303030303432" + "0e" + "8086f7840d" + "80bab3870d"

function listsOnto(head: any): string {
    return toHex(encodeBundleOnto(head, encodeBundleLists(checkBundle(goldenBundle()))))
}

export const BUNDLE_CHECKS: BundleCheck[] = [
    // the hub writes a content's lists once and a head per device (hub/src/library/bundles.ts)
    { name: "lists written once, then the golden head: the golden bytes and MAC", run: async c => {
        const lists = encodeBundleLists(checkBundle(goldenBundle()))
        const sealed = toHex(sealBundleOnto(goldenBundle(), lists, GOLDEN_KEY, c))
        if (GOLDEN_BUNDLE_HEX.slice(0, GOLDEN_HEAD_HEX.length) !== GOLDEN_HEAD_HEX) return "the golden head by hand is not the golden bytes' start"
        return sealed === GOLDEN_BUNDLE_HEX + GOLDEN_BUNDLE_MAC ? "ok" : "got " + sealed
    } },
    { name: "the same lists under another device's head (SFA1-000043, version 8)", run: async c => {
        const b: any = goldenBundle()
        b.deviceId = "SFA1-000043"
        b.bundleVersion = 8
        // by hand: the id's last digit 0x33, version 8 zigzags to 0x10; the lists' bytes unchanged
        const want = "4201" + "16534641312d303030303433" + "10" + "8086f7840d" + "80bab3870d" + GOLDEN_BUNDLE_HEX.slice(GOLDEN_HEAD_HEX.length)
        const got = listsOnto(b)
        return got === want ? "ok" : "got " + got
    } },
    { name: "a head onto lists is checked: expiry not after issue", run: async c => {
        const b: any = goldenBundle()
        b.expiresUnixS = b.issuedUnixS
        return expectCode(codeOf(() => listsOnto(b)), "format_range")
    } },
    { name: "a head onto lists is checked: a device id of 33 characters", run: async c => {
        const b: any = goldenBundle()
        b.deviceId = rep("A", 33)
        return expectCode(codeOf(() => listsOnto(b)), "bad_string")
    } },
    { name: "a flipped bit in the body is a bad MAC", run: async c => {
        const s = fromHex(GOLDEN_BUNDLE_HEX + GOLDEN_BUNDLE_MAC)
        s[20] = s[20] ^ 1
        return expectCode(codeOf(() => openBundle(s, GOLDEN_KEY, c)), "bad_mac")
    } },
    { name: "a flipped bit in the tag is a bad MAC", run: async c => {
        const s = fromHex(GOLDEN_BUNDLE_HEX + GOLDEN_BUNDLE_MAC)
        s[s.length - 1] = s[s.length - 1] ^ 128
        return expectCode(codeOf(() => openBundle(s, GOLDEN_KEY, c)), "bad_mac")
    } },
    { name: "another device's key is a bad MAC", run: async c =>
        expectCode(codeOf(() => openBundle(fromHex(GOLDEN_BUNDLE_HEX + GOLDEN_BUNDLE_MAC), OTHER_KEY, c)), "bad_mac") },
    { name: "a bundle for another device is refused", run: async c =>
        expectCode(codeOf(() => checkInstall(goldenBundle(), "SFA1-000043", 0, ISSUED)), "wrong_device") },
    { name: "an equal version is a rollback", run: async c => expectCode(codeOf(() => checkInstall(goldenBundle(), GOLDEN_DEVICE, 7, ISSUED)), "rollback") },
    { name: "an older version is a rollback", run: async c => expectCode(codeOf(() => checkInstall(goldenBundle(), GOLDEN_DEVICE, 8, ISSUED)), "rollback") },
    { name: "a newer version installs", run: async c => expectCode(codeOf(() => checkInstall(goldenBundle(), GOLDEN_DEVICE, 6, ISSUED)), "none") },
    { name: "an expired bundle does not install", run: async c => expectCode(codeOf(() => checkInstall(goldenBundle(), GOLDEN_DEVICE, 0, EXPIRES)), "expired") },
    { name: "one second before expiry it installs", run: async c => expectCode(codeOf(() => checkInstall(goldenBundle(), GOLDEN_DEVICE, 0, EXPIRES - 1)), "none") },
    { name: "the approved golden template may run", run: async (c, m) => {
        const d = decideRun(goldenBundle(), goldenTemplate(), GOLDEN_DEVICE, ISSUED + DAY, m, c)
        if (!d.ok) return d.code + ": " + d.detail
        return d.templateHash === GOLDEN_TEMPLATE_HASH && d.bundleVersion === 7 && d.params !== null && d.params.filmDeciC === 700 && d.params.templateId === goldenTemplate().id ? "ok" : "wrong decision"
    } },
    { name: "no bundle: refused", run: async (c, m) => expectCode(decision(c, m, null, goldenTemplate(), ISSUED), "no_bundle@(bundle)") },
    { name: "a revoked template is refused even if listed as approved", run: async (c, m) => {
        const b = goldenBundle()
        b.revoked.push(GOLDEN_TEMPLATE_HASH)
        return expectCode(decision(c, m, b, goldenTemplate(), ISSUED + DAY), "revoked@(template)")
    } },
    { name: "a template not in the bundle is refused", run: async (c, m) => {
        const b = goldenBundle()
        b.approved = [rep("aa", 32)]
        return expectCode(decision(c, m, b, goldenTemplate(), ISSUED + DAY), "unknown_template@(template)")
    } },
    { name: "a template edited after approval is unknown (its hash changed)", run: async (c, m) => {
        const t = goldenTemplate()
        t.process.forceMilliN = 21000
        t.id = templateId(t, c)
        return expectCode(decision(c, m, goldenBundle(), t, ISSUED + DAY), "unknown_template@(template)")
    } },
    { name: "at expiry no new cycle starts", run: async (c, m) => expectCode(decision(c, m, goldenBundle(), goldenTemplate(), EXPIRES), "expired@expiresUnixS") },
    { name: "one second before expiry it runs", run: async (c, m) => expectCode(decision(c, m, goldenBundle(), goldenTemplate(), EXPIRES - 1), "ok") },
    { name: "an unsynced clock refuses (expiry cannot be checked)", run: async (c, m) => expectCode(decision(c, m, goldenBundle(), goldenTemplate(), 0), "clock_unknown@(clock)") },
    { name: "a clock more than 300 s before the issue time refuses", run: async (c, m) =>
        expectCode(decision(c, m, goldenBundle(), goldenTemplate(), ISSUED - 301) + "/" + decision(c, m, goldenBundle(), goldenTemplate(), ISSUED - 300), "not_yet_valid@issuedUnixS/ok") },
    { name: "a bundle for another device refuses at run time", run: async (c, m) => {
        const b = goldenBundle()
        b.deviceId = "SFA1-000043"
        return expectCode(decision(c, m, b, goldenTemplate(), ISSUED + DAY), "wrong_device@deviceId")
    } },
    { name: "a template whose profile the bundle lacks is refused", run: async (c, m) => {
        const b = goldenBundle()
        b.profiles[0].profileVersion = 2
        return expectCode(decision(c, m, b, goldenTemplate(), ISSUED + DAY), "profile_missing@approval.profileId")
    } },
    { name: "approved, but outside the device's hard limits: refused", run: async (c, m) =>
        expectCode(decision(c, m, laxBundle(c), overDeviceLimits(c), ISSUED + DAY), "template_invalid@process.filmDeciC") },
    { name: "a malformed template object is refused, not thrown", run: async (c, m) =>
        expectCode(decision(c, m, goldenBundle(), { id: 5 }, ISSUED + DAY), "template_invalid@version") },
    { name: "hashes out of order in the bytes are not canonical", run: async c => {
        // swap the two approved hashes of the golden bytes: same set, another order
        const h = GOLDEN_BUNDLE_HEX
        const at = h.indexOf(GOLDEN_TEMPLATE_HASH)
        const swapped = h.slice(0, at) + rep("aa", 32) + GOLDEN_TEMPLATE_HASH + h.slice(at + 128)
        return expectCode(codeOf(() => decodeBundle(fromHex(swapped))), "not_canonical")
    } },
    { name: "a hash listed twice is refused", run: async c => {
        const b = goldenBundle()
        b.revoked.push(rep("55", 32))
        return expectCode(codeOf(() => encodeBundle(b)), "duplicate")
    } },
    { name: "store: installs, refuses equal and older, accepts newer", run: async (c, m, pause) => {
        const store = new BundleStore(new MemoryKv(), c, GOLDEN_DEVICE, GOLDEN_KEY)
        await store.install(sealBundle(goldenBundle(), GOLDEN_KEY, c), ISSUED)
        const older: any = goldenBundle()
        older.bundleVersion = 6
        const newer: any = goldenBundle()
        newer.bundleVersion = 8
        const codes: string[] = []
        for (const b of [goldenBundle(), older]) {
            await pause()
            try {
                await store.install(sealBundle(b, GOLDEN_KEY, c), ISSUED)
                codes.push("installed")
            } catch (e) {
                codes.push(e instanceof ValidationError ? e.code : "threw " + e)
            }
        }
        await pause()
        await store.install(sealBundle(newer, GOLDEN_KEY, c), ISSUED)
        await pause()
        const loaded = await store.load()
        return expectCode(codes.join(",") + " v" + (loaded ? loaded.bundleVersion : 0), "rollback,rollback v8")
    } },
    { name: "store: a bad MAC changes nothing", run: async (c, m, pause) => {
        const store = new BundleStore(new MemoryKv(), c, GOLDEN_DEVICE, GOLDEN_KEY)
        await store.install(sealBundle(goldenBundle(), GOLDEN_KEY, c), ISSUED)
        const forged: any = goldenBundle()
        forged.bundleVersion = 9
        let code = "none"
        await pause()
        try {
            await store.install(sealBundle(forged, OTHER_KEY, c), ISSUED)
        } catch (e) {
            code = e instanceof ValidationError ? e.code : "threw"
        }
        const b = await store.load()
        return expectCode(code + " v" + (b ? b.bundleVersion : 0), "bad_mac v7")
    } },
    { name: "store: an older copy restored into flash is refused on load", run: async (c, m, pause) => {
        const kv = new MemoryKv()
        const store = new BundleStore(kv, c, GOLDEN_DEVICE, GOLDEN_KEY)
        await store.install(sealBundle(goldenBundle(), GOLDEN_KEY, c), ISSUED)
        const saved: string[] = []
        for (const k of kv.keys()) if (k.indexOf("bndl") === 0 && k !== "bndlVer") saved.push(k + "=" + (await kv.read(k)))
        const newer: any = goldenBundle()
        newer.bundleVersion = 8
        await pause()
        await store.install(sealBundle(newer, GOLDEN_KEY, c), ISSUED)
        await pause()
        for (const s of saved) {
            const eq = s.indexOf("=")
            await kv.write(s.slice(0, eq), s.slice(eq + 1)) // an attacker puts the v7 blob back
        }
        return expectCode(await loadCode(store), "rollback")
    } },
    { name: "store: a power cut at every write leaves the old or the new bundle", run: async (c, m, pause) => {
        const newer: any = goldenBundle()
        newer.bundleVersion = 8
        for (let cut = 0; cut < 12; cut++) {
            await pause()
            const kv = new MemoryKv()
            await new BundleStore(kv, c, GOLDEN_DEVICE, GOLDEN_KEY).install(sealBundle(goldenBundle(), GOLDEN_KEY, c), ISSUED)
            kv.cutAfter(cut)
            let done = true
            await pause()
            try {
                await new BundleStore(kv, c, GOLDEN_DEVICE, GOLDEN_KEY).install(sealBundle(newer, GOLDEN_KEY, c), ISSUED)
            } catch (e) {
                done = false
            }
            kv.restore()
            await pause()
            // the mark is written first: under mark 7 the old bundle is intact; under mark 8 only
            // the new one loads, or none (fail closed) until the install is repeated
            const mark = await kv.read("bndlVer")
            const store = new BundleStore(kv, c, GOLDEN_DEVICE, GOLDEN_KEY)
            let got = ""
            try {
                const b = await store.load()
                got = "v" + (b ? b.bundleVersion : 0)
            } catch (e) {
                got = e instanceof ValidationError ? e.code : "threw " + e
            }
            const allowed = done ? ["v8"] : mark === "7" ? ["v7"] : ["v8", "rollback"]
            if (allowed.indexOf(got) < 0) return "cut " + cut + " (mark " + mark + "): " + got + (done ? " after a completed install" : "")
            if (got !== "v8") {
                // the hub sends the same bundle again: it installs, and v8 loads
                await pause()
                await store.install(sealBundle(newer, GOLDEN_KEY, c), ISSUED)
                await pause()
                const again = await store.load()
                if (!again || again.bundleVersion !== 8) return "cut " + cut + ": the repeated install left v" + (again ? again.bundleVersion : 0)
            }
        }
        return "ok"
    } },
    { name: "store: a high-water mark that is there but unreadable refuses load and install, and changes nothing", run: async (c, m, pause) => {
        const out: string[] = []
        for (const bad of ["garbage", "0", "-3", "7.5", "\"8\"", ""]) {
            await pause()
            const kv = new MemoryKv()
            const store = new BundleStore(kv, c, GOLDEN_DEVICE, GOLDEN_KEY)
            await store.install(sealBundle(goldenBundle(), GOLDEN_KEY, c), ISSUED)
            await kv.write("bndlVer", bad)
            await pause()
            const newer: any = goldenBundle()
            newer.bundleVersion = 8
            let inst = "installed"
            try {
                await store.install(sealBundle(newer, GOLDEN_KEY, c), ISSUED)
            } catch (e) {
                inst = e instanceof ValidationError ? e.code : "threw " + e
            }
            const mark = await kv.read("bndlVer")
            await pause()
            out.push(await loadCode(store) + "/" + inst + (mark === bad ? "" : " mark changed"))
        }
        return expectCode(out.join(","), "store_corrupt/store_corrupt,store_corrupt/store_corrupt,store_corrupt/store_corrupt,store_corrupt/store_corrupt,store_corrupt/store_corrupt,store_corrupt/store_corrupt")
    } },
]

async function loadCode(store: BundleStore): Promise<string> {
    try {
        await store.load()
        return "none"
    } catch (e) {
        return e instanceof ValidationError ? e.code : "threw " + e
    }
}

// Device bundles: what an approved template must pass to reach a device, how versions move,
// and that the device's own src/core code opens and accepts what the hub seals. Expected
// windows by hand: issued at the test clock 1750000000 s, 30 days = 2592000 s of validity
// (expires 1752592000, the docs' golden bundle window), renewed from half of it (1296000 s).
import { describe, it, expect, beforeEach, afterEach } from "vitest"
import { goldenProfile, goldenTemplate, GOLDEN_KEY, GOLDEN_DEVICE, GOLDEN_TEMPLATE_HASH, GOLDEN_TEMPLATE_ID, rep } from "../vectors/golden"
import { fromHex, toHex } from "../../src/core/crypto"
import { nodeCrypto } from "../../src/node/crypto-node"
import { openBundle, checkBundle } from "../../src/core/bundle/codec"
import { decideRun } from "../../src/core/bundle/decide"
import { validationErrorOf } from "../../src/core/codec/errors"
import { bundleForDevice, approvedTemplate } from "../../hub/src/library/bundles"
import { approvedTemplate as approvedFromApprovals } from "../../hub/src/library/approvals"
import { publishProfile } from "../../hub/src/library/profiles"
import { registerReviewerKey } from "../../hub/src/library/keys"
import { submitTemplate } from "../../hub/src/library/templates"
import { approvalToSign, decide, revoke } from "../../hub/src/library/reviews"
import { signTemplateApproval } from "../../hub/src/library/signing"
import { hubManifest } from "../../hub/src/library/manifest"
import type { HubContext } from "../../hub/src/context"
import { libraryStore, design, reviewerKeys, type LibraryStore } from "./library-fixture"
import { sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, type Backend } from "./support"

const T0 = 1750000000
const KEY = reviewerKeys()
let h: LibraryStore
let warnings: string[]

function suite(backend: Backend) {
    beforeEach(async () => {
        h = await libraryStore(backend)
        warnings = []
        h.ctx.log = { info: () => {}, warn: (m: string) => { warnings.push(m) }, error: () => {} }
        await publishProfile(h.ctx, "rev-017", goldenProfile())
        await registerReviewerKey(h.ctx, "rev-017", KEY.publicPem)
    })
    afterEach(async () => h?.close())

    async function approve(ctx: HubContext, d: any, profileId = "DRC-2025"): Promise<string> {
        await submitTemplate(ctx, "des-1", d, profileId)
        const nowS = Math.floor(ctx.nowMs() / 1000)
        const a = await approvalToSign(ctx, d.id, "rev-017", nowS)
        await decide(ctx, d.id, "rev-017", { decision: "approve", reason: "", approvedUnixS: nowS, signatureHex: signTemplateApproval(KEY.privatePem, fromHex(a.bytesHex)) })
        return a.hash
    }

    function open(sealedHex: string) {
        return openBundle(fromHex(sealedHex), GOLDEN_KEY, nodeCrypto)
    }

    describe("bundleForDevice", () => {
        it("gives null while nothing is approved", async () => {
            await submitTemplate(h.ctx, "des-1", design(), "DRC-2025")
            expect(await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY)).toBeNull()
        })

        it("seals a bundle the device opens, checks, and runs the golden template under", async () => {
            expect(await approve(h.ctx, design())).toBe(GOLDEN_TEMPLATE_HASH)
            const got = await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY)
            expect(got?.version).toBe(1)
            const b = open(got!.sealedHex)
            expect(b).toEqual({
                deviceId: GOLDEN_DEVICE, bundleVersion: 1, issuedUnixS: T0, expiresUnixS: 1752592000,
                profiles: [goldenProfile()], approved: [GOLDEN_TEMPLATE_HASH], revoked: [],
            })
            expect(checkBundle(b)).toEqual(b)
            // the golden template as the device holds it (rev-017 at 1750000000) may run
            const run = decideRun(b, goldenTemplate(), GOLDEN_DEVICE, T0 + 60, hubManifest(), nodeCrypto)
            expect(run.ok).toBe(true)
            expect(run.templateHash).toBe(GOLDEN_TEMPLATE_HASH)
            expect(validationErrorOf(() => openBundle(fromHex(got!.sealedHex), rep("11", 32), nodeCrypto))?.code).toBe("bad_mac")
        })

        it("keeps the version while nothing changes, renews it from half its validity", async () => {
            await approve(h.ctx, design())
            const v1 = await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY)
            h.clock.advanceS(1296000 - 1)
            expect(await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY)).toEqual(v1)
            h.clock.advanceS(1)
            const v2 = await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY)
            expect(v2?.version).toBe(2)
            expect(open(v2!.sealedHex)).toMatchObject({ issuedUnixS: T0 + 1296000, expiresUnixS: T0 + 1296000 + 2592000 })
            // another device has its own sequence
            expect((await bundleForDevice(h.ctx, "SFA1-000043", GOLDEN_KEY))?.version).toBe(1)
        })

        it("carries a revocation in the next version", async () => {
            await approve(h.ctx, design())
            await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY)
            h.clock.advanceS(60)
            await revoke(h.ctx, GOLDEN_TEMPLATE_ID, "rev-017", "film batch recalled")
            const v2 = await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY)
            expect(v2?.version).toBe(2)
            const b = open(v2!.sealedHex)
            expect(b).toMatchObject({ bundleVersion: 2, approved: [], revoked: [GOLDEN_TEMPLATE_HASH], profiles: [goldenProfile()], issuedUnixS: T0 + 60 })
            expect(decideRun(b, goldenTemplate(), GOLDEN_DEVICE, T0 + 120, hubManifest(), nodeCrypto).code).toBe("revoked")
            expect(await approvedTemplate(h.ctx, GOLDEN_TEMPLATE_HASH)).toBeNull()
        })

        it("only raises versions as the content changes", async () => {
            const seen: number[] = []
            const d2 = design(t => { t.version = 2; t.process.cureMs = 9000 })
            await approve(h.ctx, design())
            seen.push((await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY))!.version)
            seen.push((await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY))!.version)
            h.clock.advanceS(10)
            const hash2 = await approve(h.ctx, d2)
            seen.push((await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY))!.version)
            h.clock.advanceS(10)
            await revoke(h.ctx, GOLDEN_TEMPLATE_ID, "rev-017", "superseded by v2")
            const last = await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY)
            seen.push(last!.version)
            expect(seen).toEqual([1, 1, 2, 3])
            expect(open(last!.sealedHex)).toMatchObject({ approved: [hash2], revoked: [GOLDEN_TEMPLATE_HASH] })
        })
    })

    describe("an approval altered after the fact never reaches a device", () => {
        const d2 = design(t => { t.version = 2; t.process.cureMs = 9000 })
        const cases: { name: string; tamper: (hash2: string) => Promise<void> }[] = [
            {
                name: "a changed signature",
                tamper: async hash2 => {
                    const row = await h.db.db.selectFrom("library_reviews").select("signature_hex").where("template_hash", "=", hash2).executeTakeFirstOrThrow()
                    const sig = fromHex(row.signature_hex!)
                    sig[0] ^= 1
                    await h.db.db.updateTable("library_reviews").set({ signature_hex: toHex(sig) }).where("template_hash", "=", hash2).execute()
                },
            },
            {
                name: "changed bytes under the old hash",
                tamper: async hash2 => {
                    await h.db.db.updateTable("library_reviews").set({ template_hex: (await golden1Hex()) }).where("template_hash", "=", hash2).execute()
                },
            },
            {
                name: "changed bytes with a matching new hash (cure 900 s, above the profile)",
                tamper: async hash2 => {
                    const row = await h.db.db.selectFrom("library_reviews").select("template_hex").where("template_hash", "=", hash2).executeTakeFirstOrThrow()
                    // cureMs 9000 (zigzag 18000 = d0 8c 01) becomes 900000 (zigzag 1800000 = c0 ee 6d)
                    const hex = row.template_hex!.replace("d08c01", "c0ee6d")
                    expect(hex).not.toBe(row.template_hex)
                    const newHash = nodeCrypto.sha256Hex(fromHex(hex))
                    await h.db.db.updateTable("library_reviews").set({ template_hex: hex, template_hash: newHash }).where("template_hash", "=", hash2).execute()
                    await h.db.db.updateTable("library_templates").set({ approved_hash: newHash }).where("approved_hash", "=", hash2).execute()
                },
            },
            {
                name: "the signing key swapped to another reviewer's name",
                tamper: async () => {
                    await h.db.db.updateTable("library_reviewer_keys").set({ reviewer: "rev-2" }).execute()
                },
            },
        ]
        async function golden1Hex() {
            const r = await h.db.db.selectFrom("library_reviews").select("template_hex").where("template_hash", "=", GOLDEN_TEMPLATE_HASH).executeTakeFirstOrThrow()
            return r.template_hex!
        }
        for (const c of cases) {
            it(c.name, async () => {
                await approve(h.ctx, design())
                h.clock.advanceS(10)
                const hash2 = await approve(h.ctx, d2)
                expect(open((await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY))!.sealedHex).approved).toHaveLength(2)
                await c.tamper(hash2)
                const after = await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY)
                const approved = after ? open(after.sealedHex).approved : []
                for (const hash of approved) expect(await approvedFromApprovals(h.ctx, hash)).not.toBeNull()
                expect(approved).not.toContain(hash2)
                expect(await approvedFromApprovals(h.ctx, hash2)).toBeNull()
                expect(warnings.some(w => w.startsWith("approval left out"))).toBe(true)
            })
        }
    })

    describe("format limits", () => {
        it("keeps the 16 newest approvals and says it left the oldest out", async () => {
            const hashes: string[] = []
            for (let i = 1; i <= 17; i++) {
                hashes.push(await approve(h.ctx, design(t => { t.name = "Arch " + String(i).padStart(2, "0") })))
                h.clock.advanceS(1)
            }
            const b = open((await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY))!.sealedHex)
            expect(b.approved).toHaveLength(16)
            expect(b.approved).not.toContain(hashes[0])
            expect(b.approved.slice().sort()).toEqual(hashes.slice(1).sort())
            expect(warnings).toContain("bundle over its format limits: oldest entries left out")
            const row = await h.db.db.selectFrom("library_device_bundles").select("omitted").executeTakeFirstOrThrow()
            expect(Number(row.omitted)).toBe(1)
        })

        it("carries at most 4 profiles: approvals under a fifth, older one wait", async () => {
            const hashes: string[] = []
            for (let i = 1; i <= 5; i++) {
                await publishProfile(h.ctx, "rev-017", { ...goldenProfile(), profileId: "P-" + i, profileVersion: 1 })
                hashes.push(await approve(h.ctx, design(t => { t.name = "Profiled " + i }), "P-" + i))
                h.clock.advanceS(1)
            }
            const b = open((await bundleForDevice(h.ctx, GOLDEN_DEVICE, GOLDEN_KEY))!.sealedHex)
            expect(b.profiles.map(p => p.profileId)).toEqual(["P-2", "P-3", "P-4", "P-5"])
            expect(b.approved.slice().sort()).toEqual(hashes.slice(1).sort())
        })
    })

    describe("two hub processes", () => {
        it("issue one version between them when they race", async () => {
            const second = await h.openSecond()
            const infos: string[] = []
            const log = { info: (m: string) => { infos.push(m) }, warn: () => {}, error: () => {} }
            h.ctx.log = log
            const ctx2: HubContext = { db: second, nowMs: h.clock.now, log }
            try {
                await approve(h.ctx, design())
                const results = await Promise.all([0, 1, 2, 3, 4, 5].map(i => bundleForDevice(i % 2 ? ctx2 : h.ctx, GOLDEN_DEVICE, GOLDEN_KEY)))
                expect(new Set(results.map(r => r!.version))).toEqual(new Set([1]))
                expect(new Set(results.map(r => r!.sealedHex)).size).toBe(1)
                h.clock.advanceS(5)
                await revoke(ctx2, GOLDEN_TEMPLATE_ID, "rev-017", "recalled")
                const after = await Promise.all([0, 1, 2, 3].map(i => bundleForDevice(i % 2 ? ctx2 : h.ctx, GOLDEN_DEVICE, GOLDEN_KEY)))
                expect(new Set(after.map(r => r!.version))).toEqual(new Set([2]))
                const rows = await h.db.db.selectFrom("library_device_bundles").select("version").where("device_id", "=", GOLDEN_DEVICE).orderBy("version").execute()
                expect(rows.map(r => Number(r.version))).toEqual([1, 2])
                expect(infos.filter(m => m === "bundle issued")).toHaveLength(2)
                // on SQLite the interleaving is fixed (one thread, awaits between read and insert), so
                // a writer surely lost an insert and decided again; a PostgreSQL pool may serialise them
                if (backend.name === "sqlite") expect(infos).toContain("bundle version issued by another process; deciding again")
            } finally {
                await second.close()
            }
        })
    })
}

describe("library bundles on SQLite", () => suite(sqliteBackend))
describe.skipIf(!PG_URL)("library bundles on PostgreSQL" + (PG_URL ? "" : " — " + PG_SKIP_REASON), () => suite(pgBackend))

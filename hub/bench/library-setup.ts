// Puts one approved template into a hub database, the way staff would (profile published,
// reviewer key registered, design submitted, approval signed with Ed25519), so that the
// devices' GET bundle answers with a real sealed bundle instead of 404.
import { generateKeyPairSync } from "node:crypto"
import type { HubContext } from "../src/context"
import { publishProfile } from "../src/library/profiles"
import { registerReviewerKey } from "../src/library/keys"
import { submitTemplate } from "../src/library/templates"
import { approvalToSign, decide } from "../src/library/reviews"
import { signTemplateApproval } from "../src/library/signing"
import { fromHex } from "../../src/core/crypto"
// the docs' worked example (docs/records.md): a profile and a template that pass validation
import { goldenProfile, goldenTemplate } from "../../test/vectors/golden"

export async function approveGoldenTemplate(ctx: HubContext): Promise<string> {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519")
    await publishProfile(ctx, "rev-017", goldenProfile())
    await registerReviewerKey(ctx, "rev-017", publicKey.export({ type: "spki", format: "pem" }).toString())
    const design: Record<string, unknown> = { ...goldenTemplate() }
    delete design["approval"]
    await submitTemplate(ctx, "des-1", design, "DRC-2025")
    const nowS = Math.floor(ctx.nowMs() / 1000)
    const a = await approvalToSign(ctx, String(design["id"]), "rev-017", nowS)
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString()
    await decide(ctx, String(design["id"]), "rev-017", { decision: "approve", reason: "", approvedUnixS: nowS, signatureHex: signTemplateApproval(pem, fromHex(a.bytesHex)) })
    return a.hash
}

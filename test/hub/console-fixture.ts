// Set-up shared by the console route tests: a route hub (hub-fixture) with the golden profile
// published, a reviewer key registered, and the golden design submitted and approved through
// the routes, exactly as a reviewer would (approval signed outside the hub).
import { expect } from "vitest"
import { goldenProfile, GOLDEN_TEMPLATE_ID } from "../vectors/golden"
import { fromHex } from "../../src/core/crypto"
import { signTemplateApproval } from "../../hub/src/library/signing"
import type { RouteHub } from "./hub-fixture"
import { design, reviewerKeys } from "./library-fixture"

export const REVIEWER_KEY = reviewerKeys()

/** Publishes the golden profile, submits the golden design as u-designer; returns its id. */
export async function submitGolden(h: RouteHub): Promise<string> {
    expect((await h.staff("reviewer", "POST", "/api/library/profiles", { profile: goldenProfile() })).statusCode).toBe(201)
    expect((await h.staff("reviewer", "POST", "/api/library/reviewer-keys", { publicKeyPem: REVIEWER_KEY.publicPem })).statusCode).toBe(201)
    expect((await h.staff("designer", "POST", "/api/library/templates", { template: design(), profileId: "DRC-2025" })).statusCode).toBe(201)
    return GOLDEN_TEMPLATE_ID
}

/** Approves a submitted template as u-reviewer at the hub clock's time; returns the approved hash. */
export async function approve(h: RouteHub, templateId: string): Promise<string> {
    const at = Math.floor(h.clock.ms / 1000)
    const a = await h.staff("reviewer", "GET", "/api/library/templates/" + templateId + "/approval?approvedUnixS=" + at)
    expect(a.statusCode).toBe(200)
    const signatureHex = signTemplateApproval(REVIEWER_KEY.privatePem, fromHex(a.json().bytesHex))
    const r = await h.staff("reviewer", "POST", "/api/library/templates/" + templateId + "/reviews", { decision: "approve", reason: "within DRC-2025", approvedUnixS: at, signatureHex })
    expect(r.statusCode).toBe(201)
    return a.json().hash
}

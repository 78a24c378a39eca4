// The simulated device joined to a real hub, as a clinic would set one up: the hub holds a
// published regulation profile, a design for the simulator's arch that a Council reviewer has
// approved (an Ed25519 signature over the canonical template), and the device registered with
// its keys; the technician then writes the hub's .env.local values into the two nodes (the
// controller: DEVICE_ID, DEVICE_KEY and the sensor calibrations; the link: DEVICE_ID, LINK_KEY,
// HUB_URL). Everything else (the clock, the approval bundle, the template) the link fetches from
// the hub over HTTP and the controller verifies.
import { generateKeyPairSync } from "node:crypto"
import type { JDBus } from "jacdac-ts"
import type { HubContext } from "../hub/src/context"
import { createUser } from "../hub/src/users"
import { provisionDevice } from "../hub/src/devices"
import { publishProfile } from "../hub/src/library/profiles"
import { registerReviewerKey } from "../hub/src/library/keys"
import { submitTemplate } from "../hub/src/library/templates"
import { approvalToSign, decide } from "../hub/src/library/reviews"
import { signTemplateApproval } from "../hub/src/library/signing"
import { fromHex } from "../src/core/crypto"
import { templateId } from "../src/core/template/codec"
import { nodeCrypto } from "../src/node/crypto-node"
import { BusSettingsKv } from "./bus/settings-kv"
import { firmwareDevice, simProfile, simTemplate, writeSimCalibrations, SIM_LINK_SERIAL } from "./provision"

export const DEMO_DESIGNER = "sim-designer"
export const DEMO_REVIEWER = "council-reviewer"

export interface HubSeed {
    templateHash: string
    templateId: string
}

/** Publishes the sim profile and approves a template for the arch (points in µm) on the hub; creates the demo users. Idempotent per data folder. */
export async function seedLibrary(ctx: HubContext, archPointsUm: number[][], password: string): Promise<HubSeed> {
    for (const [name, role] of [[DEMO_DESIGNER, "designer"], [DEMO_REVIEWER, "reviewer"], ["operator", "operator"],
        ["technician", "technician"], ["auditor", "auditor"]] as const)
        await createUser(ctx, { name, password, role }).catch(e => {
            if ((e as { statusCode?: number }).statusCode !== 409) throw e // already there from an earlier run
        })
    const p = simProfile()
    await publishProfile(ctx, DEMO_REVIEWER, p).catch(e => {
        if ((e as { statusCode?: number }).statusCode !== 409) throw e
    })
    const keys = generateKeyPairSync("ed25519")
    await registerReviewerKey(ctx, DEMO_REVIEWER, keys.publicKey.export({ type: "spki", format: "pem" }).toString())
    const nowS = Math.floor(ctx.nowMs() / 1000)
    const t: any = simTemplate(archPointsUm, nowS)
    delete t.approval
    t.id = templateId(t, nodeCrypto)
    await submitTemplate(ctx, DEMO_DESIGNER, t, p.profileId).catch(e => {
        if ((e as { statusCode?: number }).statusCode !== 409) throw e
    })
    const a = await approvalToSign(ctx, t.id, DEMO_REVIEWER, nowS)
    await decide(ctx, t.id, DEMO_REVIEWER, {
        decision: "approve", reason: "", approvedUnixS: nowS,
        signatureHex: signTemplateApproval(keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString(), fromHex(a.bytesHex)),
    }).catch(e => {
        if ((e as { statusCode?: number }).statusCode !== 409) throw e
    })
    return { templateHash: a.hash, templateId: t.id }
}

/** Registers the device at the hub; its key is known only here and on the device. */
export async function registerDevice(ctx: HubContext, deviceId: string, hubUrl: string) {
    return provisionDevice(ctx, { deviceId, label: "simulated applicator", createdBy: "technician", hubUrl })
}

/**
 * What a technician writes into the two nodes from the hub's .env.local lines: the controller
 * gets the device id, the device key and the calibrations; the link gets the device id, the
 * transport key and the hub's address. Neither node gets the other's key.
 */
export async function provisionForHub(bus: JDBus, dev: { deviceId: string; keyHex: string; transportKeyHex: string }, hubUrl: string): Promise<void> {
    const kv = new BusSettingsKv(firmwareDevice(bus))
    await kv.write("DEVICE_ID", dev.deviceId)
    await kv.write("DEVICE_KEY", dev.keyHex)
    await writeSimCalibrations(kv, "technician", Math.floor(Date.now() / 1000))
    const link = new BusSettingsKv(firmwareDevice(bus, SIM_LINK_SERIAL))
    await link.write("DEVICE_ID", dev.deviceId)
    await link.write("LINK_KEY", dev.transportKeyHex)
    await link.write("HUB_URL", hubUrl)
    // the VM writes its flash file shortly after a settings change: let it land before a reboot
    await new Promise(resolve => setTimeout(resolve, 500))
}

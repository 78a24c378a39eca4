// Makes the simulated device ready to run, as the hub and a technician would for a real one,
// by writing into its flash over the bus (the Jacdac settings service) with the same stores
// the firmware reads: identity (device id and key), an approved template for the sim arch with
// its regulation profile, an approval bundle sealed under the device key, and two-point
// calibrations for the three sensor channels. Nothing here bypasses the device's checks: the
// firmware verifies the bundle's MAC, the template's approval and limits, and the calibrations.
import { createHash } from "node:crypto"
import { type JDBus, SRV_SETTINGS, type JDDevice } from "jacdac-ts"
import type { SimEngine } from "./engine"
import type { FirmwareVm } from "./firmware"
import type { Manifest } from "../src/core/manifest"
import { BusSettingsKv } from "./bus/settings-kv"
import { BlobStore } from "../src/core/store/blob"
import { nodeCrypto } from "../src/node/crypto-node"
import type { Template } from "../src/core/template/types"
import type { RegulationProfile } from "../src/core/template/profile"
import { encodeTemplate, templateId, templateHash } from "../src/core/template/codec"
import { sealBundle } from "../src/core/bundle/codec"
import { BundleStore } from "../src/core/bundle/store"
import { toBase64 } from "../src/core/codec/base64"
import { makeCalibration } from "../src/core/calibration/calibration"
import { CalibrationStore, saveCalibration } from "../src/core/calibration/store"

export const SIM_DEVICE_ID = "SFA1-SIM0001"
export const TEMPLATE_PREFIX = "tpl" // src/trust.ts TEMPLATE_PREFIX

/** The sim template's process: the sim plant heats to 70 °C in ~10 s and cools in ~12 s. */
export const SIM_TEMPLATE_PROCESS = {
    filmDeciC: 700, soakMs: 2000, forceMilliN: 20000, rampMs: 3000,
    cureDeciC: 680, cureMs: 8000, coolDeciC: 500, contactMaxDeciC: 415,
}

export function simProfile(): RegulationProfile {
    return {
        profileId: "SIM-PROFILE", profileVersion: 1,
        filmMinDeciC: 550, filmMaxDeciC: 850, cureMinDeciC: 550, cureMaxDeciC: 850,
        contactMaxDeciC: 420, coolMaxDeciC: 550, forceMinMilliN: 5000, forceMaxMilliN: 40000,
        rampMinMs: 2000, soakMaxMs: 120000, cureMinMs: 5000, cureMaxMs: 600000,
        filmThicknessMinUm: 200, filmThicknessMaxUm: 1500, archPointsMin: 5,
    }
}

export function simTemplate(archPointsUm: number[][], nowUnixS: number): Template {
    const t: Template = {
        id: "", version: 1, name: "Sim arch A", designer: "simulator",
        material: { materialId: "SIM-FILM", filmThicknessUm: 500, softenDeciC: 600, materialMaxDeciC: 900 },
        process: { ...SIM_TEMPLATE_PROCESS },
        archPointsUm,
        approval: { profileId: "SIM-PROFILE", profileVersion: 1, reviewerId: "sim-reviewer", approvedUnixS: nowUnixS - 3600 },
    }
    t.id = templateId(t, nodeCrypto)
    return t
}

/** The sim arch's outline as a template's arch points (16 points, whole µm). */
export function simArchPoints(engine: SimEngine): number[][] {
    return engine.arch.outlineUm(16).map(p => [Math.round(p[0]), Math.round(p[1])])
}

/** The device key of a simulated device: derived from the seed, so a run can be reproduced. */
export function simDeviceKey(seed: number): string {
    return createHash("sha256").update(`smile-film-sim-device-key:${seed}`).digest("hex")
}

/** the bus device ids of the simulated controller and link VMs (devs run --device-id) */
export const SIM_DEVICE_SERIAL = "5a11f11a0000a001"
export const SIM_LINK_SERIAL = "5a11f11a0000a002"

/** A firmware VM's device on the bus (default: the controller), found by its device id. */
export function firmwareDevice(bus: JDBus, serial = SIM_DEVICE_SERIAL): JDDevice {
    const d = bus.devices({ serviceClass: SRV_SETTINGS }).find(x => x.deviceId === serial)
    if (!d) throw new Error(`the firmware's device ${serial} (with a settings service) is not on the bus`)
    return d
}

/** What the bench image (sim/firmware-bench.ts) arms: the sim template's process. */
export async function provision(bus: JDBus, vm: FirmwareVm, engine: SimEngine, m: Manifest): Promise<void> {
    void vm
    void m
    const kv = new BusSettingsKv(firmwareDevice(bus))
    const process = { templateId: simTemplate(simArchPoints(engine), Math.floor(Date.now() / 1000)).id.slice(0, 32), ...SIM_TEMPLATE_PROCESS }
    const blob = new BlobStore(kv, nodeCrypto, "simproc")
    await blob.save(JSON.stringify(process))
    // read back through the device: proves every chunk arrived intact
    const back = await blob.load()
    if (back.value !== JSON.stringify(process)) throw new Error(`provisioning did not verify (status ${back.status})`)
    // the device image's stand-in for the hub's time answer (sim/firmware-device.ts)
    await kv.write("simClock", String(Math.floor(Date.now() / 1000)))
    // the VM writes its flash file shortly after a settings change: let it land before a reboot
    await new Promise(resolve => setTimeout(resolve, 500))
}

/**
 * The full provisioning (identity, approved template, sealed bundle, calibrations) the
 * firmware's trust check (src/trust.ts) verifies; used once that check is composed into the
 * firmware image.
 */
export async function provisionTrusted(bus: JDBus, vm: FirmwareVm, engine: SimEngine, m: Manifest): Promise<void> {
    void vm
    void m
    const kv = new BusSettingsKv(firmwareDevice(bus))
    const now = Math.floor(Date.now() / 1000)
    const keyHex = simDeviceKey(engine.seed)
    await kv.write("DEVICE_ID", SIM_DEVICE_ID) // src/identity.ts keys, as the hub's .env.local names them
    await kv.write("DEVICE_KEY", keyHex)

    const t = simTemplate(simArchPoints(engine), now)
    await new BlobStore(kv, nodeCrypto, TEMPLATE_PREFIX).save(toBase64(encodeTemplate(t)))
    const sealed = sealBundle({
        deviceId: SIM_DEVICE_ID, bundleVersion: 1, issuedUnixS: now - 60, expiresUnixS: now + 86400,
        profiles: [simProfile()], approved: [templateHash(t, nodeCrypto)], revoked: [],
    }, keyHex, nodeCrypto)
    await new BundleStore(kv, nodeCrypto, SIM_DEVICE_ID, keyHex).install(sealed, now)

    await writeSimCalibrations(kv, "sim-tech", now)
    // the device image's stand-in for the hub's time answer (sim/firmware-device.ts)
    await kv.write("simClock", String(Math.floor(Date.now() / 1000)))
    // the VM writes its flash file shortly after a settings change: let it land before a reboot
    await new Promise(resolve => setTimeout(resolve, 500))
}

/** Two-point calibrations of the three channels against the sim's exact references (readings = references), valid 30 days. */
export async function writeSimCalibrations(kv: BusSettingsKv, technician: string, nowUnixS: number): Promise<void> {
    const cal = new CalibrationStore(kv, nodeCrypto)
    const points: [string, number, number][] = [["filmTemp", 250, 950], ["contactTemp", 250, 450], ["force", 0, 50000]]
    for (const [channel, lo, hi] of points)
        await saveCalibration(cal, makeCalibration({
            channel, refLow: lo, readLow: lo, refHigh: hi, readHigh: hi, technician,
            reference: "simulator reference", atUnixS: nowUnixS - 60, expiresUnixS: nowUnixS + 30 * 86400,
        }, nodeCrypto))
}

// Decides, on the device, whether the installed template may run: the approval bundle (MAC
// under the device key, no rollback, not expired), the template (in the bundle, not revoked,
// valid against its regulation profile and the device's limits), the sensor calibrations (all
// present, intact, unexpired) and a known wall clock. Arms the controller only when all pass,
// and disarms when one stops passing (expiry, a new bundle, a calibration running out).
import * as ds from "@devicescript/core"
import { MANIFEST } from "./gen/manifest"
import { Controller } from "./core/controller"
import { Kv } from "./core/store/kv"
import { BlobStore, BlobStatus } from "./core/store/blob"
import { BundleStore } from "./core/bundle/store"
import { Bundle } from "./core/bundle/types"
import { decideShaped, RunDecision } from "./core/bundle/decide"
import { decodeTemplateBytes, DecodedTemplate } from "./core/template/codec"
import { decodedProfile } from "./core/template/profile"
import { base64Buffer } from "./core/codec/base64"
import { ValidationError } from "./core/codec/errors"
import { CalibrationStore } from "./core/calibration/store"
import { CycleRecordBuilder } from "./core/records/builder"
import { dsCrypto } from "./hw/crypto-ds"
import { Identity } from "./identity"

/** settings prefix of the installed template (base64 of its canonical bytes, docs/records.md) */
export const TEMPLATE_PREFIX = "tpl"

export class Trust {
    /** why the device is not armed ("" when armed), for the display and the log */
    notReady = "starting"
    /** the full decision (MAC, validation: tens of thousands of VM opcodes), made once per load */
    private decided?: RunDecision | null
    private armedHash = ""

    constructor(readonly kv: Kv, readonly id: Identity | null, readonly cal: CalibrationStore,
        readonly builder: CycleRecordBuilder, readonly ctrl: Controller) {}

    private templateId = ""
    /** the loaded template's arch points (µm) for the fitting scan, int32 x, y pairs; or null */
    arch?: Buffer | null

    /**
     * Re-decides with the cheap checks (clock, bundle expiry via a fresh decision only when the
     * clock first arrives, calibration expiry); never while a cycle runs, whose timing must not
     * share the VM with a long computation. reload: a bundle or template was installed, decide
     * afresh (unless a cycle runs; then at the next evaluation).
     */
    async evaluate(nowUnixS: number, reload?: boolean) {
        if (reload) {
            this.decided = null
            this.armedHash = ""
            this.arch = null
        }
        if (this.ctrl.cycle.running()) return
        if (!this.decided && this.id && nowUnixS > 0) {
            // load and verify the bundle and the template from flash (at boot and after an install)
            let bundle: Bundle | null = null
            try {
                bundle = await new BundleStore(this.kv, dsCrypto, this.id.deviceId, this.id.keyHex).load()
            } catch (e) {
                if (!(e instanceof ValidationError)) throw e
                console.warn("bundle refused: " + e.message)
            }
            await ds.sleep(0)
            const t = await new BlobStore(this.kv, dsCrypto, TEMPLATE_PREFIX).load()
            let d: DecodedTemplate | null = null
            if (t.status !== BlobStatus.Ok) {
                if (t.status !== BlobStatus.Missing) console.warn("stored template is unreadable")
            } else {
                await ds.sleep(0)
                try {
                    d = decodeTemplateBytes(base64Buffer(t.value, "(template)"), dsCrypto)
                } catch (e) {
                    if (!(e instanceof ValidationError)) throw e
                    console.warn("template refused: " + e.message)
                }
            }
            if (d) {
                await ds.sleep(0)
                this.decided = decideShaped(bundle, d.template, d.enc, this.id.deviceId, nowUnixS, MANIFEST, dsCrypto, decodedProfile)
                this.templateId = d.template.id
                // kept as int32 pairs: 8 bytes a point, where number[][] costs the heap ~40 (docs/fitting.md)
                const a = d.template.archPointsUm
                const b = Buffer.alloc(a.length * 8)
                for (let i = 0; i < a.length; i++) {
                    b.setAt(i * 8, "i32", a[i][0])
                    b.setAt(i * 8 + 4, "i32", a[i][1])
                }
                this.arch = b
            }
        }
        const why = this.decide(nowUnixS)
        if (why !== this.notReady) console.log(why ? "not ready: " + why : "armed " + this.armedHash.slice(0, 12))
        this.notReady = why
        if (why) {
            this.ctrl.disarm()
            this.armedHash = ""
        }
    }

    private decide(nowUnixS: number): string {
        if (!this.id) return "not provisioned"
        if (nowUnixS <= 0) return "clock_unknown"
        const d = this.decided
        if (!d) return "no template"
        if (!d.ok) return d.code
        if (nowUnixS >= d.expiresUnixS) return "expired"
        const cs = this.cal.calibrationStatus(nowUnixS)
        if (!cs.ok) return cs.message
        if (d.templateHash === this.armedHash) return ""
        try {
            this.builder.prepare({
                operatorId: "", templateId: this.templateId, templateHash: d.templateHash, bundleVersion: d.bundleVersion,
                calibrationIds: this.cal.ids(), fit: null,
            })
        } catch (e) {
            if (e instanceof ValidationError) return "record context: " + e.message
            throw e
        }
        const err = this.ctrl.arm(d.params)
        if (err) return err.field + ": " + err.reason
        this.armedHash = d.templateHash
        return ""
    }
}

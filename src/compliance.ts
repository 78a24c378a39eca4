// What makes a cycle allowed and accounted for, composed once for the device image and the
// simulator's device image: the provisioned identity, the sensor calibrations (also applied to
// every reading), the approval check (src/trust.ts: bundle, template, calibrations, clock), the
// compliance records (src/records.ts: one per cycle, durable before the cycle shows complete)
// and, when a hub address is provisioned, the hub sync (src/sync.ts: clock, bundles, templates,
// record upload). The approval check runs again every few seconds while idle, so a clock that
// arrives, a bundle that expires or a calibration that runs out takes effect without a reboot.
import * as ds from "@devicescript/core"
import { deleteSetting } from "@devicescript/settings"
import { readSetting } from "./hw/settings-read"
import { MANIFEST } from "./gen/manifest"
import { Controller } from "./core/controller"
import { ControlEvent } from "./core/cycle/events"
import { CalibrationStore } from "./core/calibration/store"
import { nextBootId } from "./core/records/boot"
import { RecordQueue } from "./core/records/queue"
import { CycleRecordBuilder } from "./core/records/builder"
import { RecordKind } from "./core/records/types"
import { ClockAnchor, wallUnixS } from "./core/wall-clock"
import { Kv } from "./core/store/kv"
import { SettingsKv } from "./hw/kv-settings"
import { dsCrypto } from "./hw/crypto-ds"
import { Identity, loadIdentity } from "./identity"
import { Trust } from "./trust"
import { RecordService } from "./records"
import { AppOptions } from "./app"
import { FitGlue } from "./fit"
import { ScanState } from "./core/fitting/scan-run"
import { operator } from "./core/records/operator"
import { SensorInputs } from "./hw/sensor-inputs"

// String priming (README, "DeviceScript traps"): the compiler numbers strings in the order it
// meets them and references only the first 248 with a one-byte index (the others with three).
// The start-up code, where this stands, is compiled before every function, so the names below
// take those indexes: the ~235 names the device image's code references most (twice or more),
// as `npm run sizes -- --strings` (tools/size-report.ts) counts them in `devs disasm -d`. The
// list costs ~650 bytes and saves ~1,680 net of the 64 KB function area (60,400 B with it,
// 62,076 B without; Dec 2026). It only orders strings: a stale name costs ~2.7 bytes and changes
// nothing else; recount it (that command prints the list) when the code changes much. Never
// run (ds.millis() >= 0).
if (ds.millis() < 0) console.log([
    "cycle", "press", "p", "phase", "kv", "head", "state", "ctrl", "running", "fault", "latchedFault", "atMs",
    "busy", "scan", "int", "kind", "reset", "n", "update", "film", "tMs", "pos", "queue", "events", "filmDeciC",
    "status", "bytes", "v", "keyHex", "profileId", "reason", "forceMilliN", "filmTargetDeciC", "m", "cal",
    "active", "|", "peak", "builder", "outputs", "position", "hash", "last", "profileVersion", "fit",
    "contactMaxDeciC", "templateHash", "load", "control", "pressSpeedPermille", "lateTicks", "windowMs",
    "crypto", "faults", "field", "byte", "..", "contact", "go", "when", "periodMs", "pending", "windowTicks",
    "enter", "gen", "period", "reading", "io", "tick", "phases", "templateId", "channel", "approval", "port",
    "bit", "doorClosed", "\n", "ctx", "recs", "rampMs", "s", "emit", "onEvent", "session", "anchor", "fail",
    "statusLed", "heater", "holdActive", "layoutCap", "targets", "readHigh", "]", "_send", "input", "step",
    "room", "0123456789abcdef", "logHasRoom", "text", "kick", "startMs", "buzzer", "kpMicroPerDegC",
    "kiMicroPerDegCSec", "kdMicroSecPerDegC", "hold", "forceMaxMilliN", "refLow", "readLow", "refHigh",
    "header", "abort", "autotune", "limits", "regs", "streamingSamples", "emitter", "writing", "pin",
    "installed", ":", "door", "latch", "addr", "downAt", "display", "heaterOn", "process", "atTargetSinceMs",
    "iterm", "onTicks", "sensor", "hk", "notReady", "atUnixS", "buf", "intIn", "what", "archPointsUm",
    "armedProcess", "begin", "operatorId", "intensity", "distance", "readings", "handlers", "_interval",
    "started", "opts", "raise", "ok", "template", "armedHash", "archPointsMin", "offTimer", "outsideSinceMs",
    "targetMilliN", "filmMaxDeciC", "dterm", "lastMs", "writes", "abortPressed", "post", "bothSinceMs",
    "entries", "bootId", "corrupt", "clearedBy", "positionUm", "calibrationIds", "(bundle)", "sinceMs",
    "isHome", "samples", "why", "asm", "nSamples", "params", "valid", "dropped", "rmsUm", "scalePpm", "bundle",
    "outputsBound", "live", "patient", "arch", "adc", "seq", "nowMs", "home", "sink", "nextHold", "lastSpeed",
    "sinceMotor", "deciC", "minDeciC", "posUm", "contactUm", "phaseStartMs", "holdReached", "pid", "lastDuty",
    "limit", "startPressed", "maxGapMs", "maxTickMs", "capacity", "sendEvent", "end", "settle", "prefix",
    "technician", "reference", "offsetMicro", "gainPpm", "cap", "outcome", "ack", "cureDeciC", "taken",
    "streamingInterval", "zeroOffset", "supervisor", "ids", "lastEnd", ")", "posSum", "silent", "streamed",
    "accepted", "worstUm", "coveragePermille", "rotationMicroRad"
])

const REEVALUATE_MS = 5000
/** a technician's remote fault clear (npm run tech -- clear-fault): JSON { by, code, atUnixS } */
export const KEY_CLEAR_REQ = "CLEAR_REQ"
/** written by the technician's calibrate command after it stored a calibration: load them again */
export const KEY_CAL_RELOAD = "CAL_RELOAD"
/** the calibration ids last recorded, so a new calibration gets its record once */
const KEY_CAL_IDS = "calIds"

/** The wall clock's anchor, shared by whoever sets it (the hub's or the link's MAC'd time) and every reader. */
export interface ClockRef {
    anchor: ClockAnchor | null
}

/** What the network side of a composition gets once the device's parts exist. */
export interface Parts {
    id: Identity
    kv: Kv
    trust: Trust
    recs: RecordService
    ctrl: Controller
    builder: CycleRecordBuilder
    clock: ClockRef
}

/**
 * The network side: the controller's link service (src/link-server.ts), which the device image
 * and the simulator's controller image both connect. Called once the parts exist, only for a
 * provisioned device with a record queue.
 */
export interface Network {
    onEvent(e: ControlEvent): void
    patient(): string
    live(s: SensorInputs, ctrl: Controller): void
}
export type Connect = (p: Parts) => Promise<Network | null>

/** Acts on a technician's remote fault clear when the named fault is the one latched; drops a stale request. */
async function clearRequested(ctrl: Controller, recs: RecordService) {
    const lf = ctrl.latchedFault
    if (!lf) return
    const req = await readSetting<any>(KEY_CLEAR_REQ, null)
    if (!req) return
    if (typeof req === "object" && req.code === lf.code) {
        recs.clearedBy = operator(req.by) // the technician's name if it fits a record's operator field
        if (ctrl.clearFault(ds.millis())) console.log("fault E" + lf.code + " cleared by " + (recs.clearedBy || "a technician"))
        else recs.clearedBy = "" // the press is not home yet: the request is dropped, the technician tries again
    }
    await deleteSetting(KEY_CLEAR_REQ)
}

/**
 * The application options. The wall clock starts from `clock` (null: unknown until the hub's
 * time answer arrives; the simulator's scenarios, which have no hub, pass one); `connect` adds
 * the network side.
 */
export function complianceOptions(clock: ClockAnchor | null, connect: Connect): AppOptions {
    const kv = new SettingsKv()
    const cal = new CalibrationStore(kv, dsCrypto)
    let trust: Trust | null = null
    let recs: RecordService | null = null
    let fit: FitGlue | null = null
    let net: Network | null = null
    const ref: ClockRef = { anchor: clock }
    const anchor = () => ref.anchor
    return {
        arm: async (ctrl: Controller) => {
            const id = await loadIdentity()
            await cal.load()
            const builder = new CycleRecordBuilder(await nextBootId(kv))
            const q = id ? await RecordQueue.open(kv, dsCrypto, MANIFEST.records.queueCapacityRecords, id.deviceId, id.keyHex) : null
            const r = new RecordService(q, builder, anchor)
            recs = r
            await r.recoverInterrupted()
            // a calibration new since the last record gets its own record (at boot, and when one is applied)
            const noteCalibrations = async () => {
                const calIds = cal.ids().join(",")
                if (q && calIds !== ((await kv.read(KEY_CAL_IDS)) || ",,")) {
                    r.note(RecordKind.Calibration, "", 0, cal.heldIds())
                    await kv.write(KEY_CAL_IDS, calIds)
                }
            }
            await noteCalibrations()
            const t = new Trust(kv, id, cal, builder, ctrl)
            trust = t
            fit = new FitGlue(ctrl, builder, () => t.arch)
            if (id && q) net = await connect({ id: id, kv: kv, trust: t, recs: r, ctrl: ctrl, builder: builder, clock: ref })
            await t.evaluate(wallUnixS(anchor(), ds.millis()))
            setInterval(async () => {
                await clearRequested(ctrl, r)
                // a technician's new calibration (npm run tech -- calibrate): applied while nothing
                // runs, since a cycle or a scan must keep the calibration it started with
                const sc = ctrl.scan
                const apply = !ctrl.cycle.running() && !ctrl.autotune && !(sc && sc.state === ScanState.Running) && !!(await readSetting<any>(KEY_CAL_RELOAD, ""))
                if (apply) {
                    await deleteSetting(KEY_CAL_RELOAD)
                    await cal.load()
                    await noteCalibrations()
                    console.log("calibrations applied: " + cal.ids().join(","))
                }
                await t.evaluate(wallUnixS(anchor(), ds.millis()), apply)
            }, REEVALUATE_MS)
        },
        notReady: () => (trust ? trust.notReady : "starting"),
        calibrator: cal,
        // room for one more cycle's record: a queue with room and no record still waiting
        logHasRoom: () => !!recs && !!recs.queue && recs.queue.hasRoom() && recs.pending.length === 0,
        onEvent: (e: ControlEvent) => {
            if (recs) recs.onEvent(e)
            if (fit) fit.onEvent(e)
            if (net) net.onEvent(e)
        },
        saving: () => !!recs && recs.pending.length > 0, // a finished record still waits to be written
        patient: () => (net ? net.patient() : ""),
        live: (s: SensorInputs, ctrl: Controller) => {
            if (net) net.live(s, ctrl)
        },
    }
}

// What fills the settings area (flash, ~16 KB): builds each stored value with the real code
// (record queue, bundle store, template blob, calibration store, persisted gains and latched
// fault, identity, hub address, cycle-start marker) on a MemoryKv and prints its flash cost. Flash cost per entry follows the Jacdac
// settings store the DeviceScript runtime uses (jacdac-c fstor): a 24-byte entry header
// (15-character key, offset, size) plus the JSON value padded to 8 bytes. BlobStore keeps
// two slots (A/B) once a value was saved twice, so those count double.
//   npx tsx tools/settings-budget.ts
import type { Manifest } from "../src/core/manifest"
import { FaultCode, SensorId } from "../src/core/faults"
import { readManifest } from "./manifest-node"
import { nodeCrypto } from "../src/node/crypto-node"
import { MemoryKv } from "../src/core/store/kv"
import { BlobStore } from "../src/core/store/blob"
import { toBase64 } from "../src/core/codec/base64"
import { RecordQueue, readRecord } from "../src/core/records/queue"
import { BundleStore } from "../src/core/bundle/store"
import { sealBundle } from "../src/core/bundle/codec"
import { encodeTemplate } from "../src/core/template/codec"
import { CalibrationStore, saveCalibration } from "../src/core/calibration/store"
import { makeCalibration, CAL_CHANNELS } from "../src/core/calibration/calibration"
import { goldenRecord, goldenBundle, goldenTemplate, GOLDEN_KEY, GOLDEN_DEVICE } from "../test/vectors/golden"

/** the boards' settings area (below: 1/16 of their 256 KB flash store) */
export const SETTINGS_AREA_BYTES = 16384
const ENTRY_HEADER_BYTES = 24

/**
 * jacdac-c source/jd_fstor.c (with JD_SETTINGS_LARGE, as DeviceScript builds it): the small
 * settings (every key a program writes) live in the store's header pages, 1/16 of the store,
 * kept twice (the second copy is where it compacts to, not more room). Large entries (the
 * deployed program, `*prog`) take the data pages.
 */
export const FSTOR_SETTINGS_SHARE = 16
/**
 * The store's own use of the settings area: its 24-byte header, the two entries it always keeps
 * free (free_space()), and the program's own 24-byte entry.
 */
export const FSTOR_OVERHEAD_BYTES = 24 + 2 * ENTRY_HEADER_BYTES + ENTRY_HEADER_BYTES

/** The flash store each place gives the runtime. */
export const FLASH_STORES: { where: string; fstorBytes: number; source: string }[] = [
    { where: "ESP32-C3 / ESP32-S3 board", fstorBytes: 256 * 1024, source: "devicescript-esp32 boards/partitions.csv (fstor 256K) and boards/esp32c3|esp32s3/arch.json (fstorPages 64)" },
    { where: "`devs run` VM (simulator, tests)", fstorBytes: 128 * 1024, source: "devicescript runtime/posix/flash.c em_flash_size(): 128 KB unless Module.flashSize is set; `devs run` does not set it" },
]

/** The largest cycle record the firmware makes: every text at its format's longest, 3 calibrations, all 7 phases with the largest values the controller can measure, FAULTS_MAX faults. */
export function largestRecord() {
    const r = goldenRecord()
    r.deviceId = "D".repeat(32)
    r.operatorId = "O".repeat(32)
    r.seq = 9999999999
    r.bootId = 4294967295
    r.uptimeMs = 10 * 365 * 86400 * 1000
    r.wallUnixS = 4102444800
    r.bundleVersion = 4294967295
    r.calibrationIds = ["C".repeat(16), "C".repeat(16), "C".repeat(16)]
    r.fit = { rmsUm: 1000000, worstUm: 1000000, coveragePermille: 1000, scalePpm: 10000000, offsetXUm: -1000000, offsetYUm: -1000000, rotationMicroRad: -3141593, accepted: 1 }
    // the manifest's time limits bound a phase's length (preheat and cool 600 s), 20 samples a second;
    // the sensors' ranges bound the readings (film -20..200 °C, force -5..100 N)
    r.phases = r.phases.map(p => ({
        phase: p.phase, durationMs: 1800000, samples: 36000, filmMinDeciC: -200, filmMaxDeciC: 2000, filmMeanDeciC: -200,
        contactMaxDeciC: -200, forceMinMilliN: -5000, forceMaxMilliN: 100000, forceMeanMilliN: -5000,
    }))
    r.faults = [1, 2, 3, 4].map(i => ({ code: (60 + i) as FaultCode, sensor: SensorId.Position, value: -281474976710655, limit: -281474976710655, atMs: 10 * 365 * 86400 * 1000 }))
    r.outcome = 3
    return r
}

/** Flash bytes one record takes in the queue (its chunk entries), sealed by the real queue code. */
async function recordFlash(rec: ReturnType<typeof goldenRecord>): Promise<number> {
    const kv = new MemoryKv()
    const q = await RecordQueue.open(kv, nodeCrypto, 1, GOLDEN_DEVICE, GOLDEN_KEY)
    await q.append(rec)
    return flashBytes(kv, kv.keys().filter(k => k !== "rqState"))
}

export interface Capacity {
    where: string
    fstorBytes: number
    areaBytes: number
    /** everything but the records: bundle, template, calibrations, queue state, identity, ... */
    fixedBytes: number
    largestRecordBytes: number
    typicalRecordBytes: number
    /** records the area holds, each the largest the firmware makes */
    records: number
    /** the same with typical records */
    typicalRecords: number
}

/** How many records each place's settings area holds, beside everything else the controller keeps there. */
export async function recordCapacities(m: Manifest): Promise<Capacity[]> {
    const { rows } = await settingsBudget(m)
    const fixedBytes = rows.slice(1).reduce((n, r) => n + r.bytes, 0)
    const largestRecordBytes = await recordFlash(largestRecord())
    const typicalRecordBytes = await recordFlash(goldenRecord())
    return FLASH_STORES.map(f => {
        const areaBytes = f.fstorBytes / FSTOR_SETTINGS_SHARE
        const room = areaBytes - FSTOR_OVERHEAD_BYTES - fixedBytes
        return {
            where: f.where, fstorBytes: f.fstorBytes, areaBytes, fixedBytes, largestRecordBytes, typicalRecordBytes,
            records: Math.max(0, Math.floor(room / largestRecordBytes)), typicalRecords: Math.max(0, Math.floor(room / typicalRecordBytes)),
        }
    })
}

export function flashBytes(kv: MemoryKv, keys?: string[]): number {
    let n = 0
    for (const k of keys ?? kv.keys()) {
        const v = (kv as unknown as { data: Record<string, string> }).data[k]
        if (v !== undefined) n += ENTRY_HEADER_BYTES + Math.ceil(JSON.stringify(v).length / 8) * 8
    }
    return n
}

/** a 64-point template: the format's largest geometry */
function bigTemplate() {
    const t = goldenTemplate()
    t.archPointsUm = []
    for (let i = 0; i < 64; i++) {
        const x = -31500 + i * 1000
        t.archPointsUm.push([x, Math.round(16000 - (x * x) / 62000)])
    }
    return t
}

function hash(i: number): string {
    return nodeCrypto.sha256Hex([i])
}

export interface BudgetRow { item: string; entries: number; bytes: number }

export async function settingsBudget(m: Manifest): Promise<{ rows: BudgetRow[]; recordSealedBytes: number; recordFlashBytes: number }> {
    const rows: BudgetRow[] = []
    const add = (item: string, kv: MemoryKv) => rows.push({ item, entries: kv.keys().length, bytes: flashBytes(kv) })

    // record queue, full of typical cycle records (seven phases, fit, two calibrations)
    const cap = m.records.queueCapacityRecords
    const qkv = new MemoryKv()
    const q = await RecordQueue.open(qkv, nodeCrypto, cap, GOLDEN_DEVICE, GOLDEN_KEY)
    let sealed = 0
    for (let i = 0; i < 1000 + cap; i++) {
        const a = await q.append(goldenRecord())
        sealed = ((await readRecord(q, a.seq)) as number[]).length
        if (i < 1000) await q.ack(a.seq, a.seq) // seq in the thousands, as after months of use
    }
    const state = ["rqState"]
    const recordKeys = qkv.keys().filter(k => state.indexOf(k) < 0)
    rows.push({ item: `record queue: ${cap} records (manifest records.queueCapacityRecords)`, entries: recordKeys.length, bytes: flashBytes(qkv, recordKeys) })
    rows.push({ item: "record queue state + boot counter", entries: 2, bytes: flashBytes(qkv, state) + ENTRY_HEADER_BYTES + 8 })

    // approval bundle: one profile, 8 approved, 2 revoked; installed twice (both blob slots live)
    const bkv = new MemoryKv()
    const bs = new BundleStore(bkv, nodeCrypto, GOLDEN_DEVICE, GOLDEN_KEY)
    for (let v = 1; v <= 2; v++) {
        const b = goldenBundle()
        b.bundleVersion = v
        b.approved = [1, 2, 3, 4, 5, 6, 7, 8].map(hash)
        b.revoked = [9, 10].map(hash)
        await bs.install(sealBundle(b, GOLDEN_KEY, nodeCrypto), b.issuedUnixS)
    }
    add("approval bundle (1 profile, 8 approved, 2 revoked), A/B slots", bkv)

    // the armed template, 64 arch points (the format's maximum), saved twice (A/B)
    const tkv = new MemoryKv()
    const tb = new BlobStore(tkv, nodeCrypto, "tpl")
    const tText = toBase64(encodeTemplate(bigTemplate()))
    await tb.save(tText)
    await tb.save(tText + "")
    add("armed template (64 arch points), A/B slots", tkv)

    // sensor calibration, three channels, each saved twice (A/B)
    const ckv = new MemoryKv()
    const cs = new CalibrationStore(ckv, nodeCrypto)
    for (let k = 0; k < 2; k++) {
        for (const ch of CAL_CHANNELS) {
            const force = ch === "force"
            await saveCalibration(cs, makeCalibration({
                channel: ch, refLow: force ? 0 : 250, readLow: force ? 12 + k : 248 + k, refHigh: force ? 50000 : 900,
                readHigh: force ? 50300 : 905, technician: "tech-0042",
                reference: "Fluke 1524 SN 3411007", atUnixS: 1767225600, expiresUnixS: 1767225600 + 365 * 86400,
            }, nodeCrypto))
        }
    }
    add("sensor calibration, 3 channels, A/B slots", ckv)

    // persisted by src/hw/persist.ts: the same JSON shapes
    const gains = JSON.stringify({ v: 1, kpMicroPerDegC: 58000, kiMicroPerDegCSec: 2000, kdMicroSecPerDegC: 120000 })
    const latched = JSON.stringify({ v: 1, code: 20, sensor: 1, value: 640, limit: 660 })
    rows.push({ item: "PID gains + latched fault", entries: 2, bytes: 2 * ENTRY_HEADER_BYTES + Math.ceil(gains.length / 8) * 8 + Math.ceil(latched.length / 8) * 8 })

    // src/identity.ts, src/sync.ts, src/records.ts, src/compliance.ts: the longest each can be
    const small = new MemoryKv()
    await small.write("DEVICE_ID", "SFA1-0123456789")
    await small.write("DEVICE_KEY", GOLDEN_KEY)
    await small.write("HUB_URL", "http://hub.clinic.example:8090")
    await small.write("cycOpen", "9999999999:4294967295:4294967295:4102444800:" + "a".repeat(64) + ":4102444800")
    await small.write("calIds", "cal-0123456789ab,cal-0123456789ab,cal-0123456789ab")
    await small.write("CLEAR_REQ", JSON.stringify({ by: "tech-0042", code: 20, atUnixS: 1767225600 }))
    add("identity, hub address, cycle-start marker, recorded calibration ids, clear request", small)

    const perRecord = Math.round(rows[0].bytes / cap)
    return { rows, recordSealedBytes: sealed, recordFlashBytes: perRecord }
}

if (import.meta.url === `file://${process.argv[1]}`) {
    const m = readManifest()
    settingsBudget(m).then(({ rows, recordSealedBytes, recordFlashBytes }) => {
        let total = 0
        console.log("settings area use (flash bytes incl. 24-byte entry headers and 8-byte padding):")
        for (const r of rows) {
            total += r.bytes
            console.log(`  ${String(r.bytes).padStart(6)}  ${String(r.entries).padStart(3)} entries  ${r.item}`)
        }
        console.log(`  ${String(total).padStart(6)}  total = ${Math.round((100 * total) / SETTINGS_AREA_BYTES)} % of ${SETTINGS_AREA_BYTES}`)
        console.log(`typical cycle record: ${recordSealedBytes} bytes sealed (body + 32-byte MAC), ${recordFlashBytes} bytes of flash each`)
        return recordCapacities(m)
    }).then(caps => {
        console.log(`\nrecords each settings area holds beside the rest (manifest records.queueCapacityRecords = ${m.records.queueCapacityRecords}):`)
        for (const c of caps)
            console.log(`  ${c.where}: ${c.fstorBytes / 1024} KB store, ${c.areaBytes} B of settings; ${c.fixedBytes} B fixed, ${FSTOR_OVERHEAD_BYTES} B the store's own: ` +
                `${c.records} largest records (${c.largestRecordBytes} B each), ${c.typicalRecords} typical (${c.typicalRecordBytes} B)`)
    })
}

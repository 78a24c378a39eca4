// What fills the settings area (flash, ~16 KB): builds each stored value with the real code
// (record queue, bundle store, template blob, calibration store, persisted gains and latched
// fault, identity, hub address, cycle-start marker) on a MemoryKv and prints its flash cost. Flash cost per entry follows the Jacdac
// settings store the DeviceScript runtime uses (jacdac-c fstor): a 24-byte entry header
// (15-character key, offset, size) plus the JSON value padded to 8 bytes. BlobStore keeps
// two slots (A/B) once a value was saved twice, so those count double.
//   npx tsx tools/settings-budget.ts
import type { Manifest } from "../src/core/manifest"
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

export const SETTINGS_AREA_BYTES = 16384
const ENTRY_HEADER_BYTES = 24

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
    })
}

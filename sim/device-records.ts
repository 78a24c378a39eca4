// Reads the compliance records a simulated device holds, over the bus (its settings service,
// as a technician's tool would), and verifies them with src/core exactly as the hub and an
// auditor do: the scenarios prove that every cycle left a sealed, chained record behind.
import type { FitSummary } from "../src/core/fitting/fit-result"
import type { SimSession } from "./session"
import type { Manifest } from "../src/core/manifest"
import { BusSettingsKv } from "./bus/settings-kv"
import { SIM_DEVICE_ID, simDeviceKey, firmwareDevice } from "./provision"
import { RecordQueue, readRecord } from "../src/core/records/queue"
import { openRecord } from "../src/core/records/codec"
import { verifyRecords } from "../src/core/records/verify"
import { nodeCrypto } from "../src/node/crypto-node"

export interface DeviceRecords {
    /** records held in the device's queue */
    count: number
    /** every record decodes, its MAC holds under the device key, seqs contiguous, chain intact */
    verified: boolean
    findings: string[]
    /** each held record's cycle outcome code (1 complete, 2 aborted, 3 faulted; 0 other kinds) */
    outcomes: number[]
    /** each held record's kind (src/core/records/types.ts RecordKind) and fault codes */
    kinds: number[]
    faults: number[][]
    /** each held record's fit (src/core/fitting/fit-result.ts FitSummary), or null */
    fits: (FitSummary | null)[]
}

export async function readDeviceRecords(s: SimSession, m: Manifest): Promise<DeviceRecords> {
    const kv = new BusSettingsKv(firmwareDevice(s.bus))
    const key = simDeviceKey(s.engine.seed)
    const q = await RecordQueue.open(kv, nodeCrypto, m.records.queueCapacityRecords, SIM_DEVICE_ID, key)
    const list: number[][] = []
    const findings: string[] = []
    for (let seq = q.head; seq < q.next; seq++) {
        const r = await readRecord(q, seq)
        if (r) list.push(r)
        else findings.push(`missing@${seq}`)
    }
    const rep = verifyRecords(list, key, nodeCrypto, { deviceId: SIM_DEVICE_ID, lastSeq: q.next - 1 })
    for (const f of rep.findings) findings.push(`${f.code}@${f.seq}`)
    const opened = list.map(b => openRecord(b, key, nodeCrypto).record)
    return {
        count: list.length,
        verified: findings.length === 0,
        findings,
        outcomes: opened.map(r => r.outcome),
        kinds: opened.map(r => r.kind),
        faults: opened.map(r => r.faults.map(f => f.code)),
        fits: opened.map(r => r.fit),
    }
}

// Shared helpers for the hub tests: temp SQLite files, a fresh PostgreSQL database per run
// (when HUB_TEST_PG_URL names a server), a hand-set clock, sealed record chains made with
// src/core exactly as the firmware makes them, and signed device requests.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { randomBytes } from "node:crypto"
import pg from "pg"
import { draftRecord } from "../../src/core/records/builder"
import { sealRecord } from "../../src/core/records/codec"
import { RecordKind, type ComplianceRecord } from "../../src/core/records/types"
import { ZERO_HASH } from "../../src/core/codec/ints"
import { toHex } from "../../src/core/crypto"
import { nodeCrypto } from "../../src/node/crypto-node"
import { openDb, type HubDb } from "../../hub/src/db/index"
import type { HubContext } from "../../hub/src/context"
import { signDeviceRequest } from "../../hub/src/auth/device-hmac"

export const PG_URL = process.env["HUB_TEST_PG_URL"]
export const PG_SKIP_REASON = "PostgreSQL contract run skipped: set HUB_TEST_PG_URL=postgres://... (e.g. from `tsx tools/pg-server.ts start --dir DIR`)"

export function tempDir(prefix = "hub-test-"): { dir: string; cleanup(): void } {
    const dir = mkdtempSync(join(tmpdir(), prefix))
    return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface Backend {
    name: "sqlite" | "postgres"
    /** a fresh, empty database; open() may be called again for a second handle on the same one */
    create(): Promise<{ open(): Promise<HubDb>; drop(): Promise<void>; /** the SQLite file or PostgreSQL URL */ location: string }>
}

export const sqliteBackend: Backend = {
    name: "sqlite",
    async create() {
        const t = tempDir()
        const file = join(t.dir, "hub.db")
        return { open: () => openDb({ sqliteFile: file }), drop: async () => t.cleanup(), location: file }
    },
}

export const pgBackend: Backend = {
    name: "postgres",
    async create() {
        if (!PG_URL) throw new Error(PG_SKIP_REASON)
        const name = "hub_test_" + randomBytes(6).toString("hex")
        const admin = new pg.Client({ connectionString: PG_URL })
        await admin.connect()
        await admin.query("CREATE DATABASE " + name)
        await admin.end()
        const u = new URL(PG_URL)
        u.pathname = "/" + name
        return {
            location: u.toString(),
            open: () => openDb({ pgUrl: u.toString() }),
            drop: async () => {
                const a = new pg.Client({ connectionString: PG_URL })
                await a.connect()
                await a.query("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
                await a.end()
            },
        }
    },
}

/** A clock the test sets by hand: 2025-06-15 15:06:40 UTC to start. */
export class TestClock {
    constructor(public ms = 1_750_000_000_000) {}
    now = () => this.ms
    advanceS(s: number) {
        this.ms += s * 1000
    }
}

export function ctxOf(db: HubDb, clock: TestClock, publicUrl = "http://hub.test:8090"): HubContext {
    return { db, nowMs: clock.now, publicUrl }
}

export interface SealedHex {
    seq: number
    hex: string
    hash: string
    prevHash: string
}

/** A cycle record as the firmware's queue seals it (draftRecord, then deviceId, seq, prevHash). */
export function cycleRecord(deviceId: string, seq: number, prevHash: string, operatorId = "op-7"): ComplianceRecord {
    const r = draftRecord(RecordKind.Cycle, 3, 60_000 + seq * 1000, 1_750_000_000 + seq * 60)
    r.deviceId = deviceId
    r.seq = seq
    r.prevHash = prevHash
    r.operatorId = operatorId
    r.outcome = 1
    r.templateHash = "78c4cce60eece1c0e9c7135ecfc6c240623ffdf5f1d664f6c8f42510bb99dc93"
    return r
}

export function seal(rec: ComplianceRecord, keyHex: string): SealedHex {
    const s = sealRecord(rec, keyHex, nodeCrypto)
    return { seq: rec.seq, hex: toHex(s.sealed), hash: s.hash, prevHash: rec.prevHash }
}

/** Records from..to of one device, chained from `prevHash` (zero for seq 1). */
export function chain(deviceId: string, keyHex: string, from: number, to: number, prevHash = ZERO_HASH): SealedHex[] {
    const out: SealedHex[] = []
    let prev = prevHash
    for (let s = from; s <= to; s++) {
        const x = seal(cycleRecord(deviceId, s, prev), keyHex)
        out.push(x)
        prev = x.hash
    }
    return out
}

let nonceCounter = 0
export function freshNonce(): string {
    return randomBytes(8).toString("hex") + (nonceCounter++).toString(16).padStart(8, "0")
}

/** Headers of a signed device request at the clock's time. */
export function signed(device: { deviceId: string; keyHex: string }, clock: TestClock, method: string, path: string, body: string | Buffer = "", o: { timestampS?: number; nonce?: string } = {}) {
    const h = signDeviceRequest({
        deviceId: device.deviceId, keyHex: device.keyHex, method, path, body,
        timestampS: o.timestampS ?? Math.floor(clock.ms / 1000), nonce: o.nonce ?? freshNonce(),
    })
    return body.length === 0 ? h : { ...h, "content-type": "application/json" }
}

/** Runs fn; returns its result and how many event-loop turns (setImmediate) other code got meanwhile. */
export async function turnsDuring<T>(fn: () => Promise<T>): Promise<{ result: T; turns: number }> {
    let turns = 0
    let done = false
    const spin = (async () => {
        while (!done) {
            await new Promise(r => setImmediate(r))
            turns++
        }
    })()
    try {
        return { result: await fn(), turns }
    } finally {
        done = true
        await spin
    }
}

// A hub for route tests: a fresh SQLite file, a hand-set clock, one logged-in user per role and
// one device whose key is the docs' test key, so signatures can be checked against vectors
// computed with openssl.
import type { FastifyInstance, LightMyRequestResponse } from "fastify"
import { buildHub, type HubOptions } from "../../hub/src/app"
import type { HubContext } from "../../hub/src/context"
import type { HubDb } from "../../hub/src/db/index"
import { randomBytes, randomUUID } from "node:crypto"
import { ROLES, hashPassword, tokenHash, SESSION_TTL_MS, type Role } from "../../hub/src/auth/staff"
import { provisionDevice } from "../../hub/src/devices"
import { sqliteBackend, TestClock, ctxOf, signed, type Backend } from "./support"

export const KEY = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
export const DEVICE_ID = "SFA1-000042"
/** every fixture user's password (user names: u-<role>) */
export const FIXTURE_PASSWORD = "fixture-password"
let passwordHash: Promise<string> | null = null

export interface RouteHub {
    app: FastifyInstance
    ctx: HubContext
    db: HubDb
    clock: TestClock
    device: { deviceId: string; keyHex: string }
    /** bearer token per role */
    tokens: Record<Role, string>
    /** a signed device request (clock's time, fresh nonce) */
    dev(method: "GET" | "POST", path: string, body?: unknown, o?: { timestampS?: number; nonce?: string; raw?: string | Buffer }): Promise<LightMyRequestResponse>
    staff(role: Role | null, method: "GET" | "POST", url: string, payload?: unknown): Promise<LightMyRequestResponse>
    reopen(): Promise<void>
    close(): Promise<void>
}

export async function routeHub(backend: Backend = sqliteBackend, opts: HubOptions = {}): Promise<RouteHub> {
    const store = await backend.create()
    const clock = new TestClock()
    const h: RouteHub = {
        app: null as any, ctx: null as any, db: null as any, clock,
        device: { deviceId: DEVICE_ID, keyHex: KEY },
        tokens: {} as Record<Role, string>,
        async dev(method, path, body, o = {}) {
            const raw = o.raw ?? (body === undefined ? "" : JSON.stringify(body))
            const url = "/api/device/v1/" + path
            return h.app.inject({ method, url, headers: signed(h.device, clock, method, url, raw, o), payload: raw.length === 0 ? undefined : raw })
        },
        async staff(role, method, url, payload) {
            const headers = role ? { authorization: "Bearer " + h.tokens[role] } : {}
            return h.app.inject({ method, url, headers, payload: payload as any })
        },
        async reopen() {
            await h.app.close()
            await h.db.close()
            h.db = await store.open()
            h.ctx = ctxOf(h.db, clock)
            h.app = await buildHub(h.ctx, opts)
        },
        async close() {
            await h.app.close()
            await h.db.close()
            await store.drop()
        },
    }
    h.db = await store.open()
    h.ctx = ctxOf(h.db, clock)
    h.app = await buildHub(h.ctx, opts)
    await provisionDevice(h.ctx, { deviceId: DEVICE_ID, createdBy: "fixture", hubUrl: "http://hub.test" })
    await h.db.db.updateTable("devices").set({ key_hex: KEY }).where("id", "=", DEVICE_ID).execute()
    // scrypt is slow on purpose: hash once per test file, and open sessions directly
    // (login itself is tested in the storage contract and the role matrix)
    passwordHash ??= hashPassword(FIXTURE_PASSWORD)
    for (const role of ROLES) {
        const id = randomUUID()
        await h.db.db.insertInto("users").values({ id, name: "u-" + role, role, password_hash: await passwordHash, created_at_ms: clock.ms }).execute()
        const token = randomBytes(32).toString("hex")
        await h.db.db.insertInto("sessions").values({ token_hash: tokenHash(token), user_id: id, created_at_ms: clock.ms, expires_at_ms: clock.ms + SESSION_TTL_MS }).execute()
        h.tokens[role] = token
    }
    return h
}

// Staff login and roles. Passwords: scrypt (node:crypto) with a random salt per user. A login
// returns a random bearer token, also set as an HttpOnly cookie for the console; the database
// holds only its SHA-256, so a copy of the database does not let anyone log in.
import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto"
import type { FastifyReply, FastifyRequest } from "fastify"
import type { HubContext } from "../context"
import { unauthorized, forbidden } from "../errors"
import { gated } from "./login-limits"

// admin: staff accounts (disable, password reset, log out everywhere) and the device lifecycle
// (decommission, key rotation with the technician); it reads no records and reviews nothing
export const ROLES = ["operator", "technician", "reviewer", "auditor", "designer", "admin"] as const
export type Role = (typeof ROLES)[number]

export interface StaffIdentity {
    userId: string
    name: string
    role: Role
}

declare module "fastify" {
    interface FastifyInstance {
        hubCtx: HubContext
    }
    interface FastifyRequest {
        /** set by requireRole; use staffOf() where a route is guarded */
        staff?: StaffIdentity
    }
}

export const SESSION_COOKIE = "hub_session"
export const SESSION_TTL_MS = 12 * 3600 * 1000 // one clinic day
// scrypt cost: N = 2^15, r = 8 (32 MiB, ~50 ms on this machine class: slow for guessing, fine for a login)
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }
const KEY_LEN = 32

function scryptAsync(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
    return new Promise((resolve, reject) =>
        scrypt(password, salt, KEY_LEN, { N, r, p, maxmem: SCRYPT.maxmem }, (err, key) => (err ? reject(err) : resolve(key))))
}

/** "scrypt$N$r$p$saltHex$keyHex" */
export async function hashPassword(password: string): Promise<string> {
    const salt = randomBytes(16)
    const key = await scryptAsync(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p)
    return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("hex"), key.toString("hex")].join("$")
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
    const parts = stored.split("$")
    if (parts.length !== 6 || parts[0] !== "scrypt") return false
    const [N, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])]
    const want = Buffer.from(parts[5] ?? "", "hex")
    const got = await scryptAsync(password, Buffer.from(parts[4] ?? "", "hex"), N, r, p)
    return want.length === got.length && timingSafeEqual(want, got)
}

export const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex")

// a fixed hash to check against when the name is unknown, so timing does not tell which names exist
let dummyHash: Promise<string> | null = null

/** Checks name and password; returns a new session token, or null. */
export async function login(ctx: HubContext, name: string, password: string): Promise<{ token: string; staff: StaffIdentity; expiresAtMs: number } | null> {
    const user = await ctx.db.db.selectFrom("users").selectAll().where("name", "=", name).executeTakeFirst()
    if (!user) {
        dummyHash ??= hashPassword("not a password")
        const dummy = await dummyHash
        await gated(ctx, () => verifyPassword(password, dummy))
        return null
    }
    if (!(await gated(ctx, () => verifyPassword(password, user.password_hash)))) return null
    // told only to whoever knows the password: the account exists, and an administrator disabled it
    if (user.disabled_at_ms !== null) throw unauthorized("account_disabled", "this account is disabled: ask an administrator")
    const token = randomBytes(32).toString("hex")
    const now = ctx.nowMs()
    // a user's expired sessions go when they next log in: the table stays the size of who is active
    await ctx.db.db.deleteFrom("sessions").where("user_id", "=", user.id).where("expires_at_ms", "<=", now).execute()
    const expiresAtMs = now + SESSION_TTL_MS
    await ctx.db.db.insertInto("sessions")
        .values({ token_hash: tokenHash(token), user_id: user.id, created_at_ms: now, expires_at_ms: expiresAtMs })
        .execute()
    return { token, staff: { userId: user.id, name: user.name, role: user.role as Role }, expiresAtMs }
}

export async function logout(ctx: HubContext, token: string): Promise<void> {
    const hash = tokenHash(token)
    await ctx.db.db.deleteFrom("sessions").where("token_hash", "=", hash).execute()
    sessionsEnded(ctx, [hash])
}

/** Tells this process's listeners (live streams) that these sessions ended; call after the delete commits. */
export function sessionsEnded(ctx: HubContext, tokenHashes: string[]): void {
    for (const hash of tokenHashes) for (const l of endListeners.get(ctx) ?? []) l(hash)
}

const endListeners = new WeakMap<HubContext, Set<(tokenHash: string) => void>>()

/** Calls `l` with a session's token hash when it is logged out in this process; returns the unsubscribe. */
export function onSessionEnd(ctx: HubContext, l: (tokenHash: string) => void): () => void {
    let set = endListeners.get(ctx)
    if (!set) endListeners.set(ctx, (set = new Set()))
    set.add(l)
    return () => set.delete(l)
}

/** The bearer token of a request: Authorization header first, then the console's cookie. */
export function requestToken(request: FastifyRequest): string | null {
    const auth = request.headers.authorization
    if (typeof auth === "string" && auth.startsWith("Bearer ")) return auth.slice(7).trim() || null
    return request.cookies?.[SESSION_COOKIE] || null
}

export async function staffForToken(ctx: HubContext, token: string): Promise<StaffIdentity | null> {
    const row = await ctx.db.db.selectFrom("sessions")
        .innerJoin("users", "users.id", "sessions.user_id")
        .select(["users.id as id", "users.name as name", "users.role as role", "sessions.expires_at_ms as exp", "users.disabled_at_ms as disabled"])
        .where("sessions.token_hash", "=", tokenHash(token))
        .executeTakeFirst()
    // disabling deletes the user's sessions; the check here also covers a session opened in the same moment
    if (!row || row.exp <= ctx.nowMs() || row.disabled !== null) return null
    return { userId: row.id, name: row.name, role: row.role as Role }
}

/** Fastify preHandler: 401 without a valid session, 403 for a role not listed. */
export function requireRole(...roles: Role[]) {
    return async function (request: FastifyRequest, _reply: FastifyReply): Promise<void> {
        const token = requestToken(request)
        if (!token) throw unauthorized("login_required", "log in first: send Authorization: Bearer <token> from POST /api/auth/login with bearer: true")
        const staff = await staffForToken(request.server.hubCtx, token)
        if (!staff) throw unauthorized("session_invalid", "the session is unknown or expired: log in again")
        if (!roles.includes(staff.role)) throw forbidden("role " + staff.role + " may not do this (needs " + roles.join(" or ") + ")")
        request.staff = staff
    }
}

/** The logged-in staff member of a route guarded by requireRole. */
export function staffOf(request: FastifyRequest): StaffIdentity {
    if (!request.staff) throw unauthorized("login_required", "log in first")
    return request.staff
}

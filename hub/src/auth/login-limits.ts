// Login limits (hub/README.md has the figures): failed logins per account and attempts per
// address, both counted by @fastify/rate-limit in this process's memory, and a bound on scrypt
// work in flight. Refusals are 429 with Retry-After.
//   per account: `accountFailures` failed logins within `accountWindowMs`; after that every
//     attempt is refused, and each refused attempt starts the window again (back off, or stay
//     locked). Counted on the name as sent, known or not, so a refusal does not tell which
//     names exist. Successful logins do not count.
//   per address: `addressAttempts` login requests within `addressWindowMs` (a clinic's staff
//     behind one NAT log in a few times an hour; a guesser is held to this rate).
//   scrypt: `scryptRunning` at once, `scryptWaiting` in line, past that 429 login_busy at once.
import type { FastifyInstance, FastifyRequest } from "fastify"
import rateLimit, { type CreateRateLimitOptions } from "@fastify/rate-limit"
import type { HubContext } from "../context"
import { HubError } from "../errors"
import { Gate } from "./gate"

export interface LoginLimits {
    accountFailures: number
    accountWindowMs: number
    addressAttempts: number
    addressWindowMs: number
    scryptRunning: number
    scryptWaiting: number
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
    accountFailures: 10, accountWindowMs: 15 * 60_000,
    addressAttempts: 20, addressWindowMs: 60_000,
    scryptRunning: 2, scryptWaiting: 16,
}

/** names and addresses remembered at once (an LRU); a guesser rotating more names than this only evicts old ones */
const REMEMBERED = 20_000

const gates = new WeakMap<HubContext, Gate>()

/** The hub's bound on scrypt in flight (one per context: tests get a fresh one with each hub). */
export function scryptGateOf(ctx: HubContext, limits: LoginLimits = DEFAULT_LOGIN_LIMITS): Gate {
    let g = gates.get(ctx)
    if (!g) gates.set(ctx, (g = new Gate(limits.scryptRunning, limits.scryptWaiting)))
    return g
}

/** Runs a password check through the context's gate; 429 login_busy when the line is full. */
export async function gated<T>(ctx: HubContext, check: () => Promise<T>): Promise<T> {
    const slot = scryptGateOf(ctx).enter()
    if (!slot) throw new HubError(429, "login_busy", "the hub is checking many logins right now: try again in a second", { "retry-after": "1" })
    const free = await slot
    try {
        return await check()
    } finally {
        free()
    }
}

const tooMany = (retryAfterS: number, why: string) =>
    new HubError(429, "too_many_logins", why + ": try again in " + retryAfterS + " s", { "retry-after": String(retryAfterS) })

export interface LoginLimiter {
    /** onRequest hook of the login route: counts the attempt against its address */
    perAddress(request: FastifyRequest): Promise<void>
    /** before the password check: refuses an account that is locked (and restarts its window) */
    checkAccount(request: FastifyRequest, name: string): Promise<void>
    /** after a wrong password */
    failed(request: FastifyRequest, name: string): Promise<void>
}

export async function loginLimiter(app: FastifyInstance, ctx: HubContext, limits: LoginLimits): Promise<LoginLimiter> {
    scryptGateOf(ctx, limits)
    await app.register(rateLimit, { global: false, cache: REMEMBERED })
    const byAddress = app.createRateLimit({ max: limits.addressAttempts, timeWindow: limits.addressWindowMs })
    // the name the caller passes (a login's, or the session user's on a password change)
    const names = new WeakMap<FastifyRequest, string>()
    const accountKey = (request: FastifyRequest) => "account:" + (names.get(request) ?? (request.body as { name: string }).name)
    // continueExceeding (a refused attempt starts the window again) is a plugin option its createRateLimit type leaves out
    const byAccount = app.createRateLimit({ max: limits.accountFailures, timeWindow: limits.accountWindowMs, continueExceeding: true, keyGenerator: accountKey } as CreateRateLimitOptions)
    return {
        async perAddress(request) {
            const r = await byAddress(request)
            if (!r.isAllowed && r.isExceeded) throw tooMany(r.ttlInSeconds, "too many logins from this address")
        },
        async checkAccount(request, name) {
            names.set(request, name)
            const seen = await byAccount(request, { increment: false })
            if (seen.isAllowed || seen.remaining > 0) return
            const r = await byAccount(request)
            throw tooMany(r.isAllowed ? 1 : r.ttlInSeconds, "too many failed logins for this name")
        },
        async failed(request, name) {
            names.set(request, name)
            await byAccount(request)
        },
    }
}

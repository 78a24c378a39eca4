// Staff login/logout and "who am I". A console login gets the session as an HttpOnly cookie
// only (page script never holds the token); a script asks for the token with `bearer: true`
// and gets no cookie.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify"
import type { HubContext } from "../context"
import { login, logout, requestToken, requireRole, staffOf, ROLES, SESSION_COOKIE, SESSION_TTL_MS } from "../auth/staff"
import { HubError, unauthorized } from "../errors"
import { changeOwnPassword, logoutEverywhere } from "../lifecycle"
import { PASSWORD_SCHEMA } from "./lifecycle"
import { loginLimiter, type LoginLimits } from "../auth/login-limits"

export async function authRoutes(app: FastifyInstance, ctx: HubContext, limits: LoginLimits) {
    const limiter = await loginLimiter(app, ctx, limits)
    app.post("/api/auth/login", {
        bodyLimit: 1024,
        onRequest: limiter.perAddress,
        schema: {
            body: {
                type: "object", additionalProperties: false, required: ["name", "password"],
                properties: {
                    name: { type: "string", minLength: 1, maxLength: 32 }, password: { type: "string", minLength: 1, maxLength: 256 },
                    bearer: { type: "boolean" },
                },
            },
        },
    }, async (request, reply) => {
        const { name, password, bearer } = request.body as { name: string; password: string; bearer?: boolean }
        await limiter.checkAccount(request, name)
        const s = await login(ctx, name, password)
        if (!s) {
            await limiter.failed(request, name)
            throw unauthorized("bad_login", "name or password is wrong")
        }
        const who = { name: s.staff.name, role: s.staff.role, expiresAtMs: s.expiresAtMs }
        if (bearer === true) return { token: s.token, ...who }
        setSessionCookie(request, reply, s.token, SESSION_TTL_MS / 1000)
        return who
    })

    app.post("/api/auth/logout", { preHandler: requireRole(...ROLES), bodyLimit: 64 }, async (request, reply) => {
        const token = requestToken(request)
        if (token) await logout(ctx, token)
        setSessionCookie(request, reply, "", 0)
        return reply.code(204).send()
    })

    app.get("/api/auth/me", { preHandler: requireRole(...ROLES) }, async request => staffOf(request))

    // the user's own password: the current one is checked like a login (its failures count
    // against the name's login limit, so a stolen session cannot guess it), the policy applies
    // to the new one, and every other session of the user ends
    app.post("/api/auth/password", {
        preHandler: requireRole(...ROLES),
        bodyLimit: 1024,
        schema: {
            body: {
                type: "object", additionalProperties: false, required: ["currentPassword", "newPassword"],
                properties: { currentPassword: PASSWORD_SCHEMA, newPassword: PASSWORD_SCHEMA },
            },
        },
    }, async request => {
        const me = staffOf(request)
        const { currentPassword, newPassword } = request.body as { currentPassword: string; newPassword: string }
        await limiter.checkAccount(request, me.name)
        try {
            return await changeOwnPassword(ctx, me, requestToken(request) ?? "", currentPassword, newPassword)
        } catch (e) {
            if (e instanceof HubError && e.code === "bad_password_current") await limiter.failed(request, me.name)
            throw e
        }
    })

    // ends every session of the caller, this one included
    app.post("/api/auth/logout-everywhere", { preHandler: requireRole(...ROLES), bodyLimit: 64 }, async (request, reply) => {
        const r = await logoutEverywhere(ctx, staffOf(request), staffOf(request).name)
        setSessionCookie(request, reply, "", 0)
        return r
    })
}

/** The console's session cookie; Secure when the hub is reached over https. */
function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, maxAgeS: number) {
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: "strict", path: "/", maxAge: maxAgeS, secure: request.protocol === "https" })
}

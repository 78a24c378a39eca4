// Staff login/logout and "who am I".
import type { FastifyInstance } from "fastify"
import type { HubContext } from "../context"
import { login, logout, requestToken, requireRole, staffOf, ROLES, SESSION_COOKIE, SESSION_TTL_MS } from "../auth/staff"
import { unauthorized } from "../errors"

export async function authRoutes(app: FastifyInstance, ctx: HubContext) {
    app.post("/api/auth/login", {
        bodyLimit: 1024,
        schema: {
            body: {
                type: "object", additionalProperties: false, required: ["name", "password"],
                properties: { name: { type: "string", minLength: 1, maxLength: 32 }, password: { type: "string", minLength: 1, maxLength: 256 } },
            },
        },
    }, async (request, reply) => {
        const { name, password } = request.body as { name: string; password: string }
        const s = await login(ctx, name, password)
        if (!s) throw unauthorized("bad_login", "name or password is wrong")
        reply.header("set-cookie", SESSION_COOKIE + "=" + s.token + "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" + SESSION_TTL_MS / 1000)
        return { token: s.token, name: s.staff.name, role: s.staff.role, expiresAtMs: s.expiresAtMs }
    })

    app.post("/api/auth/logout", { preHandler: requireRole(...ROLES) }, async (request, reply) => {
        const token = requestToken(request)
        if (token) await logout(ctx, token)
        reply.header("set-cookie", SESSION_COOKIE + "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
        return reply.code(204).send()
    })

    app.get("/api/auth/me", { preHandler: requireRole(...ROLES) }, async request => staffOf(request))
}

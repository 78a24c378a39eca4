// Builds the hub's Fastify app from its context; only the CLI's serve command listens.
// Validation is strict: unknown fields are errors (removeAdditional off), types are not
// coerced (a "5" is not a 5), and every failure answers { error: { code, message } }.
import http from "node:http"
import https from "node:https"
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from "fastify"
import type { HubContext } from "./context"
import { HubError } from "./errors"
import { authRoutes } from "./routes/auth"
import { deviceAdminRoutes } from "./routes/devices"
import { lifecycleRoutes } from "./routes/lifecycle"
import { deviceRoutes } from "./routes/device"
import { libraryRoutes } from "./routes/library"
import { sessionRoutes } from "./routes/sessions"
import { telemetryRoutes } from "./routes/telemetry"
import { recordRoutes } from "./routes/records"
import { publicRoutes } from "./routes/public"
import { consoleRoutes } from "./routes/console"
import { patientRoutes } from "./routes/patients"
import { maintenanceRoutes } from "./routes/maintenance"
import { hubTextKeyword, withTextRule } from "./schema-text"
import { turnTaking } from "./turn-taking"
import { httpSecurity } from "./http-security"
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from "./auth/login-limits"

/** staff bodies are small; routes that need more set their own bodyLimit */
export const DEFAULT_BODY_LIMIT = 64 * 1024

/** How long a client may take, in ms (Node's http server enforces them). A device sends its
 *  largest body (~130 KB of records) in well under a second on a clinic's WiFi. */
export interface HubTimeouts {
    /** from the connection's first byte to the end of the request's headers */
    headersMs: number
    /** from the first byte to the end of the request's body */
    requestMs: number
    /** a connection with no traffic either way (the telemetry stream writes every 15 s) */
    idleMs: number
    /** how often Node checks the two above */
    checkEveryMs: number
}

/** Fastify's default keep-alive timeout, which its own server would have */
const FASTIFY_KEEP_ALIVE_MS = 72_000

export const DEFAULT_TIMEOUTS: HubTimeouts = { headersMs: 10_000, requestMs: 30_000, idleMs: 60_000, checkEveryMs: 1_000 }

export interface HubOptions {
    /** serve https with this key and certificate (the session cookie is then Secure) */
    https?: { key: string | Buffer; cert: string | Buffer }
    timeouts?: Partial<HubTimeouts>
    loginLimits?: Partial<LoginLimits>
    /** how often an open telemetry stream writes a keepalive and re-checks its session (default 15 s) */
    sseCheckMs?: number
    /**
     * routes of the simulator panel (tools/sim-panel.ts), registered only when the hub runs with
     * simulated devices (npm start): the console shows the panel only where they answer
     */
    simPanel?: (app: FastifyInstance) => Promise<void>
}

export interface HubRoute {
    method: string
    url: string
    schema?: { body?: unknown; querystring?: unknown; params?: unknown }
}

declare module "fastify" {
    interface FastifyInstance {
        /** every route as registered (method, URL pattern, request schema) */
        hubRoutes: HubRoute[]
    }
}

export async function buildHub(ctx: HubContext, opts: HubOptions = {}): Promise<FastifyInstance> {
    const t = { ...DEFAULT_TIMEOUTS, ...opts.timeouts }
    const nodeServer = { headersTimeout: t.headersMs, requestTimeout: t.requestMs, connectionsCheckingInterval: t.checkEveryMs }
    const app = Fastify({
        logger: false,
        bodyLimit: DEFAULT_BODY_LIMIT,
        return503OnClosing: true,
        ...(opts.https ? { https: { ...opts.https, ...nodeServer } } : { http: nodeServer }),
        // the server Fastify would make (its lib/server.js), its requests served in fair turns (turn-taking.ts)
        serverFactory: handler => {
            const server = opts.https ? https.createServer({ ...opts.https, ...nodeServer }) : http.createServer(nodeServer)
            server.on("request", turnTaking(server, handler))
            server.keepAliveTimeout = FASTIFY_KEEP_ALIVE_MS
            server.requestTimeout = t.requestMs
            server.setTimeout(t.idleMs)
            return server
        },
        requestTimeout: t.requestMs,
        connectionTimeout: t.idleMs,
        // the router's own refusals (a path parameter over 100 characters, bad percent-encoding) in the hub's error shape
        frameworkErrors: (err, _request, reply: FastifyReply) =>
            reply.code(err.statusCode ?? 400).send({ error: { code: err.code === "FST_ERR_MAX_PARAM_LENGTH" ? "too_long" : "bad_url", message: err.message } }),
        ajv: {
            customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false },
            plugins: [hubTextKeyword],
        },
    })
    // every route with its request schema, for the fuzz test (test/hub/staff-fuzz.test.ts) to cover each
    const routes: HubRoute[] = []
    app.decorate("hubRoutes", routes)
    // no control characters in any string a request carries (schema-text.ts)
    app.addHook("onRoute", route => {
        for (const method of [route.method].flat()) routes.push({ method, url: route.url, schema: route.schema as HubRoute["schema"] })
        const s = route.schema as Record<string, unknown> | undefined
        if (!s) return
        route.schema = { ...s }
        for (const part of ["body", "querystring", "params", "headers"] as const)
            if (s[part]) (route.schema as Record<string, unknown>)[part] = withTextRule(s[part])
    })
    app.decorate("hubCtx", ctx)
    app.setErrorHandler((err: FastifyError | HubError, request, reply) => {
        if (err instanceof HubError) {
            if (err.headers) reply.headers(err.headers)
            return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message } })
        }
        if ((err as FastifyError).validation) {
            return reply.code(400).send({ error: { code: "bad_request", message: validationMessage(err as FastifyError) } })
        }
        const status = (err as FastifyError).statusCode ?? 500
        if (status >= 400 && status < 500) {
            return reply.code(status).send({ error: { code: String((err as FastifyError).code ?? "bad_request"), message: err.message } })
        }
        ctx.log?.error("request failed", { method: request.method, url: request.url, error: String(err?.stack ?? err) })
        return reply.code(500).send({ error: { code: "internal", message: "internal error; see the hub's log" } })
    })
    app.setNotFoundHandler((request, reply) =>
        reply.code(404).send({ error: { code: "no_route", message: "no route " + request.method + " " + request.url.split("?")[0] } }))

    await httpSecurity(app, ctx)

    await app.register(async inst => authRoutes(inst, ctx, { ...DEFAULT_LOGIN_LIMITS, ...opts.loginLimits }))
    await app.register(async inst => deviceAdminRoutes(inst, ctx))
    await app.register(async inst => lifecycleRoutes(inst, ctx))
    await app.register(async inst => deviceRoutes(inst, ctx), { prefix: "/api/device/v1" })
    await app.register(async inst => libraryRoutes(inst, ctx))
    await app.register(async inst => sessionRoutes(inst, ctx))
    await app.register(async inst => telemetryRoutes(inst, ctx, opts.sseCheckMs))
    await app.register(async inst => recordRoutes(inst, ctx))
    await app.register(async inst => patientRoutes(inst, ctx))
    await app.register(async inst => maintenanceRoutes(inst, ctx))
    await app.register(async inst => publicRoutes(inst, ctx))
    if (opts.simPanel) await app.register(opts.simPanel)
    await app.register(async inst => consoleRoutes(inst))
    return app
}

/** Fastify's validation message, with the offending property named where ajv leaves it out. */
function validationMessage(err: FastifyError): string {
    const v = err.validation?.[0]
    if (!v) return err.message
    const where = (err.validationContext ?? "request") + (v.instancePath || "")
    const extra = (v.params as any)?.additionalProperty
    return where + " " + v.message + (extra ? ": '" + extra + "'" : "")
}

// The hub's browser-facing defences, registered by app.ts before any route:
// - security headers from @fastify/helmet on every staff, public and console answer (the
//   console's Content-Security-Policy, nosniff, no framing, no referrer); device protocol
//   answers stay lean (the firmware reads only the status, length and body);
// - Cache-Control: no-store on every /api/ answer that does not set its own (records, exports
//   and staff data must not stay in a browser's or a proxy's cache);
// - @fastify/cookie for the session cookie;
// - CSRF: a state change (any method but GET/HEAD/OPTIONS) that a browser could send with the
//   session cookie must come from the hub's own pages. SameSite=Strict does not cover another
//   port of the same host (same site, other origin), so the hub checks what the browser says:
//   Sec-Fetch-Site must be same-origin and Origin must be the hub's own, and a cookie request
//   with neither header is refused. Requests with an Authorization header (scripts) cannot be
//   forged by a page (no CORS), and device requests carry an HMAC, so those pass.
import type { FastifyInstance, FastifyRequest } from "fastify"
import helmet from "@fastify/helmet"
import cookie from "@fastify/cookie"
import type { HubContext } from "./context"
import { HubError } from "./errors"
import { SESSION_COOKIE } from "./auth/staff"

/** the console's policy: scripts and data from this hub only, no framing; uPlot sets element.style, hence inline styles */
export const CSP_DIRECTIVES = {
    defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'self'"],
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"])
export const isDeviceUrl = (url: string) => url.startsWith("/api/device/")
/** the route's pattern when one matched (a path with dot segments matches none), else the URL */
const routeUrl = (request: FastifyRequest) => request.routeOptions.url ?? request.url

export async function httpSecurity(app: FastifyInstance, ctx: HubContext): Promise<void> {
    // the device protocol's routes opt out of helmet (routeOptions.helmet is read by its onRoute hook, which runs after this one)
    app.addHook("onRoute", route => {
        if (isDeviceUrl(route.url)) route.helmet = false
    })
    await app.register(helmet, {
        contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
        frameguard: { action: "deny" },
        referrerPolicy: { policy: "no-referrer" },
        // a LAN hub may be reached by several names: HSTS for this host only
        strictTransportSecurity: { maxAge: 180 * 86400, includeSubDomains: false },
    })
    await app.register(cookie)
    // callback-style hooks: they run on every request (a device's too), and an async hook costs
    // each request a promise and a hop
    app.addHook("onSend", (request, reply, payload, done) => {
        const url = routeUrl(request)
        if (url.startsWith("/api/") && !isDeviceUrl(url) && !reply.hasHeader("cache-control")) reply.header("cache-control", "no-store")
        done(null, payload)
    })
    const publicOrigin = ctx.publicUrl ? new URL(ctx.publicUrl).origin : null
    app.addHook("onRequest", (request, _reply, done) => {
        if (SAFE_METHODS.has(request.method) || isDeviceUrl(routeUrl(request)) || request.headers.authorization !== undefined) return done()
        const why = crossSiteReason(request, publicOrigin)
        if (why) return done(new HubError(403, "cross_site", why + ": state changes with the session cookie come only from this hub's own console"))
        done()
    })
}

/** Why a cookie-carrying (or login) request is not from the hub's own pages, or null. */
function crossSiteReason(request: FastifyRequest, publicOrigin: string | null): string | null {
    const site = request.headers["sec-fetch-site"]
    if (site !== undefined && site !== "same-origin") return "Sec-Fetch-Site is " + String(site)
    const origin = request.headers.origin
    if (origin !== undefined) {
        const own = request.protocol + "://" + request.host
        return origin === own || origin === publicOrigin ? null : "Origin " + origin + " is not this hub (" + own + ")"
    }
    // no word from a browser: fine for a script without the cookie (a login by a tool), not with it
    if (site === undefined && request.headers.cookie?.includes(SESSION_COOKIE + "=")) return "the request says neither Origin nor Sec-Fetch-Site"
    return null
}

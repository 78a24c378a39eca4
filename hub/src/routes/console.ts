// The staff console: static ES modules, HTML and CSS from hub/console/, and uPlot from
// node_modules, all served by the hub itself (the console works with no internet: no CDN).
// `/` sends the browser to the console. A strict Content-Security-Policy: scripts and data
// only from this hub, no framing.
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import type { FastifyInstance, FastifyReply } from "fastify"
import fastifyStatic from "@fastify/static"

export const CONSOLE_DIR = resolve(import.meta.dirname, "../../console")
// uPlot sets element.style from script, which needs 'unsafe-inline' for styles only
export const CONSOLE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

function uplotFile(name: string): Buffer {
    const pkg = createRequire(import.meta.url).resolve("uplot/package.json")
    return readFileSync(join(dirname(pkg), "dist", name))
}

function secure(reply: FastifyReply) {
    reply.header("content-security-policy", CONSOLE_CSP)
    reply.header("x-content-type-options", "nosniff")
    reply.header("referrer-policy", "no-referrer")
}

export async function consoleRoutes(app: FastifyInstance) {
    const uplotJs = uplotFile("uPlot.esm.js")
    const uplotCss = uplotFile("uPlot.min.css")

    app.get("/", async (_request, reply) => reply.redirect("/console/", 302))

    app.get("/console/vendor/uPlot.esm.js", async (_request, reply) => {
        secure(reply)
        return reply.type("text/javascript; charset=utf-8").header("cache-control", "public, max-age=86400").send(uplotJs)
    })
    app.get("/console/vendor/uPlot.min.css", async (_request, reply) => {
        secure(reply)
        return reply.type("text/css; charset=utf-8").header("cache-control", "public, max-age=86400").send(uplotCss)
    })

    await app.register(fastifyStatic, {
        root: CONSOLE_DIR, prefix: "/console/", index: "index.html", dotfiles: "deny",
        // a console update must reach every open browser on its next load
        cacheControl: false,
        setHeaders: reply => {
            secure(reply)
            reply.header("cache-control", "no-cache")
        },
    })
}

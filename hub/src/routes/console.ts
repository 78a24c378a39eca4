// The staff console: static ES modules, HTML and CSS from hub/console/, and uPlot from
// node_modules, all served by the hub itself (the console works with no internet: no CDN).
// `/` sends the browser to the console. Its Content-Security-Policy (scripts and data only from
// this hub, no framing) and the other security headers come from http-security.ts.
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import type { FastifyInstance } from "fastify"
import fastifyStatic from "@fastify/static"

export const CONSOLE_DIR = resolve(import.meta.dirname, "../../console")

function uplotFile(name: string): Buffer {
    const pkg = createRequire(import.meta.url).resolve("uplot/package.json")
    return readFileSync(join(dirname(pkg), "dist", name))
}

export async function consoleRoutes(app: FastifyInstance) {
    const uplotJs = uplotFile("uPlot.esm.js")
    const uplotCss = uplotFile("uPlot.min.css")

    app.get("/", async (_request, reply) => reply.redirect("/console/", 302))

    app.get("/console/vendor/uPlot.esm.js", async (_request, reply) =>
        reply.type("text/javascript; charset=utf-8").header("cache-control", "public, max-age=86400").send(uplotJs))
    app.get("/console/vendor/uPlot.min.css", async (_request, reply) =>
        reply.type("text/css; charset=utf-8").header("cache-control", "public, max-age=86400").send(uplotCss))

    await app.register(fastifyStatic, {
        root: CONSOLE_DIR, prefix: "/console/", index: "index.html", dotfiles: "deny",
        // a console update must reach every open browser on its next load
        cacheControl: false,
        setHeaders: reply => reply.header("cache-control", "no-cache"),
    })
}

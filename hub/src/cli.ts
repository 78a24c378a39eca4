// The hub's command line (`npm run hub -- <command>`):
//   serve [--port N] [--host H] [--data DIR] [--pg URL]   (default: 127.0.0.1:8090, ./hub-data)
//   export --data DIR --device ID --out FILE [--format json|csv] [--pg URL]
//   user add --data DIR --name N --role R [--pg URL]       (password from HUB_PASSWORD or stdin)
// HUB_DATABASE_URL selects PostgreSQL when --pg is not given; otherwise SQLite DIR/hub.db.
import { existsSync, mkdirSync, readFileSync, createWriteStream } from "node:fs"
import { Readable } from "node:stream"
import { pipeline } from "node:stream/promises"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { openDb, type HubDb } from "./db/index"
import type { HubContext, HubLog } from "./context"
import { buildHub } from "./app"
import { openExport } from "./export"
import { createUser } from "./users"
import { ROLES, type Role } from "./auth/staff"
import { HubError } from "./errors"

export const DEFAULT_PORT = 8090
export const DEFAULT_DATA_DIR = "./hub-data"

class UsageError extends Error {}

const USAGE = `usage:
  hub serve [--port N] [--host H] [--data DIR] [--pg URL]
  hub export --data DIR --device ID --out FILE [--format json|csv] [--pg URL]
  hub user add --data DIR --name NAME --role ${ROLES.join("|")} [--pg URL]
PostgreSQL: --pg URL or HUB_DATABASE_URL; otherwise SQLite in DIR/hub.db (default ${DEFAULT_DATA_DIR}).`

/** --name value pairs; every option must be in `allowed`, and none may repeat. */
export function parseOptions(args: string[], allowed: string[]): Record<string, string> {
    const out: Record<string, string> = {}
    for (let i = 0; i < args.length; i += 2) {
        const a = args[i]
        if (!a.startsWith("--")) throw new UsageError("unexpected argument '" + a + "'")
        const name = a.slice(2)
        if (!allowed.includes(name)) throw new UsageError("unknown option " + a + " (allowed: " + allowed.map(x => "--" + x).join(" ") + ")")
        if (name in out) throw new UsageError("option " + a + " given twice")
        const v = args[i + 1]
        if (v === undefined || v.startsWith("--")) throw new UsageError("option " + a + " needs a value")
        out[name] = v
    }
    return out
}

function need(o: Record<string, string>, name: string): string {
    const v = o[name]
    if (v === undefined) throw new UsageError("missing --" + name)
    return v
}

async function open(o: Record<string, string>, env: NodeJS.ProcessEnv, createDir: boolean): Promise<HubDb> {
    const pgUrl = o["pg"] ?? env["HUB_DATABASE_URL"]
    if (pgUrl) return openDb({ pgUrl })
    const dir = resolve(o["data"] ?? DEFAULT_DATA_DIR)
    const file = join(dir, "hub.db")
    if (createDir) mkdirSync(dir, { recursive: true })
    else if (!existsSync(file)) throw new UsageError("no hub database at " + file + " (check --data)")
    return openDb({ sqliteFile: file })
}

const consoleLog: HubLog = {
    info: (m, d) => console.log(m, d ? JSON.stringify(d) : ""),
    warn: (m, d) => console.warn(m, d ? JSON.stringify(d) : ""),
    error: (m, d) => console.error(m, d ? JSON.stringify(d) : ""),
}

/** held a 5,000-device burst with no accept-queue overflow (hub/README.md, Throughput) */
const MIN_SOMAXCONN = 4096

/** Linux's cap on any socket's listen backlog, or null where it cannot be read */
function listenBacklogCap(): number | null {
    try {
        const n = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8").trim())
        return Number.isInteger(n) ? n : null
    } catch {
        return null
    }
}

async function serve(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
    const o = parseOptions(args, ["port", "host", "data", "pg"])
    const port = Number(o["port"] ?? DEFAULT_PORT)
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--port must be an integer 0..65535")
    const host = o["host"] ?? "127.0.0.1"
    const db = await open(o, env, true)
    const ctx: HubContext = { db, nowMs: () => Date.now(), log: consoleLog, publicUrl: env["HUB_PUBLIC_URL"], hubName: env["HUB_NAME"] }
    const app = await buildHub(ctx)
    // Node's default backlog (511) overflowed when 1,000 devices connected at once (the sync
    // benchmark saw SYN retries of 1-7 s), and 2048 when 5,000 did (ListenOverflows): ask for
    // the most, the kernel caps it at net.core.somaxconn (4096 on Debian 12)
    const address = await app.listen({ port, host, backlog: 65535 })
    const somaxconn = listenBacklogCap()
    if (somaxconn !== null && somaxconn < MIN_SOMAXCONN)
        console.warn(`hub serve: net.core.somaxconn is ${somaxconn}, so the listen backlog is capped at ${somaxconn}: when more devices than that reconnect at once, the accept queue overflows and each device left out waits 1-3 s (SYN retries). Set net.core.somaxconn and net.ipv4.tcp_max_syn_backlog to at least ${MIN_SOMAXCONN} (sysctl -w, or a file in /etc/sysctl.d/).`)
    console.log("staff console: " + address + "/console/")
    console.log("hub listening on " + address + " (" + (db.dialect === "sqlite" ? "SQLite " + join(resolve(o["data"] ?? DEFAULT_DATA_DIR), "hub.db") : "PostgreSQL") + ")")
    await new Promise<void>(done => {
        const stop = () => done()
        process.once("SIGINT", stop)
        process.once("SIGTERM", stop)
    })
    await app.close()
    await db.close()
    return 0
}

async function exportCmd(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
    const o = parseOptions(args, ["data", "device", "out", "format", "pg"])
    const format = o["format"] ?? "json"
    if (format !== "json" && format !== "csv") throw new UsageError("--format must be json or csv")
    const deviceId = need(o, "device")
    const out = need(o, "out")
    if (!o["pg"] && !env["HUB_DATABASE_URL"]) need(o, "data")
    const db = await open(o, env, false)
    try {
        const e = await openExport({ db, nowMs: () => Date.now() }, deviceId)
        await pipeline(Readable.from(e.chunks(format)), createWriteStream(out))
        console.log("exported " + e.written + " records of " + deviceId + " (head seq " + e.header.head.seq + ") to " + out)
    } finally {
        await db.close()
    }
    return 0
}

function readPassword(env: NodeJS.ProcessEnv): string {
    const fromEnv = env["HUB_PASSWORD"]
    if (fromEnv !== undefined) return fromEnv
    const line = readFileSync(0, "utf8").split(/\r?\n/)[0] ?? ""
    if (line === "") throw new UsageError("no password: set HUB_PASSWORD or pipe it on stdin")
    return line
}

async function userCmd(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
    if (args[0] !== "add") throw new UsageError("unknown user command '" + (args[0] ?? "") + "' (only: user add)")
    const o = parseOptions(args.slice(1), ["data", "name", "role", "pg"])
    const name = need(o, "name")
    const role = need(o, "role")
    if (!(ROLES as readonly string[]).includes(role)) throw new UsageError("--role must be one of " + ROLES.join(", "))
    if (!o["pg"] && !env["HUB_DATABASE_URL"]) need(o, "data")
    const password = readPassword(env)
    const db = await open(o, env, true)
    try {
        const u = await createUser({ db, nowMs: () => Date.now() }, { name, password, role: role as Role })
        console.log("created " + u.role + " " + u.name)
    } finally {
        await db.close()
    }
    return 0
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
    const [cmd, ...rest] = argv
    try {
        if (cmd === undefined || cmd === "serve") return await serve(rest, env)
        if (cmd === "export") return await exportCmd(rest, env)
        if (cmd === "user") return await userCmd(rest, env)
        if (cmd === "--help" || cmd === "help") {
            console.log(USAGE)
            return 0
        }
        throw new UsageError("unknown command '" + cmd + "'")
    } catch (e) {
        if (e instanceof UsageError) {
            console.error("hub: " + e.message + "\n" + USAGE)
            return 2
        }
        if (e instanceof HubError) {
            console.error("hub: " + e.message)
            return 1
        }
        console.error("hub: " + ((e as Error)?.message ?? String(e)))
        return 1
    }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
    main(process.argv.slice(2), process.env).then(code => process.exit(code))
}

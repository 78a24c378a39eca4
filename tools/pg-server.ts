// A throwaway PostgreSQL 15 server for tests and CI (library and CLI):
//   tsx tools/pg-server.ts start --dir DIR [--port N] [--no-fsync]   prints the URL, leaves it running
//   tsx tools/pg-server.ts stop --dir DIR                            stops it and removes DIR
// A fresh data folder, `initdb -A trust`, `pg_ctl start` on 127.0.0.1 with the socket inside the
// data folder, so nothing outside DIR is touched. PostgreSQL refuses to run as root: as root
// every PostgreSQL program runs through `runuser -u postgres --` and DIR is owned by postgres
// (CI runs as root; ../shared/ENVIRONMENT.md). Servers started by the library (not the CLI) are
// stopped and removed on stop(), on process exit, and on SIGINT/SIGTERM (not on SIGKILL).
// Tests: freshDatabase() gives an empty database on HUB_TEST_PG_URL (CI) or, when unset, on one
// server this process starts on first use.
import { execFileSync, spawnSync } from "node:child_process"
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import pg from "pg"

/** where Debian's postgresql-15 puts its programs */
export const DEFAULT_BIN_DIR = "/usr/lib/postgresql/15/bin"
/** written into the data folder after initdb: stop and cleanup remove only folders that carry it */
const MARKER = "pg-server.json"
/** the firmware VM's DeviceScript bus (../shared/ENVIRONMENT.md): never ours */
const RESERVED_PORTS = [8081, 8082, 8083]

export interface PgStartOptions {
    /** the data folder: must not exist or be empty (default: a new folder under the OS temp dir) */
    dir?: string
    /** default: a free port on 127.0.0.1 */
    port?: number
    /** the folder holding initdb and pg_ctl (default: PG_BIN, else DEFAULT_BIN_DIR) */
    binDir?: string
    /** false turns fsync off: faster, for tests that do not measure durability (default true) */
    fsync?: boolean
    /** true: leave it running when this process exits (the CLI); default false */
    detached?: boolean
}

export interface PgServer {
    /** postgres://postgres@127.0.0.1:PORT/postgres */
    url: string
    port: number
    dir: string
    /** how long initdb + start took */
    startMs: number
    /** stops the server and removes its folder; safe to call twice */
    stop(): Promise<void>
}

const live = new Map<string, string>() // data dir -> bin dir, for the exit and signal handlers

function asRoot(): boolean {
    return typeof process.getuid === "function" && process.getuid() === 0
}

/** The folder with initdb and pg_ctl, or an Error that says how to install them. */
export function findPgBin(binDir?: string): string {
    const dir = binDir ?? process.env["PG_BIN"] ?? DEFAULT_BIN_DIR
    for (const p of ["initdb", "pg_ctl", "postgres"])
        if (!existsSync(join(dir, p)))
            throw new Error(`PostgreSQL 15 programs not found (${join(dir, p)} is missing): run \`apt-get install -y postgresql\` (Debian 12), or set PG_BIN to the folder holding initdb and pg_ctl`)
    return dir
}

/** Runs a PostgreSQL program as the postgres user (as root) or as ourselves; throws with its output. */
function pgRun(binDir: string, prog: string, args: string[], what: string) {
    const exe = join(binDir, prog)
    const [cmd, argv] = asRoot() ? ["runuser", ["-u", "postgres", "--", exe, ...args]] : [exe, args]
    // cwd "/": root's working folder may be unreadable for postgres, and pg_ctl reads its cwd
    const r = spawnSync(cmd, argv, { cwd: "/", encoding: "utf8", timeout: 60_000 })
    if (r.error) throw new Error(`${what}: could not run ${cmd}: ${r.error.message}`)
    if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${(r.stderr || r.stdout || "").trim()}`)
}

/** A port that was free on 127.0.0.1 a moment ago (the OS picks it; never 8081-8083). */
export async function freePort(): Promise<number> {
    for (;;) {
        const port = await new Promise<number>((res, rej) => {
            const s = createServer()
            s.once("error", rej)
            s.listen(0, "127.0.0.1", () => {
                const a = s.address()
                const p = typeof a === "object" && a ? a.port : 0
                s.close(() => res(p))
            })
        })
        if (!RESERVED_PORTS.includes(port)) return port
    }
}

function makeDataDir(dir: string | undefined): string {
    let d: string
    if (dir === undefined) {
        // directly under the temp dir (mode 1777), so the postgres user can reach it
        d = mkdtempSync(join(tmpdir(), "pg-server-"))
    } else {
        d = resolve(dir)
        if (existsSync(d) && readdirSync(d).length > 0) throw new Error(`${d} is not empty: give pg-server a new or empty folder`)
        mkdirSync(d, { recursive: true, mode: 0o700 })
    }
    if (asRoot()) {
        const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim())
        const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim())
        chownSync(d, uid, gid)
        const r = spawnSync("runuser", ["-u", "postgres", "--", "test", "-w", d], { cwd: "/" })
        if (r.status !== 0) {
            rmSync(d, { recursive: true, force: true })
            throw new Error(`the postgres user cannot reach ${d}: every folder above it must be searchable by others (chmod o+x), e.g. use a folder under /tmp`)
        }
    }
    return d
}

function logTail(dir: string): string {
    try {
        return readFileSync(join(dir, "log"), "utf8").trim().split("\n").slice(-8).join("\n")
    } catch {
        return "(no server log)"
    }
}

/** Starts a throwaway server; resolves once it accepts connections. */
export async function startPg(opts: PgStartOptions = {}): Promise<PgServer> {
    const binDir = findPgBin(opts.binDir)
    if (opts.port !== undefined && (!Number.isInteger(opts.port) || opts.port < 1024 || opts.port > 65535 || RESERVED_PORTS.includes(opts.port)))
        throw new Error(`port ${opts.port}: give 1024..65535, not 8081-8083 (the DeviceScript bus)`)
    const t0 = performance.now()
    const dir = makeDataDir(opts.dir)
    if (!opts.detached) watch(dir, binDir)
    try {
        // -N: no fsync of the fresh cluster, it is thrown away anyway
        pgRun(binDir, "initdb", ["-D", dir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "-N"], "initdb")
        // a free port may be taken between our probe and the server's bind: try another then
        for (let attempt = 1; ; attempt++) {
            const port = opts.port ?? await freePort()
            const conf = [`-p ${port}`, `-k ${dir}`, "-c listen_addresses=127.0.0.1"]
            if (opts.fsync === false) conf.push("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")
            try {
                pgRun(binDir, "pg_ctl", ["-D", dir, "-o", conf.join(" "), "-l", join(dir, "log"), "-w", "-t", "60", "start"], "pg_ctl start")
            } catch (e) {
                if (opts.port === undefined && attempt < 3) continue
                throw new Error(`${(e as Error).message}\nserver log (${join(dir, "log")}):\n${logTail(dir)}`)
            }
            const url = `postgres://postgres@127.0.0.1:${port}/postgres`
            writeFileSync(join(dir, MARKER), JSON.stringify({ url, port, binDir }) + "\n")
            return { url, port, dir, startMs: Math.round(performance.now() - t0), stop: async () => stopDir(dir, binDir) }
        }
    } catch (e) {
        stopDir(dir, binDir, true)
        throw e
    }
}

/** Stops the server in dir (if running) and removes dir; only folders made by startPg are removed. */
export function stopPg(dir: string) {
    const d = resolve(dir)
    if (!existsSync(d)) return
    const marker = join(d, MARKER)
    if (!existsSync(marker)) throw new Error(`${d} was not made by tools/pg-server.ts (no ${MARKER}): not removing it`)
    const info = JSON.parse(readFileSync(marker, "utf8")) as { binDir?: string }
    stopDir(d, findPgBin(info.binDir))
}

/** force: remove even without the marker (our own folder, failed before initdb finished) */
function stopDir(dir: string, binDir: string, force = false) {
    live.delete(dir)
    if (!existsSync(dir)) return
    if (!force && !existsSync(join(dir, MARKER))) return
    if (existsSync(join(dir, "postmaster.pid"))) {
        try {
            // immediate: the data is about to be deleted, no need for a clean checkpoint
            pgRun(binDir, "pg_ctl", ["-D", dir, "-m", "immediate", "-w", "-t", "30", "stop"], "pg_ctl stop")
        } catch {
            // already stopped (stale pid file): removing the folder is all that is left
        }
    }
    rmSync(dir, { recursive: true, force: true })
}

let handlersInstalled = false

function watch(dir: string, binDir: string) {
    live.set(dir, binDir)
    if (handlersInstalled) return
    handlersInstalled = true
    const cleanup = () => {
        for (const [d, b] of [...live]) stopDir(d, b, true)
    }
    process.on("exit", cleanup)
    for (const sig of ["SIGINT", "SIGTERM"] as const)
        process.on(sig, () => {
            cleanup()
            process.exit(sig === "SIGINT" ? 130 : 143)
        })
}

/** Creates database `name` on the server at url; returns the URL of the new database. */
export async function createDatabase(url: string, name: string): Promise<string> {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`database name ${JSON.stringify(name)}: use 1..63 of a-z, 0-9, _ (not starting with a digit)`)
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    try {
        await c.query(`CREATE DATABASE "${name}"`)
    } finally {
        await c.end()
    }
    const u = new URL(url)
    u.pathname = "/" + name
    return u.toString()
}

let shared: Promise<string> | null = null
let dbCount = 0

/** HUB_TEST_PG_URL when set (CI starts one server for the run), else one throwaway server for
 *  this process, started on first use and removed when it exits. */
export function testServerUrl(): Promise<string> {
    const env = process.env["HUB_TEST_PG_URL"]
    if (env) return Promise.resolve(env)
    shared ??= startPg({ fsync: false }).then(s => s.url)
    return shared
}

/** A new, empty database on the test server for one test or suite (isolation without a server each). */
export async function freshDatabase(prefix = "t"): Promise<string> {
    const name = `${prefix}_${process.pid}_${++dbCount}_${Math.random().toString(36).slice(2, 8)}`
    return createDatabase(await testServerUrl(), name)
}

function usage(msg: string): never {
    console.error(`${msg}\nusage: tsx tools/pg-server.ts start --dir DIR [--port N] [--no-fsync]\n       tsx tools/pg-server.ts stop --dir DIR`)
    process.exit(2)
}

async function main(argv: string[]) {
    const [cmd, ...rest] = argv
    let dir: string | undefined
    let port: number | undefined
    let fsync = true
    for (let i = 0; i < rest.length; i++) {
        const a = rest[i]
        if (a === "--dir" && i + 1 < rest.length) dir = rest[++i]
        else if (a === "--port" && i + 1 < rest.length) port = Number(rest[++i])
        else if (a === "--no-fsync") fsync = false
        else usage(`unknown or incomplete option: ${a}`)
    }
    if (dir === undefined) usage("--dir DIR is required")
    if (cmd === "start") {
        const s = await startPg({ dir, port, fsync, detached: true })
        console.log(s.url)
        console.error(`pg-server: started in ${s.startMs} ms, data in ${s.dir}`)
    } else if (cmd === "stop") {
        if (port !== undefined) usage("stop takes only --dir")
        stopPg(dir)
    } else usage(`unknown command: ${cmd ?? "(none)"}`)
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
    main(process.argv.slice(2)).catch(e => {
        console.error(`pg-server: ${(e as Error).message}`)
        process.exit(1)
    })
}

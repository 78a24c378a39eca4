// tools/pg-server.ts against the real PostgreSQL 15 programs: start, use, isolate, stop, and
// clean up when the owning process exits or is killed. Needs /usr/lib/postgresql/15/bin (or
// PG_BIN); without it the first test fails with the install hint, which is the point.
import { describe, it, expect } from "vitest"
import { spawn, spawnSync } from "node:child_process"
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import pg from "pg"
import { startPg, stopPg, createDatabase, findPgBin, testServerUrl, freshDatabase } from "../../tools/pg-server"

const ROOT = resolve(import.meta.dirname, "../..")
const TSX = join(ROOT, "node_modules/.bin/tsx")
const TOOL = join(ROOT, "tools/pg-server.ts")

async function query(url: string, sql: string, params: unknown[] = []): Promise<any[]> {
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    try {
        return (await c.query(sql, params)).rows
    } finally {
        await c.end()
    }
}

async function refused(url: string): Promise<boolean> {
    try {
        await query(url, "select 1")
        return false
    } catch (e) {
        return /ECONNREFUSED/.test(String((e as Error).message))
    }
}

function scratch(): string {
    return mkdtempSync(join(tmpdir(), "pg-server-test-"))
}

describe("tools/pg-server", () => {
    it("finds the PostgreSQL 15 programs, or says how to install them", () => {
        expect(existsSync(join(findPgBin(), "initdb"))).toBe(true)
        const empty = scratch()
        try {
            expect(() => findPgBin(empty)).toThrow(/apt-get install -y postgresql/)
        } finally {
            rmSync(empty, { recursive: true })
        }
    })

    it("starts a server on 127.0.0.1, serves SQL, isolates databases, and is gone after stop()", async () => {
        const s = await startPg({ fsync: false })
        let stopped = false
        try {
            expect(s.url).toBe(`postgres://postgres@127.0.0.1:${s.port}/postgres`)
            console.log(`pg-server: initdb + start took ${s.startMs} ms`)
            expect(s.startMs).toBeGreaterThan(0)
            // the socket lives in the data folder, nothing outside it is touched
            expect(existsSync(join(s.dir, `.s.PGSQL.${s.port}`))).toBe(true)
            expect((await query(s.url, "show listen_addresses"))[0].listen_addresses).toBe("127.0.0.1")
            expect((await query(s.url, "show server_version_num"))[0].server_version_num).toMatch(/^15\d{4}$/)

            await query(s.url, "create table t (id bigint primary key, note text not null)")
            await query(s.url, "insert into t values ($1, $2), ($3, $4)", [5000000000, "big", 2, "two"])
            const rows = await query(s.url, "select id::text as id, note from t order by id")
            expect(rows).toEqual([{ id: "2", note: "two" }, { id: "5000000000", note: "big" }])

            const other = await createDatabase(s.url, "isolated_1")
            expect(other).toBe(`postgres://postgres@127.0.0.1:${s.port}/isolated_1`)
            const tables = await query(other, "select count(*)::int as n from information_schema.tables where table_name = 't'")
            expect(tables[0].n).toBe(0)
            await expect(createDatabase(s.url, "isolated_1")).rejects.toThrow(/already exists/)
            await expect(createDatabase(s.url, "x; drop")).rejects.toThrow(/database name/)

            await s.stop()
            stopped = true
            expect(existsSync(s.dir)).toBe(false)
            expect(await refused(s.url)).toBe(true)
            await s.stop() // twice is harmless
        } finally {
            if (!stopped) await s.stop()
        }
    })

    it("testServerUrl honours HUB_TEST_PG_URL; freshDatabase gives each caller its own empty database", async () => {
        const s = await startPg({ fsync: false })
        const saved = process.env["HUB_TEST_PG_URL"]
        process.env["HUB_TEST_PG_URL"] = s.url
        try {
            expect(await testServerUrl()).toBe(s.url)
            const a = await freshDatabase("suite")
            const b = await freshDatabase("suite")
            expect(a).not.toBe(b)
            expect(a).toMatch(new RegExp(`^postgres://postgres@127\\.0\\.0\\.1:${s.port}/suite_${process.pid}_\\d+_[a-z0-9]+$`))
            await query(a, "create table only_in_a (x int)")
            const seen = await query(b, "select count(*)::int as n from information_schema.tables where table_name = 'only_in_a'")
            expect(seen[0].n).toBe(0)
        } finally {
            if (saved === undefined) delete process.env["HUB_TEST_PG_URL"]
            else process.env["HUB_TEST_PG_URL"] = saved
            await s.stop()
        }
    })

    it("refuses a folder that is not empty, and will not delete a folder it did not make", async () => {
        const d = scratch()
        try {
            writeFileSync(join(d, "keep.txt"), "mine")
            await expect(startPg({ dir: d })).rejects.toThrow(/not empty/)
            expect(() => stopPg(d)).toThrow(/not made by tools\/pg-server\.ts/)
            expect(readFileSync(join(d, "keep.txt"), "utf8")).toBe("mine")
        } finally {
            rmSync(d, { recursive: true })
        }
    })

    it("refuses the DeviceScript bus ports", async () => {
        await expect(startPg({ port: 8082 })).rejects.toThrow(/8081-8083/)
    })

    it("CLI: start --dir prints the URL and leaves it running; stop --dir stops it and removes the folder", async () => {
        const parent = scratch()
        const dir = join(parent, "data")
        try {
            // as root, the postgres user must be able to reach the folder: refused with a hint first
            if (process.getuid?.() === 0) {
                const r = spawnSync(TSX, [TOOL, "start", "--dir", dir], { encoding: "utf8", timeout: 60_000 })
                expect(r.status).toBe(1)
                expect(r.stderr).toMatch(/the postgres user cannot reach .*chmod o\+x/)
                expect(existsSync(dir)).toBe(false)
            }
            chmodSync(parent, 0o755)
            const start = spawnSync(TSX, [TOOL, "start", "--dir", dir, "--no-fsync"], { encoding: "utf8", timeout: 60_000 })
            expect(start.status).toBe(0)
            const url = start.stdout.trim()
            expect(url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/)
            // still up after the CLI process exited
            expect((await query(url, "select 41 + 1 as n"))[0].n).toBe(42)
            const stop = spawnSync(TSX, [TOOL, "stop", "--dir", dir], { encoding: "utf8", timeout: 60_000 })
            expect(stop.status).toBe(0)
            expect(existsSync(dir)).toBe(false)
            expect(await refused(url)).toBe(true)
        } finally {
            spawnSync(TSX, [TOOL, "stop", "--dir", dir], { timeout: 60_000 })
            rmSync(parent, { recursive: true, force: true })
        }
    })

    it("CLI: a bad command or missing --dir exits 2 with usage", () => {
        const r = spawnSync(TSX, [TOOL, "start"], { encoding: "utf8", timeout: 60_000 })
        expect(r.status).toBe(2)
        expect(r.stderr).toMatch(/--dir DIR is required/)
        expect(r.stderr).toMatch(/usage: tsx tools\/pg-server\.ts start/)
    })

    // a child process that starts a server, prints its URL and data folder, then exits or waits
    async function child(mode: "exit" | "wait"): Promise<{ proc: ReturnType<typeof spawn>; url: string; dir: string; done: Promise<number | null> }> {
        const d = scratch()
        mkdirSync(d, { recursive: true })
        const script = join(d, "child.mts") // .mts: ESM, for the top-level await
        writeFileSync(script, [
            `import { startPg } from ${JSON.stringify(TOOL)}`,
            `const s = await startPg({ fsync: false })`,
            `console.log(JSON.stringify({ url: s.url, dir: s.dir }))`,
            mode === "wait" ? `setInterval(() => {}, 1000)` : `process.exitCode = 0`,
        ].join("\n"))
        const proc = spawn(TSX, [script], { stdio: ["ignore", "pipe", "inherit"] })
        const done = new Promise<number | null>(res => proc.on("exit", code => {
            rmSync(d, { recursive: true, force: true })
            res(code)
        }))
        const line = await new Promise<string>((res, rej) => {
            let buf = ""
            proc.stdout!.on("data", b => {
                buf += String(b)
                if (buf.includes("\n")) res(buf.split("\n")[0])
            })
            proc.on("exit", () => rej(new Error("child exited before printing its URL")))
        })
        const info = JSON.parse(line) as { url: string; dir: string }
        return { proc, done, ...info }
    }

    it("stops and removes the server when its process exits normally", async () => {
        const c = await child("exit")
        expect(await c.done).toBe(0)
        expect(existsSync(c.dir)).toBe(false)
        expect(await refused(c.url)).toBe(true)
    })

    it("stops and removes the server on SIGTERM (exit 143) and SIGINT (exit 130)", async () => {
        for (const [sig, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
            const c = await child("wait")
            expect((await query(c.url, "select 1 as one"))[0].one).toBe(1)
            c.proc.kill(sig)
            expect(await c.done).toBe(code)
            expect(existsSync(c.dir)).toBe(false)
            expect(await refused(c.url)).toBe(true)
        }
    })
})

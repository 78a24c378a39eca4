// `npm start` on bad input or a machine in the way: one line saying what to do, exit non-zero,
// no stack trace, and nothing started or changed (each case fails before the firmware is built).
import { describe, it, expect, afterAll } from "vitest"
import { spawnSync } from "node:child_process"
import { createServer, type Server, type AddressInfo } from "node:net"
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const ROOT = resolve(import.meta.dirname, "../..")
const dir = mkdtempSync(join(tmpdir(), "start-errors-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function start(...args: string[]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", "tools/start.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 })
    const err = r.stderr.trim().split("\n").filter(l => l.trim() !== "")
    return { status: r.status, out: r.stdout, err }
}

function noTrace(err: string[]) {
    expect(err.filter(l => /^\s+at |Error:/.test(l))).toEqual([])
}

describe("npm start's errors", () => {
    it("the hub's port in use: says so and how to pick another", async () => {
        const busy: Server = createServer()
        await new Promise<void>(r => busy.listen(0, "127.0.0.1", () => r()))
        const port = (busy.address() as AddressInfo).port
        try {
            const r = start("--port", String(port), "--data", join(dir, "port"))
            expect(r.status).toBe(1)
            expect(r.err).toEqual([`start: port ${port} on 127.0.0.1 is in use (another npm start or hub?): stop it, or pick another port with --port N`])
            expect(existsSync(join(dir, "port", "clinic.json"))).toBe(false)
        } finally {
            busy.close()
        }
    })

    it("--data naming a file", () => {
        const f = join(dir, "a-file")
        writeFileSync(f, "mine\n")
        const r = start("--data", f)
        expect(r.status).toBe(1)
        expect(r.err).toEqual([`start: --data ${f} is a file, not a folder: give a folder (it is made if missing)`])
        expect(readFileSync(f, "utf8")).toBe("mine\n")
    })

    it("a hub.db that is not a database: kept as it is, and the way out named", () => {
        const d = join(dir, "corrupt")
        mkdirSync(d)
        writeFileSync(join(d, "hub.db"), "this is not SQLite, it is a text file of 64 bytes or so ........\n")
        const r = start("--data", d, "--port", "0")
        expect(r.status).toBe(1)
        expect(r.err).toHaveLength(1)
        expect(r.err[0]).toMatch(new RegExp(`^start: ${join(d, "hub.db").replace(/[/.]/g, "\\$&")} is not a hub database this version can open \\(.+\\); move it away, or start over with --fresh$`))
        noTrace(r.err)
        expect(readFileSync(join(d, "hub.db"), "utf8")).toMatch(/^this is not SQLite/)
    })

    it("a clinic file that does not parse", () => {
        const d = join(dir, "bad-clinic")
        mkdirSync(d)
        writeFileSync(join(d, "clinic.json"), "{ half")
        const r = start("--data", d, "--port", "0")
        expect(r.status).toBe(1)
        expect(r.err).toHaveLength(1)
        expect(r.err[0]).toMatch(/clinic\.json is not readable \(.+\); start over with --fresh$/)
    })

    it("options: unknown, out of range, contradictory", () => {
        for (const [args, msg] of [
            [["--frsh"], "start: unknown option --frsh"],
            [["--devices", "0"], "start: --devices must be 1-6"],
            [["--devices", "two"], "start: --devices must be 1-6"],
            [["--port", "70000"], "start: --port must be 0-65535"],
            [["--once", "--fresh"], "start: --once always starts afresh (in a temporary folder unless --data); --fresh is for the clinic"],
            [["--data"], "start: --data needs a value"],
        ] as const) {
            const r = start(...args)
            expect(r.status, args.join(" ")).toBe(2)
            expect(r.err[0]).toBe(msg)
            expect(r.err[1]).toMatch(/^usage: npm start/)
            noTrace(r.err)
        }
    })
})

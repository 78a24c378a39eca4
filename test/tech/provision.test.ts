// `npm run tech -- provision` against a real hub on SQLite, over HTTP: the new device's
// .env.local (mode 600, the key never printed), and each refusal with what to do next.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createServer, type AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { routeHub, FIXTURE_PASSWORD, DEVICE_ID, type RouteHub } from "../hub/hub-fixture"
import { main } from "../../tools/tech/cli"
import { recordingIo } from "./support"

let h: RouteHub
let hubUrl = ""
let dir = ""
const env = { HUB_PASSWORD: FIXTURE_PASSWORD }

beforeAll(async () => {
    h = await routeHub()
    await h.app.listen({ port: 0, host: "127.0.0.1" })
    hubUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`
    dir = mkdtempSync(join(tmpdir(), "tech-provision-"))
})

afterAll(async () => {
    await h?.close()
    rmSync(dir, { recursive: true, force: true })
})

async function keyOf(deviceId: string): Promise<string> {
    const row = await h.db.db.selectFrom("devices").select("key_hex").where("id", "=", deviceId).executeTakeFirstOrThrow()
    return row.key_hex
}

describe("tech provision", () => {
    it("registers the device and writes its .env.local (mode 600) without printing the key", async () => {
        const out = join(dir, "a.env.local")
        const io = recordingIo({ env })
        expect(await main(["provision", "--hub", hubUrl + "/", "--user", "u-technician", "--device-id", "SFA1-TECH01", "--label", "bench 1", "--out", out], io)).toBe(0)
        const text = readFileSync(out, "utf8")
        const key = await keyOf("SFA1-TECH01")
        expect(text).toContain("DEVICE_ID=SFA1-TECH01\n")
        expect(text).toContain(`DEVICE_KEY=${key}\n`)
        expect(text).toContain("HUB_URL=http://hub.test:8090\n") // the hub's public address
        expect(statSync(out).mode & 0o777).toBe(0o600)
        expect(io.text()).toContain("device SFA1-TECH01 registered")
        expect(io.text()).toContain(`is in ${out} (mode 600; the key is not shown)`)
        expect(io.text()).not.toContain(key)
        expect(io.text()).not.toContain(key.slice(0, 16))
    })

    it("lets the hub choose the id, and reads the password from stdin when HUB_PASSWORD is unset", async () => {
        const out = join(dir, "b.env.local")
        const io = recordingIo({ env: {}, stdin: [FIXTURE_PASSWORD] })
        expect(await main(["provision", "--hub", hubUrl, "--user", "u-technician", "--out", out], io)).toBe(0)
        const id = /^DEVICE_ID=(SFA1-[0-9A-F]{10})$/m.exec(readFileSync(out, "utf8"))?.[1]
        expect(id).toBeTruthy()
        expect(io.text()).toContain(`device ${id} registered`)
    })

    it("refuses to overwrite an existing file unless --force, before the hub creates anything", async () => {
        const out = join(dir, "c.env.local")
        writeFileSync(out, "DEVICE_ID=OLD\n")
        const io = recordingIo({ env })
        expect(await main(["provision", "--hub", hubUrl, "--user", "u-technician", "--device-id", "SFA1-TECH02", "--out", out], io)).toBe(1)
        expect(io.text()).toContain(`${out} already exists`)
        expect(io.text()).toContain("--force")
        expect(readFileSync(out, "utf8")).toBe("DEVICE_ID=OLD\n")
        expect(await h.db.db.selectFrom("devices").select("id").where("id", "=", "SFA1-TECH02").executeTakeFirst()).toBeUndefined()

        const io2 = recordingIo({ env })
        expect(await main(["provision", "--hub", hubUrl, "--user", "u-technician", "--device-id", "SFA1-TECH02", "--out", out, "--force"], io2)).toBe(0)
        expect(readFileSync(out, "utf8")).toContain("DEVICE_ID=SFA1-TECH02\n")
        expect(statSync(out).mode & 0o777).toBe(0o600)
    })

    it("says so when the device already exists (its key is not shown again)", async () => {
        const out = join(dir, "d.env.local")
        const io = recordingIo({ env })
        expect(await main(["provision", "--hub", hubUrl, "--user", "u-technician", "--device-id", DEVICE_ID, "--out", out], io)).toBe(1)
        expect(io.text()).toContain(`the hub already has a device ${DEVICE_ID}`)
        expect(io.text()).toContain("what to do:")
        expect(existsSync(out)).toBe(false)
    })

    it("refuses a bad login and a user who is not a technician", async () => {
        const out = join(dir, "e.env.local")
        const bad = recordingIo({ env: { HUB_PASSWORD: "wrong" } })
        expect(await main(["provision", "--hub", hubUrl, "--user", "u-technician", "--out", out], bad)).toBe(1)
        expect(bad.text()).toContain("the hub refused the login for 'u-technician'")
        expect(bad.text()).toContain("what to do: check the user name and password")
        const op = recordingIo({ env })
        expect(await main(["provision", "--hub", hubUrl, "--user", "u-operator", "--out", out], op)).toBe(1)
        expect(op.text()).toContain("'u-operator' has the operator role at this hub; provisioning a device needs a technician account")
        expect(existsSync(out)).toBe(false)
    })

    it("says the hub is unreachable, and what to check", async () => {
        const s = createServer()
        await new Promise<void>(r => s.listen(0, "127.0.0.1", () => r()))
        const port = (s.address() as AddressInfo).port
        await new Promise(r => s.close(r))
        const io = recordingIo({ env })
        expect(await main(["provision", "--hub", `http://127.0.0.1:${port}`, "--user", "u-technician", "--out", join(dir, "f.env.local")], io)).toBe(1)
        expect(io.text()).toContain(`the hub at http://127.0.0.1:${port} is unreachable (ECONNREFUSED)`)
        expect(io.text()).toContain("npm run hub -- serve")
    })

    it("bad arguments exit 2 with the usage", async () => {
        for (const [args, msg] of [
            [["--user", "u"], "--hub is required"],
            [["--hub", "ftp://x", "--user", "u"], "--hub must be an http:// or https:// URL"],
            [["--hub", hubUrl, "--user", "u", "--device-id", "bad id!"], "--device-id must be 1-32 of A-Z a-z 0-9 -"],
        ] as [string[], string][]) {
            const io = recordingIo({ env })
            expect(await main(["provision", ...args], io)).toBe(2)
            expect(io.text()).toContain(msg)
            expect(io.text()).toContain("usage: npm run tech -- provision")
        }
        const nopw = recordingIo({ env: {}, stdin: [] })
        expect(await main(["provision", "--hub", hubUrl, "--user", "u-technician", "--out", join(dir, "g.env.local")], nopw)).toBe(2)
        expect(nopw.text()).toContain("no password: set HUB_PASSWORD")
    })
})

// Issue 13, "Lifecycle that does not exist yet": user disable, password change and reset, log out
// everywhere, device decommissioning, device and transport key rotation, and the append-only
// staff action log that records each, on SQLite and PostgreSQL.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { sql } from "kysely"
import type { Role } from "../../hub/src/auth/staff"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createUser } from "../../hub/src/users"
import { runAudit } from "../../hub/src/audit"
import { DeviceClient, cycleDraft } from "../../hub/src/device-client"
import { RecordQueue } from "../../src/core/records/queue"
import { MemoryKv } from "../../src/core/store/kv"
import { ackMac } from "../../src/core/sync/signing"
import { nodeCrypto } from "../../src/node/crypto-node"
import { routeHub, FIXTURE_PASSWORD, DEVICE_ID, type RouteHub } from "./hub-fixture"
import { sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, signed, chain, type Backend } from "./support"

const PW = "plum orbit lantern 47"
const PW2 = "teal kettle meadow 19"

function lifecycle(backend: Backend) {
    let h: RouteHub
    let address = 0
    beforeAll(async () => {
        h = await routeHub(backend)
    })
    afterAll(async () => {
        await h.close()
    })

    // each login from its own address: the per-address login limit is not under test here
    const login = (name: string, password: string) =>
        h.app.inject({ method: "POST", url: "/api/auth/login", payload: { name, password, bearer: true }, remoteAddress: "10.0.0." + (++address % 250) })
    async function tokenOf(name: string, password: string): Promise<string> {
        const r = await login(name, password)
        expect(r.statusCode, r.body).toBe(200)
        return r.json().token
    }
    const as = (token: string, method: "GET" | "POST", url: string, payload?: unknown) =>
        h.app.inject({ method, url, headers: { authorization: "Bearer " + token }, payload: payload as any })
    const me = async (token: string) => (await as(token, "GET", "/api/auth/me")).statusCode
    const log = async (q = "") => (await h.staff("auditor", "GET", "/api/staff-actions" + q)).json().actions as any[]
    async function user(name: string, role: Role = "operator") {
        await createUser(h.ctx, { name, password: PW, role })
        return name
    }
    function devReq(dev: { deviceId: string; keyHex: string }, method: "GET" | "POST", path: string, body?: unknown) {
        const raw = body === undefined ? "" : JSON.stringify(body)
        const url = "/api/device/v1/" + path
        return h.app.inject({ method, url, headers: signed(dev, h.clock, method, url, raw), payload: raw.length === 0 ? undefined : raw })
    }
    async function provision(deviceId: string) {
        const r = await h.staff("technician", "POST", "/api/devices", { deviceId })
        expect(r.statusCode).toBe(201)
        return r.json() as { deviceId: string; keyHex: string; transportKeyHex: string; envLocal: string }
    }

    describe("who may", () => {
        const ALL: (Role | null)[] = ["operator", "technician", "reviewer", "auditor", "designer", "admin", null]
        const MATRIX: [string, string, unknown, Role[], number][] = [
            ["GET", "/api/users", undefined, ["admin"], 200],
            ["POST", "/api/users/nobody-here/disable", undefined, ["admin"], 404],
            ["POST", "/api/users/nobody-here/enable", undefined, ["admin"], 404],
            ["POST", "/api/users/nobody-here/logout-everywhere", undefined, ["admin"], 404],
            ["POST", "/api/users/nobody-here/password", { newPassword: PW }, ["admin"], 404],
            ["POST", "/api/devices/SFA1-NOSUCH/rotate-key", { key: "transport" }, ["technician", "admin"], 404],
            ["POST", "/api/devices/SFA1-NOSUCH/decommission", { reason: "x" }, ["technician", "admin"], 404],
            ["GET", "/api/staff-actions", undefined, ["auditor"], 200],
        ]
        for (const [method, url, body, allowed, ok] of MATRIX) {
            it(method + " " + url, async () => {
                const got: [string, number][] = []
                const want: [string, number][] = []
                for (const who of ALL) {
                    got.push([String(who), (await h.staff(who, method as "GET" | "POST", url, body)).statusCode])
                    want.push([String(who), who === null ? 401 : allowed.includes(who) ? ok : 403])
                }
                expect(got).toEqual(want)
            })
        }
    })

    describe("users", () => {
        it("an administrator lists users with their state and open sessions, never a password hash", async () => {
            const r = await h.staff("admin", "GET", "/api/users")
            expect(r.statusCode).toBe(200)
            const ops = r.json().users.find((u: any) => u.name === "u-operator")
            expect(ops).toEqual({ name: "u-operator", role: "operator", createdAtMs: h.clock.ms, disabledAtMs: null, sessions: 1 })
            expect(r.body).not.toContain("scrypt")
        })

        it("a disabled user's sessions end at once and it cannot log in; enabled again, it can", async () => {
            const name = await user("dis-1")
            const [t1, t2] = [await tokenOf(name, PW), await tokenOf(name, PW)]
            const r = await h.staff("admin", "POST", "/api/users/" + name + "/disable")
            expect([r.statusCode, r.json()]).toEqual([200, { sessionsEnded: 2 }])
            expect([await me(t1), await me(t2)]).toEqual([401, 401])
            const refused = await login(name, PW)
            expect([refused.statusCode, refused.json().error.code]).toEqual([401, "account_disabled"])
            // a wrong password still says only that the login is wrong
            expect((await login(name, PW + "x")).json().error.code).toBe("bad_login")
            expect((await h.staff("admin", "POST", "/api/users/" + name + "/disable")).statusCode).toBe(409)
            const listed = (await h.staff("admin", "GET", "/api/users")).json().users.find((u: any) => u.name === name)
            expect(listed.disabledAtMs).toBe(h.clock.ms)
            h.clock.advanceS(1) // entries of one millisecond have no order among them
            expect((await h.staff("admin", "POST", "/api/users/" + name + "/enable")).statusCode).toBe(200)
            expect(await me(await tokenOf(name, PW))).toBe(200)
            const entries = (await log("?target=" + name)).map(e => [e.action, e.actor, e.actorRole, e.targetKind, e.target])
            expect(entries).toEqual([
                ["user_enable", "u-admin", "admin", "user", name],
                ["user_disable", "u-admin", "admin", "user", name],
            ])
        })

        it("a session of a disabled account is refused even if one is left in the table", async () => {
            const name = await user("dis-2")
            const t = await tokenOf(name, PW)
            await h.db.db.updateTable("users").set({ disabled_at_ms: h.clock.ms }).where("name", "=", name).execute()
            expect(await me(t)).toBe(401)
        })

        it("an administrator cannot disable their own account", async () => {
            const r = await h.staff("admin", "POST", "/api/users/u-admin/disable")
            expect([r.statusCode, r.json().error.code]).toEqual([409, "own_account"])
        })

        it("a user changes their password with the current one; the policy applies; their other sessions end", async () => {
            const name = await user("chg-1")
            const [mine, other] = [await tokenOf(name, PW), await tokenOf(name, PW)]
            const wrong = await as(mine, "POST", "/api/auth/password", { currentPassword: "not-the-password-1", newPassword: PW2 })
            expect([wrong.statusCode, wrong.json().error.code]).toEqual([401, "bad_password_current"])
            const weak = await as(mine, "POST", "/api/auth/password", { currentPassword: PW, newPassword: "password" })
            expect([weak.statusCode, weak.json().error.code]).toEqual([400, "bad_password"])
            const named = await as(mine, "POST", "/api/auth/password", { currentPassword: PW, newPassword: "chg-1 is my new pass" })
            expect(named.json().error.message).toContain("name")
            expect([await me(mine), await me(other)]).toEqual([200, 200])
            const ok = await as(mine, "POST", "/api/auth/password", { currentPassword: PW, newPassword: PW2 })
            expect([ok.statusCode, ok.json()]).toEqual([200, { sessionsEnded: 1 }])
            expect([await me(mine), await me(other)]).toEqual([200, 401])
            expect((await login(name, PW)).statusCode).toBe(401)
            expect((await login(name, PW2)).statusCode).toBe(200)
            const e = (await log("?target=" + name))[0]
            expect([e.action, e.actor, e.target]).toEqual(["password_change", name, name])
            expect(JSON.stringify(await log())).not.toContain(PW2)
        })

        it("wrong current passwords count against the name's login limit", async () => {
            const name = await user("chg-2")
            const t = await tokenOf(name, PW)
            const codes: number[] = []
            for (let i = 0; i < 11; i++) codes.push((await as(t, "POST", "/api/auth/password", { currentPassword: "guess-number-" + i, newPassword: PW2 })).statusCode)
            expect(codes.slice(0, 10)).toEqual(Array(10).fill(401))
            expect(codes[10]).toBe(429)
            // the same count as logins: the right password is refused too now
            expect((await login(name, PW)).statusCode).toBe(429)
        })

        it("an administrator resets a password (policy applies); every session of the user ends", async () => {
            const name = await user("rst-1")
            const t = await tokenOf(name, PW)
            const weak = await h.staff("admin", "POST", "/api/users/" + name + "/password", { newPassword: "12345678" })
            expect([weak.statusCode, weak.json().error.code]).toEqual([400, "bad_password"])
            expect(await me(t)).toBe(200)
            const r = await h.staff("admin", "POST", "/api/users/" + name + "/password", { newPassword: PW2 })
            expect([r.statusCode, r.json()]).toEqual([200, { sessionsEnded: 1 }])
            expect(await me(t)).toBe(401)
            expect((await login(name, PW)).statusCode).toBe(401)
            expect((await login(name, PW2)).statusCode).toBe(200)
            const e = (await log("?target=" + name))[0]
            expect([e.action, e.actor, e.detail]).toEqual(["password_reset", "u-admin", "1 session(s) ended"])
        })

        it("log out everywhere ends every session of that user only (their own request, or an administrator's)", async () => {
            const name = await user("lo-1")
            const [a, b] = [await tokenOf(name, PW), await tokenOf(name, PW)]
            const r = await as(a, "POST", "/api/auth/logout-everywhere")
            expect([r.statusCode, r.json()]).toEqual([200, { sessionsEnded: 2 }])
            expect(r.headers["set-cookie"]).toContain("Max-Age=0")
            expect([await me(a), await me(b)]).toEqual([401, 401])
            expect((await h.staff("operator", "GET", "/api/auth/me")).statusCode).toBe(200)
            const c = await tokenOf(name, PW)
            h.clock.advanceS(1)
            expect((await h.staff("admin", "POST", "/api/users/" + name + "/logout-everywhere")).json()).toEqual({ sessionsEnded: 1 })
            expect(await me(c)).toBe(401)
            expect((await log("?target=" + name)).map(e => [e.action, e.actor])).toEqual([["logout_everywhere", "u-admin"], ["logout_everywhere", name]])
        })
    })

    describe("transport key", () => {
        it("provisioning issues a device key and a transport key; .env.local gains LINK_KEY", async () => {
            const d = await provision("SFA1-TK0001")
            expect(d.transportKeyHex).toMatch(/^[0-9a-f]{64}$/)
            expect(d.transportKeyHex).not.toBe(d.keyHex)
            const lines = d.envLocal.split("\n").filter(l => !l.startsWith("#") && l)
            expect(lines).toEqual(["DEVICE_ID=SFA1-TK0001", "DEVICE_KEY=" + d.keyHex, "LINK_KEY=" + d.transportKeyHex, "HUB_URL=http://hub.test:8090"])
            for (const role of ["operator", "technician", "auditor"] as Role[])
                expect((await h.staff(role, "GET", "/api/devices/SFA1-TK0001")).body).not.toContain(d.transportKeyHex)
            expect((await h.staff("technician", "GET", "/api/devices/SFA1-TK0001")).json()).toMatchObject({ keyGeneration: 1, hasTransportKey: true, decommissionedAtMs: null })
        })

        it("requests verify under the transport key, or (transitional, one-node firmware) the device key; nothing else", async () => {
            const d = await provision("SFA1-TK0002")
            const status = { state: "idle", phase: 0, pending: 0, latchedFault: 0, head: { seq: 0, hash: "0".repeat(64) } }
            expect((await devReq({ deviceId: d.deviceId, keyHex: d.transportKeyHex }, "POST", "status", status)).statusCode).toBe(204)
            expect((await devReq({ deviceId: d.deviceId, keyHex: d.keyHex }, "POST", "status", status)).statusCode).toBe(204)
            const other = await devReq({ deviceId: d.deviceId, keyHex: "ab".repeat(32) }, "POST", "status", status)
            expect([other.statusCode, other.json().error.code]).toEqual([401, "bad_signature"])
        })

        it("a rotated transport key: the old one is refused for new requests, the new one works, the device key is untouched", async () => {
            const d = await provision("SFA1-TK0003")
            const r = await h.staff("technician", "POST", "/api/devices/SFA1-TK0003/rotate-key", { key: "transport" })
            expect(r.statusCode).toBe(200)
            expect(r.headers["cache-control"]).toBe("no-store")
            const n = r.json()
            expect(n).toMatchObject({ deviceId: "SFA1-TK0003", key: "transport", keyGeneration: 1 })
            expect(n.envLocal).toContain("LINK_KEY=" + n.keyHex + "\n")
            expect(n.envLocal).not.toContain("DEVICE_KEY=")
            const old = await devReq({ deviceId: d.deviceId, keyHex: d.transportKeyHex }, "GET", "bundle")
            expect([old.statusCode, old.json().error.code]).toEqual([401, "bad_signature"])
            expect((await devReq({ deviceId: d.deviceId, keyHex: n.keyHex }, "GET", "bundle")).statusCode).toBe(404) // authenticated; no template approved
            expect((await devReq({ deviceId: d.deviceId, keyHex: d.keyHex }, "GET", "bundle")).statusCode).toBe(404)
            const e = (await log("?target=SFA1-TK0003"))[0]
            expect([e.action, e.actor, e.targetKind]).toEqual(["transport_key_rotate", "u-technician", "device"])
            expect(JSON.stringify(await log())).not.toContain(n.keyHex)
        })
    })

    describe("the Node device client with two keys", () => {
        it("signs with the transport key, takes the hub's MACs under the device key; after a transport rotation only the new link key gets through", async () => {
            const d = await provision("SFA1-TK0004")
            const url = await h.app.listen({ port: 0, host: "127.0.0.1" })
            const queue = await RecordQueue.open(new MemoryKv(), nodeCrypto, 64, d.deviceId, d.keyHex)
            const client = (linkKeyHex: string) => new DeviceClient({ hubUrl: url, deviceId: d.deviceId, keyHex: d.keyHex, linkKeyHex, queue, random: () => 0 })
            const first = client(d.transportKeyHex)
            for (let k = 1; k <= 3; k++) await first.append(cycleDraft(k, 1_750_000_000))
            await first.round()
            expect([first.stats.stored, queue.next - queue.head]).toEqual([3, 0])
            const n = (await h.staff("technician", "POST", "/api/devices/SFA1-TK0004/rotate-key", { key: "transport" })).json()
            await first.append(cycleDraft(4, 1_750_000_000))
            const refused = await first.round()
            expect(refused.ok).toBe(false)
            expect(queue.next - queue.head).toBe(1) // nothing released without the hub's ack
            const second = client(n.keyHex)
            await second.round()
            expect([second.stats.stored, queue.next - queue.head]).toEqual([1, 0])
        })
    })

    describe("device key rotation", () => {
        it("records the device sealed under its old key still come in and verify; after the first record under the new key, the old key seals nothing", async () => {
            const d = await provision("SFA1-RK0001")
            const oldDev = { deviceId: d.deviceId, keyHex: d.keyHex }
            const old = chain(d.deviceId, d.keyHex, 1, 6)
            expect((await devReq(oldDev, "POST", "records", { records: old.slice(0, 2).map(x => x.hex) })).json().expectedSeq).toBe(3)
            const r = await h.staff("admin", "POST", "/api/devices/SFA1-RK0001/rotate-key", { key: "device" })
            expect(r.statusCode).toBe(200)
            const n = r.json()
            expect(n).toMatchObject({ key: "device", keyGeneration: 2 })
            expect(n.envLocal).toContain("DEVICE_KEY=" + n.keyHex + "\n")
            expect(n.envLocal).not.toContain("LINK_KEY=")
            // the old device key signs no more requests
            const refused = await devReq(oldDev, "GET", "bundle")
            expect([refused.statusCode, refused.json().error.code]).toEqual([401, "bad_signature"])
            const link = { deviceId: d.deviceId, keyHex: d.transportKeyHex }
            // records 3-4, sealed under the old key before the rotation and still queued: stored
            const a = await devReq(link, "POST", "records", { records: old.slice(2, 4).map(x => x.hex) })
            expect(a.json().results).toEqual([{ seq: 3, status: "stored" }, { seq: 4, status: "stored" }])
            // the hub's MACs to the device are under its new key
            const ack = a.json().ack
            expect(ack.mac).toBe(ackMac(nodeCrypto, n.keyHex, d.deviceId, 4, old[3].hash))
            // record 5 under the new key, then old-key record 6 (chained onto 5) is refused
            const five = chain(d.deviceId, n.keyHex, 5, 5, old[3].hash)
            const six = chain(d.deviceId, d.keyHex, 6, 6, five[0].hash)
            const b = await devReq(link, "POST", "records", { records: [five[0].hex, six[0].hex] })
            expect(b.json().results).toEqual([{ seq: 5, status: "stored" }, { seq: 6, status: "rejected", reason: "bad_mac" }])
            const sixNew = chain(d.deviceId, n.keyHex, 6, 6, five[0].hash)
            expect((await devReq(link, "POST", "records", { records: [sixNew[0].hex] })).json().results).toEqual([{ seq: 6, status: "stored" }])
            // an old-key record at a seq before the first new-key record is still one it sealed
            const c = await h.staff("auditor", "GET", "/api/devices/SFA1-RK0001/chain?full=1")
            expect(c.json()).toMatchObject({ ok: true, records: 6, findingsTotal: 0 })
            const e = (await log("?target=SFA1-RK0001"))[0]
            expect([e.action, e.actor, e.detail]).toEqual(["device_key_rotate", "u-admin", "generation 1 -> 2"])

            // the independent audit of the export: the new key alone finds records 1-4 not its own;
            // with the retired key's .env.local (--retired-key-file) every record holds
            const ex = await h.staff("auditor", "GET", "/api/devices/SFA1-RK0001/records/export?format=json")
            const dir = mkdtempSync(join(tmpdir(), "lifecycle-audit-"))
            try {
                writeFileSync(join(dir, "export.json"), ex.body)
                writeFileSync(join(dir, "old.env.local"), d.envLocal)
                writeFileSync(join(dir, "new.env.local"), n.envLocal)
                const audit = (...args: string[]) => {
                    const out: string[] = []
                    const code = runAudit([join(dir, "export.json"), "--key-file", join(dir, "new.env.local"), ...args], s => out.push(s), s => out.push(s))
                    return { code, out: out.join("\n") }
                }
                const alone = audit()
                expect(alone.code).toBe(1)
                expect(alone.out.match(/^  seq [1-4] .*: bad_mac:/gm)).toHaveLength(4)
                expect(alone.out).toContain("findings (4):")
                const both = audit("--retired-key-file", join(dir, "old.env.local"))
                expect(both.out).toContain("OK: all 6 records hold")
                expect(both.out).toContain("or one of the 1 retired key(s) given")
                expect(both.code).toBe(0)
                // a record edited and re-sealed under neither key still fails
                expect(audit("--retired-key", "cd".repeat(32)).code).toBe(1)
            } finally {
                rmSync(dir, { recursive: true, force: true })
            }
        })

        it("within one batch, a record under an older key after one under a newer key is refused", async () => {
            const d = await provision("SFA1-RK0002")
            const n = (await h.staff("technician", "POST", "/api/devices/SFA1-RK0002/rotate-key", { key: "device" })).json()
            const one = chain(d.deviceId, n.keyHex, 1, 1)
            const two = chain(d.deviceId, d.keyHex, 2, 2, one[0].hash)
            const r = await devReq({ deviceId: d.deviceId, keyHex: n.keyHex }, "POST", "records", { records: [one[0].hex, two[0].hex] })
            expect(r.json().results).toEqual([{ seq: 1, status: "stored" }, { seq: 2, status: "rejected", reason: "bad_mac" }])
        })

        it("chain verification finds a record under a retired key past its last seq", async () => {
            const d = await provision("SFA1-RK0003")
            const n = (await h.staff("technician", "POST", "/api/devices/SFA1-RK0003/rotate-key", { key: "device" })).json()
            const link = { deviceId: d.deviceId, keyHex: d.transportKeyHex }
            const one = chain(d.deviceId, d.keyHex, 1, 1)
            const two = chain(d.deviceId, n.keyHex, 2, 2, one[0].hash)
            expect((await devReq(link, "POST", "records", { records: [one[0].hex, two[0].hex] })).json().expectedSeq).toBe(3)
            expect((await h.staff("auditor", "GET", "/api/devices/SFA1-RK0003/chain")).json()).toMatchObject({ ok: true, records: 2 })
            // someone with database access slips in an old-key record 3
            const three = chain(d.deviceId, d.keyHex, 3, 3, two[0].hash)[0]
            await h.db.db.insertInto("records").values({
                device_id: d.deviceId, seq: 3, hash: three.hash, prev_hash: two[0].hash, kind: 1, wall_unix_s: 0, outcome: 1,
                template_hash: "0".repeat(64), operator_id: "x", sealed_hex: three.hex, received_at_ms: h.clock.ms,
            }).execute()
            const c = (await h.staff("auditor", "GET", "/api/devices/SFA1-RK0003/chain")).json()
            expect(c.ok).toBe(false)
            expect(c.findings.map((f: any) => [f.code, f.seq])).toEqual([["bad_mac", 3]])
        })
    })

    describe("decommissioning", () => {
        it("a decommissioned device's requests are refused; its records stay, readable and verifiable", async () => {
            const d = await provision("SFA1-DC0001")
            const link = { deviceId: d.deviceId, keyHex: d.transportKeyHex }
            const recs = chain(d.deviceId, d.keyHex, 1, 3)
            expect((await devReq(link, "POST", "records", { records: recs.map(x => x.hex) })).json().expectedSeq).toBe(4)
            const bad = await h.staff("technician", "POST", "/api/devices/SFA1-DC0001/decommission", {})
            expect(bad.statusCode).toBe(400)
            const r = await h.staff("technician", "POST", "/api/devices/SFA1-DC0001/decommission", { reason: "cracked housing" })
            expect([r.statusCode, r.json()]).toEqual([200, { deviceId: d.deviceId, decommissionedAtMs: h.clock.ms }])
            for (const key of [d.transportKeyHex, d.keyHex]) {
                const t = await devReq({ deviceId: d.deviceId, keyHex: key }, "GET", "time?nonce=" + "a".repeat(16))
                expect([t.statusCode, t.json().error.code]).toEqual([401, "decommissioned"])
            }
            const more = chain(d.deviceId, d.keyHex, 4, 4, recs[2].hash)
            expect((await devReq(link, "POST", "records", { records: more.map(x => x.hex) })).statusCode).toBe(401)
            expect((await h.staff("auditor", "GET", "/api/devices/SFA1-DC0001")).json()).toMatchObject({ decommissionedAtMs: h.clock.ms, head: { seq: 3 } })
            expect((await h.staff("auditor", "GET", "/api/devices/SFA1-DC0001/chain?full=1")).json()).toMatchObject({ ok: true, records: 3 })
            const ex = await h.staff("auditor", "GET", "/api/devices/SFA1-DC0001/records/export?format=json")
            expect(ex.json().records).toHaveLength(3)
            // nothing more can be done to it, and its id is not given out again
            expect((await h.staff("technician", "POST", "/api/devices/SFA1-DC0001/rotate-key", { key: "device" })).json().error.code).toBe("decommissioned")
            expect((await h.staff("admin", "POST", "/api/devices/SFA1-DC0001/decommission", { reason: "again" })).statusCode).toBe(409)
            expect((await h.staff("technician", "POST", "/api/devices", { deviceId: "SFA1-DC0001" })).statusCode).toBe(409)
            const e = (await log("?target=SFA1-DC0001"))[0]
            expect([e.action, e.actor, e.detail]).toEqual(["device_decommission", "u-technician", "cracked housing"])
        })
    })

    describe("the staff action log", () => {
        it("is newest first, paged, and holds who, when, what and the target", async () => {
            const all = await h.staff("auditor", "GET", "/api/staff-actions?limit=2&offset=1")
            const body = all.json()
            expect(body.total).toBeGreaterThan(3)
            expect(body.actions).toHaveLength(2)
            expect(Object.keys(body.actions[0]).sort()).toEqual(["action", "actor", "actorRole", "atMs", "detail", "id", "target", "targetKind"])
            const full = await log("?limit=500")
            expect(full.map(e => e.atMs)).toEqual([...full.map(e => e.atMs)].sort((a, b) => b - a))
        })

        it("cannot be edited or deleted, even with direct database access", async () => {
            const before = await log("?limit=500")
            expect(before.length).toBeGreaterThan(0)
            await expect(h.db.db.updateTable("staff_actions").set({ actor: "someone-else" }).execute()).rejects.toThrow(/append-only/)
            await expect(h.db.db.deleteFrom("staff_actions").execute()).rejects.toThrow(/append-only/)
            if (backend.name === "postgres") await expect(sql`TRUNCATE staff_actions`.execute(h.db.db)).rejects.toThrow(/append-only/)
            expect(await log("?limit=500")).toEqual(before)
        })

        it("offers no route that changes it", async () => {
            const routes = h.app.hubRoutes.filter(r => r.url.startsWith("/api/staff-actions"))
            expect(routes.map(r => r.method).filter(m => m !== "HEAD")).toEqual(["GET"])
        })
    })

    it("the fixture device (provisioned before rotation existed in these tests) still works", async () => {
        expect((await h.dev("GET", "bundle")).statusCode).toBe(404)
        expect(DEVICE_ID).toBe(h.device.deviceId)
        expect(FIXTURE_PASSWORD).toBeTruthy()
    })
}

describe("lifecycle on SQLite", () => lifecycle(sqliteBackend))
describe.skipIf(!PG_URL)("lifecycle on PostgreSQL" + (PG_URL ? "" : " — " + PG_SKIP_REASON), () => lifecycle(pgBackend))

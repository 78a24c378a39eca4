// The hub's auth rules at their edges (hub/src/auth/, issue 14's mutation testing): the device
// request check (hub/README.md "Device protocol": header forms, 300 s staleness, the transport
// key first and the device key while the firmware is one node, the replay ledger and its 660 s
// keep), the scrypt gate, the password rule (password-policy.ts's header: 12-256 code points, no
// control characters, 5 different characters, letters, no run, not the user's name, not common
// words under the usual letter swaps), staff sessions and the login limits. Each test calls the
// module directly on a fresh SQLite file: no HTTP server except Fastify's in-process inject.
import { describe, it, expect, beforeEach, afterEach } from "vitest"
import { createHmac, scryptSync } from "node:crypto"
import Fastify, { type FastifyRequest } from "fastify"
import {
    authenticateDevice, precheckDevice, pruneNonces, signDeviceRequest, signingString, deviceSignature,
    type AuthInput,
} from "../../hub/src/auth/device-hmac"
import { Gate } from "../../hub/src/auth/gate"
import { passwordProblem } from "../../hub/src/auth/password-policy"
import {
    hashPassword, verifyPassword, login, logout, onSessionEnd, sessionsEnded, requestToken, staffForToken,
    requireRole, staffOf, tokenHash, SESSION_TTL_MS,
} from "../../hub/src/auth/staff"
import { gated, scryptGateOf, loginLimiter, DEFAULT_LOGIN_LIMITS } from "../../hub/src/auth/login-limits"
import { HubError } from "../../hub/src/errors"
import { provisionDevice } from "../../hub/src/devices"
import type { HubContext } from "../../hub/src/context"
import type { HubDb } from "../../hub/src/db/index"
import { sqliteBackend, TestClock, ctxOf } from "./support"

const DEVICE_ID = "SFA1-000042"
const OTHER_KEY = "ff".repeat(32)
const URL = "/api/device/v1/records"

let store: Awaited<ReturnType<typeof sqliteBackend.create>>
let db: HubDb
let clock: TestClock
let ctx: HubContext
let dev: { keyHex: string; transportKeyHex: string }
let nonceN = 0

/** a fresh SQLite hub with one provisioned device, for each test of the describe that calls it */
function onSqlite() {
    beforeEach(async () => {
        store = await sqliteBackend.create()
        db = await store.open()
        clock = new TestClock()
        ctx = ctxOf(db, clock)
        const p = await provisionDevice(ctx, { deviceId: DEVICE_ID, createdBy: "t", hubUrl: "http://hub.test" })
        dev = { keyHex: p.keyHex, transportKeyHex: p.transportKeyHex }
    })
    afterEach(async () => {
        await db.close()
        await store.drop()
    })
}

const nowS = () => Math.floor(clock.ms / 1000)
const nextNonce = () => (nonceN++).toString(16).padStart(32, "0")

/** A POST records request signed with `keyHex` (the transport key unless told), at the clock's time. */
function request(o: { keyHex?: string; deviceId?: string; timestampS?: number; nonce?: string; method?: string; clockless?: boolean } = {}): AuthInput {
    const body = Buffer.from('{"records":[]}')
    const method = o.method ?? "POST"
    const headers = signDeviceRequest({
        deviceId: o.deviceId ?? DEVICE_ID, keyHex: o.keyHex ?? dev.transportKeyHex, method, path: URL, body,
        timestampS: o.timestampS ?? nowS(), nonce: o.nonce ?? nextNonce(),
    })
    return { method, url: URL, headers, body, clockless: o.clockless ?? false }
}

async function refusal(p: Promise<unknown>): Promise<[number, string, string]> {
    const e = await p.then(() => null, x => x)
    expect(e).toBeInstanceOf(HubError)
    return [e.statusCode, e.code, e.message]
}

const nonceRows = () => db.db.selectFrom("device_nonces").select(["nonce", "seen_at_ms"]).orderBy("seen_at_ms").execute()

describe("device request check: headers", () => {
    onSqlite()

    it("each header is required once: absent or repeated is 401 missing_header naming it", async () => {
        for (const name of ["x-device-id", "x-timestamp", "x-nonce", "x-signature"]) {
            for (const bad of [undefined, ["a", "b"]]) {
                const a = request()
                a.headers = { ...a.headers, [name]: bad }
                expect([name, ...await refusal(authenticateDevice(ctx, a))]).toEqual([name, 401, "missing_header", "header " + name + " is missing or repeated"])
            }
        }
    })

    // the forms of hub/README.md: device id 1-32 printable ASCII, timestamp decimal unix seconds
    // (no sign, no leading zero, at most 12 digits), nonce 16-64 lowercase hex, signature 64 lowercase hex
    const hex = (n: number) => "0123456789abcdef".repeat(5).slice(0, n)
    const FORMS: [string, string, string][] = [
        ["x-device-id", "", "bad_header"],
        ["x-device-id", "S".repeat(33), "bad_header"],
        ["x-device-id", "SFA1\x1f0042", "bad_header"],
        ["x-device-id", "SFA1\x7f0042", "bad_header"],
        ["x-device-id", "S".repeat(32), "unknown_device"],
        ["x-device-id", " ~", "unknown_device"],
        ["x-timestamp", "", "bad_header"],
        ["x-timestamp", "01750000000", "bad_header"],
        ["x-timestamp", "-1750000000", "bad_header"],
        ["x-timestamp", "1750000000.5", "bad_header"],
        ["x-timestamp", "x1750000000", "bad_header"],
        ["x-timestamp", "1750000000x", "bad_header"],
        ["x-timestamp", "1000000000000", "bad_header"],
        ["x-timestamp", "100000000000", "stale_timestamp"],
        ["x-nonce", hex(15), "bad_header"],
        ["x-nonce", hex(65), "bad_header"],
        ["x-nonce", "g" + hex(16), "bad_header"],
        ["x-nonce", hex(16) + "g", "bad_header"],
        ["x-nonce", hex(16).toUpperCase(), "bad_header"],
        ["x-signature", hex(63), "bad_header"],
        ["x-signature", hex(65), "bad_header"],
        ["x-signature", "g" + hex(64), "bad_header"],
        ["x-signature", hex(64) + "g", "bad_header"],
        ["x-signature", "ABCDEF" + hex(58), "bad_header"],
    ]
    for (const [name, value, code] of FORMS) {
        it(name + " " + JSON.stringify(value.length > 20 ? value.slice(0, 6) + "…(" + value.length + ")" : value) + ": " + code, async () => {
            const a = request()
            a.headers = { ...a.headers, [name]: value }
            const [status, got, message] = await refusal(authenticateDevice(ctx, a))
            expect([status, got]).toEqual([401, code])
            if (code === "bad_header") expect(message).toContain(name)
        })
    }

    it("the nonce's and the signature's own edges pass the form check: 16 and 64 hex digits", async () => {
        for (const nonce of [hex(16), hex(64)]) {
            const id = await authenticateDevice(ctx, request({ nonce }))
            expect(id.deviceId).toBe(DEVICE_ID)
        }
        // a well-formed signature that does not verify is a signature problem, not a form problem
        const a = request()
        a.headers = { ...a.headers, "x-signature": hex(64) }
        expect(await refusal(authenticateDevice(ctx, a))).toEqual([401, "bad_signature",
            "x-signature does not verify under this device's transport key or device key (method, path, body, timestamp, nonce)"])
    })

    it("an unknown device is named in its refusal", async () => {
        const [status, code, message] = await refusal(authenticateDevice(ctx, request({ deviceId: "SFA1-999999" })))
        expect([status, code, message]).toEqual([401, "unknown_device", "device SFA1-999999 is not registered at this hub"])
    })

    it("a decommissioned device is refused before its signature is checked", async () => {
        await db.db.insertInto("devices").values({
            id: "SFA1-DEAD01", key_hex: dev.keyHex, transport_key_hex: null, label: "", created_at_ms: clock.ms, created_by: "t",
            decommissioned_at_ms: clock.ms,
        } as any).execute()
        const a = request({ deviceId: "SFA1-DEAD01", keyHex: OTHER_KEY })
        expect(await refusal(authenticateDevice(ctx, a))).toEqual([401, "decommissioned", "device SFA1-DEAD01 is decommissioned: this hub serves it no more"])
    })
})

describe("device request check: time and signature", () => {
    onSqlite()

    it("a timestamp up to 300 s from the hub's clock is fresh, 301 s is stale (both ways, the clock's fraction of a second dropped)", async () => {
        clock.ms = 1_750_000_000_999
        const t = 1_750_000_000
        for (const [ts, ok] of [[t - 300, true], [t + 300, true], [t - 301, false], [t + 301, false]] as const) {
            const r = authenticateDevice(ctx, request({ timestampS: ts }))
            if (ok) expect((await r).deviceId).toBe(DEVICE_ID)
            else {
                const [status, code, message] = await refusal(r)
                expect([ts - t, status, code]).toEqual([ts - t, 401, "stale_timestamp"])
                // the refusal says what the device sent, the window, the hub's time and what to do
                expect(message).toBe("x-timestamp " + ts + " is more than 300 s from the hub's clock " + t + ": sync time first")
            }
        }
    })

    it("timestamp 0 passes only on the clock-less time route; a stale non-zero timestamp does not pass there either", async () => {
        expect((await authenticateDevice(ctx, request({ timestampS: 0, clockless: true }))).deviceId).toBe(DEVICE_ID)
        expect((await refusal(authenticateDevice(ctx, request({ timestampS: 0 })))).slice(0, 2)).toEqual([401, "stale_timestamp"])
        expect((await refusal(authenticateDevice(ctx, request({ timestampS: nowS() - 301, clockless: true })))).slice(0, 2)).toEqual([401, "stale_timestamp"])
        const pre = await precheckDevice(ctx, request({ timestampS: 0 }).headers, true)
        expect(pre.timestamp).toBe("0")
        await expect(precheckDevice(ctx, request({ timestampS: 0 }).headers, false)).rejects.toMatchObject({ code: "stale_timestamp" })
    })

    it("signed with the transport key or (transitional) the device key: accepted; any other key: bad_signature", async () => {
        const id = { deviceId: DEVICE_ID, keyHex: dev.keyHex, keyGeneration: 1 }
        expect(await authenticateDevice(ctx, request({ keyHex: dev.transportKeyHex }))).toEqual(id)
        expect(await authenticateDevice(ctx, request({ keyHex: dev.keyHex }))).toEqual(id)
        expect((await refusal(authenticateDevice(ctx, request({ keyHex: OTHER_KEY })))).slice(0, 2)).toEqual([401, "bad_signature"])
    })

    it("a device provisioned before transport keys (none stored) signs with its device key", async () => {
        await db.db.insertInto("devices").values({
            id: "SFA1-OLD001", key_hex: dev.keyHex, transport_key_hex: null, label: "", created_at_ms: clock.ms, created_by: "t",
        } as any).execute()
        expect(await authenticateDevice(ctx, request({ deviceId: "SFA1-OLD001", keyHex: dev.keyHex }))).toEqual({ deviceId: "SFA1-OLD001", keyHex: dev.keyHex, keyGeneration: 1 })
        expect((await refusal(authenticateDevice(ctx, request({ deviceId: "SFA1-OLD001", keyHex: OTHER_KEY })))).slice(0, 2)).toEqual([401, "bad_signature"])
    })

    it("the identity carries the device key's generation as stored", async () => {
        await db.db.updateTable("devices").set({ key_generation: 3 } as any).where("id", "=", DEVICE_ID).execute()
        const pre = await precheckDevice(ctx, request().headers, false)
        expect([pre.keyGeneration, pre.keyHex, pre.transportKeyHex]).toEqual([3, dev.keyHex, dev.transportKeyHex])
        expect((await authenticateDevice(ctx, request())).keyGeneration).toBe(3)
    })

    it("the method is signed in upper case whatever case it is given in", () => {
        expect(signingString("post", URL, "", "1", "00")).toBe(signingString("POST", URL, "", "1", "00"))
        expect(signingString("post", URL, "", "1", "00").startsWith("POST\n")).toBe(true)
        // a GET's absent body is signed as an empty one
        const h = signDeviceRequest({ deviceId: DEVICE_ID, keyHex: dev.keyHex, method: "GET", path: URL, timestampS: 5, nonce: "00" })
        expect(h["x-signature"]).toBe(createHmac("sha256", Buffer.from(dev.keyHex, "hex"))
            .update("GET\n" + URL + "\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n5\n00").digest("hex"))
        expect(deviceSignature(dev.keyHex, "GET", URL, "", "5", "00")).toBe(h["x-signature"])
    })
})

describe("device request check: the replay ledger", () => {
    onSqlite()

    it("a request's nonce is claimed with the device's last contact; the same nonce again is replayed_nonce", async () => {
        const a = request()
        await authenticateDevice(ctx, a)
        expect(await nonceRows()).toEqual([{ nonce: a.headers["x-nonce"], seen_at_ms: clock.ms }])
        const seen = await db.db.selectFrom("device_status").select(["device_id", "last_seen_ms"]).execute()
        expect(seen).toEqual([{ device_id: DEVICE_ID, last_seen_ms: clock.ms }])
        const [status, code, message] = await refusal(authenticateDevice(ctx, a))
        expect([status, code, message]).toEqual([401, "replayed_nonce", expect.stringContaining("fresh nonce")])
    })

    it("the clock-less time request claims nothing and may come again", async () => {
        const a = request({ timestampS: 0, clockless: true })
        expect(await authenticateDevice(ctx, a)).toEqual({ deviceId: DEVICE_ID, keyHex: dev.keyHex, keyGeneration: 1 })
        expect(await authenticateDevice(ctx, a)).toEqual({ deviceId: DEVICE_ID, keyHex: dev.keyHex, keyGeneration: 1 })
        expect(await nonceRows()).toEqual([])
        expect(await db.db.selectFrom("device_status").selectAll().execute()).toEqual([])
    })

    /** nonce rows seen `agoMs` before the clock */
    async function seenBefore(...agoMs: number[]) {
        for (const ago of agoMs)
            await db.db.insertInto("device_nonces").values({ device_id: DEVICE_ID, nonce: "aged" + ago, seen_at_ms: clock.ms - ago }).execute()
    }

    it("pruning keeps a nonce 660 s (600 s of freshness plus a minute) and counts what it deleted", async () => {
        await seenBefore(660_000, 660_001, 900_000)
        expect(await pruneNonces(ctx, clock.ms)).toBe(2)
        expect((await nonceRows()).map(r => r.nonce)).toEqual(["aged660000"])
        expect(await pruneNonces(ctx, clock.ms)).toBe(0)
    })

    it("a request prunes the ledger at most once a minute, the first one at once", async () => {
        await seenBefore(700_000)
        await authenticateDevice(ctx, request())
        expect((await nonceRows()).map(r => r.nonce).filter(n => n.startsWith("aged"))).toEqual([])
        clock.advanceS(59)
        await seenBefore(700_000)
        await authenticateDevice(ctx, request())
        expect((await nonceRows()).map(r => r.nonce).filter(n => n.startsWith("aged"))).toEqual(["aged700000"])
        clock.advanceS(1)
        await authenticateDevice(ctx, request())
        expect((await nonceRows()).map(r => r.nonce).filter(n => n.startsWith("aged"))).toEqual([])
    })
})

describe("Gate", () => {
    it("with no room to wait, the second caller is refused at once", async () => {
        const g = new Gate(1, 0)
        const free = await g.enter()!
        expect(g.enter()).toBeNull()
        free()
        expect(g.enter()).not.toBeNull()
    })

    it("a slot freed twice counts once, also when nobody waits", async () => {
        const g = new Gate(1, 0)
        const free = await g.enter()!
        free()
        free()
        await g.enter()!
        expect(g.enter()).toBeNull()
    })

    it("a slot passes to the one waiting, so a newcomer waits behind it; freed with nobody waiting, it is open again", async () => {
        const g = new Gate(1, 1)
        const first = await g.enter()!
        const second = g.enter()!
        expect(g.waiting).toBe(1)
        first()
        const freeSecond = await second
        expect(g.waiting).toBe(0)
        const third = g.enter()
        expect(third).not.toBeNull()
        expect(g.waiting).toBe(1) // the slot is still the second's: the third waits
        freeSecond()
        const freeThird = await third!
        freeThird()
        let ran = false
        const fourth = g.enter()!.then(() => (ran = true))
        expect(g.waiting).toBe(0) // the slot was free: the fourth did not queue
        await fourth
        expect(ran).toBe(true)
    })
})

describe("password rule: edges", () => {
    const uncommon = (n: number) => "quiet lantern by the harbour wall ".repeat(10).slice(0, n)

    it("without a user name there is no name rule: any text may appear in the password", () => {
        expect(passwordProblem("stryker was here! quiet lantern")).toBeNull()
        expect(passwordProblem("ana quiet lantern harbour", "ana")).toBe("password must not contain the user's name")
    })

    it("12 to 256 characters, counted as code points", () => {
        expect(passwordProblem(uncommon(12))).toBeNull()
        expect(passwordProblem(uncommon(11))).toBe("password must be at least 12 characters (this one has 11)")
        expect(passwordProblem(uncommon(256))).toBeNull()
        expect(passwordProblem(uncommon(257))).toContain("at most 256 characters")
        // 11 code points, 13 UTF-16 units
        expect(passwordProblem("\u{1F9B7}\u{1F9B7}mint-gums")).toContain("(this one has 11)")
        expect(passwordProblem("\u{1F9B7}\u{1F9B7}mint-gums!")).toBeNull()
    })

    it("control characters (C0, DEL, C1) are refused; the printable ones next to them are not", () => {
        for (const c of ["\u0000", "\u001f", "\u007f", "\u0080", "\u009f"])
            expect([c.charCodeAt(0), passwordProblem("quiet" + c + "lantern-harbour")]).toEqual([c.charCodeAt(0), "password must not contain control characters"])
        for (const c of [" ", "~", "\u00a0", "\u00a1"]) expect([c.charCodeAt(0), passwordProblem("quiet" + c + "lantern-harbour")]).toEqual([c.charCodeAt(0), null])
    })

    it("at least 5 different characters: 5 pass, 4 do not", () => {
        expect(passwordProblem("abcdeabcdeab")).toBeNull()
        expect(passwordProblem("abcdabcdabcd")).toContain("at least 5 different characters")
    })

    it("letters are needed; a password of letters alone is fine", () => {
        expect(passwordProblem("12345-67890 !")).toContain("must contain letters")
        expect(passwordProblem("quietlanternharbour")).toBeNull()
        expect(passwordProblem("\u00f1\u00e9\u00fc\u00e0\u00f8-2024-31-08")).toBeNull()
    })

    it("a run is a whole string of steps of one, up or down; anything else is not", () => {
        expect(passwordProblem("zyxwvutsrqpo")).toContain("sequence")
        expect(passwordProblem("ABCDEFGHIJKL")).toContain("sequence")
        expect(passwordProblem("acegikmoqsuw")).toBeNull() // steps of two
        expect(passwordProblem("abcdefghijkz")).toBeNull() // a run until its last character
        expect(passwordProblem("bcdefghijkla")).toBeNull()
    })

    it("the user's name counts from 3 characters, in any case", () => {
        expect(passwordProblem("Ana-lantern-quiet", "ana")).toContain("the user's name")
        expect(passwordProblem("ana-lantern-quiet", "ANA")).toContain("the user's name")
        expect(passwordProblem("al-lantern-quiet", "al")).toBeNull()
        expect(passwordProblem("al-lantern-quiet")).toBeNull()
    })

    it("each letter swap is undone before the common-word check", () => {
        // [swapped, word]: each password is refused as a common word only once the swap is undone
        const SWAPS = ["p@ssword", "p4ssword", "s3cret", "f1lm", "pr!ncess", "d0nald", "pa$$word", "pa55word", "ma7rix", "go|den", "ma+rix"]
        for (const w of SWAPS) expect([w, passwordProblem(w + "-dragon-monkey")]).toEqual([w, expect.stringContaining("common password")])
        // the same with a character that is no swap: uncommon
        expect(passwordProblem("p%ssword-dragon-monkey")).toBeNull()
    })

    it("words are cut at spaces and punctuation and lose their leading and trailing digits and symbols", () => {
        for (const pw of ["dragon monkey tiger", "dragon_monkey_tiger", "dragon.monkey.tiger", "dragon,monkey;tiger", "dragon:monkey/tiger",
            "dragon\\monkey\\tiger", "2024dragon monkey!!", "dragon 2024 monkey", "#dragon# --- ?monkey?"])
            expect([pw, passwordProblem(pw)]).toEqual([pw, expect.stringContaining("common password")])
        // every word must be common: one uncommon word makes it a passphrase
        expect(passwordProblem("dragon monkey lantern")).toBeNull()
        expect(passwordProblem("dragon+monkey+tiger")).toBeNull() // "+" is a swap (t), not a cut
    })
})

describe("staff passwords and sessions", () => {
    onSqlite()

    async function addUser(name: string, password: string, o: { disabled?: boolean; role?: string } = {}) {
        const id = "id-" + name
        await db.db.insertInto("users").values({
            id, name, role: o.role ?? "operator", password_hash: await hashPassword(password), created_at_ms: clock.ms,
            disabled_at_ms: o.disabled ? clock.ms : null,
        } as any).execute()
        return id
    }

    it("a stored hash names scrypt and its costs (N 2^15, r 8, p 1), a 16-byte salt and a 32-byte key", async () => {
        const h = await hashPassword("quiet lantern harbour")
        expect(h).toMatch(/^scrypt\$32768\$8\$1\$[0-9a-f]{32}\$[0-9a-f]{64}$/)
        expect(await verifyPassword("quiet lantern harbour", h)).toBe(true)
        expect(await verifyPassword("quiet lantern harbouR", h)).toBe(false)
    })

    it("a stored hash is checked with the costs it names, and a malformed one never matches", async () => {
        const salt = Buffer.from("00112233445566778899aabbccddeeff", "hex")
        const key = scryptSync("quiet lantern", salt, 32, { N: 1024, r: 4, p: 2 }).toString("hex")
        const stored = "scrypt$1024$4$2$" + salt.toString("hex") + "$" + key
        expect(await verifyPassword("quiet lantern", stored)).toBe(true)
        expect(await verifyPassword("quiet lantern", stored.replace("scrypt$", "bcrypt$"))).toBe(false)
        expect(await verifyPassword("quiet lantern", stored + "$00")).toBe(false)
        expect(await verifyPassword("quiet lantern", stored.slice(0, stored.lastIndexOf("$")))).toBe(false)
        expect(await verifyPassword("quiet lantern", stored.slice(0, -2))).toBe(false) // a 31-byte key
    })

    it("login: unknown name or wrong password is null; the right one opens a 12 h session stored by its hash", async () => {
        const id = await addUser("ana", "quiet lantern harbour")
        expect(await login(ctx, "bob", "quiet lantern harbour")).toBeNull()
        expect(await login(ctx, "ana", "wrong lantern harbour")).toBeNull()
        const s = (await login(ctx, "ana", "quiet lantern harbour"))!
        expect(s.token).toMatch(/^[0-9a-f]{64}$/)
        expect([s.staff, s.expiresAtMs]).toEqual([{ userId: id, name: "ana", role: "operator" }, clock.ms + 12 * 3600 * 1000])
        const rows = await db.db.selectFrom("sessions").select(["token_hash", "user_id", "created_at_ms", "expires_at_ms"]).execute()
        expect(rows).toEqual([{ token_hash: tokenHash(s.token), user_id: id, created_at_ms: clock.ms, expires_at_ms: s.expiresAtMs }])
        expect(await staffForToken(ctx, s.token)).toEqual({ userId: id, name: "ana", role: "operator" })
    })

    it("every login's password check waits for the scrypt gate, also for a name that does not exist", async () => {
        await addUser("ana", "quiet lantern harbour")
        const g = scryptGateOf(ctx, { ...DEFAULT_LOGIN_LIMITS, scryptRunning: 1, scryptWaiting: 0 })
        const held = await g.enter()!
        for (const name of ["ana", "bob"])
            expect([name, ...(await refusal(login(ctx, name, "quiet lantern harbour"))).slice(0, 2)]).toEqual([name, 429, "login_busy"])
        held()
        expect(await login(ctx, "bob", "quiet lantern harbour")).toBeNull()
    })

    it("login to a disabled account: 401 account_disabled with the right password only", async () => {
        await addUser("ana", "quiet lantern harbour", { disabled: true })
        expect(await login(ctx, "ana", "wrong lantern harbour")).toBeNull()
        expect(await refusal(login(ctx, "ana", "quiet lantern harbour"))).toEqual([401, "account_disabled", expect.stringContaining("disabled")])
    })

    it("a login deletes the user's sessions that have expired (at or before now), not live ones nor others'", async () => {
        const ana = await addUser("ana", "quiet lantern harbour")
        const bob = await addUser("bob", "quiet lantern harbour")
        for (const [h, user, exp] of [["a-old", ana, clock.ms - 1], ["a-now", ana, clock.ms], ["a-live", ana, clock.ms + 1], ["b-old", bob, clock.ms - 1]] as const)
            await db.db.insertInto("sessions").values({ token_hash: h, user_id: user, created_at_ms: 0, expires_at_ms: exp }).execute()
        const s = (await login(ctx, "ana", "quiet lantern harbour"))!
        const left = (await db.db.selectFrom("sessions").select("token_hash").execute()).map(r => r.token_hash).sort()
        expect(left).toEqual(["a-live", "b-old", tokenHash(s.token)].sort())
    })

    it("a session is valid until its expiry (exclusive), and not for a disabled user", async () => {
        const ana = await addUser("ana", "quiet lantern harbour")
        const bob = await addUser("bob", "quiet lantern harbour", { disabled: true })
        for (const [t, user, exp] of [["tok-live", ana, clock.ms + 1], ["tok-now", ana, clock.ms], ["tok-bob", bob, clock.ms + SESSION_TTL_MS]] as const)
            await db.db.insertInto("sessions").values({ token_hash: tokenHash(t), user_id: user, created_at_ms: 0, expires_at_ms: exp }).execute()
        expect(await staffForToken(ctx, "tok-live")).toEqual({ userId: ana, name: "ana", role: "operator" })
        expect(await staffForToken(ctx, "tok-now")).toBeNull()
        expect(await staffForToken(ctx, "tok-bob")).toBeNull()
        expect(await staffForToken(ctx, "tok-unknown")).toBeNull()
    })

    it("logout deletes the session and tells this process's listeners, until they unsubscribe", async () => {
        await addUser("ana", "quiet lantern harbour")
        const s = (await login(ctx, "ana", "quiet lantern harbour"))!
        const heard: string[] = []
        const stop = onSessionEnd(ctx, h => heard.push(h))
        onSessionEnd(ctx, h => heard.push("2:" + h))
        await logout(ctx, s.token)
        expect(await db.db.selectFrom("sessions").selectAll().execute()).toEqual([])
        expect(heard).toEqual([tokenHash(s.token), "2:" + tokenHash(s.token)])
        stop()
        sessionsEnded(ctx, ["h1", "h2"])
        expect(heard.slice(2)).toEqual(["2:h1", "2:h2"])
        sessionsEnded(ctxOf(db, clock), ["h3"]) // another context's listeners only
        expect(heard.length).toBe(4)
    })

    const req = (headers: Record<string, string>, cookies?: Record<string, string>) =>
        ({ headers, cookies, server: { hubCtx: ctx } }) as unknown as FastifyRequest

    it("the bearer token comes from Authorization (trimmed), else the console's cookie", () => {
        expect(requestToken(req({ authorization: "Bearer  tok-1 " }, { hub_session: "cookie" }))).toBe("tok-1")
        expect(requestToken(req({ authorization: "Bearer    " }, { hub_session: "cookie" }))).toBeNull()
        expect(requestToken(req({ authorization: "Basic abc" }, { hub_session: "cookie" }))).toBe("cookie")
        expect(requestToken(req({ authorization: "bearer tok-1" }, { other: "x" }))).toBeNull()
        expect(requestToken(req({}))).toBeNull()
        expect(requestToken(req({}, { hub_session: "" }))).toBeNull()
    })

    it("requireRole: 401 without a token or with an unknown one, 403 naming the role and who may, else the staff member is set", async () => {
        const ana = await addUser("ana", "quiet lantern harbour", { role: "auditor" })
        await db.db.insertInto("sessions").values({ token_hash: tokenHash("tok-ana"), user_id: ana, created_at_ms: 0, expires_at_ms: clock.ms + 1 }).execute()
        const guard = requireRole("technician", "admin")
        // each refusal says what to do: how to log in, to log in again, which roles may
        expect(await refusal(guard(req({}), null as any)))
            .toEqual([401, "login_required", "log in first: send Authorization: Bearer <token> from POST /api/auth/login with bearer: true"])
        expect(await refusal(guard(req({ authorization: "Bearer tok-x" }), null as any)))
            .toEqual([401, "session_invalid", "the session is unknown or expired: log in again"])
        expect(await refusal(guard(req({ authorization: "Bearer tok-ana" }), null as any)))
            .toEqual([403, "forbidden", "role auditor may not do this (needs technician or admin)"])
        const r = req({ authorization: "Bearer tok-ana" })
        await requireRole("auditor")(r, null as any)
        expect(staffOf(r)).toEqual({ userId: ana, name: "ana", role: "auditor" })
        expect(() => staffOf(req({}))).toThrow(expect.objectContaining({ statusCode: 401, code: "login_required", message: "log in first" }))
    })

    it("a session is stored by the SHA-256 of its token, as lowercase hex (FIPS 180-2's \"abc\" vector)", () => {
        expect(tokenHash("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    })
})

describe("login limits", () => {
    onSqlite()

    it("the account window is 15 minutes by default (hub/README.md)", () => {
        expect(DEFAULT_LOGIN_LIMITS.accountWindowMs).toBe(900_000)
    })

    it("the scrypt gate is one per hub, 2 running and 16 waiting by default (hub/README.md)", () => {
        const g = scryptGateOf(ctx)
        expect([g.maxRunning, g.maxWaiting]).toEqual([2, 16])
        expect(scryptGateOf(ctx, { ...DEFAULT_LOGIN_LIMITS, scryptRunning: 5 })).toBe(g)
        expect(scryptGateOf(ctxOf(db, clock), { ...DEFAULT_LOGIN_LIMITS, scryptRunning: 5 }).maxRunning).toBe(5)
    })

    it("a check past a full line is 429 login_busy with Retry-After 1; a slot is freed when its check fails", async () => {
        const g = scryptGateOf(ctx, { ...DEFAULT_LOGIN_LIMITS, scryptRunning: 1, scryptWaiting: 0 })
        await expect(gated(ctx, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom")
        expect(await gated(ctx, async () => 7)).toBe(7)
        const held = await g.enter()!
        const e = await gated(ctx, async () => 7).catch(x => x)
        expect([e.statusCode, e.code, e.headers, e.message]).toEqual([429, "login_busy", { "retry-after": "1" }, "the hub is checking many logins right now: try again in a second"])
        held()
    })

    /** an app whose one route runs the limiter as the login route does: per address, then the account, a wrong password counted */
    async function limitedApp() {
        const app = Fastify()
        app.setErrorHandler((e: any, _req, reply) => {
            reply.code(e.statusCode ?? 500).headers(e.headers ?? {}).send({ code: e.code, message: e.message })
        })
        const lim = await loginLimiter(app, ctx, { accountFailures: 3, accountWindowMs: 60_000, addressAttempts: 5, addressWindowMs: 30_000, scryptRunning: 2, scryptWaiting: 16 })
        app.get("/other", async () => ({ ok: true }))
        app.post("/login", { onRequest: r => lim.perAddress(r) }, async (r) => {
            const b = r.body as { name: string; as?: string; wrong?: boolean }
            await lim.checkAccount(r, b.as ?? b.name)
            if (b.wrong) await lim.failed(r, b.as ?? b.name)
            return { ok: true }
        })
        const post = (payload: object, remoteAddress = "198.51.100.1") => app.inject({ method: "POST", url: "/login", remoteAddress, payload })
        return { app, post }
    }

    it("per address: the allowed number of attempts, then 429 too_many_logins with the window's Retry-After", async () => {
        const { app, post } = await limitedApp()
        for (let i = 0; i < 5; i++) expect([i, (await post({ name: "n" + i }, "203.0.113.5")).statusCode]).toEqual([i, 200])
        const r = await post({ name: "n9" }, "203.0.113.5")
        expect([r.statusCode, r.json().code, r.json().message]).toEqual([429, "too_many_logins", expect.stringContaining("from this address")])
        expect(Number(r.headers["retry-after"])).toBeGreaterThan(0)
        expect(Number(r.headers["retry-after"])).toBeLessThanOrEqual(30)
        expect((await post({ name: "n9" }, "203.0.113.6")).statusCode).toBe(200)
        await app.close()
    })

    it("per account: checks alone do not count; after the allowed failures the name is refused with the full window", async () => {
        const { app, post } = await limitedApp()
        const at = newAddresses()
        for (let i = 0; i < 4; i++) expect((await post({ name: "ana" }, at())).statusCode).toBe(200)
        for (let i = 0; i < 3; i++) expect((await post({ name: "ana", wrong: true }, at())).statusCode).toBe(200)
        const r = await post({ name: "ana" }, at())
        expect([r.statusCode, r.json().code, r.headers["retry-after"]]).toEqual([429, "too_many_logins", "60"])
        expect(r.json().message).toMatch(/^too many failed logins for this name.*: try again in 60 s$/)
        // the count is on the name the route passes, not the body's; other names are free
        expect((await post({ name: "bob", as: "ana" }, at())).statusCode).toBe(429)
        expect((await post({ name: "ana", as: "bob" }, at())).statusCode).toBe(200)
        await app.close()
    })

    it("the limits apply to the login route only: other routes are not counted", async () => {
        const { app } = await limitedApp()
        const r = await app.inject({ method: "GET", url: "/other" })
        expect([r.statusCode, r.headers["x-ratelimit-limit"], r.headers["x-ratelimit-remaining"]]).toEqual([200, undefined, undefined])
        await app.close()
    })

    it("per account: a refused attempt starts the window again (Retry-After is the full window a second later)", async () => {
        const { app, post } = await limitedApp()
        const at = newAddresses()
        for (let i = 0; i < 3; i++) await post({ name: "ana", wrong: true }, at())
        expect((await post({ name: "ana" }, at())).headers["retry-after"]).toBe("60")
        await new Promise(r => setTimeout(r, 1_200))
        // without the restart the window would have 58.8 s left, announced as 59
        expect((await post({ name: "ana" }, at())).headers["retry-after"]).toBe("60")
        await app.close()
    })

    it("per account: one failure short of the limit still lets the name in", async () => {
        const { app, post } = await limitedApp()
        const at = newAddresses()
        for (let i = 0; i < 2; i++) await post({ name: "ana", wrong: true }, at())
        expect((await post({ name: "ana" }, at())).statusCode).toBe(200)
        await app.close()
    })
})

/** each call a new client address (198.51.100.1, .2, ...): attempts counted per account, not per address */
function newAddresses(): () => string {
    let ip = 1
    return () => "198.51.100." + ip++
}

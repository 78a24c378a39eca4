// Replays of captured device requests, on SQLite and PostgreSQL, through the real routes.
// The figures come from the protocol (hub/README.md): a timestamp is accepted up to 300 s from
// the hub's clock, so a request signed by a device whose clock runs 300 s ahead stays fresh for
// 600 s of the hub's time; the hub must remember its nonce at least that long, across restarts.
import { describe, it, expect, beforeEach, afterEach } from "vitest"
import { provisionDevice } from "../../hub/src/devices"
import { routeHub, DEVICE_ID, type RouteHub } from "./hub-fixture"
import { signed, sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, type Backend } from "./support"

const SKEW_S = 300

function replays(backend: Backend) {
    let h: RouteHub
    let other: { deviceId: string; keyHex: string }
    beforeEach(async () => {
        h = await routeHub(backend)
        const p = await provisionDevice(h.ctx, { deviceId: "SFA1-000043", createdBy: "t", hubUrl: "http://hub.test" })
        other = { deviceId: p.deviceId, keyHex: p.keyHex }
    })
    afterEach(async () => {
        await h.close()
    })

    async function lastSeenMs(): Promise<number | null> {
        const r = await h.staff("operator", "GET", "/api/devices/" + DEVICE_ID)
        expect(r.statusCode).toBe(200)
        return r.json().lastSeenMs
    }

    /** a request of the other device: it keeps the hub busy (and its nonce pruning running) */
    async function otherDeviceAsks() {
        const url = "/api/device/v1/bundle"
        const r = await h.app.inject({ method: "GET", url, headers: signed(other, h.clock, "GET", url) })
        expect(r.statusCode).toBe(404) // no approved template: authenticated, nothing to send
    }

    it("a timestamp-0 time request replayed 15 minutes later does not make the device look alive", async () => {
        const t0 = h.clock.ms
        const st = await h.dev("POST", "status", { state: "idle", phase: 0, pending: 0, latchedFault: 0, head: { seq: 0, hash: "0".repeat(64) } })
        expect(st.statusCode).toBe(204)
        expect(await lastSeenMs()).toBe(t0)
        const url = "/api/device/v1/time?nonce=0123456789abcdef"
        const headers = signed(h.device, h.clock, "GET", url, "", { timestampS: 0 })
        const first = await h.app.inject({ method: "GET", url, headers })
        expect(first.statusCode).toBe(200)
        // the device goes silent; 15 minutes pass while other devices keep the hub busy (long
        // past the staleness window, so whatever was kept about the request may be forgotten)
        for (let i = 0; i < 15; i++) {
            h.clock.advanceS(60)
            await otherDeviceAsks()
        }
        const replay = await h.app.inject({ method: "GET", url, headers })
        // answered or refused, the replay must leave the device's last contact where it was
        expect([200, 401]).toContain(replay.statusCode)
        if (replay.statusCode === 200) expect(replay.json().nonce).toBe("0123456789abcdef")
        expect(await lastSeenMs()).toBe(t0)
    })

    it("a time request alone is no contact: it writes nothing", async () => {
        const r = await h.dev("GET", "time?nonce=00112233445566778899aabbccddeeff", undefined, { timestampS: 0 })
        expect(r.statusCode).toBe(200)
        expect(await lastSeenMs()).toBe(null)
        expect(await h.db.db.selectFrom("device_nonces").selectAll().execute()).toEqual([])
    })

    it("a nonce signed 300 s ahead is refused when replayed 600 s later, after a restart", async () => {
        const t0S = Math.floor(h.clock.ms / 1000)
        const url = "/api/device/v1/bundle"
        const headers = signed(h.device, h.clock, "GET", url, "", { timestampS: t0S + SKEW_S })
        const first = await h.app.inject({ method: "GET", url, headers })
        expect(first.statusCode).toBe(404)
        // the hub keeps serving (and pruning) for 600 s, and restarts on the way
        for (let i = 0; i < 10; i++) {
            h.clock.advanceS(60)
            await otherDeviceAsks()
            if (i === 4) await h.reopen()
        }
        expect(Math.floor(h.clock.ms / 1000)).toBe(t0S + 2 * SKEW_S)
        const replay = await h.app.inject({ method: "GET", url, headers })
        expect([replay.statusCode, replay.json().error?.code]).toEqual([401, "replayed_nonce"])
        // one second later the timestamp itself is stale
        h.clock.advanceS(1)
        const late = await h.app.inject({ method: "GET", url, headers })
        expect([late.statusCode, late.json().error?.code]).toEqual([401, "stale_timestamp"])
    })

    it("the same request sent ten times at once is served once", async () => {
        const url = "/api/device/v1/status"
        const body = JSON.stringify({ state: "idle", phase: 0, pending: 3, latchedFault: 0, head: { seq: 0, hash: "0".repeat(64) } })
        const headers = signed(h.device, h.clock, "POST", url, body)
        const rs = await Promise.all(Array.from({ length: 10 }, () => h.app.inject({ method: "POST", url, headers, payload: body })))
        const codes = rs.map(r => r.statusCode === 204 ? "served" : r.json().error.code).sort()
        expect(codes).toEqual([...Array(9).fill("replayed_nonce"), "served"])
    })
}

describe("device replays: SQLite", () => replays(sqliteBackend))
describe.skipIf(!PG_URL)("device replays: PostgreSQL" + (PG_URL ? "" : " — " + PG_SKIP_REASON), () => replays(pgBackend))

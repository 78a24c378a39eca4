// The device requests' own reads and writes (hub/src/db/hot-path.ts, group-commit.ts): requests
// that arrive together share statements and commits, and none of them may read or be
// acknowledged inside a transaction of the hub that has not committed.
import { describe, it, expect, beforeEach, afterEach } from "vitest"
import { routeHub, DEVICE_ID, type RouteHub } from "./hub-fixture"
import { recordStatus } from "../../hub/src/devices"
import { approveGoldenTemplate } from "../../hub/bench/library-setup"
import { sqliteBackend, pgBackend, PG_URL, PG_SKIP_REASON, type Backend } from "./support"

const status = (pending: number) => ({ state: "idle", phase: 0, pending, latchedFault: 0, head: { seq: 0, hash: "0".repeat(64) } })

function suite(backend: Backend) {
    let h: RouteHub
    beforeEach(async () => {
        h = await routeHub(backend)
    })
    afterEach(async () => {
        await h.close()
    })

    async function pending(): Promise<number | null> {
        const r = await h.staff("operator", "GET", "/api/devices/" + DEVICE_ID)
        expect(r.statusCode).toBe(200)
        return r.json().pending
    }

    it("statuses of one device sent at once are each answered, and one of them is what the hub holds", async () => {
        const rs = await Promise.all([1, 2, 3, 4, 5, 6].map(n => h.dev("POST", "status", status(n))))
        expect(rs.map(r => r.statusCode)).toEqual([204, 204, 204, 204, 204, 204])
        expect([1, 2, 3, 4, 5, 6]).toContain(await pending())
        // and a later one replaces it
        expect((await h.dev("POST", "status", status(9))).statusCode).toBe(204)
        expect(await pending()).toBe(9)
    })

    it("statuses written in one turn (one shared statement or commit) land in the order they were written", async () => {
        await Promise.all([3, 1, 2].map(n => recordStatus(h.ctx, DEVICE_ID, status(n))))
        expect(await pending()).toBe(2)
    })

    it("a device asking for its first bundle several times at once is issued one version", async () => {
        await approveGoldenTemplate(h.ctx)
        const rs = await Promise.all([0, 1, 2, 3].map(() => h.dev("GET", "bundle")))
        expect(rs.map(r => r.statusCode)).toEqual([200, 200, 200, 200])
        expect(new Set(rs.map(r => r.json().version))).toEqual(new Set([1]))
        expect(new Set(rs.map(r => r.json().sealedHex)).size).toBe(1)
        const rows = await h.db.db.selectFrom("library_device_bundles").select("version").where("device_id", "=", DEVICE_ID).execute()
        expect(rows.map(r => Number(r.version))).toEqual([1])
    })
}

describe("device hot path: SQLite", () => {
    suite(sqliteBackend)

    describe("a transaction of the hub still open", () => {
        let h: RouteHub
        beforeEach(async () => {
            h = await routeHub(sqliteBackend)
        })
        afterEach(async () => {
            await h.close()
        })

        it("a device request meanwhile neither reads its uncommitted writes nor is acknowledged inside it", async () => {
            let answered: Promise<{ statusCode: number }> | null = null
            await expect(h.db.db.transaction().execute(async trx => {
                await trx.updateTable("devices").set({ decommissioned_at_ms: h.clock.ms }).where("id", "=", DEVICE_ID).execute()
                answered = h.dev("POST", "status", status(7))
                // give the request every chance to run while the transaction is open
                for (let i = 0; i < 20; i++) await new Promise(r => setImmediate(r))
                throw new Error("rolled back")
            })).rejects.toThrow("rolled back")
            // the decommissioning never committed: the request is served, and what it wrote stays
            expect((await answered!).statusCode).toBe(204)
            const row = await h.db.db.selectFrom("device_status").select(["pending", "last_seen_ms"]).where("device_id", "=", DEVICE_ID).executeTakeFirst()
            expect(row?.pending).toBe(7)
            const d = await h.db.db.selectFrom("devices").select("decommissioned_at_ms").where("id", "=", DEVICE_ID).executeTakeFirst()
            expect(d?.decommissioned_at_ms).toBeNull()
        })

        it("a device write meanwhile is committed on its own, not inside it (where the rollback would undo an acknowledged write)", async () => {
            let written: Promise<void> | null = null
            await expect(h.db.db.transaction().execute(async trx => {
                await trx.updateTable("devices").set({ label: "changing" }).where("id", "=", DEVICE_ID).execute()
                written = recordStatus(h.ctx, DEVICE_ID, status(8))
                for (let i = 0; i < 20; i++) await new Promise(r => setImmediate(r))
                throw new Error("rolled back")
            })).rejects.toThrow("rolled back")
            await written
            const row = await h.db.db.selectFrom("device_status").select("pending").where("device_id", "=", DEVICE_ID).executeTakeFirst()
            expect(row?.pending).toBe(8)
        })
    })
})
describe.skipIf(!PG_URL)("device hot path: PostgreSQL" + (PG_URL ? "" : " — " + PG_SKIP_REASON), () => suite(pgBackend))

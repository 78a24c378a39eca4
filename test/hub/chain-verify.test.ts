// Chain verification at the hub, incremental (issue 13 item 2): the verified head is kept in
// the database, a verify after a verify reads only the records after it, the kept head
// survives a restart, an edit after it (or at it) is still found, and ?full=1 goes back to
// seq 1. Pages of VERIFY_PAGE records with an event-loop turn between them. Expected findings
// from docs/records.md §7: an edit without the key is bad_mac at the record and broken_chain at
// the next.
import { describe, it, expect, beforeAll, afterAll } from "vitest"
import { ingestRecords } from "../../hub/src/ingest"
import { chainStatus, VERIFY_PAGE } from "../../hub/src/records-query"
import { routeHub, KEY, DEVICE_ID, type RouteHub } from "./hub-fixture"
import { chain, turnsDuring, type SealedHex } from "./support"

let h: RouteHub
let recs: SealedHex[]

async function ingest(from: number, to: number) {
    for (let i = from; i <= to; i += 32) {
        const r = await ingestRecords(h.ctx, h.device, recs.slice(i - 1, Math.min(to, i + 31)).map(x => x.hex))
        expect(r.results.every(x => x.status === "stored")).toBe(true)
    }
}

/** the stored record's outcome byte set to faulted (zigzag 02 -> 06) behind the hub's back */
async function tamper(seq: number) {
    const hex = recs[seq - 1].hex
    const at = hex.length - 66 // the body's last byte, before the 32-byte MAC
    await h.db.db.updateTable("records").set({ sealed_hex: hex.slice(0, at) + "06" + hex.slice(at + 2) })
        .where("device_id", "=", DEVICE_ID).where("seq", "=", seq).execute()
}

async function verify(full = false) {
    const r = await h.staff("auditor", "GET", "/api/devices/" + DEVICE_ID + "/chain" + (full ? "?full=1" : ""))
    expect(r.statusCode).toBe(200)
    return r.json()
}

function codes(c: { findings: { code: string; seq: number }[] }): string {
    return c.findings.map(f => f.code + "@" + f.seq).join(",")
}

beforeAll(async () => {
    h = await routeHub()
    recs = chain(DEVICE_ID, KEY, 1, 40)
})
afterAll(async () => h?.close())

describe("chain verification keeps its verified head", () => {
    it("the first verify reads every record and keeps the head", async () => {
        await ingest(1, 30)
        const c = await verify()
        expect(c).toMatchObject({ ok: true, records: 30, verifiedFrom: 0, recordsRead: 30, verifiedHead: { seq: 30, hash: recs[29].hash } })
        expect(await h.db.db.selectFrom("chain_verified").select(["device_id", "seq", "hash"]).execute())
            .toEqual([{ device_id: DEVICE_ID, seq: 30, hash: recs[29].hash }])
    })

    it("a verify after a verify reads only the new records", async () => {
        await ingest(31, 35)
        expect(await verify()).toMatchObject({ ok: true, verifiedFrom: 30, recordsRead: 5, verifiedHead: { seq: 35, hash: recs[34].hash } })
        expect(await verify()).toMatchObject({ ok: true, verifiedFrom: 35, recordsRead: 0 })
    })

    it("the verified head survives a restart", async () => {
        await h.reopen()
        expect(await verify()).toMatchObject({ ok: true, verifiedFrom: 35, recordsRead: 0, verifiedHead: { seq: 35, hash: recs[34].hash } })
    })

    it("an edit after the verified head is found, and the head does not move past it", async () => {
        await ingest(36, 40)
        await tamper(38)
        const c = await verify()
        expect(c).toMatchObject({ ok: false, verifiedFrom: 35, recordsRead: 5, verifiedHead: { seq: 35 } })
        expect(codes(c)).toBe("bad_mac@38,broken_chain@39")
        expect(codes(await verify())).toBe("bad_mac@38,broken_chain@39") // found again, not forgotten
    })

    it("an edit of the record at the verified head is found", async () => {
        await tamper(35)
        const c = await verify()
        expect(codes(c)).toBe("verified_head_changed@35,bad_mac@38,broken_chain@39")
    })

    it("an edit before the verified head needs ?full=1, whose finding clears the kept head", async () => {
        await tamper(3)
        const quick = await verify()
        expect(codes(quick)).not.toContain("@3,") // seq 3 was not read again: proof the quick run started at 35
        const f = await verify(true)
        expect(f).toMatchObject({ verifiedFrom: 0, recordsRead: 40 })
        expect(codes(f)).toBe("bad_mac@3,broken_chain@4,bad_mac@35,broken_chain@36,bad_mac@38,broken_chain@39")
        expect(await h.db.db.selectFrom("chain_verified").selectAll().execute()).toEqual([])
        expect(await verify()).toMatchObject({ verifiedFrom: 0, recordsRead: 40, findingsTotal: 6 })
    })
})

describe("chain verification shares the event loop", () => {
    let big: RouteHub
    beforeAll(async () => {
        big = await routeHub()
        const list = chain(DEVICE_ID, KEY, 1, 4 * VERIFY_PAGE)
        for (let i = 0; i < list.length; i += 32) await ingestRecords(big.ctx, big.device, list.slice(i, i + 32).map(x => x.hex))
    })
    afterAll(async () => big?.close())

    it("yields at least once per page, and callers at the same time share one run", async () => {
        const { result: [a, b], turns } = await turnsDuring(() => Promise.all([chainStatus(big.ctx, DEVICE_ID), chainStatus(big.ctx, DEVICE_ID)]))
        expect(a).toMatchObject({ ok: true, recordsRead: 4 * VERIFY_PAGE })
        expect(b).toBe(a)
        expect(turns).toBeGreaterThanOrEqual(3) // 4 pages: a turn between each two
    })
})

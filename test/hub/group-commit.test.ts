// Group commit (hub/src/db/group-commit.ts): the queue's batching rules, and on a real SQLite
// file that writes sharing a commit stay independent: one that fails is rolled back alone.
import { describe, it, expect } from "vitest"
import { join } from "node:path"
import { Batcher, sqliteGroup } from "../../hub/src/db/group-commit"
import { openDb } from "../../hub/src/db/index"
import { tempDir } from "./support"

describe("Batcher", () => {
    it("items added in one turn share a flush; items added during a flush wait for the next", async () => {
        const flushes: number[][] = []
        let release: () => void = () => {}
        const b = new Batcher<number, number>(async items => {
            flushes.push(items)
            if (flushes.length === 1) await new Promise<void>(r => { release = r })
            return items.map(i => ({ status: "fulfilled" as const, value: i * 10 }))
        })
        const first = [b.add(1), b.add(2), b.add(3)]
        await new Promise(r => setImmediate(r))
        expect(flushes).toEqual([[1, 2, 3]])
        const later = [b.add(4), b.add(5)]
        await new Promise(r => setImmediate(r))
        expect(flushes.length).toBe(1) // the first flush is still running
        release()
        expect(await Promise.all([...first, ...later])).toEqual([10, 20, 30, 40, 50])
        expect(flushes).toEqual([[1, 2, 3], [4, 5]])
    })

    it("one item's failure is its own; a failed flush fails its whole batch and not the next", async () => {
        let n = 0
        const b = new Batcher<number, number>(async items => {
            if (++n === 2) throw new Error("disk full")
            return items.map(i => (i < 0 ? { status: "rejected" as const, reason: new Error("negative " + i) } : { status: "fulfilled" as const, value: i }))
        })
        const r1 = await Promise.allSettled([b.add(1), b.add(-2), b.add(3)])
        expect(r1.map(r => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([1, "negative -2", 3])
        const r2 = await Promise.allSettled([b.add(4), b.add(5)])
        expect(r2.map(r => (r.status === "rejected" ? (r.reason as Error).message : r.value))).toEqual(["disk full", "disk full"])
        expect(await b.add(6)).toBe(6)
    })
})

describe("sqliteGroup on a real SQLite file", () => {
    it("a work that throws is rolled back alone; the others in its commit are durable", async () => {
        const t = tempDir()
        try {
            const file = join(t.dir, "hub.db")
            const hub = await openDb({ sqliteFile: file })
            const put = (id: string, fail: boolean) => sqliteGroup(hub, db => {
                db.prepare("INSERT INTO devices (id, key_hex, label, created_at_ms, created_by) VALUES (?, 'aa', '', 0, 't')").run(id)
                if (fail) throw new Error("refused " + id)
                return id
            })
            const rs = await Promise.allSettled([put("A", false), put("B", true), put("C", false), put("A", false)])
            expect(rs.map(r => (r.status === "fulfilled" ? r.value : String((r.reason as { code?: string; message: string }).code ?? (r.reason as Error).message))))
                .toEqual(["A", "refused B", "C", "SQLITE_CONSTRAINT_PRIMARYKEY"])
            await hub.close()
            const again = await openDb({ sqliteFile: file })
            const ids = (await again.db.selectFrom("devices").select("id").orderBy("id").execute()).map(r => r.id)
            expect(ids).toEqual(["A", "C"])
            await again.close()
        } finally {
            t.cleanup()
        }
    })
})

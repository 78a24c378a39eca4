// The protocol client's rounds against the real hub over HTTP (in-process Fastify on
// 127.0.0.1:0, SQLite, hand-set clock at 1750000000): the requests src/core/sync builds are the
// ones the hub's routes accept. A first round of a clock-less device: time (MAC checked),
// the bundle with the golden template approved by rev-017, that template, the records, status.
// A second round: 304 for the bundle, only the new records, nothing fetched twice.
import { describe, it, expect } from "vitest"
import { fromHex } from "../../src/core/crypto"
import { RecordQueue } from "../../src/core/records/queue"
import { MemoryKv } from "../../src/core/store/kv"
import { nodeCrypto } from "../../src/node/crypto-node"
import { buildHub } from "../../hub/src/app"
import { provisionDevice, getDevice } from "../../hub/src/devices"
import { exportDevice } from "../../hub/src/export"
import { publishProfile } from "../../hub/src/library/profiles"
import { registerReviewerKey } from "../../hub/src/library/keys"
import { submitTemplate } from "../../hub/src/library/templates"
import { approvalToSign, decide } from "../../hub/src/library/reviews"
import { signTemplateApproval } from "../../hub/src/library/signing"
import { DeviceClient, cycleDraft } from "../../hub/src/device-client"
import { goldenProfile, GOLDEN_DEVICE, GOLDEN_TEMPLATE_HASH } from "../vectors/golden"
import { libraryStore, design, reviewerKeys } from "./library-fixture"

describe("protocol client rounds against the hub", () => {
    it("first round: time, bundle, template, 10 records, status; second: 304 and the 3 new records", async () => {
        const s = await libraryStore()
        const app = await buildHub(s.ctx)
        try {
            const key = reviewerKeys()
            await publishProfile(s.ctx, "rev-017", goldenProfile())
            await registerReviewerKey(s.ctx, "rev-017", key.publicPem)
            await submitTemplate(s.ctx, "des-1", design(), "DRC-2025")
            const a = await approvalToSign(s.ctx, design().id, "rev-017", 1750000000)
            await decide(s.ctx, design().id, "rev-017", { decision: "approve", reason: "", approvedUnixS: 1750000000, signatureHex: signTemplateApproval(key.privatePem, fromHex(a.bytesHex)) })
            const dev = await provisionDevice(s.ctx, { deviceId: GOLDEN_DEVICE, createdBy: "t", hubUrl: "x" })
            const url = await app.listen({ port: 0, host: "127.0.0.1" })

            const queue = await RecordQueue.open(new MemoryKv(), nodeCrypto, 64, dev.deviceId, dev.keyHex)
            const client = new DeviceClient({ hubUrl: url, deviceId: dev.deviceId, keyHex: dev.keyHex, queue })
            for (let k = 1; k <= 10; k++) await client.append(cycleDraft(k, 1750000000))
            expect(client.nowUnixS()).toBe(0)
            const r1 = await client.round()
            expect(r1.alerts).toEqual([])
            expect(r1.ok).toBe(true)
            // time, bundle, template, 5 uploads of 2 (batchMax 2), status
            expect(client.stats.requests).toBe(9)
            expect(client.lastTimeSyncUnixS).toBe(1750000000)
            expect(client.bundleVersion).toBe(1)
            expect(client.approved).toEqual([GOLDEN_TEMPLATE_HASH])
            expect(client.templates).toEqual([GOLDEN_TEMPLATE_HASH])
            expect(queue.next - queue.head).toBe(0)
            expect(client.stats.stored).toBe(10)
            expect((await getDevice(s.ctx, dev.deviceId)).reportedHead).toEqual({ seq: 10, hash: queue.last })

            for (let k = 11; k <= 13; k++) await client.append(cycleDraft(k, 1750000000))
            const r2 = await client.round()
            expect(r2.ok).toBe(true)
            // the clock is fresh: bundle (304), 2 uploads (2 and 1), status
            expect(client.stats.requests).toBe(13)
            expect(client.stats.stored).toBe(13)
            expect(client.bundleVersion).toBe(1)
            const e = await exportDevice(s.ctx, dev.deviceId)
            expect(e.records.map(x => x.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])
            const d = await getDevice(s.ctx, dev.deviceId)
            expect(d.pending).toBe(0)
            expect(d.reportedHead).toEqual({ seq: 13, hash: queue.last })
        } finally {
            await app.close()
            await s.close()
        }
    })
})

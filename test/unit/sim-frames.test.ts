import { describe, it, expect } from "vitest"
import { FrameDecoder, encodeFrame } from "../../sim/bus/frames"

describe("bus framing", () => {
    it("prefixes short frames with one length byte and long ones with 255 + u16", () => {
        expect([...encodeFrame(new Uint8Array([7, 8, 9]))]).toEqual([3, 7, 8, 9])
        const long = new Uint8Array(300).fill(1)
        expect([...encodeFrame(long).subarray(0, 3)]).toEqual([255, 300 & 255, 300 >> 8])
    })
    it("reassembles frames split and merged across chunks", () => {
        const got: number[][] = []
        const d = new FrameDecoder(f => got.push([...f]))
        const stream = Buffer.concat([encodeFrame(new Uint8Array([1, 2])), encodeFrame(new Uint8Array(260).fill(5)), encodeFrame(new Uint8Array([9]))])
        // feed one byte at a time: the worst chunking
        for (const b of stream) d.push(Buffer.from([b]))
        expect(got.length).toBe(3)
        expect(got[0]).toEqual([1, 2])
        expect(got[1].length).toBe(260)
        expect(got[2]).toEqual([9])
    })
})

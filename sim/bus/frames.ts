// The framing of `devs devtools`' TCP bus: each Jacdac frame is prefixed with its length, one
// byte, or 255 followed by a 16-bit little-endian length for frames of 255 bytes and more.

export function encodeFrame(frame: Uint8Array): Buffer {
    const head = frame.length < 255 ? Buffer.from([frame.length]) : Buffer.from([255, frame.length & 255, frame.length >> 8])
    return Buffer.concat([head, frame])
}

/** Splits a TCP byte stream into frames, however the stream was chunked. */
export class FrameDecoder {
    private acc: Buffer = Buffer.alloc(0)

    constructor(readonly onFrame: (frame: Uint8Array) => void) {}

    push(chunk: Buffer) {
        this.acc = this.acc.length ? Buffer.concat([this.acc, chunk]) : chunk
        for (;;) {
            if (this.acc.length < 1) return
            let len = this.acc[0]
            let head = 1
            if (len === 255) {
                if (this.acc.length < 3) return
                len = this.acc[1] | (this.acc[2] << 8)
                head = 3
            }
            if (this.acc.length < head + len) return
            const frame = new Uint8Array(this.acc.subarray(head, head + len))
            this.acc = this.acc.subarray(head + len)
            this.onFrame(frame)
        }
    }
}

// jacdac-ts transport over the bus relay's TCP socket. jacdac-ts ships one
// (createNodeSocketTransport), but it loads `net` with require(), which does not exist in an
// ES module: under this project's "type": "module" it fails silently and stays disconnected.
import { connect, type Socket } from "node:net"
import { Transport } from "jacdac-ts"

export class TcpBusTransport extends Transport {
    private sock: Socket | undefined

    constructor(readonly port: number, readonly host = "127.0.0.1") {
        super("tcp", { checkPulse: false })
    }

    override description(): string {
        return `${this.host}:${this.port}`
    }

    protected override transportConnectAsync(): Promise<void> {
        return new Promise((resolve, reject) => {
            const sock = connect(this.port, this.host, () => resolve())
            this.sock = sock
            sock.setNoDelay(true)
            sock.once("error", e => {
                reject(e)
                this.disconnect(true)
            })
            sock.on("end", () => this.disconnect(true))
            let acc: Buffer = Buffer.alloc(0)
            sock.on("data", (chunk: Buffer) => {
                acc = acc.length ? Buffer.concat([acc, chunk]) : chunk
                for (;;) {
                    if (acc.length < 1) break
                    let len = acc[0]
                    let head = 1
                    if (len === 255) {
                        if (acc.length < 3) break
                        len = acc[1] | (acc[2] << 8)
                        head = 3
                    }
                    if (acc.length < head + len) break
                    const frame = new Uint8Array(acc.subarray(head, head + len))
                    acc = acc.subarray(head + len)
                    this.handleFrame(frame)
                }
            })
        })
    }

    protected override transportSendPacketAsync(data: Uint8Array): Promise<void> {
        const head = data.length < 255 ? Buffer.from([data.length]) : Buffer.from([255, data.length & 255, data.length >> 8])
        this.sock?.write(Buffer.concat([head, data]))
        return Promise.resolve()
    }

    protected override transportDisconnectAsync(): Promise<void> {
        this.sock?.destroy()
        this.sock = undefined
        return Promise.resolve()
    }
}

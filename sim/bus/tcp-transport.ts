// jacdac-ts transport over the bus relay's TCP socket. jacdac-ts ships one
// (createNodeSocketTransport), but it loads `net` with require(), which does not exist in an
// ES module: under this project's "type": "module" it fails silently and stays disconnected.
import { connect, type Socket } from "node:net"
import { Transport } from "jacdac-ts"
import { FrameDecoder, encodeFrame } from "./frames"

export class TcpBusTransport extends Transport {
    private sock: Socket | undefined

    constructor(public port: number, readonly host = "127.0.0.1") {
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
            const decoder = new FrameDecoder(frame => this.handleFrame(frame))
            sock.on("data", (chunk: Buffer) => decoder.push(chunk))
        })
    }

    protected override transportSendPacketAsync(data: Uint8Array): Promise<void> {
        this.sock?.write(encodeFrame(data))
        return Promise.resolve()
    }

    protected override transportDisconnectAsync(): Promise<void> {
        this.sock?.destroy()
        this.sock = undefined
        return Promise.resolve()
    }
}

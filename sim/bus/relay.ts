// A stand-in for `devs devtools`' TCP bus on 127.0.0.1:8082: every client (the firmware VM run
// with `devs run --tcp`, and the simulator's own jacdac-ts bus) sends Jacdac frames prefixed
// with their length (one byte, or 255 + 16-bit little-endian length), and each frame is passed
// on to every other client, as a physical Jacdac bus would.
import { createServer, type AddressInfo, type Server, type Socket } from "node:net"
import { FrameDecoder, encodeFrame } from "./frames"

export const BUS_PORT = 8082

export class BusPortTakenError extends Error {
    constructor(port: number) {
        super(
            `port ${port} on 127.0.0.1 is already in use: another simulator run, 'devs devtools' or a ` +
                `firmware test is using the DeviceScript bus. Stop it (e.g. 'lsof -i :${port}' to find it) and retry.`,
        )
        this.name = "BusPortTakenError"
    }
}

export class BusRelay {
    private server: Server | null = null
    private clients = new Set<Socket>()
    frames = 0
    /** sees every frame passed on (e.g. to count the bus's packets by sender and service) */
    tap: ((frame: Uint8Array) => void) | null = null

    /** Listens on 127.0.0.1:port (0: a free port); returns the port. */
    async listen(port = BUS_PORT): Promise<number> {
        const server = createServer(sock => this.accept(sock))
        await new Promise<void>((resolve, reject) => {
            server.once("error", (e: NodeJS.ErrnoException) => reject(e.code === "EADDRINUSE" ? new BusPortTakenError(port) : e))
            server.listen(port, "127.0.0.1", () => resolve())
        })
        this.server = server
        return (server.address() as AddressInfo).port
    }

    private accept(sock: Socket) {
        sock.setNoDelay(true)
        this.clients.add(sock)
        const decoder = new FrameDecoder(frame => {
            this.frames++
            if (this.tap) this.tap(frame)
            const out = encodeFrame(frame)
            for (const c of this.clients) if (c !== sock && !c.destroyed) c.write(out)
        })
        sock.on("data", (chunk: Buffer) => decoder.push(chunk))
        const drop = () => this.clients.delete(sock)
        sock.on("close", drop)
        sock.on("error", drop)
    }

    clientCount(): number {
        return this.clients.size
    }

    async close(): Promise<void> {
        for (const c of this.clients) c.destroy()
        this.clients.clear()
        const s = this.server
        this.server = null
        if (s) await new Promise<void>(resolve => s.close(() => resolve()))
    }
}

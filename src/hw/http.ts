// One HTTP/1.1 request on the VM's one socket, bounded by a deadline: DeviceScript's fetch has
// no timeout once connected, and with its URL and Headers classes it cost 2.4 KB of the 64 KB
// function area; this is the part the hub sync needs (plain http, `connection: close`, a body
// whose length the server states: the hub always sends Content-Length).
import * as ds from "@devicescript/core"
import { connect, Socket } from "@devicescript/net"

export interface HttpAnswer {
    /** 0 when no complete answer arrived (refused, timed out, cut short, no Content-Length) */
    status: number
    text: string
}

/** `base` is "http://host:port"; `headers` are complete "name: value\r\n" lines. */
export async function httpRequest(base: string, method: string, path: string, headers: string, body: string, timeoutMs: number): Promise<HttpAnswer> {
    const deadline = ds.millis() + timeoutMs
    const hostPort = base.slice(base.indexOf("//") + 2)
    const colon = hostPort.indexOf(":")
    const host = colon < 0 ? hostPort : hostPort.slice(0, colon)
    const port = colon < 0 ? 80 : parseInt(hostPort.slice(colon + 1))
    let s: Socket = null
    try {
        s = await connect({ host: host, port: port, proto: "tcp", timeout: timeoutMs })
        await s.send(method + " " + path + " HTTP/1.1\r\nhost: " + hostPort + "\r\nconnection: close\r\ncontent-length: " +
            body.length + "\r\n" + headers + "\r\n" + body)
        let got = ""
        let bytes = 0
        let head = -1
        let want = -1
        for (;;) {
            const left = deadline - ds.millis()
            const b = left > 0 ? await s.recv(left) : undefined
            if (b === undefined) return { status: 0, text: "timeout" }
            if (b === null) break // the hub closed the connection: the answer is complete
            got += b.toString()
            bytes += b.length
            if (head < 0) {
                head = got.indexOf("\r\n\r\n")
                if (head >= 0) {
                    const h = got.slice(0, head).toLowerCase()
                    const i = h.indexOf("\ncontent-length:")
                    want = i < 0 ? -1 : parseInt(h.slice(i + 16))
                }
            }
            if (head >= 0 && want >= 0 && bytes - head - 4 >= want) break
        }
        if (head < 0 || got.slice(0, 9) !== "HTTP/1.1 ") return { status: 0, text: "no answer" }
        const text = got.slice(head + 4)
        if (want < 0 ? text.length > 0 : bytes - head - 4 !== want) return { status: 0, text: "cut short" }
        return { status: parseInt(got.slice(9, 12)), text: text }
    } catch (e) {
        return { status: 0, text: (e as Error).message }
    } finally {
        if (s) await s.close()
    }
}

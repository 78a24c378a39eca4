// One HTTP/1.1 request on the VM's one socket, bounded by a deadline. DeviceScript's fetch has
// no timeout once connected, and fetch with its URL, Headers and Socket classes cost 3.6 KB of
// the 64 KB function area; this talks to the VM's socket natives (what @devicescript/net's
// sockets.ts wraps, runtime 2.16.4) and does only what the hub sync needs: plain http,
// `connection: close`, a body whose length the server states (the hub sends Content-Length).
import * as ds from "@devicescript/core"

type SocketEvent = "open" | "close" | "data" | "error"
type DsSockets = typeof ds & {
    _socketOpen(host: string, port: number): number
    _socketClose(): number
    _socketWrite(buf: Buffer | string): number
    _socketOnEvent(event: SocketEvent, arg?: Buffer | string): void
}
const net = ds as DsSockets

export interface HttpAnswer {
    /** 0 when no complete answer arrived (refused, timed out, cut short, no Content-Length) */
    status: number
    text: string
}

// the socket's state, fed by the runtime's event callback
let opened = false
let ended = false
let failed = ""
let got = ""
let bytes = 0

/** `base` is "http://host:port"; `headers` are complete "name: value\r\n" lines. */
export async function httpRequest(base: string, method: string, path: string, headers: string, body: string, timeoutMs: number): Promise<HttpAnswer> {
    const deadline = ds.millis() + timeoutMs
    const hostPort = base.slice(base.indexOf("//") + 2)
    const colon = hostPort.indexOf(":")
    opened = false
    ended = false
    failed = ""
    got = ""
    bytes = 0
    net._socketOnEvent = (ev: SocketEvent, arg?: Buffer | string) => {
        if (ev === "open") opened = true
        else if (ev === "data") {
            got += (arg as Buffer).toString()
            bytes += (arg as Buffer).length
        } else {
            if (ev === "error") failed = "" + arg
            ended = true
        }
    }
    if (net._socketOpen(colon < 0 ? hostPort : hostPort.slice(0, colon), colon < 0 ? 80 : parseInt(hostPort.slice(colon + 1))) !== 0)
        return { status: 0, text: "cannot open a socket" }
    let head = -1
    let want = -1
    let sent = false
    while (ds.millis() < deadline) {
        if (failed) break
        if (opened && !sent) {
            sent = true
            // the head and the body written apart: one copy of the body in the heap, not two
            if (net._socketWrite(method + " " + path + " HTTP/1.1\r\nhost: " + hostPort + "\r\nconnection: close\r\ncontent-length: " +
                body.length + "\r\n" + headers + "\r\n") !== 0 || (body.length > 0 && net._socketWrite(body) !== 0)) {
                failed = "send failed"
                break
            }
        }
        if (head < 0) {
            head = got.indexOf("\r\n\r\n")
            if (head >= 0) {
                const h = got.slice(0, head).toLowerCase()
                const i = h.indexOf("\ncontent-length:")
                want = i < 0 ? -1 : parseInt(h.slice(i + 16))
            }
        }
        // complete: the stated length arrived, or the hub closed the connection
        if (ended || (head >= 0 && want >= 0 && bytes - head - 4 >= want)) break
        await ds.sleep(10)
    }
    net._socketClose()
    // the event callback stays: what a closed socket still reports only touches the state above,
    // which the next request resets before it opens its socket
    if (!failed && (head < 0 || got.slice(0, 9) !== "HTTP/1.1 ")) failed = ended ? "no answer" : "timeout"
    const text = got.slice(head + 4)
    if (!failed && (want < 0 ? text.length > 0 : bytes - head - 4 !== want)) failed = "cut short"
    const status = failed ? 0 : parseInt(got.slice(9, 12))
    got = "" // not held until the next request (an answer with a template is KBs of the heap)
    return { status: status, text: failed || text }
}

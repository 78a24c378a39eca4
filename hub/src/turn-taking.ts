// Fair turns for the hub's HTTP server: in a reconnect storm, every connection waiting to be
// accepted gets in before the connections already in are served further (issue 16).
//
// Why. libuv accepts at most one connection per turn of the event loop (libuv 6c692ad1c, "unix:
// don't accept() connections in a loop", 2022; Node 20 ships libuv 1.46), and Node's http
// server runs a request's handler in the turn its bytes are read. When 1,000 devices reconnect
// at once, the first ~700 connections are accepted while the hub is still idle; from then on a
// turn serves every request that is ready (hundreds, 20-80 ms of work) and accepts one more
// connection. The rest sat in the kernel's accept queue (`ss -ltn` Recv-Q: ~310 for 0.9 s) while
// the first devices finished their whole sync round, and waited 1-1.5 s for their first
// answer: the tail of `npm run bench:hub`'s burst (hub/README.md, Throughput).
//
// What this does. Requests are queued as they arrive and served in arrival order, at most
// budgetMs of them per turn. A turn in which a connection was accepted serves none (at most
// maxAcceptTurns such turns in a row, so a flood of connections cannot stall the served ones),
// so the accept queue empties first, one connection per cheap turn, and every device then waits
// its turn in one queue. Idle, a request is served in the turn it arrived (setImmediate runs in
// the same turn's check phase), so a lone request waits for nothing.
import type http from "node:http"

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void

export interface TurnOptions {
    /** how long one turn serves queued requests before the loop polls again */
    budgetMs: number
    /** turns in a row that only accept connections, before a turn serves requests again */
    maxAcceptTurns: number
}

/** what the hub uses: a turn of 5 ms is ~20 device requests, and one group commit (db/group-commit.ts) each */
export const HUB_TURNS: TurnOptions = { budgetMs: 5, maxAcceptTurns: 1024 }

/** A request whose handler threw: a bare 500 if nothing was sent yet, else the connection cut. */
function failed(res: http.ServerResponse) {
    if (res.headersSent) res.destroy()
    else {
        res.statusCode = 500
        res.setHeader("connection", "close")
        res.end()
    }
}

/**
 * A request listener for server that serves handler's requests in arrival order, in turns
 * (above). The server's "connection" events tell it when a turn accepted a connection. A throw
 * from handler (Fastify's never throws; this is the belt to its braces) is given to report, and
 * its request answered 500.
 */
export function turnTaking(server: http.Server, handler: RequestHandler, o: TurnOptions = HUB_TURNS, report: (err: unknown) => void = console.error): RequestHandler {
    if (!(o.budgetMs >= 0) || !Number.isInteger(o.maxAcceptTurns) || o.maxAcceptTurns < 0)
        throw new Error("turnTaking: budgetMs must be >= 0 and maxAcceptTurns an integer >= 0")
    // a FIFO: served from head, the array reset whenever it empties
    const queue: (readonly [http.IncomingMessage, http.ServerResponse])[] = []
    let head = 0
    let scheduled = false
    let accepted = false
    let acceptTurns = 0
    server.on("connection", () => { accepted = true })
    const onThrow = (err: unknown, res: http.ServerResponse) => {
        report(err)
        failed(res)
    }
    const turn = () => {
        if (accepted && acceptTurns < o.maxAcceptTurns) {
            // this turn accepted a connection: there may be more waiting; let the next turn take one
            accepted = false
            acceptTurns++
            setImmediate(turn)
            return
        }
        accepted = false
        acceptTurns = 0
        const end = performance.now() + o.budgetMs
        do {
            const [req, res] = queue[head]
            queue[head++] = undefined as never
            // a handler that throws fails its own request only: the queue goes on (a throw here
            // would otherwise leave `scheduled` set and every later request unserved)
            try {
                handler(req, res)
            } catch (err) {
                onThrow(err, res)
            }
        } while (head < queue.length && performance.now() < end)
        if (head < queue.length) {
            setImmediate(turn)
            return
        }
        queue.length = 0
        head = 0
        scheduled = false
    }
    return (req, res) => {
        queue.push([req, res])
        if (!scheduled) {
            scheduled = true
            setImmediate(turn)
        }
    }
}

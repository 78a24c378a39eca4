// Accept first, then serve: while new connections are arriving, requests wait (at most
// maxHoldMs) so that the event loop's turns stay short and every waiting connection is accepted.
//
// Why: since libuv 1.45 (Node 20; libuv PR #3696, "unix: don't accept() connections in a loop")
// a listening socket accepts ONE connection per event-loop turn. In a reconnect burst the turns
// grow long (each serves every request that arrived: parse, signature, SQL, answer; 0.05-1.6 s
// on a loaded machine), so the connections still in the kernel's accept queue were taken one per
// long turn: the client's handshake had completed long before (the kernel finishes it), no
// queue overflowed, yet the hub picked the last connections up seconds later (bench/sync.ts's
// burst: p99 of the first request 2-6 s). Holding the requests of the turns that accept keeps
// those turns to an accept and a parse, so a burst's connections are all taken within
// milliseconds of arriving and their requests are then served together (which also lets
// SQLite's group commit and PostgreSQL's batched statements take them as one group).
//
// The rule: a request that arrives within quietMs of the last accepted connection waits, and so
// does every request after it while each turn of the event loop still accepts one; the waiting
// requests all go on at the first turn that accepts none, or once the oldest has waited
// maxHoldMs (so a steady stream of new connections delays a request by at most maxHoldMs and
// never starves it). With no connection arriving, requests go on at once.
import type { Server } from "node:net"

export interface AcceptFirstOptions {
    /** a request waits while a connection was accepted less than this long ago */
    quietMs: number
    /** no request waits longer than this */
    maxHoldMs: number
}

export const DEFAULT_ACCEPT_FIRST: AcceptFirstOptions = { quietMs: 2, maxHoldMs: 200 }

export class AcceptFirst {
    private held: (() => void)[] = []
    private heldSince = 0
    private lastAcceptMs = -Infinity
    private acceptedSinceTurn = false
    private ticking = false

    constructor(private readonly o: AcceptFirstOptions = DEFAULT_ACCEPT_FIRST) {}

    /** counts a server's accepted connections */
    watch(server: Server): void {
        server.on("connection", () => {
            this.lastAcceptMs = performance.now()
            this.acceptedSinceTurn = true
        })
    }

    /** an onRequest hook's body: done() now, or once the connections arriving are accepted */
    enter(done: () => void): void {
        if (!this.ticking && performance.now() - this.lastAcceptMs >= this.o.quietMs) return done()
        if (this.held.length === 0) this.heldSince = performance.now()
        this.held.push(done)
        if (!this.ticking) {
            this.ticking = true
            setImmediate(this.turn)
        }
    }

    /** the check phase of each turn while requests wait (an immediate set here runs in the next turn) */
    private readonly turn = (): void => {
        if (this.acceptedSinceTurn && performance.now() - this.heldSince < this.o.maxHoldMs) {
            this.acceptedSinceTurn = false
            setImmediate(this.turn)
            return
        }
        this.acceptedSinceTurn = false
        this.ticking = false
        const go = this.held
        this.held = []
        for (const done of go) done()
    }
}

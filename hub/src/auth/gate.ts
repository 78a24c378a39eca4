// A bound on work in flight: at most `maxRunning` at once and `maxWaiting` queued; anything past
// that is refused at once. The hub passes every login's scrypt through one (auth/login-limits.ts):
// scrypt runs in libuv's thread pool (4 threads by default, shared with file reads and DNS), 32 MiB
// each, so a flood of logins must not take every thread nor make a real login wait behind it.
export class Gate {
    private running = 0
    private readonly queue: (() => void)[] = []

    constructor(readonly maxRunning: number, readonly maxWaiting: number) {}

    get waiting(): number {
        return this.queue.length
    }

    /** A slot (call the function it gives to free it), after a wait in line; null when the line is full. */
    enter(): Promise<() => void> | null {
        if (this.running < this.maxRunning) {
            this.running++
            return Promise.resolve(this.leave())
        }
        if (this.queue.length >= this.maxWaiting) return null
        return new Promise(resolve => this.queue.push(() => resolve(this.leave())))
    }

    private leave(): () => void {
        let done = false
        return () => {
            if (done) return
            done = true
            const next = this.queue.shift()
            // the slot passes straight to the next in line
            if (next) next()
            else this.running--
        }
    }
}

// Bus writes that are not the control tick's own: the display, the status lamp, the buzzer and
// the sensors' streaming settings. The VM sends one packet at a time and every sending fiber
// waits its turn, so these writes, made from their own fibers whenever they liked, delayed the
// control tick's heater and press writes by up to 150 ms (measured in the simulator: the
// burst of sensor settings after boot, the display and lamp at each phase change). They are
// queued here instead and written one at a time, each right after a control tick has finished
// its own writes, so they never queue ahead of the heater or the press.
// A newer write for the same key (the next display text) replaces one still waiting.

export type BusWrite = () => Promise<void>

export class Housekeeping {
    /** the keys of the queued writes, oldest first */
    readonly keys: string[] = []
    private writes: BusWrite[] = []
    private running?: boolean
    /** writes done, and writes replaced before they were made (diagnostics) */
    done = 0
    replaced = 0

    /** Queues a write; a pending write with the same key is replaced (only the latest matters). */
    post(key: string, w: BusWrite) {
        const i = this.keys.indexOf(key)
        if (i >= 0) {
            this.writes[i] = w
            this.replaced++
            return
        }
        this.keys.push(key)
        this.writes.push(w)
    }

    /** Called by the control loop after a tick's own writes: starts the next queued write on its own fiber. */
    afterTick() {
        if (this.running || this.writes.length === 0) return
        this.running = true
        setTimeout(this.runOne, 0) // a bound method, on its own fiber
    }

    /** Makes the oldest queued write now (an error is logged: a display write must not stop the queue). */
    async runOne() {
        try {
            if (this.writes.length === 0) return
            const w = this.writes.shift()
            this.keys.shift()
            await w()
            this.done++
        } catch (e) {
            console.warn("housekeeping write failed: " + (e as Error).message)
        } finally {
            this.running = false // afterTick may start the next one
        }
    }
}

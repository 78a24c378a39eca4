// Seeded PRNG for the simulator's noise: mulberry32 (Tommy Ettinger, public domain), a 32-bit
// state generator that passes gjrand/PractRand to ~2^32 outputs; plenty for sensor noise.
// Deterministic per seed, so every scenario replays exactly. Not the firmware's PRNG.

const TWO_POW_32 = 4294967296

export class Rng {
    private state: number
    /** the second Box-Muller value, kept for the next gauss() call */
    private spare: number | null = null

    constructor(seed: number) {
        if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number, got ${seed}`)
        this.state = Math.floor(seed) >>> 0
    }

    /** Uniform in [0, 1), 32 bits of resolution. */
    next(): number {
        this.state = (this.state + 0x6d2b79f5) >>> 0
        let t = this.state
        t = Math.imul(t ^ (t >>> 15), t | 1)
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
        return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32
    }

    /** Standard normal N(0, 1), Box-Muller (exact, both values of each pair used). */
    gauss(): number {
        if (this.spare !== null) {
            const s = this.spare
            this.spare = null
            return s
        }
        const u = 1 - this.next() // (0, 1]: log(u) is finite
        const v = this.next()
        const r = Math.sqrt(-2 * Math.log(u))
        this.spare = r * Math.sin(2 * Math.PI * v)
        return r * Math.cos(2 * Math.PI * v)
    }
}

// Seeded PRNG for fuzz tests, identical in Node and the VM: Park-Miller "minimal standard"
// (x = x * 48271 mod 2^31 - 1). The product stays below 2^47, exact in doubles; no % (the VM
// evaluates % on int32).

export class Prng {
    private x: number

    constructor(seed: number) {
        this.x = (Math.floor(seed) % 2147483646) + 1
    }

    next(): number {
        const p = this.x * 48271
        this.x = p - Math.floor(p / 2147483647) * 2147483647
        return this.x
    }

    /** integer in lo..hi inclusive */
    int(lo: number, hi: number): number {
        return lo + Math.floor((this.next() / 2147483647) * (hi - lo + 1))
    }

    pick<T>(xs: T[]): T {
        return xs[this.int(0, xs.length - 1)]
    }

    chance(permille: number): boolean {
        return this.int(0, 999) < permille
    }
}

// Per-phase summary a compliance record is built from: duration and min/max/mean of film
// temperature, contact temperature and force. Integer sums, so the mean is exact and the same
// in the VM and in Node.

export interface PhaseSummary {
    phase: number
    durationMs: number
    samples: number
    filmMinDeciC: number
    filmMaxDeciC: number
    filmMeanDeciC: number
    contactMaxDeciC: number
    forceMinMilliN: number
    forceMaxMilliN: number
    forceMeanMilliN: number
}

export class PhaseStats {
    // set by begin() (no initialisers: they would only repeat it)
    private startMs!: number
    private n!: number
    private filmSum!: number
    private forceSum!: number
    private s!: PhaseSummary

    constructor() {
        this.begin(0, 0)
    }

    begin(phase: number, nowMs: number) {
        this.startMs = nowMs
        this.n = 0
        this.filmSum = 0
        this.forceSum = 0
        this.s = emptySummary(phase)
    }

    add(filmDeciC: number, contactDeciC: number, forceMilliN: number) {
        const s = this.s
        if (this.n === 0) {
            s.filmMinDeciC = s.filmMaxDeciC = filmDeciC
            s.forceMinMilliN = s.forceMaxMilliN = forceMilliN
            s.contactMaxDeciC = contactDeciC
        } else {
            if (filmDeciC < s.filmMinDeciC) s.filmMinDeciC = filmDeciC
            if (filmDeciC > s.filmMaxDeciC) s.filmMaxDeciC = filmDeciC
            if (forceMilliN < s.forceMinMilliN) s.forceMinMilliN = forceMilliN
            if (forceMilliN > s.forceMaxMilliN) s.forceMaxMilliN = forceMilliN
            if (contactDeciC > s.contactMaxDeciC) s.contactMaxDeciC = contactDeciC
        }
        this.n++
        this.filmSum += filmDeciC
        this.forceSum += forceMilliN
    }

    /** Closes the phase and returns its summary (means rounded half away from zero). */
    end(nowMs: number): PhaseSummary {
        const s = this.s
        s.durationMs = nowMs - this.startMs
        s.samples = this.n
        if (this.n > 0) {
            s.filmMeanDeciC = roundDiv(this.filmSum, this.n)
            s.forceMeanMilliN = roundDiv(this.forceSum, this.n)
        }
        return s
    }
}

function emptySummary(phase: number): PhaseSummary {
    return {
        phase: phase, durationMs: 0, samples: 0,
        filmMinDeciC: 0, filmMaxDeciC: 0, filmMeanDeciC: 0, contactMaxDeciC: 0,
        forceMinMilliN: 0, forceMaxMilliN: 0, forceMeanMilliN: 0,
    }
}

function roundDiv(sum: number, n: number): number {
    return sum >= 0 ? Math.floor((2 * sum + n) / (2 * n)) : -Math.floor((-2 * sum + n) / (2 * n))
}

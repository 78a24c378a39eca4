// Heater PID autotune: relay feedback (Åström–Hägglund), a tuning rule, then a step test that
// accepts the gains only if the closed loop overshoots and settles within the manifest's
// limits. Pure: time and the measurement are passed in; step() returns the duty to apply,
// which the caller time-proportions exactly as in normal control.
//
// Phases: heat (full duty up to the setpoint) -> relay (oscillate around the setpoint) ->
// cool (heater off until stepDropDeciC below) -> step (HeaterPid with the new gains back to
// the setpoint for stepObserveMs) -> done.
//
// The relay is biased (as in Marlin's M303): it switches between bias + d and bias - d, with
// d = min(bias, max - bias), and after each cycle moves the bias by d (tHigh - tLow) /
// (tHigh + tLow) so the heating and cooling half-cycles become equal. A symmetric oscillation
// makes the describing-function estimate valid; an on/off relay around a setpoint that
// needs ~40 % duty would give lopsided half-periods. The converged bias is the duty that holds
// the setpoint. With hysteresis eps and oscillation amplitude a (half peak-to-peak):
//   Ku = 4 d / (pi sqrt(a^2 - eps^2)),  Tu = mean period of the measured cycles.
// The describing function underestimates Ku of lag-dominant plants (by 8/pi^2 = 0.81 in the
// integrator-plus-dead-time limit), which only makes the rules below more conservative.

import type { AutotuneSettings, ControlTiming } from "../manifest"
import { HeaterPid, PidGains, pidLimitsFor } from "./pid"
import { abs, clamp, idiv } from "../util"

export interface AutotuneResult {
    ok: boolean
    /** the tuned gains; null unless ok (a rejected candidate is described in reason) */
    gains: PidGains | null
    /** ultimate gain from the relay test, 1e-6 duty per °C (0 if the relay test did not finish) */
    kuMicroPerDegC: number
    /** ultimate period from the relay test */
    tuMs: number
    /** step test: highest reading above the setpoint (0 if it never got above) */
    overshootDeciC: number
    /** step test: time from the step until the reading entered the band for good (-1 = never) */
    settleMs: number
    reason: string
}

/**
 * Tuning rules from the ultimate point (Kp in duty/°C, Ti and Td in s):
 * - "tyreus-luyben" (default): Kp = Ku/2.2, Ti = 2.2 Tu, Td = Tu/6.3. Derived for relay (ATV)
 *   tests; its long Ti suits lag-dominant heaters, where the large ambient-to-target step is
 *   mostly spent saturated and any integral gathered on the approach becomes overshoot.
 * - "zn-no-overshoot": Kp = 0.2 Ku, Ti = Tu/2, Td = Tu/3 (small setpoint steps only).
 * - "zn-classic": Kp = 0.6 Ku, Ti = Tu/2, Td = Tu/8 (quarter-decay; overshoots; for tests).
 */
export type TuningRule = "tyreus-luyben" | "zn-no-overshoot" | "zn-classic"

/** Gains from the ultimate gain (1e-6 duty/°C) and period (ms) by the named rule. */
export function gainsFromUltimate(kuMicroPerDegC: number, tuMs: number, rule: TuningRule): PidGains {
    let kpPerKu: number
    let tiPerTu: number
    let tdPerTu: number
    if (rule === "tyreus-luyben") {
        kpPerKu = 1 / 2.2
        tiPerTu = 2.2
        tdPerTu = 1 / 6.3
    } else if (rule === "zn-no-overshoot") {
        kpPerKu = 0.2
        tiPerTu = 0.5
        tdPerTu = 1 / 3
    } else if (rule === "zn-classic") {
        kpPerKu = 0.6
        tiPerTu = 0.5
        tdPerTu = 1 / 8
    } else {
        throw new RangeError("unknown tuning rule '" + rule + "' (tyreus-luyben, zn-no-overshoot, zn-classic)")
    }
    const kp = kuMicroPerDegC * kpPerKu // 1e-6 duty/°C
    const tiS = (tuMs / 1000) * tiPerTu
    const tdS = (tuMs / 1000) * tdPerTu
    return {
        kpMicroPerDegC: Math.round(kp),
        kiMicroPerDegCSec: Math.round(kp / tiS),
        kdMicroSecPerDegC: Math.round(kp * tdS),
    }
}

/**
 * Ultimate gain, 1e-6 duty per °C, from a relay of half-swing dPermille that produced an
 * oscillation of peak-to-peak ppDeciC with hysteresis hystDeciC; 0 if the amplitude does not
 * exceed the hysteresis (no usable oscillation).
 */
export function relayUltimateGain(dPermille: number, ppDeciC: number, hystDeciC: number): number {
    const aC = ppDeciC / 20
    const epsC = hystDeciC / 10
    if (aC <= epsC) return 0
    return Math.round((4 * (dPermille / 1000) * 1e6) / (Math.PI * Math.sqrt(aC * aC - epsC * epsC)))
}

/** Relay cycles run before measuring, so the bias has converged (one step is usually enough). */
const WARMUP_CYCLES = 2

/**
 * Each relay half-cycle must span a few time-proportioning windows for its duty to be
 * realised; a shorter one is noise or window ripple crossing the hysteresis, not the plant,
 * and would throw the bias off (one such cycle moves it by most of d).
 */
const MIN_HALF_CYCLE_WINDOWS = 2

const HEAT = 0
const RELAY = 1
const COOL = 2
const STEP = 3
const DONE = 4

export class Autotuner {
    private phase = HEAT
    private startMs = -1
    private res: AutotuneResult | null = null
    private readonly maxDuty: number
    // relay
    private high = false
    private biasPermille: number
    private dPermille: number
    private cycleD = 0
    private switchMs = 0
    private tHighMs = 0
    private cycleStartMs = -1
    private cycleMax = 0
    private cycleMin = 0
    private cycles = 0
    private kuSum = 0
    private tuSum = 0
    // step test
    private gains: PidGains | null = null
    private pid: HeaterPid | null = null
    private stepStartMs = 0
    private peakDeciC = 0
    private inBandSinceMs = -1
    private kuMicro = 0
    private tuMs = 0

    constructor(
        readonly targetDeciC: number,
        readonly settings: AutotuneSettings,
        readonly control: ControlTiming,
        readonly rule: TuningRule = "tyreus-luyben"
    ) {
        this.maxDuty = control.heaterMaxDutyPermille
        this.biasPermille = idiv(this.maxDuty, 2)
        this.dPermille = this.biasPermille
        gainsFromUltimate(1, 1000, rule) // rejects an unknown rule now, not after the relay test
    }

    isDone(): boolean {
        return this.phase === DONE
    }

    result(): AutotuneResult | null {
        return this.res
    }

    phaseName(): string {
        // a list built on each call, not a module-level one the heap would hold (asked only in a message)
        return ["heat", "relay", "cool", "step", "done"][this.phase]
    }

    /** One control tick: returns the heater duty (permille) to apply until the next tick. */
    step(nowMs: number, measuredDeciC: number): number {
        if (this.phase === DONE) return 0
        if (this.startMs < 0) this.startMs = nowMs
        if (nowMs - this.startMs > this.settings.maxMs) {
            this.finish(false, "timed out in phase " + this.phaseName() + " after " +
                idiv(nowMs - this.startMs, 1000) + " s (autotune.maxMs " + idiv(this.settings.maxMs, 1000) + " s)")
            return 0
        }
        const t = this.targetDeciC
        const s = this.settings
        if (this.phase === HEAT) {
            if (measuredDeciC < t + s.hysteresisDeciC) return this.maxDuty
            this.phase = RELAY
            this.high = false
            this.switchMs = nowMs
        }
        if (this.phase === RELAY) return this.relayStep(nowMs, measuredDeciC)
        if (this.phase === COOL) {
            if (measuredDeciC > t - s.stepDropDeciC) return 0
            this.phase = STEP
            this.pid = new HeaterPid(this.gains as PidGains, pidLimitsFor(this.control))
            this.stepStartMs = nowMs
            this.peakDeciC = measuredDeciC
            this.inBandSinceMs = -1
        }
        return this.stepTest(nowMs, measuredDeciC)
    }

    private relayStep(nowMs: number, m: number): number {
        const t = this.targetDeciC
        const h = this.settings.hysteresisDeciC
        if (this.high && m > t + h) {
            this.high = false
            this.tHighMs = nowMs - this.switchMs
            this.switchMs = nowMs
        } else if (!this.high && m < t - h) {
            const tLowMs = nowMs - this.switchMs
            this.high = true
            this.switchMs = nowMs
            // a cycle runs from one upward switch to the next: the trough (just after the
            // switch, the plant still lags) and the peak (just after the downward switch)
            if (this.cycleStartMs >= 0) this.cycleDone(nowMs, tLowMs)
            if (this.phase !== RELAY) return 0
            this.cycleStartMs = nowMs
            this.cycleD = this.dPermille
            this.cycleMax = m
            this.cycleMin = m
        }
        if (this.cycleStartMs >= 0) {
            if (m > this.cycleMax) this.cycleMax = m
            if (m < this.cycleMin) this.cycleMin = m
        }
        return this.high ? this.biasPermille + this.dPermille : this.biasPermille - this.dPermille
    }

    private cycleDone(nowMs: number, tLowMs: number) {
        this.cycles++
        const periodMs = nowMs - this.cycleStartMs
        const shortestMs = Math.min(this.tHighMs, tLowMs)
        if (shortestMs < MIN_HALF_CYCLE_WINDOWS * this.control.heaterWindowMs) {
            this.finish(false, "relay half-cycle of " + deci(idiv(shortestMs, 100)) + " s is shorter than " +
                MIN_HALF_CYCLE_WINDOWS + " heater windows: noise or window ripple is switching the relay;" +
                " raise autotune.hysteresisDeciC")
            return
        }
        if (this.cycles > WARMUP_CYCLES) {
            // the reading crossed both target ± hysteresis, so pp > 2 x hysteresis and Ku > 0
            this.kuSum += relayUltimateGain(this.cycleD, this.cycleMax - this.cycleMin, this.settings.hysteresisDeciC)
            this.tuSum += periodMs
        }
        // rebalance: longer heating than cooling means the bias is too low
        const span = this.tHighMs + tLowMs
        if (span > 0) {
            const lim = idiv(this.maxDuty, 20)
            this.biasPermille = Math.round(clamp(
                this.biasPermille + (this.dPermille * (this.tHighMs - tLowMs)) / span, lim, this.maxDuty - lim))
            this.dPermille = Math.min(this.biasPermille, this.maxDuty - this.biasPermille)
        }
        const n = this.cycles - WARMUP_CYCLES
        if (n < this.settings.relayCycles) return
        this.kuMicro = Math.round(this.kuSum / n)
        this.tuMs = Math.round(this.tuSum / n)
        this.gains = gainsFromUltimate(this.kuMicro, this.tuMs, this.rule)
        this.phase = COOL
    }

    private stepTest(nowMs: number, m: number): number {
        const s = this.settings
        const t = this.targetDeciC
        if (m > this.peakDeciC) this.peakDeciC = m
        if (abs(m - t) <= s.settleBandDeciC) {
            if (this.inBandSinceMs < 0) this.inBandSinceMs = nowMs
        } else {
            this.inBandSinceMs = -1
        }
        const overshoot = this.peakDeciC > t ? this.peakDeciC - t : 0
        const elapsed = nowMs - this.stepStartMs
        // stop early once the overshoot is over the limit and the peak has passed
        const overLimit = overshoot > s.maxOvershootDeciC
        if ((overLimit && m <= t) || elapsed >= s.stepObserveMs) {
            const settleMs = this.inBandSinceMs < 0 ? -1 : this.inBandSinceMs - this.stepStartMs
            // settled = in the band, without leaving it again, for the last quarter of the window
            const settled = this.inBandSinceMs >= 0 && nowMs - this.inBandSinceMs >= idiv(s.stepObserveMs, 4)
            const g = this.gains as PidGains
            const gs = " (Kp " + g.kpMicroPerDegC + ", Ki " + g.kiMicroPerDegCSec + ", Kd " + g.kdMicroSecPerDegC + ")"
            if (overLimit)
                this.finish(false, "step test overshoot " + deci(overshoot) + " °C exceeds autotune.maxOvershootDeciC " +
                    deci(s.maxOvershootDeciC) + " °C" + gs, overshoot, settleMs)
            else if (!settled)
                this.finish(false, "step test did not settle within ±" + deci(s.settleBandDeciC) + " °C in " +
                    idiv(s.stepObserveMs, 1000) + " s (reading " + deci(m) + " °C, target " + deci(t) + " °C)" + gs,
                    overshoot, settleMs)
            else
                this.finish(true, "ok: overshoot " + deci(overshoot) + " °C, settled in " + deci(idiv(settleMs, 100)) +
                    " s" + gs, overshoot, settleMs)
            return 0
        }
        return (this.pid as HeaterPid).update(nowMs, m, t)
    }

    private finish(ok: boolean, reason: string, overshootDeciC = 0, settleMs = -1) {
        this.phase = DONE
        this.res = {
            ok,
            gains: ok ? this.gains : null,
            kuMicroPerDegC: this.kuMicro,
            tuMs: this.tuMs,
            overshootDeciC,
            settleMs,
            reason,
        }
    }
}

/** 0.1 °C integer as "-12.3" (no toFixed in the VM). */
function deci(v: number): string {
    const a = abs(Math.round(v))
    return (v < 0 ? "-" : "") + idiv(a, 10) + "." + (a % 10)
}

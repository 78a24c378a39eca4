// Heater control vectors shared by Node (test/unit/heater-vectors.test.ts) and the DeviceScript
// VM (test/vm/heater.vm.ts): inputs and expected outputs worked out by hand (the arithmetic is
// in the comments), never taken from running the code. Plain data plus one arithmetic helper,
// in the subset both compilers accept (no Math.sin in the VM: waveforms are triangles).

import type { AutotuneSettings, ControlTiming } from "../../src/core/manifest"

// ---------------------------------------------------------------------------------------------
// HeaterPid. gains = [kp 1e-6/°C, ki 1e-6/(°C·s), kd 1e-6·s/°C];
// limits = [maxDutyPermille, itermMaxPermille, kdFilterMs]; steps = [nowMs, measuredDeciC,
// targetDeciC, expected duty permille]. Duty = round(1000 x clamp(Kp e + I - Kd D, 0, max)).
// The first update of a fresh PID has no dt: no integral, no derivative.

export interface PidVector {
    name: string
    gains: number[]
    limits: number[]
    steps: number[][]
}

export const PID_VECTORS: PidVector[] = [
    {
        // Kp = 0.05/°C. e = 10 °C -> 0.5 -> 500; e = 5 -> 250; e = -1 -> -0.05 -> 0 (clamp);
        // e = 70 -> 3.5 -> 1000 (clamp); e = 0.5 -> 0.025 -> 25
        name: "P only: duty = Kp x error",
        gains: [50000, 0, 0],
        limits: [1000, 1000, 1000],
        steps: [[0, 600, 700, 500], [50, 650, 700, 250], [100, 710, 700, 0], [150, 0, 700, 1000], [200, 695, 700, 25]],
    },
    {
        // Ki = 0.01/(°C·s), 1 s steps. t=0: no dt -> 0. e = 10 °C: +0.1 per step -> 100, 200;
        // e = 5: +0.05 -> 250; e = 0: unchanged 250; e = -5: -0.05 -> 200
        name: "integral accumulates Ki x e x dt",
        gains: [0, 10000, 0],
        limits: [1000, 1000, 1000],
        steps: [[0, 600, 700, 0], [1000, 600, 700, 100], [2000, 600, 700, 200], [3000, 650, 700, 250],
            [4000, 700, 700, 250], [5000, 750, 700, 200]],
    },
    {
        // Ki = 0.1/(°C·s), e = 10 °C: +1.0 per 1 s step, clamped to itermMax 0.3 -> 300, 300
        name: "integral clamped at itermMaxPermille",
        gains: [0, 100000, 0],
        limits: [1000, 300, 1000],
        steps: [[0, 600, 700, 0], [1000, 600, 700, 300], [2000, 600, 700, 300]],
    },
    {
        // Kp = 0.01/°C, Kd = 1 duty·s/°C, measurement constant at 60.0 °C. The target steps
        // 60 -> 70 °C: output = Kp x 10 = 0.1 -> 100 with no derivative kick (derivative on
        // the measurement, which did not move); derivative on the error would add
        // Kd x 10 °C / 0.05 s = 200 (saturating the heater)
        name: "setpoint step: no derivative kick",
        gains: [10000, 0, 1000000],
        limits: [1000, 1000, 1000],
        steps: [[0, 600, 600, 0], [50, 600, 600, 0], [100, 600, 700, 100], [150, 600, 700, 100]],
    },
    {
        // Kd = 0.2 duty·s/°C, filter 1 s, 1 s steps: a = dt / (dt + 1 s) = 0.5. The film falls
        // 1 °C/s: D = 0 -> -0.5 -> -0.75 -> -0.875 °C/s; duty = -Kd x D = 0.1, 0.15, 0.175
        name: "filtered derivative of a falling measurement",
        gains: [0, 0, 200000],
        limits: [1000, 1000, 1000],
        steps: [[0, 700, 700, 0], [1000, 690, 700, 100], [2000, 680, 700, 150], [3000, 670, 700, 175]],
    },
    {
        // Kp = 0.05, Ki = 0.01. 100 s at e = 50 °C: Kp e = 2.5 saturates at 1000 from the first
        // step, so the integral stays frozen at 0 (without anti-windup: 0.01 x 50 x 100 = 50,
        // clamped to 1.0, and the heater would stay fully on after reaching the target).
        // Then e = 1 °C: the previous output was saturated and e > 0, so still frozen:
        // 0.05 x 1 = 0.05 -> 50; a second later the integral resumes: 0.05 + 0.01 x 1 x 1 -> 60
        name: "anti-windup: long saturation does not grow the integral",
        gains: [50000, 10000, 0],
        limits: [1000, 1000, 1000],
        steps: [[0, 200, 700, 1000], [1000, 200, 700, 1000], [50000, 200, 700, 1000], [100000, 200, 700, 1000],
            [101000, 690, 700, 50], [102000, 690, 700, 60]],
    },
    {
        // maxDuty 600: Kp e = 0.05 x 70 = 3.5 -> 600; e = 10 -> 0.5 -> 500; e = -10 -> 0
        name: "output clamped to maxDutyPermille",
        gains: [50000, 0, 0],
        limits: [600, 1000, 1000],
        steps: [[0, 0, 700, 600], [50, 600, 700, 500], [100, 800, 700, 0]],
    },
]

// ---------------------------------------------------------------------------------------------
// TimeProportioner. windows = [duty permille held for one window, expected on-ticks in that
// window]; on-ticks come first in the window. Per window: want = duty x ticks + carry,
// on = floor((want + 500) / 1000), carry = want - 1000 on.

export interface TpWindowVector {
    name: string
    windowTicks: number
    windows: number[][]
}

export const TP_WINDOW_VECTORS: TpWindowVector[] = [
    { name: "50 %: 10 of 20 ticks", windowTicks: 20, windows: [[500, 10], [500, 10], [500, 10]] },
    { name: "100 %: every tick", windowTicks: 20, windows: [[1000, 20], [1000, 20]] },
    {
        // want 6660 -> 7 (carry -340); 6320 -> 6 (+320); 6980 -> 7 (-20); 6640 -> 7 (-360);
        // 6300 -> 6 (+300); 6960 -> 7 (-40): 40 of 120 ticks
        name: "33.3 %: 7,6,7,7,6,7 with carry",
        windowTicks: 20,
        windows: [[333, 7], [333, 6], [333, 7], [333, 7], [333, 6], [333, 7]],
    },
    {
        // 2.5 % of 20 ticks is half a tick: want 500 -> 1 (carry -500); 0 -> 0 (carry 0); ...
        name: "2.5 %: half a tick per window alternates 1,0",
        windowTicks: 20,
        windows: [[25, 1], [25, 0], [25, 1], [25, 0]],
    },
    {
        // 120 % counts as 100 %: no excess carried, so 50 % right after is 10 ticks
        // (the excess used to pile up: 20,20,20,20,12,10)
        name: "above 100 % leaves no carry behind",
        windowTicks: 20,
        windows: [[1200, 20], [1200, 20], [1200, 20], [500, 10], [500, 10], [500, 10]],
    },
    {
        // 10 ticks of a 10-tick window at 12.5 %: want 1250 -> 1 (carry 250); 1500 -> 2 (-500);
        // 750 -> 1 (-250); 1000 -> 1 (0): 5 of 40 ticks = 12.5 %
        name: "12.5 % over a 10-tick window",
        windowTicks: 10,
        windows: [[125, 1], [125, 2], [125, 1], [125, 1]],
    },
]

/**
 * Long-run means: [windowTicks, duty, windows, expected total on-ticks]. 1 permille of a
 * 20-tick window: want 20k in window k, first on in window 25 (20 x 25 + 500 >= 1000), carry
 * -500, next when -500 + 20 j + 500 >= 1000, j = 50: windows 25 and 75 -> 2 ticks in 75 windows
 * (1500 ticks). Otherwise on-ticks = (duty x ticks - final carry) / 1000 with the carry in
 * [-500, 500): 999 permille x 2000 ticks = 1998000 -> 1998; 250 x 2000 -> 500;
 * 7 permille x 20 ticks x 50 windows = 7000 -> 7; 0 permille: none.
 */
export const TP_MEAN_VECTORS: number[][] = [
    [20, 1, 75, 2],
    [20, 999, 100, 1998],
    [20, 0, 10, 0],
    [20, 250, 100, 500],
    [20, 7, 50, 7],
]

/**
 * Per tick: [duty, expected on (1/0)]. 100 % for 5 ticks, then 0: off at once (mid-window)
 * and the window restarts, so 50 % next is on for the first 10 ticks of a fresh window.
 */
export const TP_ZERO_OFF_TICKS: number[][] = [
    [1000, 1], [1000, 1], [1000, 1], [1000, 1], [1000, 1],
    [0, 0],
    [500, 1], [500, 1], [500, 1], [500, 1], [500, 1], [500, 1], [500, 1], [500, 1], [500, 1], [500, 1],
    [500, 0], [500, 0],
]

// ---------------------------------------------------------------------------------------------
// Autotune on synthetic measurements (the waveform does not respond to the duty: it drives the
// relay's switching, peak and period detection and the bias arithmetic exactly).

export const VECTOR_CONTROL: ControlTiming = {
    periodMs: 50,
    overrunMs: 150,
    maxLateTicks: 10,
    lateWindowTicks: 100,
    heaterWindowMs: 1000,
    heaterOneShotMs: 200,
    pressOneShotMs: 200,
    heaterMaxDutyPermille: 1000,
    kpMicroPerDegC: 60000,
    kiMicroPerDegCSec: 1500,
    kdMicroSecPerDegC: 150000,
    itermMaxPermille: 1000,
}

export const VECTOR_AUTOTUNE: AutotuneSettings = {
    maxOvershootDeciC: 20,
    settleBandDeciC: 10,
    relayCycles: 2,
    hysteresisDeciC: 5,
    stepDropDeciC: 100,
    stepObserveMs: 10000,
    maxMs: 600000,
}

/**
 * Segments, one measurement per tick:
 *   [0, ticks, minDeciC, maxDeciC, riseTicks, fallTicks]  triangle starting at its minimum, rising
 *   [1, ticks, valueDeciC]                                 constant
 *   [2, ticks, aDeciC, bDeciC]                             alternating a, b, a, ...
 */
export function expandSegments(segments: number[][]): number[] {
    const out: number[] = []
    for (const s of segments) {
        for (let i = 0; i < s[1]; i++) {
            if (s[0] === 0) {
                const lo = s[2]
                const hi = s[3]
                const rise = s[4]
                const fall = s[5]
                const p = i % (rise + fall)
                out.push(p <= rise ? lo + Math.round(((hi - lo) * p) / rise) : hi - Math.round(((hi - lo) * (p - rise)) / fall))
            } else if (s[0] === 1) {
                out.push(s[2])
            } else {
                out.push(i % 2 === 0 ? s[2] : s[3])
            }
        }
    }
    return out
}

export interface AutotuneVector {
    name: string
    targetDeciC: number
    /** replaces VECTOR_AUTOTUNE.maxMs when > 0 */
    maxMs: number
    tickMs: number
    segments: number[][]
    /** [tick index, expected duty returned by step() at that tick] */
    duties: number[][]
    /** phaseName() right after tick phases[k] is phaseNames[k] */
    phases: number[]
    phaseNames: string[]
    /** the run ends (isDone) exactly at the last tick */
    ok: boolean
    kuMicroPerDegC: number
    tuMs: number
    /** gains expected in the result (ok) or named in the reason (rejected); [] if none */
    gains: number[]
    overshootDeciC: number
    settleMs: number
    reasonHas: string
}

// Symmetric triangle 67.0..73.0 °C, 5 deciC per 500 ms tick, period 24 ticks = 12 s, target
// 70.0 °C, hysteresis 0.5 °C. Heat ends at tick 7 (70.5 °C, duty 0 = relay low). Switch high
// at 69.0 falling: ticks 20, 44, 68, 92, 116; switch low at 71.0 rising: 32, 56, ...
// High and low halves are both 12 ticks, so the bias stays 500, d = 500 (high 1000, low 0).
// Cycles end at 44, 68 (warm-up) and 92, 116 (measured): pp = 60 deciC, a = 3.0 °C.
//   Ku = 4 x 0.5 / (pi sqrt(3.0^2 - 0.5^2)) = 2 / (pi x 2.958040) = 2 / 9.292956
//      = 0.2152173 -> 215217 (1e-6/°C); Tu = 12000 ms.
// Tyreus–Luyben: Kp = 215217 / 2.2 = 97825.9 -> 97826; Ti = 2.2 x 12 = 26.4 s,
//   Ki = 97825.9 / 26.4 = 3705.5 -> 3706; Td = 12 / 6.3 = 1.90476 s, Kd = 186335.1 -> 186335.
// Tick 117 reads 60.0 °C = 70.0 - 10.0: the step test starts; the PID's first output is
//   Kp x 10 °C = 0.97826 -> 978. At 70.0 °C from tick 118 it is in the band from 500 ms on;
//   P = 0, I += 0, D < 0 -> duty 0. After 10 s (tick 137) it has held the band for 9.5 s
//   >= 10 s / 4: settled, settleMs 500, overshoot 0.
const SYM_RELAY: number[] = [0, 117, 670, 730, 12, 12]

export const AUTOTUNE_VECTORS: AutotuneVector[] = [
    {
        name: "symmetric triangle: Ku, Tu, Tyreus-Luyben gains, accepted",
        targetDeciC: 700,
        maxMs: 0,
        tickMs: 500,
        segments: [SYM_RELAY, [1, 1, 600], [1, 20, 700]],
        duties: [[0, 1000], [6, 1000], [7, 0], [19, 0], [20, 1000], [31, 1000], [32, 0], [44, 1000], [116, 0],
            [117, 978], [118, 0], [137, 0]],
        phases: [6, 7, 115, 116, 117, 136, 137],
        phaseNames: ["heat", "relay", "relay", "cool", "step", "step", "done"],
        ok: true,
        kuMicroPerDegC: 215217,
        tuMs: 12000,
        gains: [97826, 3706, 186335],
        overshootDeciC: 0,
        settleMs: 500,
        reasonHas: "ok: overshoot 0.0 °C, settled in 0.5 s",
    },
    {
        // Triangle 67..73 °C rising 10/tick (6 ticks), falling 5/tick (12 ticks): period 18
        // ticks = 9 s. Heat ends at tick 4 (71.0). High at 69.0 falling: ticks 14, 32, 50, 68, 86;
        // low at 71.0 rising: 22, 40, 58, 76. High half 8 ticks = 4 s, low half 10 = 5 s.
        // Bias after each cycle: b += d (4 - 5) / 9:
        //   500 - 500/9 = 444.4 -> 444 (d 444, high 888); 444 - 49.3 = 394.7 -> 395 (high 790);
        //   395 - 43.9 = 351.1 -> 351 (high 702).
        // Measured cycles 3 (d 395) and 4 (d 351), pp 60 each:
        //   Ku3 = 1.58 / 9.292956 -> 170021, Ku4 = 1.404 / 9.292956 -> 151082;
        //   Ku = (170021 + 151082) / 2 = 160551.5 -> 160552; Tu = 9000 ms.
        // TL: Kp = 160552 / 2.2 = 72978.2 -> 72978; Ki = 72978.2 / 19.8 = 3685.8 -> 3686;
        //   Kd = 72978.2 x 9 / 6.3 = 104254.5 -> 104255.
        // Step test from tick 87 (60.0 °C): first duty 0.72978 x 10 -> 730. Ticks 88-89 read
        // 72.5 °C: P = -0.18, D = rising film -> duty 0; overshoot 2.5 °C > 2.0. Tick 90 is back
        // at 70.0 (peak passed): rejected, settleMs = (90 - 87) x 500 = 1500.
        name: "asymmetric triangle: bias rebalancing, overshoot rejected",
        targetDeciC: 700,
        maxMs: 0,
        tickMs: 500,
        segments: [[0, 87, 670, 730, 6, 12], [1, 1, 600], [1, 2, 725], [1, 1, 700]],
        duties: [[3, 1000], [4, 0], [14, 1000], [22, 0], [32, 888], [40, 0], [50, 790], [68, 702], [86, 0],
            [87, 730], [88, 0], [89, 0], [90, 0]],
        phases: [85, 86, 87, 89, 90],
        phaseNames: ["relay", "cool", "step", "step", "done"],
        ok: false,
        kuMicroPerDegC: 160552,
        tuMs: 9000,
        gains: [72978, 3686, 104255],
        overshootDeciC: 25,
        settleMs: 1500,
        reasonHas: "step test overshoot 2.5 °C exceeds autotune.maxOvershootDeciC 2.0 °C",
    },
    {
        // Same relay as the first vector, then the film stays at 65.0 °C: never in the band.
        name: "step test that does not settle",
        targetDeciC: 700,
        maxMs: 0,
        tickMs: 500,
        segments: [SYM_RELAY, [1, 1, 600], [1, 20, 650]],
        duties: [[117, 978]],
        phases: [136, 137],
        phaseNames: ["step", "done"],
        ok: false,
        kuMicroPerDegC: 215217,
        tuMs: 12000,
        gains: [97826, 3706, 186335],
        overshootDeciC: 0,
        settleMs: -1,
        reasonHas: "did not settle within ±1.0 °C in 10 s (reading 65.0 °C, target 70.0 °C)",
    },
    {
        // 69.0 / 71.0 every 500 ms: heat ends at tick 1, high at 2, low at 3, high at 4 ends a
        // cycle whose halves are 0.5 s < 2 heater windows (2 s): noise, not the plant.
        name: "relay chatter is refused",
        targetDeciC: 700,
        maxMs: 0,
        tickMs: 500,
        segments: [[2, 5, 690, 710]],
        duties: [[0, 1000], [1, 0], [2, 1000], [3, 0], [4, 0]],
        phases: [1, 3, 4],
        phaseNames: ["relay", "relay", "done"],
        ok: false,
        kuMicroPerDegC: 0,
        tuMs: 0,
        gains: [],
        overshootDeciC: 0,
        settleMs: -1,
        reasonHas: "relay half-cycle of 0.5 s is shorter than 2 heater windows",
    },
    {
        // Never reaches 70.5 °C: full duty until 60.0 s (tick 120), gives up at 60.5 s > maxMs.
        name: "timeout while heating",
        targetDeciC: 700,
        maxMs: 60000,
        tickMs: 500,
        segments: [[1, 122, 600]],
        duties: [[0, 1000], [120, 1000], [121, 0]],
        phases: [120, 121],
        phaseNames: ["heat", "done"],
        ok: false,
        kuMicroPerDegC: 0,
        tuMs: 0,
        gains: [],
        overshootDeciC: 0,
        settleMs: -1,
        reasonHas: "timed out in phase heat after 60 s (autotune.maxMs 60 s)",
    },
]

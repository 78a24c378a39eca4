// Scan-run vectors, shared by test/unit/scan-run.test.ts (Node) and test/vm/scan-run.vm.ts (the
// DeviceScript VM): the same tick-by-tick inputs must give the same points, counts and speeds.
// The plant is ideal, so every answer can be worked by hand: the press moves exactly
// speed/1000 x 12.5 mm/s x 50 ms per tick (250 µm at the approach speed, 400 ‰), and the
// arch is a parabola seen from x 6 to 42 mm:
//     D(x) = 20000 + floor((x - 24000)^2 / 20000) µm for |x - 24000| <= 18000, else 100000
// (beyond fitting.distanceMaxUm, 80000: invalid). Each check returns "ok" or what differs.
// Written in the DeviceScript subset (no sin/cos, integers in the answers).

import type { FittingSettings } from "../../src/core/manifest"
import { ScanRun, ScanState } from "../../src/core/fitting/scan-run"

const SPEED = 400
const CONTACT_MILLI_N = 800
/** µm per tick per permille: 12.5 mm/s x 50 ms / 1000 */
const UM_PER_TICK_PERMILLE = 0.625

function distUm(x: number): number {
    const d = x - 24000
    return d < -18000 || d > 18000 ? 100000 : 20000 + Math.floor((d * d) / 20000)
}

export interface ScanCheck {
    name: string
    run(s: FittingSettings): string
}

function diff(what: string, got: number, want: number): string {
    return got === want ? "" : what + " " + got + ", expected " + want + "; "
}

/**
 * Runs a scan on the ideal plant. readEvery: a distance reading every n ticks; contactAtUm:
 * force at the contact threshold from there on (-1: never); doorOpenAt: tick the door opens (-1: never).
 */
function run(s: FittingSettings, maxTicks: number, readEvery: number, contactAtUm: number, doorOpenAt: number) {
    const sc = new ScanRun(s, SPEED, CONTACT_MILLI_N)
    sc.state = ScanState.Running
    let pos = 0
    let ticks = 0
    let backward = 0
    let atMs = -1
    let d = 0
    for (let k = 0; k < maxTicks && sc.state === ScanState.Running; k++) {
        if (k % readEvery === 0) {
            d = distUm(pos)
            atMs = k * 50
        }
        const force = contactAtUm >= 0 && pos >= contactAtUm ? CONTACT_MILLI_N : 0
        const v = sc.step(pos, true, d, atMs, force, doorOpenAt < 0 || k < doorOpenAt)
        if (v < 0) backward++
        pos += v * UM_PER_TICK_PERMILLE
        ticks = k + 1
    }
    return { sc: sc, ticks: ticks, pos: pos, backward: backward }
}

export const SCAN_CHECKS: ScanCheck[] = [
    {
        // Positions 0, 250, 500, ...: bin j = round(x / 1000) holds the readings at 1000j - 500,
        // -250, 0, +250 (x.5 rounds up), so 4 each, mean x 1000j - 125; bin 0 holds 0 and 250.
        // The scan ends on the tick the press is at 48000 (tick 192, 193 steps), after that
        // tick's reading: bin 48 holds 47500, 47750, 48000.
        // Valid readings: 6000 <= x <= 42000. Bins 7..41 are whole (35 points); bin 6 has 6000 and
        // 6250 valid (2 of 4: kept), x = 6125, y = mean(36200, 35753) = 35976.5 -> 35977; bin 42
        // has 41500, 41750, 42000 valid (3 of 4), x = 41750, y = mean(35312, 35753, 36200)
        // = 35755. 37 points; 49 bins visited, 12 dropped (0..5, 43..48).
        // Invalid readings: bins 0 (2), 1..5 (20), 6 (2), 42 (1), 43..47 (20), 48 (3) = 48.
        name: "a whole sweep on the ideal plant",
        run: (s: FittingSettings): string => {
            const r = run(s, 1000, 1, -1, -1)
            const scan = r.sc.b.result()
            const p = scan.pointsUm
            const n = p.length
            return (diff("state", r.sc.state, ScanState.Done) + diff("ticks", r.ticks, 193) + diff("end position", r.pos, 48000) +
                diff("backward moves", r.backward, 0) + diff("points", n, 37) + diff("positions", scan.positions, 49) +
                diff("dropped", scan.dropped, 12) + diff("invalid readings", scan.invalidReadings, 48) +
                diff("first x", n ? p[0][0] : -1, 6125) + diff("first y", n ? p[0][1] : -1, 35977) +
                diff("second x", n > 1 ? p[1][0] : -1, 6875) + diff("second y", n > 1 ? p[1][1] : -1,
                    // bin 7: x 6500, 6750, 7000, 7250 -> 35312 + 34878 + 34450 + 34028 = 138668 / 4 = 34667
                    34667) +
                diff("last x", n ? p[n - 1][0] : -1, 41750) + diff("last y", n ? p[n - 1][1] : -1, 35755)) || "ok"
        },
    },
    {
        // One reading every 4 ticks (ticks 0, 4, 8, ...). Bin j spans 1000j - 500 .. 1000j + 250
        // on this plant; from bin 1 on, the press enters it at tick 8j - 3, is at 1000j + 250 on
        // tick 8j, reads there and waits (1 reading, under half of 4) until tick 8j + 4 reads
        // there again. So every bin j >= 1 holds two readings taken at x = 1000j + 250, valid for
        // 6000 <= x <= 42000: bins 6..41, 36 points, the first (6250, D(6250) = 35753); 8 ticks a
        // bin, far more than the 193 of an unhurried sensor.
        name: "a sensor slower than the press: the press waits, every bin gets half its readings",
        run: (s: FittingSettings): string => {
            const r = run(s, 5000, 4, -1, -1)
            const scan = r.sc.b.result()
            const p = scan.pointsUm
            return (diff("state", r.sc.state, ScanState.Done) + diff("points", p.length, 36) +
                diff("first x", p.length ? p[0][0] : -1, 6250) + diff("first y", p.length ? p[0][1] : -1, 35753) +
                diff("backward moves", r.backward, 0) + (r.ticks > 8 * 47 ? "" : "ticks " + r.ticks + ", expected waits; ")) || "ok"
        },
    },
    {
        // contact from 20000: the tick at 20000 sees the force and stops (tick 80 is at 20000)
        name: "the press touches something: the scan fails there",
        run: (s: FittingSettings): string => {
            const r = run(s, 1000, 1, 20000, -1)
            return (diff("state", r.sc.state, ScanState.Failed) + diff("ticks", r.ticks, 81) + diff("end position", r.pos, 20000) +
                (r.sc.why === "press touched something" ? "" : "why " + r.sc.why)) || "ok"
        },
    },
    {
        name: "the door opens: the scan fails on that tick",
        run: (s: FittingSettings): string => {
            const r = run(s, 1000, 1, -1, 30)
            return (diff("state", r.sc.state, ScanState.Failed) + diff("ticks", r.ticks, 31) + diff("end position", r.pos, 30 * 250) +
                (r.sc.why === "door opened" ? "" : "why " + r.sc.why)) || "ok"
        },
    },
    {
        // the reading at tick 0 only: the press moves to 250 and waits there for bin 0's second
        // reading (as in the check above); ticks 1..41 are silent and the 41st (over 40) gives up
        name: "the distance sensor goes silent: the scan fails after 40 ticks",
        run: (s: FittingSettings): string => {
            const r = run(s, 1000, 100000, -1, -1)
            return (diff("state", r.sc.state, ScanState.Failed) + diff("ticks", r.ticks, 42) + diff("end position", r.pos, 250) +
                (r.sc.why === "no distance readings" ? "" : "why " + r.sc.why)) || "ok"
        },
    },
]

// Runs one scenario end to end on a SimSession (bus, simulated applicator, firmware VM), plays
// its script, then checks its expectations. Everything started is stopped in `finally`.
import type { TracePoint } from "./engine"
import { SimSession, waitFor, sleep } from "./session"
import { readDeviceRecords, type DeviceRecords } from "./device-records"
import { REPORT_MS } from "./engine"
import type { HostStall, Reservation } from "./host-sched"

const OUTCOME_NAMES: { [code: number]: string } = { 1: "complete", 2: "aborted", 3: "faulted" }
import type { Scenario, Step, Action } from "./scenarios"
import type { Manifest } from "../src/core/manifest"

export interface FinalOutputs {
    heaterRelayOn: boolean
    heaterPowered: boolean
    pressSpeedPermille: number
    pressHome: boolean
    pressPositionMm: number
    display: string
}

export interface ScenarioReport {
    scenario: string
    seed: number
    passed: boolean
    failures: string[]
    outcome: string | null
    /**
     * The firmware's own tick timing over the cycle (its "timing" log line at the outcome), if it
     * reported one: the worst gap between tick starts, ticks over two periods late, the longest tick
     */
    tickTiming: { maxGapMs: number; lateTicks: number; maxTickMs: number } | null
    /** the longest a ready fiber waited for the VM over the run (sim/firmware-lag.ts), ms; null without the probe's lines */
    lagMaxMs: number | null
    /** the device image's compliance records read back over the bus after the run, and verified */
    records: DeviceRecords | null
    faultCode: number | null
    phases: { phase: string; t: number }[]
    injectedAtMs: number | null
    faultAtMs: number | null
    firstBadSampleMs: number | null
    reactionMs: number | null
    reactionTicks: number | null
    finalOutputs: FinalOutputs
    maxFilmC: number
    maxTipC: number
    maxForceN: number
    wallMs: number
    plot: string | null
    /**
     * What the host did to the run (sim/host-sched.ts): gaps in the simulator's own sensor
     * reports, intervals in which the simulator or the VM waited for a CPU, and the largest wait
     */
    host: { reportGaps: { t: number; gapMs: number }[]; waits: HostStall[]; maxWaitMs: { [who: string]: number } }
    /**
     * Set when the run failed on a fault that a host stall explains (a lost sensor after the
     * simulator itself stopped reporting, an overrun after the VM waited for a CPU): the run
     * proves nothing either way, and `npm run sim` runs it again. The safety windows are not
     * widened: the firmware was right to fault on what it saw.
     */
    stalled: string | null
    /** the firmware's console, each line with its simulated time in seconds */
    firmwareLog: string[]
    trace: TracePoint[]
}

export interface RunOptions {
    seed: number
    manifest: Manifest
    devsFile: string
    workDir: string
    /** a provisioned flash shared by the run's scenarios (see SimSession.flashSnapshot), or none */
    flashSnapshot?: string
    /** called about twice a second with a one-line status */
    progress?: (line: string) => void
    /** runs the firmware at a target chip's speed (sim/host-sched.ts) */
    reservation?: Reservation
    /** called with the session before it opens (the fault campaign sets its drawn plant here) */
    setup?: (s: SimSession) => void
    /**
     * The fault campaign (sim/campaign.ts): the run is judged by these safety invariants instead of
     * the scenario's outcome and fault code (any outcome, any fault passes when they hold); the press
     * must end home except after E40. Returns the failures.
     */
    invariants?: (s: SimSession, injectedAt: number | null) => string[]
}

/** The machine must be at rest this long before a scenario ends. */
const SETTLE_MS = 1500

export async function runScenario(sc: Scenario, opt: RunOptions): Promise<ScenarioReport> {
    const m = opt.manifest
    const wall0 = Date.now()
    const s = new SimSession(m, opt.devsFile, opt.workDir, opt.seed)
    s.flashSnapshot = opt.flashSnapshot ?? null
    s.fitFirst = sc.fit !== false
    s.strayThermometer = sc.strayThermometer === true
    if (sc.armedText) s.armedText = sc.armedText
    s.fitPressLoses = sc.fitPressLoses
    if (opt.reservation) s.atTargetSpeed(opt.reservation)
    opt.setup?.(s)
    const e = s.engine
    let progressTimer: NodeJS.Timeout | undefined
    let injectedAt: number | null = null
    let injectedPosMm: number | null = null
    let records: DeviceRecords | null = null
    let stopped: string | null = null
    try {
        await s.open()
        if (opt.progress) {
            const p = opt.progress
            progressTimer = setInterval(() => {
                p(`${sc.name}: ${e.phase.padEnd(9)} film ${e.thermal.filmC().toFixed(1)} °C  tip ${e.thermal.tipC().toFixed(1)} °C  ` +
                    `force ${e.press.forceN().toFixed(1)} N  ${(e.now() / 1000).toFixed(1)} s`)
            }, 500)
        }
        const t0 = e.now()
        const pending = sc.steps.slice()
        let restSince: number | null = null
        while (e.now() - t0 < sc.timeoutMs) {
            for (let i = 0; i < pending.length; i++) {
                const st = pending[i]
                if (!due(st, e.now(), t0, s)) continue
                pending.splice(i--, 1)
                if (st.inject) {
                    injectedAt = e.now()
                    injectedPosMm = e.press.positionM() * 1000
                    e.armLimitWatch({ filmMaxC: m.limits.filmMaxDeciC / 10, contactMaxC: m.limits.contactMaxDeciC / 10, forceMaxN: m.limits.forceMaxMilliN / 1000 })
                }
                await act(st.do, s)
            }
            const atRest = !e.heaterPowered(e.now()) && e.pressDrive(e.now()) === 0
            // the campaign: a cycle that ended before the draw's onset phase came ends the run (the step never runs)
            const finished = (pending.length === 0 || (opt.invariants !== undefined && s.last("outcome") !== undefined)) && (s.last("outcome") !== undefined || !s.vm.running() || sc.expect.outcome === null)
            if (finished && atRest) {
                if (restSince === null) restSince = e.now()
                else if (e.now() - restSince > SETTLE_MS) break
            } else restSince = null
            await sleep(10)
        }
        // the device image keeps a record of every cycle: read it back over the bus and verify it
        if (s.image === "device" && s.vm.running() && sc.expect.recordFault !== undefined && injectedAt !== null)
            // a cycle cut short is recorded after the reboot: wait for that record to be durable
            await waitFor("the cut-short cycle's record", () => s.vm.lines.some(l => injectedAt !== null && l.t > injectedAt && /^record \d+ saved/.test(l.text)), 15_000)
                .catch(() => undefined) // judged below: no record is a failure there
        if (s.image === "device" && s.vm.running() && (s.last("outcome") !== undefined || sc.expect.recordFault !== undefined))
            records = await readDeviceRecords(s, m)
    } catch (e) {
        // the run could not go on (a wait timed out, the bus failed): judged as it stands, with its log
        if (e instanceof Error && e.name === "BusPortTakenError") throw e
        stopped = e instanceof Error ? e.message : String(e)
    } finally {
        if (progressTimer) clearInterval(progressTimer)
        await s.close()
    }
    const r = judge(sc, opt, s, injectedAt, injectedPosMm, Date.now() - wall0, records)
    if (stopped) {
        r.failures.unshift(`run stopped: ${stopped}`)
        r.passed = false
        if (!r.stalled) r.stalled = stallBefore(s, opt)
    }
    return r
}

/** A step is due at a time after the script started, or a time after a phase began. */
function due(st: Step, now: number, t0: number, s: SimSession): boolean {
    const w = st.when
    if ("atMs" in w) return now - t0 >= w.atMs
    const p = s.events.find(x => x.kind === "phase" && x.value === w.phase && x.t >= t0)
    return p !== undefined && now - p.t >= (w.afterMs ?? 0)
}

async function act(a: Action, s: SimSession) {
    const e = s.engine
    switch (a.kind) {
        case "press":
            void s.press(a.button, a.holdMs, a.lose)
            break
        case "door":
            e.setDoor(a.closed)
            if (a.forMs !== undefined) setTimeout(() => e.setDoor(!a.closed), a.forMs)
            break
        case "sensor":
            e.sensorFaults[a.sensor] = a.fault
            break
        case "silence":
            e.silence(a.sensor)
            break
        case "heaterDisconnected":
            e.heaterConnected = false
            break
        case "relayStuckOn":
            e.relayStuckOn = true
            break
        case "pressStall":
            e.press.stall(true)
            break
        case "crash":
            await s.vm.kill()
            break
        case "powerCycle":
            await s.vm.kill()
            await sleep(a.offMs)
            await s.boot()
            break
    }
}

function judge(sc: Scenario, opt: RunOptions, s: SimSession, injectedAt: number | null, injectedPosMm: number | null, wallMs: number, records: DeviceRecords | null): ScenarioReport {
    const e = s.engine
    const x = sc.expect
    const failures: string[] = []
    const period = opt.manifest.control.periodMs
    const ref = e.firstBreachMs ?? injectedAt
    const fault = ref === null ? s.first("fault") : s.first("fault", ref) ?? s.first("fault")
    const outcomeEv = s.last("outcome")
    const outcome = outcomeEv ? outcomeEv.value : null
    const faultCode = fault ? Number(fault.value.slice(1)) : null
    let reactionMs: number | null = null
    if (x.reaction === "fault-report" && ref !== null) {
        reactionMs = fault ? Math.round(fault.t - ref) : null
    } else if (x.reaction && ref !== null) {
        const at = x.reaction === "heater-off" ? e.relayOffAfter(ref) : x.reaction === "press-retract" ? e.pressRetractAfter(ref)
            : x.reaction === "press-unpowered" ? e.pressUndrivenAfter(ref) : e.unpoweredAfter(ref)
        reactionMs = at === null ? null : Math.round(at - ref)
    } else if (x.maxReactionMs !== undefined && ref !== null && fault) {
        // no single output shows it (e.g. a jammed press): the firmware's fault report on its log
        reactionMs = Math.round(fault.t - ref)
    }
    // control ticks the firmware ran from the reference to its reaction, counted on the bus
    // (it re-asserts the heater relay once per tick), so VM timing jitter does not count as ticks
    const reactionTicks = reactionMs === null || ref === null ? null : ticksBetween(e, ref, ref + reactionMs, period)
    const now = e.now()
    const final: FinalOutputs = {
        heaterRelayOn: e.relayOn,
        heaterPowered: e.heaterPowered(now),
        // the speed the press is driven at: the last write, while the driver's one-shot holds
        pressSpeedPermille: e.pressDrive(now),
        // home as the firmware defines it: the end stop, or within the home tolerance of zero
        pressHome: e.press.homeWithin(opt.manifest.press.homeToleranceUm),
        pressPositionMm: Math.round(e.press.positionM() * 1e4) / 10,
        display: e.display,
    }
    if (opt.invariants) failures.push(...opt.invariants(s, injectedAt))
    else if (outcome !== x.outcome) failures.push(`outcome ${outcome}, expected ${x.outcome}`)
    if (!opt.invariants && faultCode !== x.faultCode) failures.push(`fault ${faultCode === null ? "none" : "E" + faultCode}, expected ${x.faultCode === null ? "none" : "E" + x.faultCode}`)
    if (x.maxReactionTicks !== undefined && (reactionTicks === null || reactionTicks > x.maxReactionTicks))
        failures.push(`reaction ${reactionTicks ?? "never"} ticks, limit ${x.maxReactionTicks}`)
    if (x.maxReactionMs !== undefined && (reactionMs === null || reactionMs > x.maxReactionMs))
        failures.push(`reaction ${reactionMs ?? "never"} ms, limit ${x.maxReactionMs}`)
    if (final.heaterPowered) failures.push("heater still powered at the end")
    // a cycle that ended (complete, aborted, faulted) is on record, sealed and chained
    if (s.image === "device" && outcome !== null) {
        if (!records || records.count < 1) failures.push("no compliance record of the cycle on the device")
        else {
            if (!records.verified) failures.push(`device records do not verify: ${records.findings.join(", ")}`)
            const code = records.outcomes[records.outcomes.length - 1]
            if (OUTCOME_NAMES[code] !== outcome) failures.push(`last record's outcome ${code}, expected ${outcome}`)
            // every cycle is fitted first (src/fit.ts): its record carries the accepted fit
            const fit = records.fits[records.fits.length - 1]
            if (!fit || fit.accepted !== 1) failures.push(`last record's fit ${fit ? "not accepted" : "missing"}`)
        }
    }
    // (the campaign: a crash whose onset never came cut nothing short; the cycle's own record is checked above)
    if (s.image === "device" && x.recordFault !== undefined && !(opt.invariants && injectedAt === null)) {
        const n = records ? records.count : 0
        if (!records || n < 1) failures.push("no record of the cut-short cycle on the device")
        else if (records.kinds[n - 1] !== 1 || records.outcomes[n - 1] !== 3 || records.faults[n - 1][0] !== x.recordFault)
            failures.push(`last record: kind ${records.kinds[n - 1]}, outcome ${records.outcomes[n - 1]}, faults ${records.faults[n - 1].join(",")}; expected a faulted cycle with E${x.recordFault}`)
        else if (!records.verified) failures.push(`device records do not verify: ${records.findings.join(", ")}`)
    }
    if (x.preflightFailed !== undefined) {
        const pf = s.first("preflight", injectedAt ?? 0)
        if (!pf || Number(pf.value) !== x.preflightFailed) failures.push(`start press ${pf ? "refused with reason " + pf.value : "not refused"}, expected reason ${x.preflightFailed}`)
    }
    const maxFilm = Math.max(0, ...e.trace.map(p => p.filmC))
    if (x.maxFilmC !== undefined && maxFilm > x.maxFilmC) failures.push(`film reached ${maxFilm} °C, limit ${x.maxFilmC}`)
    // the campaign: a stalled press is left where it jammed (docs/faults.md), any other ends home.
    // A press still jammed at the end cannot be home whatever the firmware does: it must have
    // stopped driving it, at once after E40 (below), else when its retract gave up at
    // cycle.releaseMaxMs (a jam in contact, where the stall check does not apply, ends in E42).
    // (with no fault at all, a jammed press out is a failure like any other)
    const jammedOut = !!opt.invariants && e.press.jammed() && !final.pressHome && !!fault
    if (x.pressHome && !final.pressHome && !(opt.invariants && faultCode === 40) && !jammedOut) failures.push(`press not home at the end (${final.pressPositionMm} mm)`)
    if (jammedOut && faultCode !== 40 && fault) {
        const limitMs = opt.manifest.cycle.releaseMaxMs + 2 * period
        const late = e.pressWrites.find(w => w.t > fault.t + limitMs && w.speed !== 0)
        if (late) failures.push(`jammed press still driven at ${late.speed} permille ${Math.round(late.t - fault.t)} ms after E${faultCode}, past the retract's limit (cycle.releaseMaxMs + 2 ticks, ${limitMs} ms)`)
    }
    if (x.maxTravelMm !== undefined && injectedPosMm !== null) {
        // the true position, every trace point after the injection and at the end
        const after = e.trace.filter(p => injectedAt !== null && p.t >= injectedAt).map(p => p.positionMm)
        const travel = Math.max(e.press.positionM() * 1000, ...after) - injectedPosMm
        if (travel > x.maxTravelMm) failures.push(`press travelled ${travel.toFixed(2)} mm after the injection, limit ${x.maxTravelMm} mm`)
    }
    if (x.maxForceN !== undefined) {
        const f = Math.max(e.press.forceN(), ...e.trace.filter(p => injectedAt === null || p.t >= injectedAt).map(p => p.forceN))
        if (f > x.maxForceN) failures.push(`true force reached ${f.toFixed(1)} N after the injection, limit ${x.maxForceN} N`)
    }
    if (final.pressSpeedPermille !== 0) failures.push(`press still driven (${final.pressSpeedPermille} permille)`)
    // a stalled press is left stopped where it jammed: no speed but 0 from the tick after its fault report
    if (faultCode === 40 && fault) {
        const driven = e.pressWrites.find(w => w.t > fault.t + period && w.speed !== 0)
        if (driven) failures.push(`press driven at ${driven.speed} permille ${Math.round(driven.t - fault.t)} ms after the stall fault`)
    }
    const tr = e.trace
    const host = { reportGaps: e.reportGaps.slice(0, 50), waits: s.stalls.stalls.slice(0, 50), maxWaitMs: s.stalls.maxWaitMs }
    const stalled = failures.length > 0 && fault ? stallExplains(Number(fault.value.slice(1)), fault.t, e.reportGaps, hostWaits(s, opt), opt.manifest) : null
    const tm = s.last("timing")
    const tv = tm ? tm.value.split(" ").map(Number) : []
    const tickTiming = tm ? { maxGapMs: tv[0], lateTicks: tv[1], maxTickMs: tv[2] } : null
    const lags = s.events.filter(v => v.kind === "lag").map(v => Number(v.value))
    return {
        scenario: sc.name, seed: opt.seed, passed: failures.length === 0, failures, outcome, tickTiming, records, faultCode,
        lagMaxMs: lags.length ? Math.max(...lags) : null,
        phases: s.events.filter(v => v.kind === "phase").map(v => ({ phase: v.value, t: Math.round(v.t) })),
        injectedAtMs: injectedAt === null ? null : Math.round(injectedAt),
        faultAtMs: fault ? Math.round(fault.t) : null,
        firstBadSampleMs: e.firstBreachMs === null ? null : Math.round(e.firstBreachMs),
        reactionMs, reactionTicks, finalOutputs: final,
        maxFilmC: Math.max(0, ...tr.map(p => p.filmC)), maxTipC: Math.max(0, ...tr.map(p => p.tipC)), maxForceN: Math.max(0, ...tr.map(p => p.forceN)),
        wallMs, plot: null, trace: tr, host, stalled,
        firmwareLog: s.vm.lines.map(l => `[${(l.t / 1000).toFixed(2)}] ${l.text}`),
    }
}

/** Heater relay writes (one per firmware tick) in (from, to]; when there are none (a crashed
 * firmware), the elapsed time in periods. */
function ticksBetween(e: { relayWrites: { t: number }[] }, from: number, to: number, period: number): number {
    let n = 0
    for (const w of e.relayWrites) if (w.t > from && w.t <= to + 1) n++
    return n > 0 ? n : Math.ceil((to - from) / period)
}

/**
 * Why a fault is the host's doing, or null: E31 (sensor lost) within 0.5 s after the simulator
 * paused its own reports, or the VM waited for a CPU, long enough for a reading to go stale
 * (staleTicks periods less one report period); or E60 (tick overrun) within 1 s after the VM
 * waited for a CPU about as long as the overrun bound less one period.
 */
export function stallExplains(code: number, faultMs: number, gaps: { t: number; gapMs: number }[], waits: HostStall[], m: Manifest): string | null {
    const P = m.control.periodMs
    if (code === 31) {
        const stale = m.safety.staleTicks * P - REPORT_MS
        const g = gaps.find(x => x.t <= faultMs + P && x.t >= faultMs - 500 && x.gapMs >= stale)
        if (g) return `E31 at ${Math.round(faultMs)} ms follows a ${g.gapMs} ms pause in the simulator's own sensor reports at ${g.t} ms: the host stalled the simulator`
        // the VM's wait is sampled every 100 ms: the sample after the fault may hold it
        const w = waits.find(x => x.who === "vm" && x.t <= faultMs + 2 * P + 100 && x.t >= faultMs - 500 && x.waitMs >= stale)
        if (w) return `E31 at ${Math.round(faultMs)} ms follows the VM waiting ${w.waitMs} ms for a CPU at ${w.t} ms: the host stalled the firmware`
    }
    if (code === 60) {
        const w = waits.find(x => x.who === "vm" && x.t <= faultMs + 2 * P && x.t >= faultMs - 1000 && x.waitMs >= m.control.overrunMs - P)
        if (w) return `E60 at ${Math.round(faultMs)} ms follows the VM waiting ${w.waitMs} ms for a CPU at ${w.t} ms: the host stalled the firmware`
    }
    return null
}

/** A run that stopped early after a firmware fault a host stall explains. */
function stallBefore(s: SimSession, opt: RunOptions): string | null {
    const f = s.last("fault")
    return f ? stallExplains(Number(f.value.slice(1)), f.t, s.engine.reportGaps, hostWaits(s, opt), s.m) : null
}

/**
 * The waits the host caused. At a target speed the VM's CPU reservation makes it wait by design
 * (the kernel counts a throttled thread's wait like any other): that is the chip's slowness,
 * never an excuse, so only the simulator's waits count then.
 */
function hostWaits(s: SimSession, opt: RunOptions): HostStall[] {
    return opt.reservation ? s.stalls.stalls.filter(w => w.who !== "vm") : s.stalls.stalls
}

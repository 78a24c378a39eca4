// Runs one scenario end to end on a SimSession (bus, simulated applicator, firmware VM), plays
// its script, then checks its expectations. Everything started is stopped in `finally`.
import type { TracePoint } from "./engine"
import { SimSession, waitFor, sleep } from "./session"
import { readDeviceRecords, type DeviceRecords } from "./device-records"

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
    /** The firmware's own tick timing over the cycle (its "timing" log line at the outcome), if it reported one. */
    tickTiming: { maxGapMs: number; lateTicks: number } | null
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
}

/** The machine must be at rest this long before a scenario ends. */
const SETTLE_MS = 1500

export async function runScenario(sc: Scenario, opt: RunOptions): Promise<ScenarioReport> {
    const m = opt.manifest
    const wall0 = Date.now()
    const s = new SimSession(m, opt.devsFile, opt.workDir, opt.seed)
    s.flashSnapshot = opt.flashSnapshot ?? null
    s.fitFirst = sc.fit !== false
    const e = s.engine
    let progressTimer: NodeJS.Timeout | undefined
    let injectedAt: number | null = null
    let records: DeviceRecords | null = null
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
                    e.armLimitWatch({ filmMaxC: m.limits.filmMaxDeciC / 10, contactMaxC: m.limits.contactMaxDeciC / 10, forceMaxN: m.limits.forceMaxMilliN / 1000 })
                }
                await act(st.do, s)
            }
            const atRest = !e.heaterPowered(e.now()) && lastSpeed(s) === 0
            const finished = pending.length === 0 && (s.last("outcome") !== undefined || !s.vm.running() || sc.expect.outcome === null)
            if (finished && atRest) {
                if (restSince === null) restSince = e.now()
                else if (e.now() - restSince > SETTLE_MS) break
            } else restSince = null
            await sleep(10)
        }
        // the device image keeps a record of every cycle: read it back over the bus and verify it
        if (s.image === "device" && s.vm.running() && sc.expect.recordFault !== undefined)
            // a cycle cut short is recorded after the reboot: wait for that record to be durable
            await waitFor("the cut-short cycle's record", () => s.vm.lines.some(l => injectedAt !== null && l.t > injectedAt && /^record \d+ saved/.test(l.text)), 15_000)
                .catch(() => undefined) // judged below: no record is a failure there
        if (s.image === "device" && s.vm.running() && (s.last("outcome") !== undefined || sc.expect.recordFault !== undefined))
            records = await readDeviceRecords(s, m)
    } finally {
        if (progressTimer) clearInterval(progressTimer)
        await s.close()
    }
    return judge(sc, opt, s, injectedAt, Date.now() - wall0, records)
}

function lastSpeed(s: SimSession): number {
    const w = s.engine.pressWrites
    return w.length ? w[w.length - 1].speed : 0
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
            void s.press(a.button, a.holdMs)
            break
        case "door":
            e.doorClosed = a.closed
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

function judge(sc: Scenario, opt: RunOptions, s: SimSession, injectedAt: number | null, wallMs: number, records: DeviceRecords | null): ScenarioReport {
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
        const at = x.reaction === "heater-off" ? e.relayOffAfter(ref) : x.reaction === "press-retract" ? e.pressRetractAfter(ref) : e.unpoweredAfter(ref)
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
        pressSpeedPermille: lastSpeed(s),
        // home as the firmware defines it: the end stop, or within the home tolerance of zero
        pressHome: e.press.home() || e.press.positionM() * 1e6 <= opt.manifest.press.homeToleranceUm,
        pressPositionMm: Math.round(e.press.positionM() * 1e4) / 10,
        display: e.display,
    }
    if (outcome !== x.outcome) failures.push(`outcome ${outcome}, expected ${x.outcome}`)
    if (faultCode !== x.faultCode) failures.push(`fault ${faultCode === null ? "none" : "E" + faultCode}, expected ${x.faultCode === null ? "none" : "E" + x.faultCode}`)
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
    if (s.image === "device" && x.recordFault !== undefined) {
        const n = records ? records.count : 0
        if (!records || n < 1) failures.push("no record of the cut-short cycle on the device")
        else if (records.kinds[n - 1] !== 1 || records.outcomes[n - 1] !== 3 || records.faults[n - 1][0] !== x.recordFault)
            failures.push(`last record: kind ${records.kinds[n - 1]}, outcome ${records.outcomes[n - 1]}, faults ${records.faults[n - 1].join(",")}; expected a faulted cycle with E${x.recordFault}`)
        else if (!records.verified) failures.push(`device records do not verify: ${records.findings.join(", ")}`)
    }
    const maxFilm = Math.max(0, ...e.trace.map(p => p.filmC))
    if (x.maxFilmC !== undefined && maxFilm > x.maxFilmC) failures.push(`film reached ${maxFilm} °C, limit ${x.maxFilmC}`)
    if (x.pressHome && !final.pressHome) failures.push(`press not home at the end (${final.pressPositionMm} mm)`)
    if (final.pressSpeedPermille !== 0) failures.push(`press still commanded to move (${final.pressSpeedPermille} permille)`)
    const tr = e.trace
    const tm = s.last("timing")
    const tickTiming = tm ? { maxGapMs: Number(tm.value.split(" ")[0]), lateTicks: Number(tm.value.split(" ")[1]) } : null
    return {
        scenario: sc.name, seed: opt.seed, passed: failures.length === 0, failures, outcome, tickTiming, records, faultCode,
        phases: s.events.filter(v => v.kind === "phase").map(v => ({ phase: v.value, t: Math.round(v.t) })),
        injectedAtMs: injectedAt === null ? null : Math.round(injectedAt),
        faultAtMs: fault ? Math.round(fault.t) : null,
        firstBadSampleMs: e.firstBreachMs === null ? null : Math.round(e.firstBreachMs),
        reactionMs, reactionTicks, finalOutputs: final,
        maxFilmC: Math.max(0, ...tr.map(p => p.filmC)), maxTipC: Math.max(0, ...tr.map(p => p.tipC)), maxForceN: Math.max(0, ...tr.map(p => p.forceN)),
        wallMs, plot: null, trace: tr,
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

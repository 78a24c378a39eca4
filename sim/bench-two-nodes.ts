// npm run bench's two-node section: the device as it is built, both nodes on one bus with a hub
// (the controller image of src/main.ts and the link node of src/link/node.ts, as npm start runs
// them), over a few nominal cycles with their fitting scans. With --target, the controller runs
// at that chip's speed and the link at the ESP32-S3's (its board, boards/README.md), each VM
// under its own CPU reservation. What it reports, per node:
//   controller: the firmware's own tick figures (worst gap between tick starts, late ticks,
//               longest tick) and the longest a ready fiber waited, with the link's traffic on
//               the bus;
//   link:       the longest a ready fiber waited (sim/firmware-lag.ts: its longest run without
//               a yield: a hub answer parsed, a request signed, a chunk relayed);
//   both:       panics, and whether every record the controller saved (calibrations' and
//               cycles') reached the hub through the link.
// The link has no control tick: its yield lag is its timing figure.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { AddressInfo } from "node:net"
import type { Manifest } from "../src/core/manifest"
import { openDb } from "../hub/src/db/index"
import { buildHub } from "../hub/src/app"
import { buildFirmware } from "./firmware"
import { SimSession, sleep, waitFor } from "./session"
import { seedLibrary, registerDevice, provisionForHub } from "./hub-link"
import { simArchPoints } from "./provision"
import { calibrateReservation, reserve, type Reservation } from "./host-sched"
import { parseTarget, processFactor, slowdownFactor, TARGETS } from "./target-speed"

export interface TwoNodeOptions {
    m: Manifest
    cycles: number
    seed: number
    /** the controller's chip ("" = host speed for both nodes) */
    targetId: string
    hostCoremark: number
    log: (line: string) => void
}

const DEVICE_ID = "SFA1-BENCH2"

/** the log lines' window of each lag line: the probe logs the worst of the last 5 s */
const LAG_WINDOW_MS = 5000

/**
 * The n worst lag lines of a VM, each with what the VM logged in its window (phases, the fit,
 * records, sync): where to look for the run that held the fibers.
 */
function worstLags(lines: { t: number; text: string }[], n: number): { ms: number; atS: number; window: string[] }[] {
    return lines.map(l => ({ l, r: /^lag maxMs (\d+)/.exec(l.text) })).filter(x => x.r !== null)
        .map(x => ({
            ms: Number(x.r![1]), atS: Math.round(x.l.t / 100) / 10,
            window: lines.filter(y => y.t > x.l.t - LAG_WINDOW_MS && y.t <= x.l.t && !/^lag maxMs/.test(y.text)).map(y => y.text.slice(0, 80)).slice(-8),
        }))
        .sort((a, b) => b.ms - a.ms).slice(0, n)
}

/**
 * How much of its CPU reservation the controller's VM used, per StallWatch interval (~100 ms):
 * 1 is the chip busy the whole interval, so ticks can only run late there. The mean, p99 and
 * max, how many intervals were at 0.95 or more, and the busiest three with what the VM logged
 * in the second before each.
 */
function reservationUse(series: [number, number, number][], r: { runtimeNs: number; periodNs: number }, lines: { t: number; text: string }[]) {
    const use = series.map(([t, wallMs, cpuMs]) => ({ t, use: cpuMs / (wallMs * r.runtimeNs / r.periodNs) }))
    const sorted = use.map(u => u.use).sort((a, b) => a - b)
    const r2 = (x: number) => Math.round(x * 100) / 100
    return {
        intervals: use.length,
        mean: r2(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
        p99: r2(sorted[Math.floor(0.99 * (sorted.length - 1))] ?? 0),
        max: r2(sorted[sorted.length - 1] ?? 0),
        saturated: sorted.filter(x => x >= 0.95).length,
        busiest: [...use].sort((a, b) => b.use - a.use).slice(0, 3).map(u => ({
            atS: Math.round(u.t / 100) / 10, use: r2(u.use),
            window: lines.filter(l => l.t > u.t - 1000 && l.t <= u.t && !/^lag maxMs/.test(l.text)).map(l => l.text.slice(0, 80)).slice(-6),
        })),
    }
}

/**
 * The controller VM's CPU use, as a share of its reservation, in each ~100 ms interval from 1.5 s
 * before t (a fault) to 0.3 s after: "12.3 s 0.45". A VM with packets to handle that shows ~0
 * for 150 ms or more was held from running (the reservation's stall, or the host), which is
 * what makes a sensor look lost (E31) to the firmware.
 */
function cpuAround(series: [number, number, number][], r: { runtimeNs: number; periodNs: number }, t: number): string[] {
    return series.filter(c => c[0] > t - 1500 && c[0] <= t + 300)
        .map(([at, wallMs, cpuMs]) => (at / 1000).toFixed(2) + " s " + (cpuMs / (wallMs * r.runtimeNs / r.periodNs)).toFixed(2))
}

const PANIC = /OutOfMemory|PANIC|panic|Unhandled exception/

export async function benchTwoNodes(o: TwoNodeOptions): Promise<Record<string, unknown>> {
    const dir = mkdtempSync(join(tmpdir(), "bench-two-nodes-"))
    const db = await openDb({ sqliteFile: join(dir, "hub.db") })
    const hub = await buildHub({ db, nowMs: () => Date.now() })
    const s = new SimSession(o.m, buildFirmware(join(dir, "fw"), "device"), join(dir, "controller"), o.seed, "device")
    s.stalls.recordCpu = true
    const out: Record<string, unknown> = { cycles: o.cycles }
    let ctrlReservation: Reservation | null = null
    try {
        await hub.listen({ port: 0, host: "127.0.0.1" })
        const url = `http://127.0.0.1:${(hub.server.address() as AddressInfo).port}`
        const ctx = { db, nowMs: () => Date.now() }
        await seedLibrary(ctx, simArchPoints(s.engine), "bench-" + Date.now())
        const dev = await registerDevice(ctx, DEVICE_ID, url)
        s.withLink(buildFirmware(join(dir, "fw-link"), "link"), join(dir, "link"))
        s.provisioner = bus => provisionForHub(bus, dev, url)
        s.armTimeoutMs = 120_000
        s.scanTimeoutMs = 120_000
        // the scans are run here, so that a START press the firmware did not take is counted
        s.fitFirst = false
        let linkReservation: { runtimeNs: number; periodNs: number } | null = null
        if (o.targetId) {
            const chip = parseTarget(o.targetId)
            const linkChip = TARGETS.esp32s3
            o.log(`two nodes: controller at ${chip.id} speed, link at ${linkChip.id} speed`)
            ctrlReservation = calibrateReservation(processFactor(slowdownFactor(chip, o.hostCoremark)), o.log)
            s.atTargetSpeed(ctrlReservation)
            out["controllerReservation"] = ctrlReservation
            linkReservation = calibrateReservation(processFactor(slowdownFactor(linkChip, o.hostCoremark)), o.log)
            out["controllerChip"] = chip.id
            out["linkChip"] = linkChip.id
        }
        // provisioning writes settings with acknowledgements, which a VM at a chip's speed cannot
        // give in jacdac-ts's retry window (SimSession.open does the same for the controller):
        // the link takes its reservation once open() has provisioned and booted both nodes
        await s.open()
        const link = s.link!
        if (linkReservation) {
            link.sched = { kind: "reserve", ...linkReservation }
            if (!reserve(link.pid() ?? 0, linkReservation.runtimeNs, linkReservation.periodNs))
                throw new Error("target speed: the link VM's CPU reservation could not be set (chrt -d)")
        }
        const linkFrom = link.lines.length
        const cpuFrom = s.engine.now()
        const vmFrom = s.vm.lines.length
        const e = s.engine
        // A press is taken when the firmware starts a phase (the scan's or the cycle's) within
        // 10 s; one that is not is counted and pressed again, at most twice
        let lostPresses = 0
        // each press, what the display showed and what the firmware did (in the JSON: why a run stopped)
        const steps: string[] = []
        out["steps"] = steps
        const pressStart = async (): Promise<number> => {
            for (let attempt = 1; ; attempt++) {
                const t = e.now()
                const shown = e.display.replace("\n", " | ")
                await s.press("start")
                const taken = await waitFor("a phase after START", () => s.first("phase", t) !== undefined || s.first("preflight", t) !== undefined, 10_000)
                    .then(() => true, () => false)
                const ev = s.first("phase", t) ?? s.first("preflight", t)
                steps.push(`${(t / 1000).toFixed(2)} s START pressed (${shown}): ${ev ? ev.kind + " " + ev.value + " at " + (ev.t / 1000).toFixed(2) + " s" : "not taken"}`)
                if (taken) return t
                lostPresses++
                if (attempt === 3) throw new Error("3 START presses in a row were not taken")
            }
        }
        const perCycle: { outcome: string; maxGapMs: number | null; lateTicks: number | null; maxTickMs: number | null; faults: string[]; faultWindow?: string[]; cpuBeforeFault?: string[] }[] = []
        for (let k = 0; k < o.cycles; k++) {
            process.stdout.write(`\rbench: two nodes, nominal cycle ${k + 1}/${o.cycles} (with its scan) ...`)
            // each patient is scanned afresh (src/fit.ts): the first scan ran in open()
            await waitFor("the device to ask for START", () => /\n(READY|SCAN): PRESS START/.test(e.display), 120_000)
            if (e.display.includes("\nSCAN: PRESS START")) {
                await pressStart()
                await s.fitDone()
            }
            const t0 = await pressStart()
            await waitFor("the nominal cycle to end", () => s.first("outcome", t0) !== undefined || s.first("preflight", t0) !== undefined, 600_000)
            await waitFor("the firmware's timing line", () => s.first("timing", t0) !== undefined, 5000).catch(() => undefined)
            const tm = s.first("timing", t0)
            const tv = tm ? tm.value.split(" ").map(Number) : []
            const refused = s.first("preflight", t0)
            perCycle.push({
                outcome: refused ? "refused " + refused.value : s.first("outcome", t0)!.value,
                maxGapMs: tm ? tv[0] : null, lateTicks: tm ? tv[1] : null, maxTickMs: tm ? tv[2] : null,
                faults: s.events.filter(v => v.kind === "fault" && v.t >= t0).map(v => v.value),
            })
            // what the controller said in the 2 s before a fault (the fault line names the sensor and its reading)
            const fault = s.events.find(v => v.kind === "fault" && v.t >= t0)
            if (fault) {
                perCycle[k].faultWindow = s.vm.lines.filter(l => l.t > fault.t - 2000 && l.t <= fault.t + 200)
                    .map(l => (l.t / 1000).toFixed(2) + " s " + l.text.slice(0, 100))
                if (ctrlReservation) perCycle[k].cpuBeforeFault = cpuAround(s.stalls.cpu["vm"] ?? [], ctrlReservation, fault.t)
            }
            if (refused || perCycle[k].faults.length) break
            await sleep(1000)
        }
        process.stdout.write("\n")
        // the records reach the hub through the link (its sync round runs every few seconds)
        const completed = perCycle.filter(c => c.outcome === "complete").length
        const atHub = async () => Number((await db.db.selectFrom("records").select(eb => eb.fn.countAll().as("n")).where("device_id", "=", DEVICE_ID).executeTakeFirstOrThrow()).n)
        // every record the controller saved (its calibrations' and its cycles'), by sequence number
        const saved = () => new Set(s.vm.lines.map(l => /^record (\d+) saved/.exec(l.text)?.[1]).filter(x => x !== undefined)).size
        let recordsAtHub = await atHub()
        for (const t0 = Date.now(); recordsAtHub < saved() && Date.now() - t0 < 120_000; recordsAtHub = await atHub()) await sleep(1000)
        const recordsSaved = saved()
        const worst = (f: (c: (typeof perCycle)[0]) => number | null) => Math.max(...perCycle.map(c => f(c) ?? NaN))
        const vmLines = s.vm.lines.slice(vmFrom)
        out["startPressesLost"] = lostPresses
        const linkLines = link.lines.slice(linkFrom)
        const vmLags = worstLags(vmLines, 3)
        const linkLags = worstLags(linkLines, 3)
        Object.assign(out, {
            complete: completed, recordsSaved, recordsAtHub,
            controller: {
                firmwareMaxGapMs: worst(c => c.maxGapMs), firmwareLateTicks: perCycle.reduce((n, c) => n + (c.lateTicks ?? 0), 0),
                firmwareMaxTickMs: worst(c => c.maxTickMs), lagMaxMs: vmLags[0]?.ms ?? null, worstLags: vmLags,
                panics: vmLines.filter(l => PANIC.test(l.text)).map(l => l.text),
            },
            link: { lagMaxMs: linkLags[0]?.ms ?? null, worstLags: linkLags, panics: linkLines.filter(l => PANIC.test(l.text)).map(l => l.text) },
            // the simulator's own gaps in its sensor reports (its process held up: the hub runs in it too)
            host: { maxWaitMs: s.stalls.maxWaitMs, reportGaps: e.reportGaps.slice(0, 20) },
            controllerCpu: ctrlReservation ? reservationUse((s.stalls.cpu["vm"] ?? []).filter(c => c[0] >= cpuFrom), ctrlReservation, vmLines) : null,
            perCycle,
        })
    } catch (e) {
        // what each node said last, so a failed run says why (bench.ts keeps the other sections' figures)
        out["error"] = (e as Error).message
        // a fault that ended the run (e.g. in a scan): the VM's CPU use before it
        const fault = [...s.events].reverse().find(v => v.kind === "fault")
        if (fault && ctrlReservation) out["cpuBeforeFault"] = cpuAround(s.stalls.cpu["vm"] ?? [], ctrlReservation, fault.t)
        out["reportGaps"] = s.engine.reportGaps.slice(0, 20)
        out["display"] = s.engine.display
        const said = (lines: { t: number; text: string }[], n: number) =>
            lines.filter(l => !/^lag maxMs/.test(l.text)).slice(-n).map(l => (l.t / 1000).toFixed(1) + " s " + l.text)
        out["controllerLastLines"] = said(s.vm.lines, 25)
        out["linkLastLines"] = said(s.link?.lines ?? [], 15)
        out["failedAtS"] = Math.round(s.engine.now() / 100) / 10
    } finally {
        await s.close()
        await hub.close()
        await db.close()
        rmSync(dir, { recursive: true, force: true })
    }
    return out
}

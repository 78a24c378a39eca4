// The manifest's key table and validation, for Node (the build, tools, the hub and tests).
// Kept apart from manifest.ts, whose types the firmware uses: the DeviceScript compiler runs
// the top level of every module in the program, even one reached only by `import type`, so
// this table in manifest.ts cost the device image 1.9 KB of function bytecode at startup.
import type { Manifest } from "./manifest"
import { MAX_SCAN_POSITIONS } from "./manifest"

/** [min, max, what it is]; every value is an integer in the unit its name carries. */
export type KeySpec = [number, number, string]

export const MANIFEST_SECTIONS: { [section: string]: { [key: string]: KeySpec } } = {
    limits: {
        filmMaxDeciC: [300, 1500, "hard maximum film temperature; heater off beyond it"],
        contactMaxDeciC: [350, 450, "hard maximum temperature at the patient-contact tip"],
        forceMaxMilliN: [1000, 200000, "hard maximum press force"],
        filmSensorMinDeciC: [-500, 0, "film reading below this is an open/failed sensor"],
        filmSensorMaxDeciC: [1000, 4000, "film reading above this is a shorted/failed sensor"],
        contactSensorMinDeciC: [-500, 0, "contact reading below this is a failed sensor"],
        contactSensorMaxDeciC: [500, 2000, "contact reading above this is a failed sensor"],
        forceSensorMinMilliN: [-50000, 0, "force reading below this is a failed load cell"],
        forceSensorMaxMilliN: [10000, 500000, "force reading above this is a failed load cell"],
        positionMinUm: [-10000, 0, "position reading below this is a failed position sensor"],
        positionMaxUm: [10000, 200000, "position reading above this is a failed position sensor"],
    },
    control: {
        periodMs: [10, 500, "control tick period (20 Hz target)"],
        overrunMs: [20, 2000, "gap between tick starts beyond which one late tick is an overrun fault"],
        maxLateTicks: [1, 1000, "more late ticks (gap over two periods) than this within one window of control.lateWindowTicks ticks is an overrun fault (the loop is overloaded)"],
        lateWindowTicks: [10, 100000, "length of the window, in ticks, over which late ticks are counted"],
        heaterWindowMs: [100, 10000, "time-proportioning window of the heater relay"],
        heaterOneShotMs: [50, 2000, "hardware one-shot: heater loses power this long after the last re-assert"],
        pressOneShotMs: [50, 2000, "hardware one-shot: the press driver is disabled this long after the last speed write (written every tick while the press moves)"],
        heaterMaxDutyPermille: [100, 1000, "maximum heater duty"],
        kpMicroPerDegC: [0, 10000000, "default proportional gain, 1e-6 duty per °C"],
        kiMicroPerDegCSec: [0, 10000000, "default integral gain, 1e-6 duty per °C·s"],
        kdMicroSecPerDegC: [0, 100000000, "default derivative gain, 1e-6 duty·s per °C"],
        itermMaxPermille: [0, 1000, "clamp on the integral term's contribution to duty"],
    },
    safety: {
        staleTicks: [1, 20, "a sensor with no fresh reading for more than this many ticks is lost"],
        stuckWindowMs: [500, 60000, "a driven sensor whose reading does not change this long is stuck"],
        stuckMinDutyPermille: [50, 1000, "heater duty at or above which the film sensor counts as driven"],
        runawayWindowMs: [1000, 120000, "window in which heating at high duty must show the minimum rise"],
        runawayMinDutyPermille: [100, 1000, "duty at or above which the runaway check expects a rise"],
        runawayMinRiseDeciC: [1, 200, "minimum rise within the runaway window"],
        runawayBelowTargetDeciC: [0, 500, "the runaway check runs only this far or more below target"],
        offRiseWindowMs: [1000, 120000, "window for the heater-off (relay stuck on) rise check"],
        offRiseMaxDeciC: [1, 500, "rise while the heater is commanded off that trips the check"],
        heaterSenseSettleTicks: [1, 20, "ticks after a heater-off command before a live heater-supply sense is a welded relay"],
        holdBandDeciC: [5, 500, "band around target the film must stay in once reached"],
        holdWindowMs: [1000, 120000, "time outside the band that trips the holding check"],
        stallWindowMs: [100, 10000, "window in which commanded motion must show progress"],
        stallMinProgressUm: [10, 10000, "minimum travel within the stall window"],
        stallMinSpeedPermille: [10, 1000, "commanded speed at or above which progress is expected"],
        forceShortfallMaxMilliN: [100, 20000, "in contact, a force reading this far below the softest plausible force at the press's penetration past contact (press.stiffnessMinMilliNPerMm) is implausible: E13"],
        filmBelowContactMaxDeciC: [10, 300, "with the press out of contact, a film reading this far below the contact tip's is implausible (the unheated tip cannot be hotter than the heated film): E24"],
    },
    press: {
        approachSpeedPermille: [10, 1000, "press speed while approaching the arch"],
        releaseSpeedPermille: [10, 1000, "press speed while returning home"],
        maxSpeedPermille: [10, 1000, "speed limit of the closed force loop"],
        contactForceMilliN: [50, 10000, "force that counts as contact with the arch"],
        forceGainPermillePerN: [1, 1000, "force loop gain: speed per newton of force error"],
        homeToleranceUm: [10, 5000, "position within this of zero counts as home"],
        travelMaxUm: [1000, 200000, "approach travel without contact is a fault beyond this"],
        releaseForceMilliN: [0, 5000, "force below which the film counts as released"],
        stiffnessMinMilliNPerMm: [100, 100000, "the softest plausible film and arch: at a penetration d past the contact point the force is at least this x d x (1 + d / press.stiffenUm), d in mm (docs/faults.md E13)"],
        stiffenUm: [1000, 1000000, "penetration at which that softest force is twice its linear term (the film and arch stiffen as they are squeezed)"],
    },
    cycle: {
        preheatMaxMs: [10000, 3600000, "longest allowed preheat"],
        atTargetBandDeciC: [1, 100, "film within this of target counts as at target"],
        atTargetStableMs: [0, 60000, "time at target before preheat ends"],
        approachMaxMs: [1000, 120000, "longest allowed approach"],
        releaseMaxMs: [1000, 120000, "longest allowed release"],
        coolMaxMs: [1000, 3600000, "longest cool phase; the cycle completes after it regardless"],
    },
    autotune: {
        maxOvershootDeciC: [1, 200, "step test rejects gains overshooting more than this"],
        settleBandDeciC: [1, 100, "band the step test must settle into"],
        relayCycles: [2, 20, "relay oscillation cycles measured"],
        hysteresisDeciC: [0, 100, "relay hysteresis around the setpoint"],
        stepDropDeciC: [10, 500, "the step test starts this far below the setpoint"],
        stepObserveMs: [10000, 3600000, "how long the step test observes after the step"],
        maxMs: [60000, 7200000, "longest allowed autotune"],
    },
    fitting: {
        scanStartUm: [0, 200000, "arch scan: first press position (scan x axis)"],
        scanEndUm: [1000, 200000, "arch scan: last press position; within press.travelMaxUm"],
        scanStepUm: [100, 10000, "arch scan: press step between scan points"],
        readingsPerPoint: [1, 16, "distance readings averaged into one scan point (noise / sqrt(n))"],
        distanceMinUm: [0, 200000, "a distance reading below this is invalid (dropped, counted)"],
        distanceMaxUm: [1000, 500000, "a distance reading above this is invalid (dropped, counted)"],
        minPoints: [3, 400, "fewer valid scan points than this: re-scan"],
        maxRmsUm: [5, 5000, "fit RMS residual above this: too noisy or the wrong template"],
        maxWorstUm: [10, 20000, "a scan point farther than this from the fitted arch: re-scan"],
        minCoveragePermille: [100, 1000, "share of the template's arch length the scan must cover"],
        coverageGapUm: [500, 50000, "a gap between scan points longer than this counts as uncovered"],
        scaleMinPpm: [500000, 1000000, "smallest template scale accepted (template size range)"],
        scaleMaxPpm: [1000000, 2000000, "largest template scale accepted (template size range)"],
        maxRotationMicroRad: [0, 400000, "fitted rotation beyond this: patient misaligned, re-scan"],
        maxIterations: [5, 200, "least-squares iterations before the fit gives up"],
    },
    records: {
        queueCapacityRecords: [4, 16, "records held until the hub acknowledges them; full = no new cycle. At most what the controller board's 16 KB settings area holds of the largest record (832 B; a typical one takes 536 B) beside the rest: npm run build refuses more (tools/settings-budget.ts)"],
    },
}

export class ManifestError extends Error {
    constructor(readonly path: string, message: string) {
        super()
        this.name = "ManifestError"
        this.message = `devicescript.json ${path}: ${message}`
    }
}

function isInt(v: any) {
    return typeof v === "number" && Math.floor(v) === v
}

/** Checks every section and key; throws ManifestError naming the first bad key. */
export function validateManifest(m: any): Manifest {
    if (!m || typeof m !== "object") throw new ManifestError("(root)", "must be a JSON object")
    const top = ["model", "modelName", "manifestVersion", "boards"]
    const sections = Object.keys(MANIFEST_SECTIONS)
    for (const k of Object.keys(m)) {
        if (k === "$schema") continue
        if (top.indexOf(k) < 0 && sections.indexOf(k) < 0)
            throw new ManifestError(k, "unknown key (allowed: " + top.join(", ") + ", " + sections.join(", ") + ")")
    }
    if (typeof m.model !== "string" || !m.model) throw new ManifestError("model", "must be a non-empty string")
    if (typeof m.modelName !== "string") throw new ManifestError("modelName", "must be a string")
    if (!isInt(m.manifestVersion) || m.manifestVersion < 1)
        throw new ManifestError("manifestVersion", "must be an integer >= 1")
    if (!Array.isArray(m.boards) || m.boards.length < 1)
        throw new ManifestError("boards", "must list at least one board id")
    for (const b of m.boards as any[]) {
        if (typeof b !== "string" || !b) throw new ManifestError("boards", "board ids must be non-empty strings")
    }
    for (const s of sections) {
        const spec = MANIFEST_SECTIONS[s]
        const sec = m[s]
        if (!sec || typeof sec !== "object") throw new ManifestError(s, "missing section")
        for (const k of Object.keys(sec)) {
            if (!spec[k]) throw new ManifestError(s + "." + k, "unknown key (typo?)")
        }
        for (const k of Object.keys(spec)) {
            const v = sec[k]
            const r = spec[k]
            if (v === undefined) throw new ManifestError(s + "." + k, "missing (" + r[2] + ")")
            if (!isInt(v)) throw new ManifestError(s + "." + k, "must be an integer, got " + JSON.stringify(v))
            if (v < r[0] || v > r[1])
                throw new ManifestError(s + "." + k, v + " is outside " + r[0] + ".." + r[1] + " (" + r[2] + ")")
        }
    }
    crossCheck(m as Manifest)
    return m as Manifest
}

function crossCheck(m: Manifest) {
    const l = m.limits
    if (l.contactMaxDeciC >= l.filmMaxDeciC)
        throw new ManifestError("limits.contactMaxDeciC", "must be below limits.filmMaxDeciC")
    if (l.filmMaxDeciC >= l.filmSensorMaxDeciC)
        throw new ManifestError("limits.filmMaxDeciC", "must be below limits.filmSensorMaxDeciC")
    if (l.contactMaxDeciC >= l.contactSensorMaxDeciC)
        throw new ManifestError("limits.contactMaxDeciC", "must be below limits.contactSensorMaxDeciC")
    if (l.forceMaxMilliN >= l.forceSensorMaxMilliN)
        throw new ManifestError("limits.forceMaxMilliN", "must be below limits.forceSensorMaxMilliN")
    const c = m.control
    if (c.overrunMs <= 2 * c.periodMs) throw new ManifestError("control.overrunMs", "must exceed two control periods (a late tick is one over two periods)")
    if (c.maxLateTicks >= c.lateWindowTicks) throw new ManifestError("control.maxLateTicks", "must be below control.lateWindowTicks")
    if (c.heaterWindowMs < 2 * c.periodMs)
        throw new ManifestError("control.heaterWindowMs", "must be at least two control periods")
    if (c.heaterOneShotMs <= c.periodMs)
        throw new ManifestError("control.heaterOneShotMs", "must exceed control.periodMs (re-asserted every tick)")
    if (c.pressOneShotMs <= c.periodMs)
        throw new ManifestError("control.pressOneShotMs", "must exceed control.periodMs (re-asserted every tick)")
    if (m.press.contactForceMilliN >= l.forceMaxMilliN)
        throw new ManifestError("press.contactForceMilliN", "must be below limits.forceMaxMilliN")
    if (m.press.travelMaxUm > l.positionMaxUm)
        throw new ManifestError("press.travelMaxUm", "must not exceed limits.positionMaxUm")
    crossCheckFitting(m)
}


function crossCheckFitting(m: Manifest) {
    const f = m.fitting
    if (f.scanEndUm <= f.scanStartUm) throw new ManifestError("fitting.scanEndUm", "must exceed fitting.scanStartUm")
    if (f.scanEndUm > m.press.travelMaxUm)
        throw new ManifestError("fitting.scanEndUm", "must not exceed press.travelMaxUm")
    const positions = Math.floor((f.scanEndUm - f.scanStartUm) / f.scanStepUm) + 1
    if (positions > MAX_SCAN_POSITIONS)
        throw new ManifestError("fitting.scanStepUm", "gives " + positions + " scan positions, over " + MAX_SCAN_POSITIONS)
    if (f.minPoints > positions)
        throw new ManifestError("fitting.minPoints", "exceeds the " + positions + " positions the scan plan has")
    if (f.distanceMaxUm <= f.distanceMinUm)
        throw new ManifestError("fitting.distanceMaxUm", "must exceed fitting.distanceMinUm")
    if (f.maxWorstUm < f.maxRmsUm) throw new ManifestError("fitting.maxWorstUm", "must be at least fitting.maxRmsUm")
}

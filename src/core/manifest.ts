// The applicator model's manifest (devicescript.json): its types. The documented range of every
// key and the validation are in manifest-schema.ts. Node reads the JSON file and the build
// generates a TS module for the firmware; both go through validateManifest so neither can run
// on a value outside range.
// Units are in the key names: DeciC = 0.1 °C, MilliN = mN, Um = µm, Ms = ms, Permille = 1/1000.

export interface Limits {
    filmMaxDeciC: number
    contactMaxDeciC: number
    forceMaxMilliN: number
    filmSensorMinDeciC: number
    filmSensorMaxDeciC: number
    contactSensorMinDeciC: number
    contactSensorMaxDeciC: number
    forceSensorMinMilliN: number
    forceSensorMaxMilliN: number
    positionMinUm: number
    positionMaxUm: number
}

export interface ControlTiming {
    periodMs: number
    overrunMs: number
    maxLateTicks: number
    lateWindowTicks: number
    heaterWindowMs: number
    heaterOneShotMs: number
    pressOneShotMs: number
    heaterMaxDutyPermille: number
    kpMicroPerDegC: number
    kiMicroPerDegCSec: number
    kdMicroSecPerDegC: number
    itermMaxPermille: number
}

export interface SafetyWindows {
    staleTicks: number
    stuckWindowMs: number
    stuckMinDutyPermille: number
    runawayWindowMs: number
    runawayMinDutyPermille: number
    runawayMinRiseDeciC: number
    runawayBelowTargetDeciC: number
    offRiseWindowMs: number
    offRiseMaxDeciC: number
    heaterSenseSettleTicks: number
    holdBandDeciC: number
    holdWindowMs: number
    stallWindowMs: number
    stallMinProgressUm: number
    stallMinSpeedPermille: number
    forceShortfallMaxMilliN: number
    filmBelowContactMaxDeciC: number
}

export interface PressSettings {
    approachSpeedPermille: number
    releaseSpeedPermille: number
    maxSpeedPermille: number
    contactForceMilliN: number
    forceGainPermillePerN: number
    homeToleranceUm: number
    travelMaxUm: number
    releaseForceMilliN: number
    stiffnessMinMilliNPerMm: number
    stiffenUm: number
}

export interface CycleSettings {
    preheatMaxMs: number
    atTargetBandDeciC: number
    atTargetStableMs: number
    approachMaxMs: number
    releaseMaxMs: number
    coolMaxMs: number
}

export interface AutotuneSettings {
    maxOvershootDeciC: number
    settleBandDeciC: number
    relayCycles: number
    hysteresisDeciC: number
    stepDropDeciC: number
    stepObserveMs: number
    maxMs: number
}

export interface FittingSettings {
    scanStartUm: number
    scanEndUm: number
    scanStepUm: number
    readingsPerPoint: number
    distanceMinUm: number
    distanceMaxUm: number
    minPoints: number
    maxRmsUm: number
    maxWorstUm: number
    minCoveragePermille: number
    coverageGapUm: number
    scaleMinPpm: number
    scaleMaxPpm: number
    maxRotationMicroRad: number
    maxIterations: number
}

export interface RecordSettings {
    queueCapacityRecords: number
}

export interface Manifest {
    model: string
    modelName: string
    manifestVersion: number
    boards: string[]
    limits: Limits
    control: ControlTiming
    safety: SafetyWindows
    press: PressSettings
    cycle: CycleSettings
    autotune: AutotuneSettings
    fitting: FittingSettings
    records: RecordSettings
}

/** The scan plan is bounded (memory, and the fit's work per iteration grows with it). */
export const MAX_SCAN_POSITIONS = 400

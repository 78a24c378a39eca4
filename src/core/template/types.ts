// A template as the community library publishes it and the council approves it. Integers in
// the unit each name carries (DeciC = 0.1 °C, MilliN = mN, Um = µm, Ms = ms, UnixS = seconds
// since 1970). The design (everything but `id` and `approval`) is what a designer authors;
// `id` is the SHA-256 of the design's canonical bytes, so it names the design, not a copy.

export interface Material {
    /** the film product, e.g. "PETG-050" */
    materialId: string
    filmThicknessUm: number
    /** the film is formable from this temperature up: preheat must reach it */
    softenDeciC: number
    /** the film degrades above this: no phase may target more */
    materialMaxDeciC: number
}

/** The process as the cycle runs it (src/core/cycle/process.ts ProcessParams, minus the id). */
export interface TemplateProcess {
    /** film temperature during preheat, approach and press */
    filmDeciC: number
    /** dwell at film temperature before the press moves */
    soakMs: number
    /** press force to reach */
    forceMilliN: number
    /** force ramp from contact to forceMilliN */
    rampMs: number
    /** film temperature while curing under force */
    cureDeciC: number
    /** cure dwell at force */
    cureMs: number
    /** the cycle completes once the film has cooled to this */
    coolDeciC: number
    /** the template's own patient-contact limit (never above the device's or the profile's) */
    contactMaxDeciC: number
}

export interface Approval {
    /** regulation profile the council reviewed it against */
    profileId: string
    profileVersion: number
    reviewerId: string
    approvedUnixS: number
}

export interface Template {
    /** SHA-256 (hex) of the design's canonical bytes; see templateId() */
    id: string
    /** the designer's version number of this design */
    version: number
    name: string
    designer: string
    material: Material
    process: TemplateProcess
    /** arch curve as [x, y] integer pairs in µm, ordered along the arch (one end to the other) */
    archPointsUm: number[][]
    approval: Approval
}

/** Bounds of the format itself, whatever profile or device: the encoding never carries more. */
export interface TemplateFormat {
    versionMax: number
    /** name, designer, reviewerId: characters */
    textMax: number
    materialIdMax: number
    profileIdMax: number
    archPointsMin: number
    archPointsMax: number
    coordMaxAbsUm: number
    tempMaxDeciC: number
    forceMaxMilliN: number
    durationMaxMs: number
    thicknessMaxUm: number
}

// In JSON strings the compiler folds into constants, parsed by the functions that need them: as
// literals they run in the firmware's start-up code and cost its 64 KB function area, and parsed
// at the top level the heap held them for the program's life (README, "DeviceScript traps");
// test/unit/parsed-tables holds the values.
const FORMAT = '{"versionMax":1000000,"textMax":32,"materialIdMax":16,"profileIdMax":16,"archPointsMin":3,"archPointsMax":64,' +
    '"coordMaxAbsUm":100000,"tempMaxDeciC":3000,"forceMaxMilliN":500000,"durationMaxMs":86400000,"thicknessMaxUm":10000}'

/** The format's bounds, parsed afresh on each call: keep the object for as long as a function needs it. */
export function templateFormat(): TemplateFormat {
    return JSON.parse(FORMAT)
}

/** consecutive arch points closer than this are duplicates; farther apart, a gap the fit can't use */
export const ARCH_STEP_MIN_UM = 100
export const ARCH_STEP_MAX_UM = 20000

/** The key lists of templateKeys(). */
export enum TemplateKeys {
    Material = 0,
    Process = 1,
    Approval = 2,
    Template = 3,
}

// the key lists, in encoding order (as FORMAT)
const MATERIAL = '["materialId","filmThicknessUm","softenDeciC","materialMaxDeciC"]'
const PROCESS = '["filmDeciC","soakMs","forceMilliN","rampMs","cureDeciC","cureMs","coolDeciC","contactMaxDeciC"]'
const APPROVAL = '["profileId","profileVersion","reviewerId","approvedUnixS"]'
const TEMPLATE = '["id","version","name","designer","material","process","archPointsUm","approval"]'

/** One key list, in encoding order, parsed afresh on each call. */
export function templateKeys(k: TemplateKeys): string[] {
    return JSON.parse([MATERIAL, PROCESS, APPROVAL, TEMPLATE][k])
}

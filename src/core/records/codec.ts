// Canonical bytes of a record (docs/records.md, "Record"), driven by the field tables below so
// that the writer and the strict reader cannot disagree:
//   body   = 'R' 0x01, the HEAD fields, calibrationIds list, fit list (0 or 1), phases list,
//            faults list, outcome
//   hash   = SHA-256(body)                 the next record's prevHash
//   mac    = HMAC-SHA256(device key, body)
//   sealed = body ‖ mac (32 bytes)         what is stored and sent

import { Crypto, fromHex, toHex, hexEqual } from "../crypto"
import { ValidationError } from "../codec/errors"
import { checkArray, join, INT_MAX_ABS, UNIX_S_MAX } from "../codec/ints"
import { ByteWriter } from "../codec/writer"
import { ByteReader } from "../codec/reader"
import { ComplianceRecord, RECORD_TAG, RECORD_FORMAT_VERSION, SEQ_MAX } from "./types"

/** [field, rule, min, max]: rule INT, TEXT (min/max are lengths) or HASH */
type Spec = [string, number, number, number]
const INT = 0
const TEXT = 1
const HASH = 2
const I = INT_MAX_ABS

export const RECORD_HEAD: Spec[] = [
    ["kind", INT, 1, 5], ["deviceId", TEXT, 1, 32], ["seq", INT, 1, SEQ_MAX], ["prevHash", HASH, 0, 0],
    ["bootId", INT, 0, UNIX_S_MAX], ["uptimeMs", INT, 0, I], ["wallUnixS", INT, 0, UNIX_S_MAX],
    ["operatorId", TEXT, 0, 32], ["templateId", HASH, 0, 0], ["templateHash", HASH, 0, 0],
    ["bundleVersion", INT, 0, UNIX_S_MAX],
]
export const CALIBRATION_IDS_MAX = 4
export const CALIBRATION_ID_MAX_CHARS = 16
export const FIT_FIELDS: Spec[] = [
    ["rmsUm", INT, 0, 1000000], ["worstUm", INT, 0, 1000000], ["coveragePermille", INT, 0, 1000],
    ["scalePpm", INT, 0, 10000000], ["offsetXUm", INT, -1000000, 1000000], ["offsetYUm", INT, -1000000, 1000000],
    ["rotationMicroRad", INT, -3141593, 3141593], ["accepted", INT, 0, 1],
]
export const PHASES_MAX = 12
export const PHASE_FIELDS: Spec[] = [
    ["phase", INT, 0, 255], ["durationMs", INT, 0, I], ["samples", INT, 0, I],
    ["filmMinDeciC", INT, -I, I], ["filmMaxDeciC", INT, -I, I], ["filmMeanDeciC", INT, -I, I],
    ["contactMaxDeciC", INT, -I, I], ["forceMinMilliN", INT, -I, I], ["forceMaxMilliN", INT, -I, I],
    ["forceMeanMilliN", INT, -I, I],
]
export const FAULTS_MAX = 4
export const FAULT_FIELDS: Spec[] = [
    ["code", INT, 0, 255], ["sensor", INT, 0, 255], ["value", INT, -I, I], ["limit", INT, -I, I], ["atMs", INT, 0, I],
]

function putFields(w: ByteWriter, specs: Spec[], o: any, field: string) {
    if (!o || typeof o !== "object") throw new ValidationError("type", field, "must be an object")
    for (const s of specs) {
        const v = o[s[0]]
        if (s[1] === INT) w.intIn(v, s[2], s[3], field, s[0])
        else if (s[1] === TEXT) w.textIn(v, s[2], s[3], field, s[0])
        else w.hash(v, join(field, s[0]))
    }
}

function getFields(r: ByteReader, specs: Spec[], field: string): any {
    const o: any = {}
    for (const s of specs) {
        if (s[1] === INT) o[s[0]] = r.int(field, s[2], s[3], s[0])
        else if (s[1] === TEXT) o[s[0]] = r.text(field, s[2], s[3], s[0])
        else o[s[0]] = r.hash(join(field, s[0]))
    }
    return o
}

/** Canonical body bytes; throws ValidationError naming the first field out of range. */
export function encodeRecord(rec: ComplianceRecord): number[] {
    const w = new ByteWriter()
    w.byte(RECORD_TAG)
    w.byte(RECORD_FORMAT_VERSION)
    putFields(w, RECORD_HEAD, rec, "")
    const ids = checkArray(rec.calibrationIds, 0, CALIBRATION_IDS_MAX, "calibrationIds")
    w.int(ids.length, "calibrationIds")
    for (let i = 0; i < ids.length; i++) w.textIn(ids[i], 1, CALIBRATION_ID_MAX_CHARS, "calibrationIds[" + i + "]", "")
    w.int(rec.fit ? 1 : 0, "fit")
    if (rec.fit) putFields(w, FIT_FIELDS, rec.fit, "fit")
    const phases = checkArray(rec.phases, 0, PHASES_MAX, "phases")
    w.int(phases.length, "phases")
    for (let i = 0; i < phases.length; i++) putFields(w, PHASE_FIELDS, phases[i], "phases[" + i + "]")
    const faults = checkArray(rec.faults, 0, FAULTS_MAX, "faults")
    w.int(faults.length, "faults")
    for (let i = 0; i < faults.length; i++) putFields(w, FAULT_FIELDS, faults[i], "faults[" + i + "]")
    w.intIn(rec.outcome, 0, 3, "outcome", "")
    return w.bytes
}

/** Strict decode of body bytes (no MAC). */
export function decodeRecord(body: number[]): ComplianceRecord {
    const r = new ByteReader(body, "record")
    r.header(RECORD_TAG, RECORD_FORMAT_VERSION)
    const o: any = getFields(r, RECORD_HEAD, "")
    const nIds = r.int("calibrationIds", 0, CALIBRATION_IDS_MAX)
    o.calibrationIds = []
    for (let i = 0; i < nIds; i++) o.calibrationIds.push(r.text("calibrationIds[" + i + "]", 1, CALIBRATION_ID_MAX_CHARS))
    o.fit = r.int("fit", 0, 1) === 1 ? getFields(r, FIT_FIELDS, "fit") : null
    const nPh = r.int("phases", 0, PHASES_MAX)
    o.phases = []
    for (let i = 0; i < nPh; i++) o.phases.push(getFields(r, PHASE_FIELDS, "phases[" + i + "]"))
    const nF = r.int("faults", 0, FAULTS_MAX)
    o.faults = []
    for (let i = 0; i < nF; i++) o.faults.push(getFields(r, FAULT_FIELDS, "faults[" + i + "]"))
    o.outcome = r.int("outcome", 0, 3)
    r.end()
    return o as ComplianceRecord
}

export interface SealedRecord {
    /** body ‖ mac */
    sealed: number[]
    /** SHA-256 (hex) of the body: the next record's prevHash */
    hash: string
}

export function sealRecord(rec: ComplianceRecord, keyHex: string, c: Crypto): SealedRecord {
    const body = encodeRecord(rec)
    const hash = c.sha256Hex(body)
    const mac = c.hmacSha256Hex(keyHex, body)
    // body becomes body ‖ mac in place: a copy of a ~330-element array doubled the peak heap,
    // and the VM ran out of its 64 KB sealing the first record of a fully composed device
    for (let i = 0; i < 64; i += 2) body.push(HEX_DIGITS.indexOf(mac[i]) * 16 + HEX_DIGITS.indexOf(mac[i + 1]))
    return { sealed: body, hash: hash }
}

const HEX_DIGITS = "0123456789abcdef"

export interface OpenedRecord {
    record: ComplianceRecord
    hash: string
    macOk: boolean
}

/** Splits and decodes a sealed record; reports (does not throw on) a bad MAC, so a verifier can go on. */
export function openRecord(sealed: number[], keyHex: string, c: Crypto): OpenedRecord {
    if (!Array.isArray(sealed) || sealed.length < 34) throw new ValidationError("truncated", "(record)", "sealed record is too short")
    const body = sealed.slice(0, sealed.length - 32)
    const record = decodeRecord(body)
    const mac = toHex(sealed.slice(sealed.length - 32))
    return { record: record, hash: c.sha256Hex(body), macOk: hexEqual(c.hmacSha256Hex(keyHex, body), mac) }
}

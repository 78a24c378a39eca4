// Canonical bytes of a record (docs/records.md, "Record"), driven by the field tables below so
// that the writer and the strict reader cannot disagree:
//   body   = 'R' 0x01, the HEAD fields, calibrationIds list, fit list (0 or 1), phases list,
//            faults list, outcome
//   hash   = SHA-256(body)                 the next record's prevHash
//   mac    = HMAC-SHA256(device key, body)
//   sealed = body ‖ mac (32 bytes)         what is stored and sent

import { Crypto, toHex, hexEqual } from "../crypto"
import { toBase64 } from "../codec/base64"
import { ValidationError } from "../codec/errors"
import { checkArray, join } from "../codec/ints"
import { ByteWriter } from "../codec/writer"
import { ByteReader } from "../codec/reader"
import { ComplianceRecord, RECORD_TAG, RECORD_FORMAT_VERSION } from "./types"

/** [field, rule, min, max]: rule INT, TEXT (min/max are lengths) or HASH */
export type FieldSpec = [string, number, number, number]
const INT = 0
const TEXT = 1

/** The record's field tables (recordFields). */
export enum RecordTable {
    Head = 0,
    Fit = 1,
    Phases = 2,
    Faults = 3,
}

// The field tables, each in a JSON string the compiler folds into a constant: as array literals
// they cost ~700 bytes of the firmware's 64 KB function area, and parsed at the top level the
// heap held them (~4 KB) for the program's life (README, "DeviceScript traps"); recordFields()
// parses one when an encode or decode needs it. Bounds spelled out: 9999999999 = SEQ_MAX,
// 1099511627775 = UNIX_S_MAX, 281474976710655 = INT_MAX_ABS (a unit test holds them to the constants).
const HEAD = '[["kind",0,1,5],["deviceId",1,1,32],["seq",0,1,9999999999],["prevHash",2,0,0],["bootId",0,0,1099511627775],["uptimeMs",0,0,281474976710655],["wallUnixS",0,0,1099511627775],["operatorId",1,0,32],["templateId",2,0,0],["templateHash",2,0,0],["bundleVersion",0,0,1099511627775]]'
const FIT = '[["rmsUm",0,0,1000000],["worstUm",0,0,1000000],["coveragePermille",0,0,1000],["scalePpm",0,0,10000000],["offsetXUm",0,-1000000,1000000],["offsetYUm",0,-1000000,1000000],["rotationMicroRad",0,-3141593,3141593],["accepted",0,0,1]]'
const PHASES = '[["phase",0,0,255],["durationMs",0,0,281474976710655],["samples",0,0,281474976710655],["filmMinDeciC",0,-281474976710655,281474976710655],["filmMaxDeciC",0,-281474976710655,281474976710655],["filmMeanDeciC",0,-281474976710655,281474976710655],["contactMaxDeciC",0,-281474976710655,281474976710655],["forceMinMilliN",0,-281474976710655,281474976710655],["forceMaxMilliN",0,-281474976710655,281474976710655],["forceMeanMilliN",0,-281474976710655,281474976710655]]'
const FAULTS = '[["code",0,0,255],["sensor",0,0,255],["value",0,-281474976710655,281474976710655],["limit",0,-281474976710655,281474976710655],["atMs",0,0,281474976710655]]'

/** One field table, parsed afresh on each call: the caller keeps it as long as it needs it. */
export function recordFields(t: RecordTable): FieldSpec[] {
    return JSON.parse([HEAD, FIT, PHASES, FAULTS][t])
}

export const CALIBRATION_IDS_MAX = 4
export const CALIBRATION_ID_MAX_CHARS = 16
export const PHASES_MAX = 12
export const FAULTS_MAX = 4

function putFields(w: ByteWriter, specs: FieldSpec[], o: any, field: string) {
    if (!o || typeof o !== "object") throw new ValidationError("type", field, "must be an object")
    for (const s of specs) {
        const v = o[s[0]]
        if (s[1] === INT) w.intIn(v, s[2], s[3], field, s[0])
        else if (s[1] === TEXT) w.textIn(v, s[2], s[3], field, s[0])
        else w.hash(v, join(field, s[0]))
    }
}

function getFields(r: ByteReader, specs: FieldSpec[], field: string): any {
    const o: any = {}
    for (const s of specs) {
        if (s[1] === INT) o[s[0]] = r.int(field, s[2], s[3], s[0])
        else if (s[1] === TEXT) o[s[0]] = r.text(field, s[2], s[3], s[0])
        else o[s[0]] = r.hash(join(field, s[0]))
    }
    return o
}

/** A list of objects: count, then each one's fields; errors name field[i]. */
function putList(w: ByteWriter, list: any, max: number, specs: FieldSpec[], field: string) {
    const items = checkArray(list, 0, max, field)
    w.intIn(items.length, 0, max, field, "")
    for (let i = 0; i < items.length; i++) putFields(w, specs, items[i], field + "[" + i + "]")
}

function getList(r: ByteReader, max: number, specs: FieldSpec[], field: string): any[] {
    const n = r.int(field, 0, max)
    const out: any[] = []
    for (let i = 0; i < n; i++) out.push(getFields(r, specs, field + "[" + i + "]"))
    return out
}

/** Canonical body bytes; throws ValidationError naming the first field out of range. */
export function encodeRecord(rec: ComplianceRecord): number[] {
    const w = new ByteWriter()
    encodeInto(w, rec)
    return w.bytes
}

/** Throws ValidationError naming the first field of rec out of range (encodes it into a Buffer: VM heap). */
export function checkRecord(rec: ComplianceRecord) {
    const w = new ByteWriter()
    w.buf = Buffer.alloc(512)
    encodeInto(w, rec)
}

function encodeInto(w: ByteWriter, rec: ComplianceRecord) {
    w.byte(RECORD_TAG)
    w.byte(RECORD_FORMAT_VERSION)
    putFields(w, recordFields(RecordTable.Head), rec, "")
    const ids = checkArray(rec.calibrationIds, 0, CALIBRATION_IDS_MAX, "calibrationIds")
    w.intIn(ids.length, 0, CALIBRATION_IDS_MAX, "calibrationIds", "")
    for (let i = 0; i < ids.length; i++) w.textIn(ids[i], 1, CALIBRATION_ID_MAX_CHARS, "calibrationIds[" + i + "]", "")
    w.intIn(rec.fit ? 1 : 0, 0, 1, "fit", "")
    if (rec.fit) putFields(w, recordFields(RecordTable.Fit), rec.fit, "fit")
    putList(w, rec.phases, PHASES_MAX, recordFields(RecordTable.Phases), "phases")
    putList(w, rec.faults, FAULTS_MAX, recordFields(RecordTable.Faults), "faults")
    w.intIn(rec.outcome, 0, 3, "outcome", "")
}

/** Strict decode of body bytes (no MAC). */
export function decodeRecord(body: number[]): ComplianceRecord {
    const r = new ByteReader(body, "record")
    r.header(RECORD_TAG, RECORD_FORMAT_VERSION)
    const o: any = getFields(r, recordFields(RecordTable.Head), "")
    const nIds = r.int("calibrationIds", 0, CALIBRATION_IDS_MAX)
    o.calibrationIds = []
    for (let i = 0; i < nIds; i++) o.calibrationIds.push(r.text("calibrationIds[" + i + "]", 1, CALIBRATION_ID_MAX_CHARS))
    o.fit = r.int("fit", 0, 1) === 1 ? getFields(r, recordFields(RecordTable.Fit), "fit") : null
    o.phases = getList(r, PHASES_MAX, recordFields(RecordTable.Phases), "phases")
    o.faults = getList(r, FAULTS_MAX, recordFields(RecordTable.Faults), "faults")
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

/** The sealed bytes as an array (Node: the hub's tests, tools, vectors); the same bytes as sealRecordText. */
export function sealRecord(rec: ComplianceRecord, keyHex: string, c: Crypto): SealedRecord {
    const w = new ByteWriter()
    encodeInto(w, rec)
    const hash = c.sha256Hex(w.bytes)
    w.hash(c.hmacSha256Hex(keyHex, w.bytes), "mac") // body ‖ mac, in place
    return { sealed: w.bytes, hash: hash }
}

/**
 * The sealed bytes as base64 (what the record store keeps) and the hash, built in a Buffer
 * (ByteWriter.buf) so the device never holds the record as an array of 8-byte slots (a
 * ~330-element array and its copies ran the VM out of its 64 KB sealing the first record of
 * a fully composed device).
 */
export function sealRecordText(rec: ComplianceRecord, keyHex: string, c: Crypto): { base64: string, hash: string } {
    const w = new ByteWriter()
    w.buf = Buffer.alloc(512)
    encodeInto(w, rec)
    const body = w.buf.slice(0, w.n)
    w.hash(c.hmacSha256Hex(keyHex, body), "mac") // body ‖ mac
    return { base64: toBase64(w.buf.slice(0, w.n)), hash: c.sha256Hex(body) }
}

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

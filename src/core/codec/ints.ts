// Integer rules shared by every canonical encoding: all numbers are integers in the unit their
// field name carries, with |n| <= 2^48 - 1 so that zigzag (2|n|) stays exact in a double
// (the VM and Node both compute in doubles) and fits 7 varint bytes.

import { ValidationError } from "./errors"

/** 2^48 - 1: the largest magnitude any encoded integer may have */
export const INT_MAX_ABS = 281474976710655
/** upper bound of wall-clock fields, Unix seconds (2^40 - 1, far beyond any real date) */
export const UNIX_S_MAX = 1099511627775

export function isInt(v: any): boolean {
    return typeof v === "number" && Math.floor(v) === v && v >= -INT_MAX_ABS && v <= INT_MAX_ABS
}

/** Throws "missing" when v is undefined or null. */
function present(v: any, field: string) {
    if (v === undefined || v === null) throw new ValidationError("missing", field, "is missing")
}

/** Throws unless v is an integer in lo..hi (code not_int or format_range). */
export function checkInt(v: any, lo: number, hi: number, field: string): number {
    present(v, field)
    if (typeof v !== "number") throw new ValidationError("type", field, "must be an integer, got " + typeof v)
    if (!isInt(v)) throw new ValidationError("not_int", field, "must be an integer, got " + v)
    if (v < lo || v > hi) throw new ValidationError("format_range", field, v + " is outside " + lo + ".." + hi)
    return v
}

/** Throws unless s is a string of minLen..maxLen printable ASCII characters (0x20..0x7e). */
export function checkText(s: any, minLen: number, maxLen: number, field: string): string {
    present(s, field)
    if (typeof s !== "string") throw new ValidationError("type", field, "must be a string")
    if (s.length < minLen || s.length > maxLen)
        throw new ValidationError("bad_string", field, "must be " + minLen + ".." + maxLen + " characters, got " + s.length)
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i)
        if (c < 0x20 || c > 0x7e) throw new ValidationError("bad_string", field, "character " + i + " is not printable ASCII")
    }
    return s
}

const HEX_DIGITS = "0123456789abcdef"

/** Throws unless s is 64 lowercase hex digits (a SHA-256 or HMAC-SHA256 in hex). */
export function checkHash(s: any, field: string): string {
    present(s, field)
    if (typeof s !== "string" || s.length !== 64) throw new ValidationError("bad_hex", field, "must be 64 lowercase hex digits")
    for (let i = 0; i < 64; i++)
        if (HEX_DIGITS.indexOf(s[i]) < 0) throw new ValidationError("bad_hex", field, "must be 64 lowercase hex digits")
    return s
}

/** Throws unless v is an array of minLen..maxLen elements. */
export function checkArray(v: any, minLen: number, maxLen: number, field: string): any[] {
    present(v, field)
    if (!Array.isArray(v)) throw new ValidationError("type", field, "must be an array")
    if (v.length < minLen || v.length > maxLen)
        throw new ValidationError("count", field, "must have " + minLen + ".." + maxLen + " entries, got " + v.length)
    return v as any[]
}

/** Throws unless v is a plain object whose keys are exactly `keys` (no unknown, none missing). */
export function checkObject(v: any, keys: string[], field: string): any {
    present(v, field)
    if (typeof v !== "object" || Array.isArray(v)) throw new ValidationError("type", field, "must be an object")
    for (const k of Object.keys(v))
        if (keys.indexOf(k) < 0) throw new ValidationError("unknown_field", join(field, k), "unknown field (typo?)")
    for (const k of keys)
        if (v[k] === undefined) throw new ValidationError("missing", join(field, k), "is missing")
    return v
}

export function join(field: string, key: string): string {
    return field === "" ? key : field + "." + key
}

export const ZERO_HASH = "0000000000000000000000000000000000000000000000000000000000000000"

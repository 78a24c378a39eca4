// Canonical bytes of a template (docs/records.md, "Template"):
//   design bytes   'D' 0x01, version, name, designer, material (4 fields), process (8 fields),
//                  point count, then x, y of each point
//   template bytes 'T' 0x01, the design bytes, profileId, profileVersion, reviewerId, approvedUnixS
// id   = SHA-256(design bytes): names the design, whoever approved it and when
// hash = SHA-256(template bytes): names this approved template; bundles and records carry it

import { Crypto, sliceBytes } from "../crypto"
import { ValidationError } from "../codec/errors"
import { ByteWriter, writeText, writeInt } from "../codec/writer"
import { ByteReader } from "../codec/reader"
import { Template, TemplateProcess, TemplateFormat, TemplateKeys, templateFormat, templateKeys } from "./types"
import { checkTemplateShape, checkMaterial, checkTemplateProcess, checkArch, processMax } from "./shape"
import { checkText, checkInt, UNIX_S_MAX } from "../codec/ints"

export const DESIGN_TAG = 0x44 // 'D'
export const TEMPLATE_TAG = 0x54 // 'T'
export const TEMPLATE_FORMAT_VERSION = 1

/** F: templateFormat() */
function writeDesign(w: ByteWriter, t: Template, F: TemplateFormat) {
    w.byte(DESIGN_TAG)
    w.byte(TEMPLATE_FORMAT_VERSION)
    writeInt(w, t.version, "version")
    writeText(w, t.name, F.textMax, "name")
    writeText(w, t.designer, F.textMax, "designer")
    const m = t.material
    writeText(w, m.materialId, F.materialIdMax, "material.materialId")
    writeInt(w, m.filmThicknessUm, "material.filmThicknessUm")
    writeInt(w, m.softenDeciC, "material.softenDeciC")
    writeInt(w, m.materialMaxDeciC, "material.materialMaxDeciC")
    for (const k of templateKeys(TemplateKeys.Process)) writeInt(w, (t.process as any)[k], "process." + k)
    writeInt(w, t.archPointsUm.length, "archPointsUm")
    for (const p of t.archPointsUm) {
        writeInt(w, p[0], "archPointsUm")
        writeInt(w, p[1], "archPointsUm")
    }
}

/** Canonical bytes of the design (no id, no approval); the template's id is their SHA-256. */
export function encodeDesign(t: Template): number[] {
    checkDesignFields(t)
    const w = new ByteWriter()
    writeDesign(w, t, templateFormat())
    return w.bytes
}

/** Canonical bytes of the approved template; its hash (bundles, records) is their SHA-256. */
export function encodeTemplate(t: Template): number[] {
    return encodeShaped(checkTemplateShape(t)).bytes as number[] // a ByteWriter's array
}

export interface TemplateBytes {
    /** the template bytes */
    bytes: number[] | Buffer
    /** the design bytes are bytes[2..designEnd) */
    designEnd: number
}

/** Template bytes of a template that passed checkTemplateShape (no second shape check). */
export function encodeShaped(c: Template): TemplateBytes {
    const F = templateFormat()
    const w = new ByteWriter()
    w.byte(TEMPLATE_TAG)
    w.byte(TEMPLATE_FORMAT_VERSION)
    writeDesign(w, c, F)
    const designEnd = w.bytes.length
    writeText(w, c.approval.profileId, F.profileIdMax, "approval.profileId")
    writeInt(w, c.approval.profileVersion, "approval.profileVersion")
    writeText(w, c.approval.reviewerId, F.textMax, "approval.reviewerId")
    writeInt(w, c.approval.approvedUnixS, "approval.approvedUnixS")
    return { bytes: w.bytes, designEnd: designEnd }
}

export function templateId(t: Template, c: Crypto): string {
    return c.sha256Hex(encodeDesign(t))
}

export function templateHash(t: Template, c: Crypto): string {
    return c.sha256Hex(encodeTemplate(t))
}

/** Strict decode of template bytes; computes the id from the embedded design bytes. */
export function decodeTemplate(bytes: number[], c: Crypto): Template {
    return decodeTemplateBytes(bytes, c).template
}

export interface DecodedTemplate {
    template: Template
    /** the bytes decoded: exactly what encodeShaped(template) gives, since the reader is strict */
    enc: TemplateBytes
}

/**
 * decodeTemplate, keeping the bytes: a decoded template has the shape checkTemplateShape
 * requires and re-encodes to these same bytes, so the device decides on it without either.
 */
export function decodeTemplateBytes(bytes: number[] | Buffer, c: Crypto): DecodedTemplate {
    const F = templateFormat()
    const r = new ByteReader(bytes, "template")
    r.header(TEMPLATE_TAG, TEMPLATE_FORMAT_VERSION)
    const designStart = r.pos
    r.header(DESIGN_TAG, TEMPLATE_FORMAT_VERSION)
    const version = r.int("version", 1, F.versionMax)
    const name = r.text("name", 1, F.textMax)
    const designer = r.text("designer", 1, F.textMax)
    const material = {
        materialId: r.text("material.materialId", 1, F.materialIdMax),
        filmThicknessUm: r.int("material.filmThicknessUm", 1, F.thicknessMaxUm),
        softenDeciC: r.int("material.softenDeciC", 0, F.tempMaxDeciC),
        materialMaxDeciC: r.int("material.materialMaxDeciC", 0, F.tempMaxDeciC),
    }
    const proc: any = {}
    for (const k of templateKeys(TemplateKeys.Process)) proc[k] = r.int("process." + k, 0, processMax(k, F))
    const n = r.int("archPointsUm", F.archPointsMin, F.archPointsMax)
    const pts: number[][] = []
    for (let i = 0; i < n; i++) {
        try {
            pts.push([r.int("x", -F.coordMaxAbsUm, F.coordMaxAbsUm), r.int("y", -F.coordMaxAbsUm, F.coordMaxAbsUm)])
        } catch (e) {
            // the point's name is built only for the error (string building dominates the VM's cost)
            if (e instanceof ValidationError) throw new ValidationError(e.code, "archPointsUm[" + i + "]", e.message)
            throw e
        }
    }
    const designEnd = r.pos
    const design = sliceBytes(bytes, designStart, r.pos) // the embedded design's own encoding
    const approval = {
        profileId: r.text("approval.profileId", 1, F.profileIdMax),
        profileVersion: r.int("approval.profileVersion", 1, UNIX_S_MAX),
        reviewerId: r.text("approval.reviewerId", 1, F.textMax),
        approvedUnixS: r.int("approval.approvedUnixS", 1, UNIX_S_MAX),
    }
    r.end()
    const t: Template = {
        id: c.sha256Hex(design), version: version, name: name, designer: designer, material: material,
        process: proc as TemplateProcess, archPointsUm: pts, approval: approval,
    }
    return { template: t, enc: { bytes: bytes, designEnd: designEnd } }
}

/** The design fields only (a draft has no id or approval yet). */
function checkDesignFields(t: any) {
    if (!t || typeof t !== "object" || Array.isArray(t)) throw new ValidationError("type", "(template)", "must be an object")
    const F = templateFormat()
    checkInt(t.version, 1, F.versionMax, "version")
    checkText(t.name, 1, F.textMax, "name")
    checkText(t.designer, 1, F.textMax, "designer")
    checkMaterial(t.material, "material")
    checkTemplateProcess(t.process, "process")
    checkArch(t.archPointsUm, "archPointsUm")
}

// Node side of the manifest: read devicescript.json and validate it with the same code the
// firmware build uses (src/core/manifest-schema.ts).
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { validateManifest } from "../src/core/manifest-schema"
import type { Manifest } from "../src/core/manifest"

export const ROOT = resolve(import.meta.dirname, "..")
export const MANIFEST_PATH = resolve(ROOT, "devicescript.json")

export function readManifest(path = MANIFEST_PATH): Manifest {
    let raw: unknown
    try {
        raw = JSON.parse(readFileSync(path, "utf8"))
    } catch (e) {
        throw new Error(`${path}: not valid JSON (${(e as Error).message})`)
    }
    return validateManifest(raw)
}

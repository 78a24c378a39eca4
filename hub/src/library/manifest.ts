// The device hard limits every template is checked against: devicescript.json, read once and
// validated by the same src/core code the firmware build uses (tools/manifest-node.ts does the
// same for the tools; the hub keeps its own reader so it does not depend on tools/).

import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { validateManifest } from "../../../src/core/manifest-schema"
import type { Manifest } from "../../../src/core/manifest"

export const MANIFEST_PATH = resolve(import.meta.dirname, "../../../devicescript.json")

let cached: Manifest | null = null

export function hubManifest(): Manifest {
    if (!cached) cached = validateManifest(JSON.parse(readFileSync(MANIFEST_PATH, "utf8")))
    return cached
}

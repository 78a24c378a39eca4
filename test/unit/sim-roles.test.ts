import { describe, it, expect } from "vitest"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../../tools/manifest-node"
import { SIM_ROLES, ApplicatorServices } from "../../sim/services"

// src/hw/roles.ts imports @devicescript/core, so Node reads its ROLE table as text
function firmwareRoles(): string[] {
    const src = readFileSync(join(ROOT, "src/hw/roles.ts"), "utf8")
    const table = src.slice(src.indexOf("export const ROLE = {"), src.indexOf("}", src.indexOf("export const ROLE = {")))
    return [...table.matchAll(/^\s+(\w+): "(\w+)",$/gm)].map(m => {
        expect(m[1]).toBe(m[2]) // key and role name are the same word
        return m[2]
    })
}

describe("simulator roles", () => {
    it("serve exactly the firmware's roles", () => {
        expect([...SIM_ROLES].sort()).toEqual(firmwareRoles().sort())
    })
    it("are ordered by name, as DeviceScript's automatic binding expects", () => {
        const order = new ApplicatorServices().roleOrder
        expect(order).toEqual([...order].sort())
        expect(order).toEqual([...SIM_ROLES])
    })
    it("docs/roles.md lists every role", () => {
        const doc = readFileSync(join(ROOT, "docs/roles.md"), "utf8")
        for (const r of firmwareRoles()) expect(doc).toContain("`" + r + "`")
    })
})

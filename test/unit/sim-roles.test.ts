import { describe, it, expect } from "vitest"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { ROOT } from "../../tools/manifest-node"
import { SIM_ROLES, ApplicatorServices } from "../../sim/services"

// src/hw/roles.ts imports @devicescript/core, so Node reads its ROLE table (a JSON string) as text
function firmwareRoles(): string[] {
    const src = readFileSync(join(ROOT, "src/hw/roles.ts"), "utf8")
    const m = /export const ROLE: RoleNames = JSON\.parse\(\s*'([^']*)'\)/.exec(src)
    expect(m).not.toBeNull()
    const table: Record<string, string> = JSON.parse(m![1])
    // every role of the RoleNames interface is in the table
    const iface = src.slice(src.indexOf("export interface RoleNames {"), src.indexOf("}", src.indexOf("export interface RoleNames {")))
    expect([...iface.matchAll(/^\s+(\w+): string$/gm)].map(x => x[1]).sort()).toEqual(Object.keys(table).sort())
    return Object.entries(table).map(([k, v]) => {
        expect(k).toBe(v) // key and role name are the same word
        return v
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

describe("heater-supply sense (issue 14 item 4)", () => {
    // the sense node sits after the control relay, before the one-shot's cut-off and the element
    // (boards/README.md): it follows the relay's contact, not the heater's power
    it.each([
        // relay commanded, welded, element connected -> sense live
        [false, false, true, false],
        [true, false, true, true],
        [false, true, true, true], // welded, commanded off: live (the fault E23 looks for)
        [true, false, false, true], // element open: the node is still live
    ])("relay on %s, welded %s, element connected %s: live %s", async (on, welded, connected, live) => {
        const { SimEngine } = await import("../../sim/engine")
        const e = new SimEngine(1, 200, 200)
        e.relayOn = on
        e.relayStuckOn = welded
        e.heaterConnected = connected
        expect(e.heaterSenseLive()).toBe(live)
        // and the one-shot, never kicked here, keeps the element unpowered all the same
        expect(e.heaterPowered(0)).toBe(false)
    })
})

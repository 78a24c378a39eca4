// The simulator panel's routes (tools/sim-panel.ts): absent from a hub without simulated devices
// (a real clinic's hub), and where npm start adds them, for operators and technicians only,
// for the clinic's own simulated devices only, with every action checked before it reaches a
// device. The devices here record what they are asked; the real ones are driven in
// test/e2e/clinic.test.ts.
import { describe, it, expect, afterEach } from "vitest"
import { routeHub, type RouteHub } from "./hub-fixture"
import { simPanelRoutes, PANEL_ACTIONS, type PanelDevice } from "../../tools/sim-panel"
import type { DeviceView } from "../../tools/clinic"

const SIM_ID = "SFA1-SIM-ABC123"

function recorder(id: string) {
    const asked: string[] = []
    const view: DeviceView = {
        deviceId: id, busPort: 8091, up: true, display: "IDLE 22.0C\nSCAN: PRESS START", phase: "idle", doorClosed: true,
        filmC: 22, forceN: 0, pressHome: true, pressMm: 0, faults: [], log: "/tmp/x.log",
    }
    const d: PanelDevice = {
        spec: { deviceId: id, keyHex: "", transportKeyHex: "", seed: 1, busPort: 8091 },
        view: () => view,
        act: async (a: string) => {
            asked.push(a)
            if (a === "start" && asked.filter(x => x === "start").length > 1) throw new Error("still starting")
            return "did " + a
        },
    }
    return { d, asked }
}

let h: RouteHub
afterEach(async () => h?.close())

describe("simulator panel routes", () => {
    it("a hub without simulated devices has no panel routes", async () => {
        h = await routeHub()
        expect((await h.staff("operator", "GET", "/api/sim/devices")).statusCode).toBe(404)
        expect((await h.staff("operator", "POST", "/api/sim/devices/" + SIM_ID + "/action", { action: "start" })).statusCode).toBe(404)
    })

    it("operators and technicians only; a device that is not simulated is 404", async () => {
        const r = recorder(SIM_ID)
        const said: string[] = []
        h = await routeHub(undefined, { simPanel: simPanelRoutes(() => [r.d], (id, t) => said.push(id + " " + t)) })
        for (const role of ["operator", "technician"] as const) {
            const a = await h.staff(role, "GET", "/api/sim/devices")
            expect(a.statusCode).toBe(200)
            expect(a.json().devices.map((x: DeviceView) => x.deviceId)).toEqual([SIM_ID])
        }
        expect((await h.staff(null, "GET", "/api/sim/devices")).statusCode).toBe(401)
        for (const role of ["auditor", "reviewer", "designer", "admin"] as const) {
            expect((await h.staff(role, "GET", "/api/sim/devices")).statusCode).toBe(403)
            expect((await h.staff(role, "POST", "/api/sim/devices/" + SIM_ID + "/action", { action: "start" })).statusCode).toBe(403)
        }
        // the fixture's real (provisioned) device is not one of the clinic's simulated ones
        const real = await h.staff("operator", "POST", "/api/sim/devices/SFA1-000042/action", { action: "start" })
        expect([real.statusCode, real.json().error.code]).toEqual([404, "not_found"])
        expect(r.asked).toEqual([])
        expect(said).toEqual([])
    })

    it("an action reaches the device and is said on the console; a bad one is 400 and reaches nothing", async () => {
        const r = recorder(SIM_ID)
        const said: string[] = []
        h = await routeHub(undefined, { simPanel: simPanelRoutes(() => [r.d], (id, t) => said.push(id + " " + t)) })
        const url = "/api/sim/devices/" + SIM_ID + "/action"
        const ok = await h.staff("operator", "POST", url, { action: "fault:film-open" })
        expect(ok.statusCode).toBe(200)
        expect(ok.json().done).toBe("did fault:film-open")
        expect(said).toEqual([SIM_ID + " panel (u-operator): did fault:film-open"])
        for (const bad of [{ action: "fault:melt" }, { action: "START" }, {}, { action: "start", extra: 1 }, { action: 1 }])
            expect((await h.staff("operator", "POST", url, bad)).statusCode).toBe(400)
        expect(r.asked).toEqual(["fault:film-open"])
        expect(PANEL_ACTIONS).toContain("fault:film-open")
        // the device refusing (e.g. still starting) is a 409 with its reason
        expect((await h.staff("technician", "POST", url, { action: "start" })).statusCode).toBe(200)
        const busy = await h.staff("technician", "POST", url, { action: "start" })
        expect([busy.statusCode, busy.json().error.message]).toEqual([409, "still starting"])
    })
})

// The console's simulator panel, served only by `npm start`'s hub (HubOptions.simPanel): for
// each simulated applicator of the clinic (tools/clinic.ts), what its display shows and its
// physics, and the hands of a person at the bench: the START and ABORT buttons, the door, and the
// scenarios' hardware faults (and their repair). A real device has no such routes: the panel
// exists only for the clinic's simulated devices, and START is still the device's own button
// (the press reaches the device over its bus like a finger on the button, never through the hub).
import type { FastifyInstance } from "fastify"
import { requireRole, staffOf } from "../hub/src/auth/staff"
import { DEVICE_ID_PATTERN } from "../hub/src/devices"
import { conflict, notFound } from "../hub/src/errors"
import { PANEL_FAULTS, type ClinicDevice } from "./clinic"

export const PANEL_ACTIONS = ["start", "abort", "door-open", "door-close", "repair", ...PANEL_FAULTS.map(f => "fault:" + f.id)]

const ID_PARAMS = { type: "object", additionalProperties: false, required: ["id"], properties: { id: { type: "string", pattern: DEVICE_ID_PATTERN.source } } }

/** what the panel needs of a device (tools/clinic.ts ClinicDevice) */
export type PanelDevice = Pick<ClinicDevice, "spec" | "view" | "act">

export function simPanelRoutes(devices: () => PanelDevice[], say: (deviceId: string, text: string) => void) {
    const find = (id: string) => {
        const d = devices().find(x => x.spec.deviceId === id)
        if (!d) throw notFound(`${id} is not a simulated device of this clinic`)
        return d
    }
    return async (app: FastifyInstance) => {
        app.get("/api/sim/devices", { preHandler: requireRole("operator", "technician") }, async () => ({
            faults: PANEL_FAULTS.map(f => ({ id: f.id, label: f.label })),
            devices: devices().map(d => d.view()),
        }))

        app.get("/api/sim/devices/:id", { preHandler: requireRole("operator", "technician"), schema: { params: ID_PARAMS } }, async request => {
            const d = find((request.params as { id: string }).id)
            return { faults: PANEL_FAULTS.map(f => ({ id: f.id, label: f.label })), device: d.view() }
        })

        app.post("/api/sim/devices/:id/action", {
            preHandler: requireRole("operator", "technician"),
            bodyLimit: 256,
            schema: {
                params: ID_PARAMS,
                body: { type: "object", additionalProperties: false, required: ["action"], properties: { action: { type: "string", enum: PANEL_ACTIONS } } },
            },
        }, async request => {
            const id = (request.params as { id: string }).id
            const d = find(id)
            const action = (request.body as { action: string }).action
            let done: string
            try {
                done = await d.act(action)
            } catch (e) {
                throw conflict("sim_busy", (e as Error).message)
            }
            say(id, `panel (${staffOf(request).name}): ${done}`)
            return { done, device: d.view() }
        })
    }
}

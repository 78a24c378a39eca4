// Patient references are the operators' (they type them when preparing a session): a patient's
// cycles for the console's search and printable report, and the session a record was made in.
// Auditors verify records without them (they get a record's cycle plot, not its session); the
// transparency page never shows them.
import type { FastifyInstance } from "fastify"
import type { HubContext } from "../context"
import { requireRole } from "../auth/staff"
import { DEVICE_ID_PATTERN } from "../devices"
import { PATIENT_REF_PATTERN } from "../device-sessions"
import { patientCycles, sessionOfRecord } from "../patient-records"
import { cycleSamples } from "../cycle-telemetry"
import { notFound } from "../errors"

const NO_QUERY = { type: "object", additionalProperties: false, properties: {} }
const RECORD_PARAMS = {
    type: "object", additionalProperties: false, required: ["id", "seq"],
    properties: { id: { type: "string", pattern: DEVICE_ID_PATTERN.source }, seq: { type: "string", pattern: "^[1-9][0-9]{0,9}$" } },
}

export async function patientRoutes(app: FastifyInstance, ctx: HubContext) {
    app.get("/api/patients/:ref/cycles", {
        preHandler: requireRole("operator"),
        schema: { params: { type: "object", additionalProperties: false, required: ["ref"], properties: { ref: { type: "string", pattern: PATIENT_REF_PATTERN.source } } }, querystring: NO_QUERY },
    }, async request => {
        const ref = (request.params as { ref: string }).ref
        return { patientRef: ref, cycles: await patientCycles(ctx, ref) }
    })

    // the cycle's plot for the record's detail: the telemetry kept for the session's cycle number
    // (operators and auditors: no patient reference in it)
    app.get("/api/devices/:id/records/:seq/telemetry", {
        preHandler: requireRole("operator", "auditor"),
        schema: { params: RECORD_PARAMS, querystring: NO_QUERY },
    }, async request => {
        const p = request.params as { id: string; seq: string }
        const s = await sessionOfRecord(ctx, p.id, Number(p.seq))
        const samples = s.cycle === null ? [] : await cycleSamples(ctx, p.id, s.cycle)
        if (samples.length === 0) throw notFound("no stored telemetry for record " + p.seq + " of device " + p.id)
        return { cycle: s.cycle, samples }
    })

    app.get("/api/devices/:id/records/:seq/session", {
        preHandler: requireRole("operator"),
        schema: { params: RECORD_PARAMS, querystring: NO_QUERY },
    }, async request => {
        const p = request.params as { id: string; seq: string }
        return sessionOfRecord(ctx, p.id, Number(p.seq))
    })
}

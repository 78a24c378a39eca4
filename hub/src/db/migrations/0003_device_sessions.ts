// Device sessions: what an operator prepared on the console for one device (an approved
// template and a patient reference). The device fetches it, shows it and waits for its own
// START button; the hub can never start a cycle. Keyed by (device_id, session_id) with a random
// id: no global counter, so several hub processes may prepare sessions at once (DESIGN.md §5).
import { sql, type Kysely } from "kysely"

export interface DeviceSessionRow {
    device_id: string
    /** 16 random bytes, hex */
    session_id: string
    /** the approved template's hash (what the device's bundle lists) */
    template_hash: string
    template_id: string
    template_name: string
    /** the clinic's reference for the patient: never a name (see README, For hub staff) */
    patient_ref: string
    /** the operator who prepared it: the record's operatorId */
    prepared_by: string
    created_at_ms: number
    /** first time the device fetched it */
    delivered_at_ms: number | null
    abort_requested_at_ms: number | null
    abort_requested_by: string | null
    /** the device fetched the abort */
    abort_delivered_at_ms: number | null
    /** reported by the device (POST session/state) */
    started_at_ms: number | null
    ended_at_ms: number | null
    /** 0 not run, 1 complete, 2 aborted, 3 faulted (src/core/cycle/events.ts Outcome) */
    outcome: number | null
    /** the device's cycle number (the telemetry's `cycle`) once started */
    cycle: number | null
}

export interface SessionTables {
    device_sessions: DeviceSessionRow
}

export const migration = {
    name: "0003_device_sessions",
    async up(db: Kysely<any>): Promise<void> {
        await db.schema.createTable("device_sessions")
            .addColumn("device_id", "text", c => c.notNull())
            .addColumn("session_id", "text", c => c.notNull())
            .addColumn("template_hash", "text", c => c.notNull())
            .addColumn("template_id", "text", c => c.notNull())
            .addColumn("template_name", "text", c => c.notNull())
            .addColumn("patient_ref", "text", c => c.notNull())
            .addColumn("prepared_by", "text", c => c.notNull())
            .addColumn("created_at_ms", "bigint", c => c.notNull())
            .addColumn("delivered_at_ms", "bigint")
            .addColumn("abort_requested_at_ms", "bigint")
            .addColumn("abort_requested_by", "text")
            .addColumn("abort_delivered_at_ms", "bigint")
            .addColumn("started_at_ms", "bigint")
            .addColumn("ended_at_ms", "bigint")
            .addColumn("outcome", "integer")
            .addColumn("cycle", "bigint")
            .addPrimaryKeyConstraint("device_sessions_pk", ["device_id", "session_id"])
            .execute()
        // at most one open session per device, even with two hub processes preparing at once
        await db.schema.createIndex("device_sessions_one_open").unique().on("device_sessions").column("device_id")
            .where(sql.ref("ended_at_ms"), "is", null).execute()
    },
}

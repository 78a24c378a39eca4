// The live telemetry of past cycles, kept per cycle so that a finished cycle can be plotted
// (issue 15). A row is one telemetry batch as the hub kept it (cycle-telemetry.ts bounds how
// many cycles and how long). The compliance record stays the evidence: this is a picture of it.
// Keys start with the device id (DESIGN.md §5).
import type { Kysely } from "kysely"

export interface CycleTelemetryTable {
    device_id: string
    /** the device's cycle counter, as its telemetry carries it */
    cycle: number
    /** uptime of the batch's first sample (a retried batch is kept once: the hub drops samples it has) */
    first_uptime_ms: number
    /** [[uptimeMs, phase, filmDeciC, contactDeciC, forceMilliN], ...] */
    samples_json: string
    received_at_ms: number
}

export interface CycleTelemetryTables {
    cycle_telemetry: CycleTelemetryTable
}

export const migration = {
    name: "0008_cycle_telemetry",
    async up(db: Kysely<any>): Promise<void> {
        await db.schema.createTable("cycle_telemetry")
            .addColumn("device_id", "text", c => c.notNull())
            .addColumn("cycle", "bigint", c => c.notNull())
            .addColumn("first_uptime_ms", "bigint", c => c.notNull())
            .addColumn("samples_json", "text", c => c.notNull())
            .addColumn("received_at_ms", "bigint", c => c.notNull())
            .addPrimaryKeyConstraint("cycle_telemetry_pk", ["device_id", "cycle", "first_uptime_ms"])
            .execute()
        await db.schema.createIndex("cycle_telemetry_received").on("cycle_telemetry").columns(["device_id", "received_at_ms"]).execute()
    },
}

// Every migration, in the order it runs. Names sort in this order too (Kysely's Migrator
// applies them by name), and an applied migration is never edited: add a new one instead.
import { migration as core } from "./0001_core"
import { migration as library } from "./0002_library"
import { migration as sessions } from "./0003_device_sessions"
import { migration as dataAudit } from "./0006_data_audit"
import { migration as lifecycle } from "./0007_lifecycle"
import { migration as cycleTelemetry } from "./0008_cycle_telemetry"

export interface HubMigration {
    name: string
    up(db: import("kysely").Kysely<any>): Promise<void>
}

export const MIGRATIONS: HubMigration[] = [core, library, sessions, dataAudit, lifecycle, cycleTelemetry]

// The whole database as Kysely sees it: each migration file owns its tables' interfaces.
import type { CoreTables } from "./migrations/0001_core"
import type { LibraryTables } from "./migrations/0002_library"
import type { SessionTables } from "./migrations/0003_device_sessions"
import type { DataAuditTables } from "./migrations/0006_data_audit"
import type { LifecycleTables, LifecycleUserColumns, LifecycleDeviceColumns } from "./migrations/0007_lifecycle"
import type { CycleTelemetryTables } from "./migrations/0008_cycle_telemetry"

export type HubSchema = CoreTables & LibraryTables & SessionTables & DataAuditTables & LifecycleTables & CycleTelemetryTables
    & { users: LifecycleUserColumns; devices: LifecycleDeviceColumns }

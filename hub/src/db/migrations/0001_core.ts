// Core tables: staff, sessions, devices, nonces, records, alerts, device status.
// City scale (DESIGN.md §5): every device-owned key starts with the device id, no table has a
// global counter (ids are random or content hashes), times are unix milliseconds in bigint.
import type { Kysely } from "kysely"

export interface UsersTable {
    id: string
    name: string
    role: string
    password_hash: string
    created_at_ms: number
}

export interface SessionsTable {
    /** SHA-256 of the bearer token: a stolen database copy holds no usable tokens */
    token_hash: string
    user_id: string
    created_at_ms: number
    expires_at_ms: number
}

export interface DevicesTable {
    id: string
    /** 32-byte key, hex: the hub must hold it to check MACs and seal bundles; never returned after creation */
    key_hex: string
    label: string
    created_at_ms: number
    created_by: string
}

export interface DeviceNoncesTable {
    device_id: string
    nonce: string
    seen_at_ms: number
}

export interface RecordsTable {
    device_id: string
    seq: number
    hash: string
    prev_hash: string
    kind: number
    wall_unix_s: number
    outcome: number
    template_hash: string
    operator_id: string
    /** body ‖ MAC as the device sent it: what an auditor verifies */
    sealed_hex: string
    received_at_ms: number
}

export interface AlertsTable {
    /** SHA-256 of what the alert is about, so a retried upload does not raise it twice */
    id: string
    device_id: string
    kind: string
    seq: number
    detail: string
    created_at_ms: number
}

export interface DeviceStatusTable {
    device_id: string
    last_seen_ms: number
    /** what the device last reported (POST status); null until it does */
    state: string | null
    phase: number | null
    pending: number | null
    latched_fault: number | null
    reported_head_seq: number | null
    reported_head_hash: string | null
    status_at_ms: number | null
}

export interface CoreTables {
    users: UsersTable
    sessions: SessionsTable
    devices: DevicesTable
    device_nonces: DeviceNoncesTable
    records: RecordsTable
    alerts: AlertsTable
    device_status: DeviceStatusTable
}

export const migration = {
    name: "0001_core",
    async up(db: Kysely<any>): Promise<void> {
        await db.schema.createTable("users")
            .addColumn("id", "text", c => c.primaryKey())
            .addColumn("name", "text", c => c.notNull().unique())
            .addColumn("role", "text", c => c.notNull())
            .addColumn("password_hash", "text", c => c.notNull())
            .addColumn("created_at_ms", "bigint", c => c.notNull())
            .execute()
        await db.schema.createTable("sessions")
            .addColumn("token_hash", "text", c => c.primaryKey())
            .addColumn("user_id", "text", c => c.notNull().references("users.id"))
            .addColumn("created_at_ms", "bigint", c => c.notNull())
            .addColumn("expires_at_ms", "bigint", c => c.notNull())
            .execute()
        await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute()
        await db.schema.createTable("devices")
            .addColumn("id", "text", c => c.primaryKey())
            .addColumn("key_hex", "text", c => c.notNull())
            .addColumn("label", "text", c => c.notNull())
            .addColumn("created_at_ms", "bigint", c => c.notNull())
            .addColumn("created_by", "text", c => c.notNull())
            .execute()
        await db.schema.createTable("device_nonces")
            .addColumn("device_id", "text", c => c.notNull())
            .addColumn("nonce", "text", c => c.notNull())
            .addColumn("seen_at_ms", "bigint", c => c.notNull())
            .addPrimaryKeyConstraint("device_nonces_pk", ["device_id", "nonce"])
            .execute()
        await db.schema.createIndex("device_nonces_seen").on("device_nonces").column("seen_at_ms").execute()
        await db.schema.createTable("records")
            .addColumn("device_id", "text", c => c.notNull())
            .addColumn("seq", "bigint", c => c.notNull())
            .addColumn("hash", "text", c => c.notNull())
            .addColumn("prev_hash", "text", c => c.notNull())
            .addColumn("kind", "integer", c => c.notNull())
            .addColumn("wall_unix_s", "bigint", c => c.notNull())
            .addColumn("outcome", "integer", c => c.notNull())
            .addColumn("template_hash", "text", c => c.notNull())
            .addColumn("operator_id", "text", c => c.notNull())
            .addColumn("sealed_hex", "text", c => c.notNull())
            .addColumn("received_at_ms", "bigint", c => c.notNull())
            .addPrimaryKeyConstraint("records_pk", ["device_id", "seq"])
            .execute()
        await db.schema.createTable("alerts")
            .addColumn("id", "text", c => c.primaryKey())
            .addColumn("device_id", "text", c => c.notNull())
            .addColumn("kind", "text", c => c.notNull())
            .addColumn("seq", "bigint", c => c.notNull())
            .addColumn("detail", "text", c => c.notNull())
            .addColumn("created_at_ms", "bigint", c => c.notNull())
            .execute()
        await db.schema.createIndex("alerts_device").on("alerts").columns(["device_id", "created_at_ms"]).execute()
        await db.schema.createTable("device_status")
            .addColumn("device_id", "text", c => c.primaryKey())
            .addColumn("last_seen_ms", "bigint", c => c.notNull())
            .addColumn("state", "text")
            .addColumn("phase", "integer")
            .addColumn("pending", "integer")
            .addColumn("latched_fault", "integer")
            .addColumn("reported_head_seq", "bigint")
            .addColumn("reported_head_hash", "text")
            .addColumn("status_at_ms", "bigint")
            .execute()
    },
}

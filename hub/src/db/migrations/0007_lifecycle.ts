// Account and key lifecycle (issue 13, "Lifecycle that does not exist yet"; issue 12's transport
// key): disabled users, each device's transport key, its device-key generation and retired device
// keys (records sealed under them stay verifiable), decommissioned devices, and the staff action
// log. The log is append-only in the database itself: a trigger refuses every UPDATE and DELETE
// (and, on PostgreSQL, TRUNCATE), whoever sends it.
// Every device-owned key starts with the device id (DESIGN.md §5); log rows have random ids (no
// global counter), ordered by time then id.
import { sql, SqliteAdapter, type Generated, type Kysely } from "kysely"

export interface DeviceRetiredKeysTable {
    device_id: string
    /** the generation this key had while it was the device key (the first is 1) */
    generation: number
    key_hex: string
    retired_at_ms: number
    /** the last record seq this key may seal: set when the first record under a newer key is
     *  stored; null while none is (records queued on the device before the rotation still come) */
    last_seq: number | null
}

export interface StaffActionsTable {
    id: string
    at_ms: number
    /** who: the staff login name and role at the time */
    actor: string
    actor_role: string
    /** user_disable, user_enable, password_change, password_reset, logout_everywhere,
     *  device_key_rotate, transport_key_rotate, device_decommission */
    action: string
    /** "user" or "device" */
    target_kind: string
    target: string
    /** short text for people (never a key or a password) */
    detail: string
}

export interface LifecycleTables {
    device_retired_keys: DeviceRetiredKeysTable
    staff_actions: StaffActionsTable
}

/** the columns this migration adds to 0001's tables */
export interface LifecycleUserColumns {
    disabled_at_ms: number | null
}
export interface LifecycleDeviceColumns {
    /** 32-byte key, hex, for request signatures (the link's); null for devices provisioned before it existed */
    transport_key_hex: string | null
    /** the device key's generation: 1 at provisioning, +1 at each rotation */
    key_generation: Generated<number>
    decommissioned_at_ms: number | null
}

const NO_EDIT = "staff_actions is append-only"

export const migration = {
    name: "0007_lifecycle",
    async up(db: Kysely<any>): Promise<void> {
        const sqlite = db.getExecutor().adapter instanceof SqliteAdapter
        await db.schema.alterTable("users").addColumn("disabled_at_ms", "bigint").execute()
        await db.schema.alterTable("devices").addColumn("transport_key_hex", "text").execute()
        await db.schema.alterTable("devices").addColumn("key_generation", "integer", c => c.notNull().defaultTo(1)).execute()
        await db.schema.alterTable("devices").addColumn("decommissioned_at_ms", "bigint").execute()
        await db.schema.createTable("device_retired_keys")
            .addColumn("device_id", "text", c => c.notNull())
            .addColumn("generation", "integer", c => c.notNull())
            .addColumn("key_hex", "text", c => c.notNull())
            .addColumn("retired_at_ms", "bigint", c => c.notNull())
            .addColumn("last_seq", "bigint")
            .addPrimaryKeyConstraint("device_retired_keys_pk", ["device_id", "generation"])
            .execute()
        await db.schema.createTable("staff_actions")
            .addColumn("id", "text", c => c.primaryKey())
            .addColumn("at_ms", "bigint", c => c.notNull())
            .addColumn("actor", "text", c => c.notNull())
            .addColumn("actor_role", "text", c => c.notNull())
            .addColumn("action", "text", c => c.notNull())
            .addColumn("target_kind", "text", c => c.notNull())
            .addColumn("target", "text", c => c.notNull())
            .addColumn("detail", "text", c => c.notNull())
            .execute()
        await db.schema.createIndex("staff_actions_at").on("staff_actions").columns(["at_ms", "id"]).execute()
        if (sqlite) {
            await sql`CREATE TRIGGER staff_actions_no_update BEFORE UPDATE ON staff_actions BEGIN SELECT RAISE(ABORT, ${sql.lit(NO_EDIT)}); END`.execute(db)
            await sql`CREATE TRIGGER staff_actions_no_delete BEFORE DELETE ON staff_actions BEGIN SELECT RAISE(ABORT, ${sql.lit(NO_EDIT)}); END`.execute(db)
        } else {
            await sql`CREATE FUNCTION staff_actions_no_edit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                RAISE EXCEPTION ${sql.lit(NO_EDIT)}; END $$`.execute(db)
            await sql`CREATE TRIGGER staff_actions_no_edit BEFORE UPDATE OR DELETE ON staff_actions
                FOR EACH ROW EXECUTE FUNCTION staff_actions_no_edit()`.execute(db)
            await sql`CREATE TRIGGER staff_actions_no_truncate BEFORE TRUNCATE ON staff_actions
                FOR EACH STATEMENT EXECUTE FUNCTION staff_actions_no_edit()`.execute(db)
        }
    },
}

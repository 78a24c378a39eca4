// Hub secrets (the checkpoint signing key, the staff pseudonym key), each device's verified
// chain head, cycle counts for the transparency page kept by the database itself, and the
// binding of a designer name to one staff account (issue 13 items 2, 8, 9, 11, 12).
// Every device-owned key starts with the device id (DESIGN.md §5): the counts are per device,
// so two hub processes ingesting different devices never update the same row.
import { sql, SqliteAdapter, type Kysely } from "kysely"

export interface HubSecretsTable {
    /** "checkpoint_signing_key" (Ed25519 PKCS#8 PEM), "staff_pseudonym_key" (32 bytes hex) */
    name: string
    value: string
    created_at_ms: number
}

export interface ChainVerifiedTable {
    device_id: string
    /** the highest record verified with no finding from seq 1, and its hash */
    seq: number
    hash: string
    verified_at_ms: number
}

export interface TransparencyCountsTable {
    device_id: string
    template_hash: string
    outcome: number
    /** cycle records (kind 1) of this device, template and outcome */
    n: number
}

export interface LibraryDesignersTable {
    /** the design's `designer` text: one account per name, one name per account */
    designer: string
    owner: string
    bound_at_ms: number
}

export interface DataAuditTables {
    hub_secrets: HubSecretsTable
    chain_verified: ChainVerifiedTable
    transparency_counts: TransparencyCountsTable
    library_designers: LibraryDesignersTable
}

const COUNT_CYCLE = 1 // RecordKind.Cycle (src/core/records/types.ts)

export const migration = {
    name: "0006_data_audit",
    async up(db: Kysely<any>): Promise<void> {
        const sqlite = db.getExecutor().adapter instanceof SqliteAdapter
        await db.schema.createTable("hub_secrets")
            .addColumn("name", "text", c => c.primaryKey())
            .addColumn("value", "text", c => c.notNull())
            .addColumn("created_at_ms", "bigint", c => c.notNull())
            .execute()
        await db.schema.createTable("chain_verified")
            .addColumn("device_id", "text", c => c.primaryKey())
            .addColumn("seq", "bigint", c => c.notNull())
            .addColumn("hash", "text", c => c.notNull())
            .addColumn("verified_at_ms", "bigint", c => c.notNull())
            .execute()
        await db.schema.createTable("transparency_counts")
            .addColumn("device_id", "text", c => c.notNull())
            .addColumn("template_hash", "text", c => c.notNull())
            .addColumn("outcome", "integer", c => c.notNull())
            .addColumn("n", "bigint", c => c.notNull())
            .addPrimaryKeyConstraint("transparency_counts_pk", ["device_id", "template_hash", "outcome"])
            .execute()
        await db.schema.createTable("library_designers")
            .addColumn("designer", "text", c => c.primaryKey())
            .addColumn("owner", "text", c => c.notNull().unique())
            .addColumn("bound_at_ms", "bigint", c => c.notNull())
            .execute()

        // the counts follow every insert into records, in the inserting transaction (records are
        // never updated or deleted): correct after every ingest, whichever process made it
        if (sqlite) {
            await sql`CREATE TRIGGER records_count_cycles AFTER INSERT ON records WHEN NEW.kind = ${sql.lit(COUNT_CYCLE)} BEGIN
                INSERT INTO transparency_counts (device_id, template_hash, outcome, n) VALUES (NEW.device_id, NEW.template_hash, NEW.outcome, 1)
                ON CONFLICT (device_id, template_hash, outcome) DO UPDATE SET n = n + 1; END`.execute(db)
        } else {
            // one upsert per (device, template, outcome) of a batch, not one per row
            await sql`CREATE FUNCTION records_count_cycles() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                INSERT INTO transparency_counts (device_id, template_hash, outcome, n)
                SELECT device_id, template_hash, outcome, count(*) FROM new_records WHERE kind = ${sql.lit(COUNT_CYCLE)} GROUP BY device_id, template_hash, outcome
                ON CONFLICT (device_id, template_hash, outcome) DO UPDATE SET n = transparency_counts.n + EXCLUDED.n;
                RETURN NULL; END $$`.execute(db)
            await sql`CREATE TRIGGER records_count_cycles AFTER INSERT ON records REFERENCING NEW TABLE AS new_records
                FOR EACH STATEMENT EXECUTE FUNCTION records_count_cycles()`.execute(db)
        }
        await sql`INSERT INTO transparency_counts (device_id, template_hash, outcome, n)
            SELECT device_id, template_hash, outcome, count(*) FROM records WHERE kind = ${sql.lit(COUNT_CYCLE)} GROUP BY device_id, template_hash, outcome`.execute(db)

        // designer names already in the library: the account that first submitted under a name
        // keeps it, unless that account already holds an earlier name
        const firsts = await db.selectFrom("library_templates").select(["designer", "submitted_by", "submitted_at_ms"])
            .orderBy("submitted_at_ms").orderBy("template_id").execute()
        const names = new Set<string>()
        const owners = new Set<string>()
        for (const t of firsts) {
            if (names.has(t.designer) || owners.has(t.submitted_by)) continue
            names.add(t.designer)
            owners.add(t.submitted_by)
            await db.insertInto("library_designers").values({ designer: t.designer, owner: t.submitted_by, bound_at_ms: t.submitted_at_ms }).execute()
        }
    },
}

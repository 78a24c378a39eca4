// Library tables: regulation profiles, submitted templates, the council's reviews, revocations,
// reviewer public keys and the bundles issued to each device. History tables (profiles,
// reviews, revocations, device bundles) are append-only: the code never updates or deletes a
// row there; a later decision is a new row. Times are unix milliseconds (bigint).

import type { Kysely } from "kysely"

export interface LibraryProfileRow {
    profile_id: string
    profile_version: number
    /** canonical JSON of the checked RegulationProfile */
    profile_json: string
    /** hex of encodeProfile: what bundles carry */
    profile_hex: string
    published_by: string
    published_at_ms: number
}

export interface LibraryTemplateRow {
    /** the design's id: SHA-256 of its canonical design bytes */
    template_id: string
    /** designer + "\n" + name: versions of one design share it (the review diff follows it) */
    lineage: string
    version: number
    name: string
    designer: string
    /** the staff user who submitted it */
    submitted_by: string
    /** the profile in force the design was validated against at submission */
    profile_id: string
    profile_version: number
    /** canonical JSON of the design (the Template without approval) */
    design_json: string
    /** hex of encodeDesign */
    design_hex: string
    /** submitted | approved | rejected | revoked: a summary of the latest review row */
    status: string
    /** the approved template's hash (null until approved) */
    approved_hash: string | null
    submitted_at_ms: number
}

export interface LibraryReviewRow {
    template_id: string
    /** 1, 2, ... per template: (template_id, seq) is unique, so two racing decisions cannot both land */
    seq: number
    /** approve | reject */
    decision: string
    reviewer: string
    reason: string
    /** approve only: the approved template's canonical bytes (hex), hash, signature and key */
    template_hex: string | null
    template_hash: string | null
    signature_hex: string | null
    key_id: string | null
    profile_id: string | null
    profile_version: number | null
    decided_at_ms: number
}

export interface LibraryRevocationRow {
    template_hash: string
    template_id: string
    reviewer: string
    reason: string
    revoked_at_ms: number
}

export interface LibraryReviewerKeyRow {
    /** SHA-256 (hex) of the raw 32-byte Ed25519 public key */
    key_id: string
    reviewer: string
    public_key_pem: string
    registered_at_ms: number
}

export interface LibraryDeviceBundleRow {
    device_id: string
    version: number
    /** SHA-256 (hex) of the bundle's lists (profiles, approved, revoked); the window is in its own columns */
    content_hash: string
    /** the unsealed Bundle as JSON, so the same version reseals to the same bytes */
    bundle_json: string
    issued_unix_s: number
    expires_unix_s: number
    /** approved templates left out because BUNDLE_FORMAT limits were reached */
    omitted: number
    created_at_ms: number
}

export interface LibraryTables {
    library_profiles: LibraryProfileRow
    library_templates: LibraryTemplateRow
    library_reviews: LibraryReviewRow
    library_revocations: LibraryRevocationRow
    library_reviewer_keys: LibraryReviewerKeyRow
    library_device_bundles: LibraryDeviceBundleRow
}

export const migration = {
    name: "0002_library",
    async up(db: Kysely<any>): Promise<void> {
        await db.schema.createTable("library_profiles").ifNotExists()
            .addColumn("profile_id", "text", c => c.notNull())
            .addColumn("profile_version", "bigint", c => c.notNull())
            .addColumn("profile_json", "text", c => c.notNull())
            .addColumn("profile_hex", "text", c => c.notNull())
            .addColumn("published_by", "text", c => c.notNull())
            .addColumn("published_at_ms", "bigint", c => c.notNull())
            .addPrimaryKeyConstraint("library_profiles_pk", ["profile_id", "profile_version"])
            .execute()

        await db.schema.createTable("library_templates").ifNotExists()
            .addColumn("template_id", "text", c => c.primaryKey())
            .addColumn("lineage", "text", c => c.notNull())
            .addColumn("version", "bigint", c => c.notNull())
            .addColumn("name", "text", c => c.notNull())
            .addColumn("designer", "text", c => c.notNull())
            .addColumn("submitted_by", "text", c => c.notNull())
            .addColumn("profile_id", "text", c => c.notNull())
            .addColumn("profile_version", "bigint", c => c.notNull())
            .addColumn("design_json", "text", c => c.notNull())
            .addColumn("design_hex", "text", c => c.notNull())
            .addColumn("status", "text", c => c.notNull())
            .addColumn("approved_hash", "text")
            .addColumn("submitted_at_ms", "bigint", c => c.notNull())
            .execute()
        await db.schema.createIndex("library_templates_lineage").ifNotExists()
            .on("library_templates").columns(["lineage", "version"]).execute()

        await db.schema.createTable("library_reviews").ifNotExists()
            .addColumn("template_id", "text", c => c.notNull())
            .addColumn("seq", "integer", c => c.notNull())
            .addColumn("decision", "text", c => c.notNull())
            .addColumn("reviewer", "text", c => c.notNull())
            .addColumn("reason", "text", c => c.notNull())
            .addColumn("template_hex", "text")
            .addColumn("template_hash", "text")
            .addColumn("signature_hex", "text")
            .addColumn("key_id", "text")
            .addColumn("profile_id", "text")
            .addColumn("profile_version", "bigint")
            .addColumn("decided_at_ms", "bigint", c => c.notNull())
            .addPrimaryKeyConstraint("library_reviews_pk", ["template_id", "seq"])
            .execute()
        await db.schema.createIndex("library_reviews_hash").ifNotExists()
            .on("library_reviews").column("template_hash").unique().execute()

        await db.schema.createTable("library_revocations").ifNotExists()
            .addColumn("template_hash", "text", c => c.primaryKey())
            .addColumn("template_id", "text", c => c.notNull())
            .addColumn("reviewer", "text", c => c.notNull())
            .addColumn("reason", "text", c => c.notNull())
            .addColumn("revoked_at_ms", "bigint", c => c.notNull())
            .execute()

        await db.schema.createTable("library_reviewer_keys").ifNotExists()
            .addColumn("key_id", "text", c => c.primaryKey())
            .addColumn("reviewer", "text", c => c.notNull())
            .addColumn("public_key_pem", "text", c => c.notNull())
            .addColumn("registered_at_ms", "bigint", c => c.notNull())
            .execute()

        await db.schema.createTable("library_device_bundles").ifNotExists()
            .addColumn("device_id", "text", c => c.notNull())
            .addColumn("version", "bigint", c => c.notNull())
            .addColumn("content_hash", "text", c => c.notNull())
            .addColumn("bundle_json", "text", c => c.notNull())
            .addColumn("issued_unix_s", "bigint", c => c.notNull())
            .addColumn("expires_unix_s", "bigint", c => c.notNull())
            .addColumn("omitted", "integer", c => c.notNull())
            .addColumn("created_at_ms", "bigint", c => c.notNull())
            .addPrimaryKeyConstraint("library_device_bundles_pk", ["device_id", "version"])
            .execute()
    },
}

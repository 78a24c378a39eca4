// Vitest global setup: one throwaway PostgreSQL server for the whole run, so `npm test` runs the
// hub's PostgreSQL suites wherever PostgreSQL 15's programs are installed, not only in CI.
// HUB_TEST_PG_URL set by the caller wins. Without the programs the PostgreSQL cases are skipped
// with their reason shown, except under CI=true, where a missing database is a failure: CI must
// prove the storage contract on both databases.
import { findPgBin, startPg, type PgServer } from "../../tools/pg-server"

let server: PgServer | null = null

export async function setup() {
    if (process.env["HUB_TEST_PG_URL"]) return
    try {
        findPgBin()
    } catch (e) {
        if (process.env["CI"] === "true") throw new Error(`CI needs PostgreSQL for the hub's storage suites: ${(e as Error).message}`)
        console.warn(`hub tests: PostgreSQL cases skipped (${(e as Error).message})`)
        return
    }
    server = await startPg({ fsync: false })
    process.env["HUB_TEST_PG_URL"] = server.url
}

export async function teardown() {
    if (server) await server.stop()
    server = null
}

// The test set Stryker runs for `npm run mutate` (stryker.config.mjs): the fast suites that cover
// the mutated files, in process, with no PostgreSQL (no global setup: the PostgreSQL cases skip),
// no browser, no simulator and no network. The simulator-model suites (test/unit/sim-*) test
// sim/, which is not mutated, and are left out to keep each mutant's run short.
import { defineConfig } from "vitest/config"

export default defineConfig({
    test: {
        include: [
            "test/unit/**/*.test.ts",
            // hub/src/auth and hub/src/ingest.ts: unit suites and the in-process hub on SQLite
            "test/hub/device-hmac.test.ts",
            "test/hub/gate.test.ts",
            "test/hub/passwords.test.ts",
            "test/hub/device-routes.test.ts",
            "test/hub/device-replay.test.ts",
            // issue 14's tests written against the survivors: direct calls on SQLite, no server
            "test/hub/mutants-auth.test.ts",
            "test/hub/mutants-ingest.test.ts",
        ],
        exclude: ["test/unit/sim-*.test.ts", "node_modules/**"],
        testTimeout: 60_000,
    },
})

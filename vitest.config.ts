import { defineConfig } from "vitest/config"

export default defineConfig({
    test: {
        include: ["test/unit/**/*.test.ts", "test/hub/**/*.test.ts", "test/e2e/**/*.test.ts", "test/tech/**/*.test.ts"],
        testTimeout: 60_000,
        // a throwaway PostgreSQL for the hub's contract suites (test/hub/pg-global-setup.ts)
        globalSetup: ["test/hub/pg-global-setup.ts"],
    },
})

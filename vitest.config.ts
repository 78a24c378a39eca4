import { defineConfig } from "vitest/config"

export default defineConfig({
    test: {
        projects: [
            {
                test: {
                    name: "unit-hub",
                    include: ["test/unit/**/*.test.ts", "test/hub/**/*.test.ts"],
                    testTimeout: 60_000,
                    // a throwaway PostgreSQL for the hub's contract suites (test/hub/pg-global-setup.ts)
                    globalSetup: ["test/hub/pg-global-setup.ts"],
                },
            },
            {
                // the staff console in Debian's chromium (test/console/fixture.ts); one browser at a time
                test: {
                    name: "console",
                    include: ["test/console/**/*.test.ts"],
                    testTimeout: 120_000,
                    hookTimeout: 60_000,
                    pool: "forks",
                    poolOptions: { forks: { singleFork: true } },
                },
            },
            {
                // tests that compile and run firmware (devs writes .devicescript/ in the project; the
                // technician commands join the simulator's bus on port 8082):
                // one at a time
                test: {
                    name: "firmware",
                    include: ["test/e2e/**/*.test.ts", "test/tech/**/*.test.ts"],
                    testTimeout: 300_000,
                    pool: "forks",
                    poolOptions: { forks: { singleFork: true } },
                },
            },
        ],
    },
})

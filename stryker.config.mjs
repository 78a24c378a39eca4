// Mutation testing (`npm run mutate`, docs/mutation.md): a benchmark of the tests, not a CI gate.
// One area at a time: `npm run mutate -- --mutate 'src/core/safety/**/*.ts'`.
// The machine is shared: `npm run mutate` runs under `nice -n 15` with concurrency 2.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
    testRunner: "vitest",
    vitest: { configFile: "vitest.mutate.config.ts" },
    // each mutant runs only the tests that covered it in the first, instrumented run
    coverageAnalysis: "perTest",
    mutate: [
        "src/core/safety/**/*.ts",
        "src/core/controller.ts",
        "src/core/cycle/**/*.ts",
        "src/core/heater/**/*.ts",
        "src/core/press/**/*.ts",
        "src/core/calibration/**/*.ts",
        "src/core/fitting/**/*.ts",
        "src/core/records/**/*.ts",
        "src/core/bundle/**/*.ts",
        "src/core/template/**/*.ts",
        "src/core/codec/**/*.ts",
        "src/core/sync/**/*.ts",
        "hub/src/auth/**/*.ts",
        "hub/src/ingest.ts",
    ],
    concurrency: 2,
    timeoutMS: 10_000,
    reporters: ["html", "clear-text", "progress", "json"],
    htmlReporter: { fileName: "test-output/mutation/index.html" },
    jsonReporter: { fileName: "test-output/mutation/mutation.json" },
    tempDirName: "test-output/mutation/.stryker-tmp",
    // the sandbox copies the project; the large folders it does not need stay out
    // (test/console's fixture stays: test/hub/passwords.test.ts checks its password against the rule)
    ignorePatterns: ["built", ".devicescript", "hub-data", "bench-output", "test-output", "test/console/*", "!test/console/fixture.ts", "test/e2e", "test/tech", "test/vm"],
    cleanTempDir: "always",
}

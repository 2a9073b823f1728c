import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "e2e/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // PGlite instances are memory-hungry and the machines have 2 cores.
    maxWorkers: 2,
    pool: "forks",
    globalSetup: ["e2e/support/global-setup.ts"],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'web/**/*.test.ts'],
    // Native modules (better-sqlite3) and gRPC servers are happier in child processes than in worker threads.
    pool: 'forks',
    // Starts ClickHouse 18.16 (Debian's package, installed when missing) for the ClickHouse store's tests.
    globalSetup: ['src/store/clickhouse/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

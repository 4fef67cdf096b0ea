import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'web/**/*.test.ts'],
    // The .proto files are a build output (dist/protos): a checkout that was never built gets them
    // here. Then ClickHouse 18.16 (Debian's package, installed when missing) starts for the
    // ClickHouse store's tests.
    globalSetup: ['scripts/copy-protos.mjs', 'src/store/clickhouse/testing/global-setup.ts'],
    // Native modules (better-sqlite3) and gRPC servers are happier in child processes than in worker threads.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'web/**/*.test.ts'],
    // The .proto files are a build output (dist/protos); a checkout that was never built gets them here.
    globalSetup: ['scripts/copy-protos.mjs'],
    // Native modules (better-sqlite3) and gRPC servers are happier in child processes than in worker threads.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

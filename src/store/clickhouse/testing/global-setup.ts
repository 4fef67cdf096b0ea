/**
 * Vitest global setup: one ClickHouse 18.16 (Debian's package) for the whole run, installed when
 * missing. Tests reach it through `inject('clickhouse')`; when it could not be installed or started
 * they get the reason and fail with it (see `clickHouseUrl`), while every other test still runs.
 */
import type { TestProject } from 'vitest/node';
import { ensureClickHouseInstalled, type RunningClickHouse, startClickHouse } from './clickhouse-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    clickhouse: { url: string } | { error: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: RunningClickHouse | undefined;
  try {
    ensureClickHouseInstalled();
    server = await startClickHouse();
    project.provide('clickhouse', { url: server.url });
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    process.stderr.write(`\nmeshlog tests: no ClickHouse server, so every ClickHouse test will fail: ${error}\n`);
    project.provide('clickhouse', { error });
  }
  return async () => {
    await server?.stop();
  };
}

/**
 * Vitest global setup: one ClickHouse 18.16 (Debian's package) for the whole run, installed when
 * missing. Tests reach it through `inject('clickhouse')`; when it could not be installed or started
 * they get the reason and fail with it (see `clickHouseUrl`), while every other test still runs.
 * It also makes the folder chdb's data directories go in, and removes it after the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureClickHouseInstalled, type RunningClickHouse, startClickHouse } from './clickhouse-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    clickhouse: { url: string } | { error: string };
    /** Where chdb's data directories go (one per test process); removed after the run. */
    chdbRoot: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: RunningClickHouse | undefined;
  const chdbRoot = mkdtempSync(path.join(tmpdir(), 'meshlog-chdb-'));
  project.provide('chdbRoot', chdbRoot);
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
    rmSync(chdbRoot, { recursive: true, force: true });
  };
}

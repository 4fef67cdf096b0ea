/**
 * How ClickHouse tests reach an engine: the 18.16 server the global setup started (its URL, or the
 * reason it is missing, which fails the test), or chdb (ClickHouse 26.x in-process) through the
 * official client's pluggable connection.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { inject } from 'vitest';
import { entryColumns } from '../schema.js';

/** The test server's URL; throws the setup's reason when there is none (never skips). */
export function clickHouseUrl(): string {
  const provided = inject('clickhouse');
  if ('error' in provided) throw new Error(`ClickHouse 18.16 is not available for this test: ${provided.error}`);
  return provided.url;
}

/** A fresh database name per store, so tests sharing a server never see each other's rows. */
export function freshDatabase(): string {
  return `meshlog_test_${randomBytes(6).toString('hex')}`;
}

/**
 * Drops a test's database on the 18.16 server. That server removes a dropped partition's parts in
 * the background (renamed `tmp_delete_...`), and a `DROP DATABASE` meeting one of them answers
 * `File not found: .../tmp_delete_...` or, once the tables are gone, `Directory not empty:
 * .../<the database>` (both seen after the retention test): it is asked again, up to five times, a
 * little later each time.
 */
export async function dropDatabase(database: string): Promise<void> {
  const client = createClient({ url: clickHouseUrl() });
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
        return;
      } catch (err) {
        const message = err instanceof Error ? err.message : '';
        const racedCleanup =
          (message.includes('File not found') && message.includes('/tmp_delete_')) ||
          (message.includes('Directory not empty') && message.includes(`/${database}`));
        if (!racedCleanup || attempt >= 5) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  } finally {
    await client.close();
  }
}

/** chdb keeps one data directory per process; this one outlives every client, so a store can be reopened. */
let chdbDir: string | undefined;

/**
 * A client on chdb. chdb's connection hands request bodies to the engine as text, which would
 * mangle RowBinary; an insert in RowBinary is written to a file and sent to the same engine as
 * `INSERT ... SELECT * FROM file(<it>, RowBinary, <the entries columns>)`, so the bytes meshlog
 * encodes are still parsed by the current engine against the schema's types.
 */
export async function createChdbClient(): Promise<ClickHouseClient> {
  const { createChdbConnection } = await import('chdb/connection');
  // The global setup removes the folder after the run (the engine holds the directory until its process ends).
  chdbDir ??= mkdtempSync(path.join(inject('chdbRoot'), 'process-'));
  const connection = createChdbConnection({ path: chdbDir });
  type Exec = Parameters<typeof connection.exec>[0];
  const structure = entryColumns.map(([name, type]) => `${name} ${type}`).join(', ');
  const wrapped: typeof connection = Object.assign(Object.create(null), {
    query: (p: Parameters<typeof connection.query>[0]) => connection.query(p),
    command: (p: Parameters<typeof connection.command>[0]) => connection.command(p),
    insert: (p: Parameters<typeof connection.insert>[0]) => connection.insert(p),
    ping: (p: Parameters<typeof connection.ping>[0]) => connection.ping(p),
    close: () => connection.close(),
    async exec(p: Exec) {
      const m = /^(INSERT INTO \S+ \([^)]*\)) FORMAT RowBinary\s*$/.exec(p.query);
      if (!m || !p.values) return connection.exec(p);
      const chunks: Buffer[] = [];
      for await (const chunk of p.values as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
      const file = path.join(chdbDir!, `insert-${randomBytes(6).toString('hex')}.bin`);
      writeFileSync(file, Buffer.concat(chunks));
      try {
        return await connection.exec({ ...p, query: `${m[1]} SELECT * FROM file('${file}', RowBinary, '${structure}')`, values: undefined });
      } finally {
        rmSync(file, { force: true });
      }
    },
  });
  // chdb builds on its own copy of the client's types (client-common); the shapes are the same.
  return createClient({ connection: wrapped as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'] });
}

/**
 * The ClickHouse write path when the network fails: batches wait and retry while ClickHouse is
 * away, a batch whose answer was lost is stored once (the batch-id check on 18.16, the server's
 * deduplication token on 26.x), and a full queue drops and counts instead of growing.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { afterEach, describe, expect, it } from 'vitest';
import { contractRow } from '../testing/contract.js';
import { clickHouseTarget } from './config.js';
import { type ClickHouseStore, createClickHouseStore } from './index.js';
import { createFaultProxy, type FaultProxy } from './testing/fault-proxy.js';
import { clickHouseUrl, createChdbClient, dropDatabase, freshDatabase } from './testing/harness.js';

const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => contractRow(from + i));

/** Waits until nothing is queued (a flush rejects while a batch is being retried, so tests of failures wait like this). */
async function drained(store: ClickHouseStore): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (store.stats().pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

async function storedCount(store: ClickHouseStore): Promise<number> {
  return (await store.query({ limit: 10_000 })).items.length;
}

describe('ClickHouse 18.16 writes through a failing network', () => {
  let proxy: FaultProxy | undefined;
  let store: ClickHouseStore | undefined;
  let database: string | undefined;

  afterEach(async () => {
    await proxy?.up().catch(() => undefined);
    await store?.close();
    await proxy?.close();
    if (database) await dropDatabase(database);
    proxy = store = database = undefined;
  });

  const open = async (options: Parameters<typeof createClickHouseStore>[0] = {}) => {
    const url = new URL(clickHouseUrl());
    proxy = await createFaultProxy({ host: url.hostname, port: Number(url.port) });
    database = freshDatabase();
    store = await createClickHouseStore({
      target: clickHouseTarget(`clickhouse://default:@127.0.0.1:${proxy.port}/${database}`),
      retryInitialMs: 20,
      retryMaxMs: 200,
      ...options,
    });
    return store;
  };

  it('keeps batches while ClickHouse is away and stores them once it is back', async () => {
    const s = await open();
    s.write(rows(0, 10));
    await s.flush();
    await proxy!.down();
    s.write(rows(10, 20));
    // While ClickHouse is away a flush says so, and the rows wait.
    await expect(s.flush()).rejects.toThrow(/did not store 20 entries/);
    expect(s.stats().pending).toBe(20);
    await proxy!.up();
    await drained(s);
    expect(s.stats()).toMatchObject({ pending: 0, written: 30, failed: 0 });
    expect(await storedCount(s)).toBe(30);
  });

  it('stores a batch whose answer was lost once, by checking its batch id before the retry', async () => {
    const s = await open();
    expect(s.features.deduplicationToken).toBe(false);
    proxy!.loseNextAnswerTo('RowBinary');
    s.write(rows(0, 50));
    await drained(s);
    expect(proxy!.lost).toBe(1);
    expect(await storedCount(s)).toBe(50);
    expect(s.stats()).toMatchObject({ written: 50, failed: 0 });
  });

  it('drops and counts what does not fit in the queue, and gives up what is left at close', async () => {
    const s = await open({ maxQueuedRows: 100, highWaterRows: 50, batchRows: 40, closeTimeoutMs: 300 });
    await proxy!.down();
    let accepted = true;
    for (let i = 0; i < 5; i++) accepted = s.write(rows(i * 40, 40)) && accepted;
    expect(accepted).toBe(false);
    // 80 fit under the bound of 100; 120 were dropped.
    expect(s.stats()).toMatchObject({ pending: 80, failed: 120 });
    await s.close();
    expect(s.stats()).toMatchObject({ failed: 200, written: 0 });
  });
});

describe('ClickHouse 26.x (chdb) deduplicates a retried batch with its token', () => {
  it('stores a batch whose answer was lost once', async () => {
    const client = await createChdbClient();
    let lose = true;
    // The insert runs, then its answer is lost: the writer cannot tell and retries the same batch.
    const flaky: ClickHouseClient = Object.assign(Object.create(client), {
      exec: async (params: Parameters<ClickHouseClient['exec']>[0]) => {
        const result = await client.exec(params);
        if (lose && params.query.includes('RowBinary')) {
          lose = false;
          result.stream.resume();
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        }
        return result;
      },
    });
    const database = freshDatabase();
    const store = await createClickHouseStore({ client: flaky, database, retryInitialMs: 20 });
    try {
      expect(store.features.deduplicationToken).toBe(true);
      store.write(rows(0, 50));
      await drained(store);
      expect(lose).toBe(false);
      expect(await storedCount(store)).toBe(50);
      // Read the table itself: the reader would hide a duplicate.
      const result = await client.query({ query: `SELECT count() AS n FROM ${database}.entries`, format: 'JSONEachRow' });
      expect(Number((await result.json<{ n: string }>())[0]!.n)).toBe(50);
    } finally {
      await store.close();
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EntryRow, LogStore } from '../types.js';
import { createSqliteStore } from './index.js';

const dirs: string[] = [];
const stores: LogStore[] = [];

async function open(options: Partial<Parameters<typeof createSqliteStore>[0]> = {}, dataDir?: string) {
  const dir = dataDir ?? mkdtempSync(path.join(tmpdir(), 'meshlog-store-'));
  if (!dataDir) dirs.push(dir);
  const store = await createSqliteStore({ dataDir: dir, ...options });
  stores.push(store);
  return { store, dir };
}

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const baseTs = 1_700_000_000_000_000;

function row(i: number, over: Partial<EntryRow> = {}): EntryRow {
  const app = ['reviews', 'ratings', 'details'][i % 3]!;
  return {
    ts: baseTs + i * 1000,
    kind: 'http',
    workload: { name: `${app}-v1`, namespace: 'bookinfo', clusterName: i % 2 ? 'remote-cluster' : 'mgmt-cluster' },
    labels: { app, version: 'v1' },
    instance: `${app}-v1-abc`,
    method: i % 5 === 0 ? 'POST' : 'GET',
    authority: `${app}:9080`,
    path: `/${app}/${i}`,
    status: i % 10 === 0 ? 503 : 200,
    durationUs: i * 100,
    responseFlags: i % 10 === 0 ? 'UF,URX' : '',
    upstreamCluster: `outbound|9080||${app}.bookinfo.svc.cluster.local`,
    requestId: `req-${i}`,
    entry: Uint8Array.from([i % 256, 1, 2, 3]),
    ...over,
  };
}

const paths = (items: ReadonlyArray<{ entry: Uint8Array }>) => items.map((i) => i.entry[0]);

describe('SQLite store', () => {
  it('round-trips rows newest first with their workload', async () => {
    const { store } = await open();
    store.write([row(1), row(2)]);
    await store.flush();
    const { items, nextCursor } = store.query({ limit: 10 });
    expect(nextCursor).toBeUndefined();
    expect(items.map((i) => i.ts)).toEqual([baseTs + 2000, baseTs + 1000]);
    expect(items[0]).toMatchObject({ kind: 'http', workload: { name: 'details-v1', namespace: 'bookinfo', clusterName: 'mgmt-cluster' }, labels: { app: 'details', version: 'v1' }, instance: 'details-v1-abc' });
    expect([...items[0]!.entry]).toEqual([2, 1, 2, 3]);
    expect(store.stats()).toMatchObject({ entries: 2, written: 2, pending: 0, failed: 0 });
  });

  it('selects workloads with Gloo semantics and applies every filter', async () => {
    const { store } = await open();
    store.write(Array.from({ length: 60 }, (_, i) => row(i)));
    await store.flush();
    const q = (extra: object) => store.query({ limit: 100, ...extra }).items;
    // labels AND clusters in one matcher; matchers OR-ed.
    const sel = q({ selectors: [{ labels: { app: 'reviews' }, clusters: ['mgmt-cluster'] }, { labels: { app: 'details' }, namespaces: ['bookinfo'] }] });
    expect(sel.every((i) => (i.workload.name === 'reviews-v1' && i.workload.clusterName === 'mgmt-cluster') || i.workload.name === 'details-v1')).toBe(true);
    expect(sel).toHaveLength(10 + 20);
    expect(q({ selectors: [{ labels: { app: 'reviews', version: 'v2' } }] })).toHaveLength(0);
    expect(q({ status: [{ min: 500, max: 599 }] })).toHaveLength(6);
    expect(q({ methods: ['POST'] })).toHaveLength(12);
    expect(q({ pathPrefix: '/ratings/' })).toHaveLength(20);
    expect(q({ pathRegex: '^/details/5\\d$' }).map((i) => i.entry[0])).toEqual([59, 56, 53, 50]);
    expect(q({ responseFlags: ['URX'] })).toHaveLength(6);
    expect(q({ responseFlags: [''] })).toHaveLength(6);
    expect(q({ responseFlags: ['UF', 'NR'] })).toHaveLength(6);
    expect(q({ responseFlags: ['NR'] })).toHaveLength(0);
    expect(q({ minDurationUs: 5000 })).toHaveLength(10);
    expect(q({ since: baseTs + 10_000, until: baseTs + 20_000 })).toHaveLength(10);
    expect(q({ workloads: ['ratings-v1'], namespaces: ['bookinfo'], clusters: ['remote-cluster'] })).toHaveLength(10);
    expect(q({ labels: { app: 'details' }, kind: 'tcp' })).toHaveLength(0);
  });

  it('pages with a cursor without gaps or duplicates, also across equal timestamps', async () => {
    const { store } = await open();
    store.write(Array.from({ length: 25 }, (_, i) => row(i, { ts: baseTs + Math.floor(i / 4) })));
    await store.flush();
    for (const q of [{}, { selectors: [{ labels: { app: 'reviews' } }] }, { selectors: [{ namespaces: ['bookinfo'] }] }]) {
      const seen: number[] = [];
      let cursor: string | undefined;
      do {
        const page = store.query({ ...q, limit: 4, cursor });
        seen.push(...paths(page.items).map(Number));
        cursor = page.nextCursor;
      } while (cursor);
      const expected = store.query({ ...q, limit: 100 }).items.map((i) => i.entry[0]);
      expect(seen).toEqual(expected);
      expect(new Set(seen).size).toBe(seen.length);
    }
  });

  it('keeps everything across a restart', async () => {
    const { store, dir } = await open();
    store.write(Array.from({ length: 100 }, (_, i) => row(i)));
    await store.close();
    const { store: again } = await open({}, dir);
    expect(again.query({ limit: 1000 }).items).toHaveLength(100);
    expect(again.stats().entries).toBe(100);
    // Three apps in two clusters.
    expect(again.workloads().map((w) => `${w.ref.clusterName}/${w.ref.name}`).sort()).toEqual(['mgmt-cluster/details-v1', 'mgmt-cluster/ratings-v1', 'mgmt-cluster/reviews-v1', 'remote-cluster/details-v1', 'remote-cluster/ratings-v1', 'remote-cluster/reviews-v1']);
  });

  it('deletes by age and by size', async () => {
    const { store } = await open({ retention: { maxAgeMs: 60_000 }, retentionIntervalMs: 50 });
    const now = Date.now() * 1000;
    store.write([row(1, { ts: now - 3_600_000_000 }), row(2, { ts: now })]);
    await store.flush();
    const deadline = Date.now() + 10_000;
    while (store.query({ limit: 10 }).items.length > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(paths(store.query({ limit: 10 }).items)).toEqual([2]);

    const { store: small } = await open({ retention: { maxBytes: 2_000_000 }, retentionIntervalMs: 50 });
    const big = new Uint8Array(10_000);
    for (let i = 0; i < 10; i++) small.write(Array.from({ length: 100 }, (_, j) => row(i * 100 + j, { entry: big })));
    await small.flush();
    const until = Date.now() + 10_000;
    while (small.stats().deletedByRetention === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const left = small.query({ limit: 10_000 }).items;
    expect(left.length).toBeLessThan(1000);
    expect(left.length).toBeGreaterThan(0);
    // The newest survive.
    expect(left[0]!.ts).toBe(baseTs + 999 * 1000);
  });

  it('pushes back above its high-water mark and tells when it drained', async () => {
    const { store } = await open({ highWaterRows: 100, lowWaterRows: 10, batchRows: 50 });
    let drained = 0;
    store.onDrain(() => drained++);
    expect(store.write(Array.from({ length: 50 }, (_, i) => row(i)))).toBe(true);
    expect(store.write(Array.from({ length: 80 }, (_, i) => row(i)))).toBe(false);
    await store.flush();
    expect(drained).toBe(1);
    expect(store.stats().entries).toBe(130);
  });

  it('survives absurd values without losing the valid rows around them', async () => {
    const { store } = await open();
    store.write([row(1), row(2, { ts: Number.NaN, status: Number.POSITIVE_INFINITY, path: 'x'.repeat(1_000_000), durationUs: Number.NaN }), row(3)]);
    await store.flush();
    expect(store.query({ limit: 10 }).items).toHaveLength(3);
    expect(store.stats().failed).toBe(0);
  });

  it('closes twice without harm', async () => {
    const { store } = await open();
    await Promise.all([store.close(), store.close()]);
    await store.close();
  });
});

/**
 * The store contract as a test suite: what every `LogStore` engine must do, whatever it is built
 * on. `describeStoreContract` runs it against one engine; SQLite runs it now, and a second engine
 * (ClickHouse) runs the same suite. Engine-specific behaviour (a writer thread, file layout) is
 * tested beside each engine instead.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { rowMatches } from '../row-match.js';
import { type EntryRow, InvalidCursorError, type LogQuery, type LogStore } from '../types.js';
import { describeStatsContract } from './stats-contract.js';

/** The options every engine takes in some form. */
export interface ContractStoreOptions {
  readonly retention?: { readonly maxAgeMs?: number; readonly maxBytes?: number };
  readonly retentionIntervalMs?: number;
  readonly highWaterRows?: number;
  readonly lowWaterRows?: number;
  readonly batchRows?: number;
}

/**
 * An engine that drops whole partitions for retention (ClickHouse) is opened by its harness with
 * partitions of at most 100 ms, so that the size case (ten batches, each 100 ms of entries) has
 * partitions to drop; the assertions are the same for every engine.
 */
export interface StoreHarness {
  /** Opens a store at `location` (the same data again after a restart), or at a fresh one. */
  open(options: ContractStoreOptions, location?: string): Promise<{ store: LogStore; location: string }>;
  /** Removes everything `open` created at a location. */
  remove(location: string): Promise<void>;
}

const baseTs = 1_700_000_000_000_000;

/** Row `i` of a small mesh: three apps in two clusters, every tenth a 503 with flags. */
export function contractRow(i: number, over: Partial<EntryRow> = {}): EntryRow {
  const apps = ['reviews', 'ratings', 'details'] as const;
  const app = apps[i % 3]!;
  const cluster = i % 2 ? 'remote-cluster' : 'mgmt-cluster';
  // Half the rows are this proxy calling the next app (outbound), half the previous app calling it (inbound).
  const outbound = i % 4 < 2;
  const self = { cluster, namespace: 'bookinfo', workload: `${app}-v1`, ip: `10.0.${i % 3}.1`, port: outbound ? null : 9080, service: null };
  const peerApp = apps[(i + (outbound ? 1 : 2)) % 3]!;
  const peer = {
    cluster,
    namespace: 'bookinfo',
    workload: `${peerApp}-v1`,
    ip: `10.0.${(i + (outbound ? 1 : 2)) % 3}.1`,
    port: outbound ? 9080 : 41000 + i,
    service: outbound ? `${peerApp}.bookinfo` : null,
  };
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
    direction: outbound ? 'outbound' : 'inbound',
    source: outbound ? self : peer,
    destination: outbound ? peer : self,
    bytesReceived: i,
    bytesSent: 2 * i,
    upstreamFailure: i % 10 === 0 ? 'TLS error: Secret is not supplied by SDS' : null,
    entry: Uint8Array.from([i % 256, 1, 2, 3]),
    ...over,
  };
}

/** The first byte of each entry: which row it was. */
const rowsOf = (items: ReadonlyArray<{ entry: Uint8Array }>) => items.map((i) => i.entry[0]);

/** Polls until `done` holds or the deadline passes (background work such as retention). */
async function until(done: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

export function describeStoreContract(engine: string, harness: StoreHarness): void {
  describe(`${engine} store: the LogStore contract`, () => {
    const opened: Array<{ store: LogStore; location: string }> = [];
    const open = async (options: ContractStoreOptions = {}, location?: string) => {
      const o = await harness.open(options, location);
      opened.push(o);
      return o;
    };
    afterEach(async () => {
      const all = opened.splice(0);
      for (const o of all) await o.store.close();
      for (const location of new Set(all.map((o) => o.location))) await harness.remove(location);
    });

    it('round-trips rows newest first with their workload', async () => {
      const { store } = await open();
      store.write([contractRow(1), contractRow(2)]);
      await store.flush();
      const { items, nextCursor } = await store.query({ limit: 10 });
      expect(nextCursor).toBeUndefined();
      expect(items.map((i) => i.ts)).toEqual([baseTs + 2000, baseTs + 1000]);
      expect(items[0]).toMatchObject({
        kind: 'http',
        workload: { name: 'details-v1', namespace: 'bookinfo', clusterName: 'mgmt-cluster' },
        labels: { app: 'details', version: 'v1' },
        instance: 'details-v1-abc',
      });
      expect([...items[0]!.entry]).toEqual([2, 1, 2, 3]);
      expect(store.stats()).toMatchObject({ entries: 2, written: 2, pending: 0, failed: 0 });
    });

    it('selects workloads with Gloo semantics and applies every filter', async () => {
      const { store } = await open();
      store.write(Array.from({ length: 60 }, (_, i) => contractRow(i)));
      await store.flush();
      const q = async (extra: object) => (await store.query({ limit: 100, ...extra })).items;
      // labels AND clusters in one matcher; matchers OR-ed.
      const sel = await q({
        selectors: [
          { labels: { app: 'reviews' }, clusters: ['mgmt-cluster'] },
          { labels: { app: 'details' }, namespaces: ['bookinfo'] },
        ],
      });
      expect(sel.every((i) => (i.workload.name === 'reviews-v1' && i.workload.clusterName === 'mgmt-cluster') || i.workload.name === 'details-v1')).toBe(true);
      expect(sel).toHaveLength(10 + 20);
      expect(await q({ selectors: [{ labels: { app: 'reviews', version: 'v2' } }] })).toHaveLength(0);
      expect(await q({ status: [{ min: 500, max: 599 }] })).toHaveLength(6);
      expect(await q({ methods: ['POST'] })).toHaveLength(12);
      expect(await q({ pathPrefix: '/ratings/' })).toHaveLength(20);
      expect(rowsOf(await q({ pathRegex: '^/details/5\\d$' }))).toEqual([59, 56, 53, 50]);
      expect(await q({ responseFlags: ['URX'] })).toHaveLength(6);
      expect(await q({ responseFlags: [''] })).toHaveLength(6);
      expect(await q({ responseFlags: ['UF', 'NR'] })).toHaveLength(6);
      expect(await q({ responseFlags: ['NR'] })).toHaveLength(0);
      expect(await q({ minDurationUs: 5000 })).toHaveLength(10);
      expect(await q({ since: baseTs + 10_000, until: baseTs + 20_000 })).toHaveLength(10);
      expect(await q({ workloads: ['ratings-v1'], namespaces: ['bookinfo'], clusters: ['remote-cluster'] })).toHaveLength(10);
      expect(await q({ labels: { app: 'details' }, kind: 'tcp' })).toHaveLength(0);
      expect(await q({ limit: 0 })).toHaveLength(0);
    });

    it('filters on who called whom, and returns both ends with the direction', async () => {
      const { store } = await open();
      const rows = Array.from({ length: 40 }, (_, i) => contractRow(i));
      store.write(rows);
      await store.flush();
      const q = async (extra: object) => rowsOf((await store.query({ limit: 100, ...extra })).items);
      const expected = (pick: (r: EntryRow) => boolean) =>
        rows
          .filter(pick)
          .map((r) => r.entry[0])
          .reverse();
      expect(await q({ direction: 'outbound' })).toEqual(expected((r) => r.direction === 'outbound'));
      expect(await q({ fromWorkloads: ['reviews-v1'] })).toEqual(expected((r) => r.source.workload === 'reviews-v1'));
      expect(await q({ toWorkloads: ['ratings-v1'], direction: 'inbound' })).toEqual(
        expected((r) => r.destination.workload === 'ratings-v1' && r.direction === 'inbound'),
      );
      expect(await q({ toServices: ['details'] })).toEqual(expected((r) => r.destination.service === 'details.bookinfo'));
      expect(await q({ toServices: ['details.bookinfo'] })).toEqual(expected((r) => r.destination.service === 'details.bookinfo'));
      expect(await q({ toServices: ['detail'] })).toEqual([]);
      expect(await q({ fromNamespaces: ['bookinfo'], toNamespaces: ['other'] })).toEqual([]);
      expect(await q({ requestIds: ['req-7', 'req-9'] })).toEqual([9, 7]);
      expect(await q({ authorities: ['details:9080'] })).toEqual(expected((r) => r.authority === 'details:9080'));
      expect(await q({ workloadRegex: 'view' })).toEqual(expected((r) => r.workload.name === 'reviews-v1'));
      const [newest] = (await store.query({ limit: 1 })).items;
      expect(newest).toMatchObject({ direction: rows[39]!.direction, source: rows[39]!.source, destination: { ...rows[39]!.destination } });
    });

    it('agrees with its in-memory twin (live watchers) on every filter', async () => {
      const { store } = await open();
      const rows = Array.from({ length: 60 }, (_, i) => contractRow(i));
      store.write(rows);
      await store.flush();
      const queries: Array<Omit<LogQuery, 'limit'>> = [
        { selectors: [{ labels: { app: 'reviews' }, clusters: ['mgmt-cluster'] }] },
        // Selectors without labels (a store may check them on its key instead of per workload).
        { selectors: [{ clusters: ['remote-cluster'] }, { namespaces: ['elsewhere'] }] },
        {
          selectors: [
            { clusters: ['mgmt-cluster'], namespaces: ['bookinfo'] },
            { clusters: ['remote-cluster'], namespaces: ['elsewhere'] },
          ],
        },
        { selectors: [{ labels: {}, clusters: ['mgmt-cluster'] }], status: [{ min: 200, max: 299 }] },
        { selectors: [{ clusters: ['nowhere'] }, {}] },
        { status: [{ min: 500, max: 599 }], methods: ['GET'] },
        { pathPrefix: '/ratings/', pathRegex: '1$' },
        { responseFlags: [''] },
        { minDurationUs: 2000, since: baseTs + 5000, until: baseTs + 40_000 },
        { direction: 'inbound', fromWorkloads: ['details-v1'] },
        { toServices: ['reviews'], toNamespaces: ['bookinfo'] },
        { requestIds: ['req-3'], authorities: ['reviews:9080'] },
        { workloadRegex: '^rat', kind: 'http', labels: { version: 'v1' } },
      ];
      for (const query of queries) {
        const stored = rowsOf((await store.query({ ...query, limit: 100 })).items);
        const twin = rows
          .filter((r) => rowMatches({ ...query, limit: 100 }, r))
          .map((r) => r.entry[0])
          .reverse();
        expect(stored, JSON.stringify(query)).toEqual(twin);
      }
    });

    it('pages with a cursor without gaps or duplicates, also across equal timestamps', async () => {
      const { store } = await open();
      store.write(Array.from({ length: 25 }, (_, i) => contractRow(i, { ts: baseTs + Math.floor(i / 4) })));
      await store.flush();
      for (const q of [
        {},
        { selectors: [{ labels: { app: 'reviews' } }] },
        { selectors: [{ namespaces: ['bookinfo'] }] },
        { since: baseTs + 1, until: baseTs + 5 },
      ]) {
        const seen: number[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 100; pages++) {
          const page = await store.query({ ...q, limit: 4, cursor });
          seen.push(...rowsOf(page.items).map(Number));
          cursor = page.nextCursor;
          if (!cursor) break;
        }
        const expected = rowsOf((await store.query({ ...q, limit: 100 })).items);
        expect(seen).toEqual(expected);
        expect(new Set(seen).size).toBe(seen.length);
      }
    });

    it('refuses a cursor it did not hand out', async () => {
      const { store } = await open();
      await expect(store.query({ limit: 1, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it('keeps everything across a restart', async () => {
      const { store, location } = await open();
      store.write(Array.from({ length: 100 }, (_, i) => contractRow(i)));
      await store.close();
      const { store: again } = await open({}, location);
      expect((await again.query({ limit: 1000 })).items).toHaveLength(100);
      expect(again.stats().entries).toBe(100);
      // Three apps in two clusters.
      expect((await again.workloads()).map((w) => `${w.ref.clusterName}/${w.ref.name}`).sort()).toEqual([
        'mgmt-cluster/details-v1',
        'mgmt-cluster/ratings-v1',
        'mgmt-cluster/reviews-v1',
        'remote-cluster/details-v1',
        'remote-cluster/ratings-v1',
        'remote-cluster/reviews-v1',
      ]);
    });

    it('deletes by age and by size, keeping the newest', async () => {
      const { store } = await open({ retention: { maxAgeMs: 60_000 }, retentionIntervalMs: 50 });
      const now = Date.now() * 1000;
      store.write([contractRow(1, { ts: now - 3_600_000_000 }), contractRow(2, { ts: now })]);
      await store.flush();
      await until(async () => (await store.query({ limit: 10 })).items.length <= 1);
      expect(rowsOf((await store.query({ limit: 10 })).items)).toEqual([2]);

      const { store: small } = await open({ retention: { maxBytes: 2_000_000 }, retentionIntervalMs: 50 });
      // Random bytes, different in every row: an engine that compresses must still hold about 10 MB.
      for (let i = 0; i < 10; i++) small.write(Array.from({ length: 100 }, (_, j) => contractRow(i * 100 + j, { entry: randomBytes(10_000) })));
      await small.flush();
      await until(async () => small.stats().deletedByRetention > 0);
      const left = (await small.query({ limit: 10_000 })).items;
      expect(left.length).toBeLessThan(1000);
      expect(left.length).toBeGreaterThan(0);
      expect(left[0]!.ts).toBe(baseTs + 999 * 1000);
    });

    it('says when it holds more than its high-water mark, and tells when that drained', async () => {
      const { store } = await open({ highWaterRows: 100, lowWaterRows: 10, batchRows: 50 });
      let drained = 0;
      store.onDrain(() => drained++);
      // A writer that commits as it is given rows never holds a backlog; one that queues must push back.
      const accepted = [store.write(Array.from({ length: 50 }, (_, i) => contractRow(i))), store.write(Array.from({ length: 80 }, (_, i) => contractRow(i)))];
      if (store.stats().pending > 100) expect(accepted[1]).toBe(false);
      await store.flush();
      expect(drained).toBe(accepted.includes(false) ? 1 : 0);
      expect(store.stats()).toMatchObject({ entries: 130, pending: 0 });
    });

    it('survives absurd values without losing the valid rows around them', async () => {
      const { store } = await open();
      store.write([
        contractRow(1),
        contractRow(2, { ts: Number.NaN, status: Number.POSITIVE_INFINITY, path: 'x'.repeat(1_000_000), durationUs: Number.NaN }),
        contractRow(3),
      ]);
      await store.flush();
      expect((await store.query({ limit: 10 })).items).toHaveLength(3);
      expect(store.stats().failed).toBe(0);
    });

    describeStatsContract(async () => (await open()).store, contractRow, baseTs);

    it('closes twice without harm, and counts what is written after', async () => {
      const { store } = await open();
      await Promise.all([store.close(), store.close()]);
      await store.close();
      store.write([contractRow(1)]);
      expect(store.stats().failed).toBe(1);
    });
  });
}

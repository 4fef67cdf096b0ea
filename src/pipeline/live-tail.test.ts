import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { httpEntry } from '../collector/testing/als-client.js';
import { loadAlsTypes } from '../envoy/protos.js';
import type { DecodedEntry } from '../model/entry.js';
import { glooItemBytes, v1ItemBytes } from '../protojson/items.js';
import { contractRow } from '../store/testing/contract.js';
import { createLiveTail, TooManyWatchersError } from './live-tail.js';
import { watchOutput } from './testing/watch-output.js';
import { createWatchRenderer, dedupeKey, type WatchOutput, watchBuffers } from './watch-render.js';

const proxy = {
  nodeId: 'n',
  nodeCluster: '',
  logName: '',
  flavor: 'envoy' as const,
  proxyType: 'proxy',
  workload: { name: 'reviews-v1', namespace: 'bookinfo', clusterName: 'mgmt-cluster' },
  instance: 'reviews-v1-x',
  ip: '',
  labels: { app: 'reviews' },
  mesh: '',
  apiVersion: 'v3' as const,
};

/** Each output's texts, cut at their ends when it has them. */
const textsOf = (outputs: readonly WatchOutput[]): string[] =>
  outputs.flatMap((o) => {
    const all = Buffer.from(o.bytes).toString('utf8');
    if (!o.ends) return [all];
    return [...o.ends].map((end, i) => Buffer.from(o.bytes.subarray(i === 0 ? 0 : o.ends![i - 1], end)).toString('utf8'));
  });

describe('live tail (the hub where watchers connect)', () => {
  it('never delivers on the producer’s stack: watchers get their texts in a later turn', async () => {
    const tail = createLiveTail();
    const got: string[] = [];
    tail.watch({ query: {}, format: 'v1' }, (outputs) => got.push(...textsOf(outputs)));
    const [spec] = tail.specs();
    tail.receive([watchOutput(spec!.id, ['a', 'b'])]);
    expect(got).toEqual([]);
    await nextTurn();
    expect(got).toEqual(['a\nb\n']);
  });

  it('tells producers of every change of watchers, and says when all applied it', async () => {
    const tail = createLiveTail();
    const seen: number[][] = [];
    let release!: () => void;
    tail.onSpecs((specs) => {
      seen.push(specs.map((s) => s.id));
      return new Promise<void>((r) => (release = r));
    });
    const watch = tail.watch({ query: {}, format: 'gloo' }, () => undefined);
    let ready = false;
    void watch.ready.then(() => (ready = true));
    await nextTurn();
    expect(ready).toBe(false);
    release();
    await watch.ready;
    watch.close();
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual([]);
  });

  it('keeps a paused watcher’s queue bounded, dropping the oldest and saying how many', async () => {
    let lostTotal = 0;
    const tail = createLiveTail({ maxQueuedBytes: 100, onLost: (n) => (lostTotal += n) });
    const got: string[] = [];
    let lostSeen = 0;
    const watch = tail.watch({ query: {}, format: 'v1' }, (outputs, lost) => {
      got.push(...textsOf(outputs));
      lostSeen += lost;
    });
    const id = tail.specs()[0]!.id;
    watch.pause();
    for (let i = 0; i < 50; i++) tail.receive([watchOutput(id, [String(i).padStart(9, '0')])]);
    tail.lost(id, 5);
    await nextTurn();
    expect(got).toEqual([]);
    watch.resume();
    await nextTurn();
    expect(got.length * 10).toBeLessThanOrEqual(100);
    expect(got.at(-1)).toBe('000000049\n');
    expect(lostSeen + got.length).toBe(55);
    expect(lostTotal).toBe(lostSeen);
  });

  it('caps the number of watchers', () => {
    const tail = createLiveTail({ maxWatchers: 2 });
    tail.watch({ query: {}, format: 'v1' }, () => undefined);
    const second = tail.watch({ query: {}, format: 'v1' }, () => undefined);
    expect(() => tail.watch({ query: {}, format: 'v1' }, () => undefined)).toThrow(TooManyWatchersError);
    second.close();
    expect(() => tail.watch({ query: {}, format: 'v1' }, () => undefined)).not.toThrow();
  });
});

describe('watch renderer (where entries are ingested)', () => {
  const entry = { request: { path: '/x' } } as unknown as DecodedEntry;

  it('renders an entry once per format, however many watchers want it, and only for those it matches', () => {
    const r = createWatchRenderer();
    r.setSpecs([
      { id: 1, query: {}, format: 'v1' },
      { id: 2, query: { selectors: [{ labels: { app: 'reviews' } }] }, format: 'v1' },
      { id: 3, query: {}, format: 'gloo-pretty', dedupe: true },
      { id: 4, query: { selectors: [{ labels: { app: 'ratings' } }] }, format: 'gloo' },
    ]);
    let decodes = 0;
    const row = contractRow(0, { workload: proxy.workload, labels: proxy.labels });
    r.offer(row, proxy, 'http', () => {
      decodes++;
      return entry;
    });
    const out = r.take();
    expect(out.map((o) => o.id)).toEqual([1, 2, 3]);
    expect(textsOf([out[0]!])).toEqual(textsOf([out[1]!]));
    expect(textsOf([out[2]!])[0]).toContain('\n  ');
    expect(out[2]!.keys).toEqual([dedupeKey(row)]);
    expect(decodes).toBe(1);
    expect(r.take()).toEqual([]);
  });

  it('writes each line from the wire into a buffer its output owns, past its first size, and the next lines into another', () => {
    const r = createWatchRenderer();
    r.setSpecs([
      { id: 1, query: {}, format: 'gloo' },
      { id: 2, query: {}, format: 'v1' },
    ]);
    const type = loadAlsTypes().HTTPAccessLogEntry;
    const encoded = (i: number) => type.encode(type.fromObject(httpEntry(`/reviews/${i}`, { headers: { 'x-b3-traceid': `${i}` } }))).finish();
    const rows = Array.from({ length: 60 }, (_, i) => contractRow(i, { workload: proxy.workload, labels: proxy.labels, entry: encoded(i) }));
    const glooLine = (row: (typeof rows)[number]) => `${glooItemBytes('http', proxy.workload, row.entry)!.toString('utf8')}\n`;
    const v1Line = (row: (typeof rows)[number]) => `${v1ItemBytes(row, row.entry)!.toString('utf8')}\n`;
    const notDecoded = (): DecodedEntry => {
      throw new Error('a line that the wire writer can write was decoded');
    };
    for (const row of rows) {
      r.offer(row, proxy, 'http', notDecoded);
      // The writer's shared output serves the HTTP API between two lines.
      expect(glooLine(row)).toContain('"httpAccessLog"');
    }
    const [gloo, v1] = r.take();
    expect(textsOf([gloo!])).toEqual([rows.map(glooLine).join('')]);
    expect(textsOf([v1!])).toEqual([rows.map(v1Line).join('')]);
    expect(gloo!.bytes.byteLength).toBeGreaterThan(16 * 1024);
    for (const o of [gloo!, v1!]) expect(o.bytes.byteOffset).toBe(0);
    expect(watchBuffers([gloo!, v1!])).toHaveLength(2);
    expect(gloo!.bytes.buffer).not.toBe(v1!.bytes.buffer);

    // Once taken, the buffer is the output's: the next lines go elsewhere.
    r.offer(rows[1]!, proxy, 'http', notDecoded);
    const [again] = r.take();
    expect(textsOf([again!])).toEqual([glooLine(rows[1]!)]);
    expect(textsOf([gloo!])).toEqual([rows.map(glooLine).join('')]);
  });
});

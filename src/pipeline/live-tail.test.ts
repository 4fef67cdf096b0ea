import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { EntryRow } from '../store/types.js';
import { type CollectedEntry, createLiveTail } from './live-tail.js';

const proxy = {
  nodeId: 'n',
  nodeCluster: '',
  logName: '',
  flavor: 'envoy' as const,
  proxyType: 'proxy',
  workload: { name: 'reviews-v1', namespace: 'bookinfo', clusterName: 'c1' },
  instance: 'reviews-v1-x',
  ip: '',
  labels: { app: 'reviews' },
  mesh: '',
  apiVersion: 'v3' as const,
};

function entry(i: number): CollectedEntry {
  return { proxy, kind: 'http', entry: { i }, row: { ts: i } as unknown as EntryRow };
}

describe('live tail', () => {
  it('never delivers on the publisher’s stack: watchers get their entries in a later turn', async () => {
    const tail = createLiveTail();
    const got: number[] = [];
    tail.watch({ match: () => true, deliver: (entries) => got.push(...entries.map((e) => e.row.ts)) });
    tail.publish([entry(1), entry(2)]);
    expect(got).toEqual([]);
    await nextTurn();
    expect(got).toEqual([1, 2]);
  });

  it('renders an entry once per format, however many watchers write it', async () => {
    const tail = createLiveTail();
    let renders = 0;
    const render = (e: CollectedEntry) => {
      renders++;
      return `${e.row.ts}\n`;
    };
    const texts: string[][] = [[], [], []];
    for (const [w, format] of ['json', 'json', 'pretty'].entries()) {
      tail.watch({ match: () => true, deliver: (entries) => texts[w]!.push(...entries.map((e) => tail.renderOnce(e, format, render))) });
    }
    tail.publish([entry(1), entry(2), entry(3)]);
    await nextTurn();
    expect(texts[0]).toEqual(['1\n', '2\n', '3\n']);
    expect(texts[1]).toEqual(texts[0]);
    // Three entries in two formats.
    expect(renders).toBe(6);
  });

  it('keeps a paused watcher’s queue bounded, dropping the oldest and saying how many', async () => {
    let lostTotal = 0;
    const tail = createLiveTail((n) => (lostTotal += n));
    const got: number[] = [];
    let lostSeen = 0;
    const watch = tail.watch({
      match: (e) => e.row.ts % 2 === 0,
      maxQueued: 10,
      deliver: (entries, lost) => {
        got.push(...entries.map((e) => e.row.ts));
        lostSeen += lost;
      },
    });
    watch.pause();
    for (let i = 0; i < 100; i++) tail.publish([entry(i)]);
    await nextTurn();
    expect(got).toEqual([]);
    watch.resume();
    await nextTurn();
    // 50 matched; the queue never held more than 10 of them, and the newest are the ones kept.
    expect(got.length).toBeLessThanOrEqual(10);
    expect(got.at(-1)).toBe(98);
    expect(lostSeen + got.length).toBe(50);
    expect(lostTotal).toBe(lostSeen);
    watch.close();
    expect(tail.watchers).toBe(0);
  });
});

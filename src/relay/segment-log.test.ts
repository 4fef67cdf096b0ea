import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSegmentLog, type SegmentLog } from './segment-log.js';

const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshlog-segments-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const record = (sequence: number, size = 1000) => Buffer.alloc(size, sequence % 251);
const appendMany = (log: SegmentLog, n: number, size = 1000) => Array.from({ length: n }, () => log.append((s) => record(s, size), 10));
const readAll = (log: SegmentLog, after: number) => {
  const cursor = log.cursor(after);
  const out = [];
  for (let page = cursor.next(1 << 20); page.length > 0; page = cursor.next(1 << 20)) out.push(...page);
  return out;
};

describe('segment log', () => {
  it('reads back in order what it appended, from any point, across segments', () => {
    const log = openSegmentLog({ dir: fresh(), maxBytes: 1 << 30, segmentBytes: 64 * 1024 });
    const sequences = appendMany(log, 200);
    expect(sequences).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const all = readAll(log, 0);
    expect(all.map((r) => r.sequence)).toEqual(sequences);
    expect(Buffer.from(all[41]!.bytes).equals(record(42))).toBe(true);
    expect(readAll(log, 150).map((r) => r.sequence)).toEqual(sequences.slice(150));
    expect(log.stats()).toMatchObject({ unackedEntries: 2000, lastSequence: 200 });
    log.close();
  });

  it('deletes whole segments once acknowledged, and goes on from the same sequence after a restart', async () => {
    const dir = fresh();
    const log = openSegmentLog({ dir, maxBytes: 1 << 30, segmentBytes: 64 * 1024 });
    appendMany(log, 200);
    const before = readdirSync(dir).filter((f) => f.endsWith('.seg')).length;
    log.ack(150);
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBeLessThan(before);
    await log.sync();
    const agentId = log.agentId;
    log.close();

    const again = openSegmentLog({ dir, maxBytes: 1 << 30, segmentBytes: 64 * 1024 });
    expect(again.agentId).toBe(agentId);
    expect(again.acked()).toBe(150);
    expect(readAll(again, again.acked()).map((r) => r.sequence)).toEqual(Array.from({ length: 50 }, (_, i) => 151 + i));
    expect(again.append((s) => record(s), 1)).toBe(201);
    again.close();
  });

  it('cuts a torn last record on start and keeps everything before it', () => {
    const dir = fresh();
    const log = openSegmentLog({ dir, maxBytes: 1 << 30 });
    appendMany(log, 5);
    log.close();
    const segment = readdirSync(dir).find((f) => f.endsWith('.seg'))!;
    // Half a record: a crash in the middle of an append.
    appendFileSync(path.join(dir, segment), Buffer.from([200, 0, 0, 0, 1, 2, 3]));
    const again = openSegmentLog({ dir, maxBytes: 1 << 30 });
    expect(readAll(again, 0).map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(again.append((s) => record(s), 1)).toBe(6);
    expect(readAll(again, 5).map((r) => r.sequence)).toEqual([6]);
    again.close();
  });

  it('drops the oldest segment when full and counts the entries that were not acknowledged', () => {
    const dropped: number[] = [];
    const log = openSegmentLog({ dir: fresh(), maxBytes: 256 * 1024, segmentBytes: 64 * 1024, onDropped: (entries) => dropped.push(entries) });
    appendMany(log, 1000);
    expect(log.stats().bytes).toBeLessThanOrEqual(256 * 1024);
    const kept = readAll(log, log.acked());
    const lost = dropped.reduce((a, b) => a + b, 0);
    // Every entry appended is either still there or counted.
    expect(lost + kept.length * 10).toBe(10_000);
    expect(kept.at(-1)!.sequence).toBe(1000);
    // A reader behind the drop skips to the oldest record left.
    expect(readAll(log, 0)[0]!.sequence).toBe(kept[0]!.sequence);
    log.close();
  });
});

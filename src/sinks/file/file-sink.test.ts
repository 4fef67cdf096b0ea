/**
 * The file sink on a real temporary directory: line format, partial tails cut on open, size
 * rotation, rename underneath plus reopen, a missing directory retried, and shutdown flushing.
 */
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../testing/until.js';
import { createMetrics } from '../../telemetry/metrics.js';
import type { LineRecord } from '../shared/line-record.js';
import { fileSinkFactory, type FileSink, type FileSinkOptions } from './index.js';

let dir: string;
const sinks: FileSink[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshlog-file-sink-'));
});

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.shutdown(500)));
  await rm(dir, { recursive: true, force: true });
});

function sinkAt(path: string, options: Partial<FileSinkOptions> = {}): FileSink {
  const sink = fileSinkFactory.create({ type: 'file', path }, { metrics: createMetrics() }, { flushIntervalMs: 5, ...options });
  sinks.push(sink);
  return sink;
}

const lines = (...texts: string[]): LineRecord[] => texts.map((text) => ({ text }));

describe('file sink', () => {
  it('appends one record per line: text as is, objects as JSON', async () => {
    const path = join(dir, 'access.log');
    await writeFile(path, 'existing line\n');
    const sink = sinkAt(path);
    sink.push([{ text: '[2026-11-23T10:00:00.000Z] GET /productpage 200' }, { object: { method: 'GET', code: 200, ua: null } }]);
    sink.push(lines('second batch'));
    expect(await sink.flush()).toBe(true);
    expect(await readFile(path, 'utf8')).toBe(
      'existing line\n[2026-11-23T10:00:00.000Z] GET /productpage 200\n{"method":"GET","code":200,"ua":null}\nsecond batch\n',
    );
    expect(sink.name).toBe(`file:${path}`);
  });

  it('cuts a partial last line left by a crash before writing', async () => {
    const path = join(dir, 'crashed.log');
    await writeFile(path, 'complete one\ncomplete two\n{"half": "writ');
    const sink = sinkAt(path);
    sink.push(lines('after restart'));
    expect(await sink.flush()).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('complete one\ncomplete two\nafter restart\n');
  });

  it('cuts a file that is one partial line, longer than the chunk it reads backwards in', async () => {
    const path = join(dir, 'all-partial.log');
    await writeFile(path, 'x'.repeat(200_000));
    const sink = sinkAt(path);
    sink.push(lines('fresh'));
    expect(await sink.flush()).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('fresh\n');
  });

  it('rotates by size into path.1 .. path.N and keeps only N', async () => {
    const path = join(dir, 'rotating.log');
    const sink = sinkAt(path, { maxBytes: 100, keep: 2 });
    const written: string[] = [];
    for (let batch = 0; batch < 12; batch++) {
      const texts = [0, 1].map((i) => `batch ${String(batch).padStart(2, '0')} line ${i} ${'.'.repeat(12)}`);
      written.push(...texts);
      sink.push(lines(...texts));
      expect(await sink.flush()).toBe(true);
    }
    const current = await readFile(path, 'utf8');
    const one = await readFile(`${path}.1`, 'utf8');
    const two = await readFile(`${path}.2`, 'utf8');
    await expect(stat(`${path}.3`)).rejects.toThrow(/ENOENT/);
    for (const content of [current, one, two]) {
      expect(Buffer.byteLength(content)).toBeLessThanOrEqual(100);
      expect(content.endsWith('\n')).toBe(true);
    }
    // Oldest to newest, the kept files are exactly the last lines written, in order.
    const kept = (two + one + current).trimEnd().split('\n');
    expect(kept).toEqual(written.slice(written.length - kept.length));
    expect(kept.length).toBeGreaterThanOrEqual(6);
  });

  it('with keep 0, rotation starts the file afresh and keeps no old ones', async () => {
    const path = join(dir, 'no-history.log');
    const sink = sinkAt(path, { maxBytes: 20, keep: 0 });
    for (const text of ['first line 0123', 'second line 012', 'third line 0123']) {
      sink.push(lines(text));
      expect(await sink.flush()).toBe(true);
    }
    expect(await readFile(path, 'utf8')).toBe('third line 0123\n');
    await expect(stat(`${path}.1`)).rejects.toThrow(/ENOENT/);
  });

  it('after the file is renamed underneath, reopen sends new lines to a new file at the path', async () => {
    const path = join(dir, 'envoy.log');
    const sink = sinkAt(path);
    sink.push(lines('before rotation'));
    expect(await sink.flush()).toBe(true);
    await rename(path, `${path}.old`);
    // Until reopened, the sink still holds the renamed file, as any logrotate'd writer does.
    sink.push(lines('between rename and reopen'));
    expect(await sink.flush()).toBe(true);
    await sink.reopen();
    sink.push(lines('after reopen'));
    expect(await sink.flush()).toBe(true);
    expect(await readFile(`${path}.old`, 'utf8')).toBe('before rotation\nbetween rename and reopen\n');
    expect(await readFile(path, 'utf8')).toBe('after reopen\n');
  });

  it('retries with backoff while the directory is missing and never throws into the caller', async () => {
    const path = join(dir, 'not-yet', 'access.log');
    const sink = sinkAt(path, { retry: { initialMs: 5, maxMs: 20, multiplier: 2, jitter: 0 } });
    expect(sink.push(lines('waiting', 'for the directory'))).toBe(2);
    expect(await sink.flush()).toBe(false);
    await until(() => sink.stats().errors >= 2);
    expect(sink.stats()).toMatchObject({ queued: 2, sent: 0 });
    expect(sink.stats().lastError).toMatch(/ENOENT/);
    await mkdir(join(dir, 'not-yet'));
    await until(() => sink.stats().sent === 2);
    expect(await readFile(path, 'utf8')).toBe('waiting\nfor the directory\n');
  });

  it('shutdown writes what is queued before it returns', async () => {
    const path = join(dir, 'shutdown.log');
    const sink = sinkAt(path, { flushIntervalMs: 60_000 });
    sink.push(lines('a', 'b', 'c'));
    await sink.shutdown(1_000);
    expect(await readFile(path, 'utf8')).toBe('a\nb\nc\n');
  });

  it('validates the path without touching the file system', () => {
    expect(fileSinkFactory.validate({ type: 'file', path: '' }, 'spec.backends[0].file')).toEqual([
      { field: 'spec.backends[0].file.path', message: 'file backend requires a valid path: "" is not an absolute path' },
    ]);
    expect(fileSinkFactory.validate({ type: 'file', path: '/var/log/a.log' }, 'x')).toEqual([]);
  });
});
